"""Bad input never gives a 500 and never stores anything: each case shows its Thai message and
leaves the row counts as they were."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.models import AuditEntry, ProgressReport
from tests import factories
from tests.conftest import login


def counts():
    return ProgressReport.objects.count(), AuditEntry.objects.count()


def form_data(**overrides):
    data = {
        "report_date": "30/03/2564",
        "percent": "45",
        "narrative": "ดำเนินการตามแผน",
        "problems": "ไม่มี",
        "obstacles": "ไม่มี",
    }
    data.update(overrides)
    return data


@pytest.fixture
def post(client, staff, project):
    login(client, staff)

    def post(**overrides):
        before = counts()
        response = client.post(reverse("projects:progress_new", args=[project.code]), form_data(**overrides))
        assert response.status_code == 200, "a bad form is shown again, not saved and not a 500"
        assert counts() == before, "nothing stored"
        return response.content.decode()

    return post


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        ("abc", "กรุณากรอกเป็นตัวเลข เช่น 45 หรือ 45.50"),
        ("1e3", "กรุณากรอกเป็นตัวเลข เช่น 45 หรือ 45.50"),
        ("NaN", "กรุณากรอกเป็นตัวเลข เช่น 45 หรือ 45.50"),
        ("Infinity", "กรุณากรอกเป็นตัวเลข เช่น 45 หรือ 45.50"),
        ("1,000", "กรุณากรอกเป็นตัวเลข เช่น 45 หรือ 45.50"),
        ("100.5", "ร้อยละต้องไม่เกิน 100"),
        ("150", "ร้อยละต้องไม่เกิน 100"),
        ("-1", "ร้อยละต้องไม่ต่ำกว่า 0"),
        ("50.123", "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
        ("", "กรุณากรอกตัวเลข"),
    ],
)
def test_it_rejects_a_percent_that_is_not_0_to_100_with_2_decimals(post, percent, message):
    page = post(percent=percent)
    assert message in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31/02/2564", "ไม่มีวันที่ 31 กุมภาพันธ์ 2564 (เดือนกุมภาพันธ์ 2564 มี 28 วัน)"),
        ("30/03/2021", "ปี 2021 ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. (เช่น 2564)"),
        ("2021-03-30", "กรุณากรอกวันที่ในรูปแบบ วว/ดด/ปปปป (พ.ศ.) เช่น 30/08/2564"),
        ("30/13/2564", "ไม่มีเดือนที่ 13"),
        ("30/03/64", "กรุณากรอกปี พ.ศ. เป็นตัวเลข 4 หลัก"),
        ("", "กรุณากรอกวันที่"),
    ],
)
def test_it_rejects_a_date_that_is_not_a_thai_date(post, typed, message):
    assert message in post(report_date=typed)


@pytest.mark.parametrize("field", ["narrative", "problems", "obstacles"])
def test_it_rejects_texts_over_the_stated_limit(post, field):
    limit = settings.MAX_NARRATIVE_CHARS
    page = post(**{field: "ก" * (limit + 1)})
    assert f"ข้อความยาวเกินกำหนด: ไม่เกิน {limit} ตัวอักษร (กรอกมา {limit + 1} ตัวอักษร)" in page


def test_it_accepts_a_text_exactly_at_the_limit(client, staff, project):
    login(client, staff)
    text = "ข" * settings.MAX_NARRATIVE_CHARS
    response = client.post(reverse("projects:progress_new", args=[project.code]), form_data(narrative=text))
    assert response.status_code == 302
    assert ProgressReport.objects.get().narrative == text


def test_it_rejects_a_nul_character_instead_of_failing_in_the_database(post):
    assert "ข้อความมีอักขระที่ใช้ไม่ได้ (NUL) กรุณาพิมพ์ใหม่" in post(narrative="ก\x00ข")


def test_it_stores_html_as_typed_and_shows_it_as_text(client, staff, project):
    login(client, staff)
    script = '<script>alert("x")</script><b>ตัวหนา</b>'
    client.post(reverse("projects:progress_new", args=[project.code]), form_data(narrative=script, problems=script))
    report = ProgressReport.objects.get()
    assert report.narrative == script
    page = client.get(project.get_absolute_url()).content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;ตัวหนา&lt;/b&gt;" in page
    history = client.get(reverse("projects:history", args=[project.code])).content.decode()
    assert script not in history
    assert "&lt;script&gt;" in history


def test_a_post_without_a_csrf_token_is_refused_with_a_thai_page(staff, project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(reverse("projects:progress_new", args=[project.code]), form_data())
    assert response.status_code == 403
    assert "ส่งแบบฟอร์มไม่สำเร็จ" in response.content.decode()
    assert counts() == (0, 0)


def test_a_post_with_the_csrf_token_from_the_form_goes_through(staff, project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    url = reverse("projects:progress_new", args=[project.code])
    token = client.get(url).context["csrf_token"]
    response = client.post(url, form_data(csrfmiddlewaretoken=str(token)))
    assert response.status_code == 302
    assert counts() == (1, 1)


def test_a_double_submit_of_one_form_makes_one_report(client, staff, project):
    login(client, staff)
    url = reverse("projects:progress_new", args=[project.code])
    key = client.get(url).context["form"]["submission_key"].value()
    assert key
    data = form_data(submission_key=key)
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302
    report = ProgressReport.objects.get()
    assert second.redirect_chain[-1][0] == f"{project.get_absolute_url()}#report-{report.pk}"
    assert "รายงานนี้ (วันที่ 30/03/2564) บันทึกไว้แล้ว (ส่งแบบฟอร์มซ้ำ) จึงไม่ได้บันทึกซ้ำอีก" in second.content.decode()
    assert counts() == (1, 1)


def test_two_forms_opened_separately_make_two_reports(client, staff, project):
    login(client, staff)
    url = reverse("projects:progress_new", args=[project.code])
    for _ in range(2):
        key = client.get(url).context["form"]["submission_key"].value()
        client.post(url, form_data(submission_key=key))
    assert counts() == (2, 2)


@pytest.mark.parametrize("version", ["abc", "-1", "1e3"])
def test_a_tampered_version_is_refused_not_a_500(client, staff, project, version):
    report = factories.make_report(project)
    login(client, staff)
    before = AuditEntry.objects.count()
    url = reverse("projects:progress_edit", args=[project.code, report.pk])
    response = client.post(url, form_data(version=version))
    assert response.status_code == 200
    assert AuditEntry.objects.count() == before


def test_an_unknown_quarter_is_404_not_a_500(client, planner, project):
    login(client, planner)
    assert client.get(f"/projects/{project.code}/evaluations/q5/").status_code == 404
    assert client.get(f"/projects/{project.code}/evaluations/q0/").status_code == 404


# --- a tampered or reused submission key (issue 19): said in Thai, never silently -------------


@pytest.mark.parametrize("key", ["x" * 65, "not-a-key", "ก" * 32, "A" * 32, "\x00" * 32, "0" * 31])
def test_a_malformed_submission_key_is_said_at_the_top_and_the_next_submit_goes_through(client, staff, project, key):
    login(client, staff)
    url = reverse("projects:progress_new", args=[project.code])
    response = client.post(url, form_data(submission_key=key))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ยังไม่ได้บันทึก: แบบฟอร์มนี้ไม่สมบูรณ์ (รหัสการส่งแบบฟอร์มไม่ถูกต้อง)" in page
    assert counts() == (0, 0)
    renewed = response.context["form"]["submission_key"].value()
    assert re.fullmatch("[0-9a-f]{32}", renewed)
    assert response.context["form"]["narrative"].value() == "ดำเนินการตามแผน"  # what was typed is kept
    assert client.post(url, form_data(submission_key=renewed)).status_code == 302
    assert counts() == (1, 1)


def test_a_reused_key_of_a_report_since_deleted_says_so_and_opens_the_history(client, staff, project):
    login(client, staff)
    url = reverse("projects:progress_new", args=[project.code])
    key = client.get(url).context["form"]["submission_key"].value()
    client.post(url, form_data(submission_key=key))
    ProgressReport.objects.update(deleted_at=timezone.now())
    response = client.post(url, form_data(submission_key=key), follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:history", args=[project.code])
    assert "รายงานนี้ (วันที่ 30/03/2564) บันทึกไว้แล้วและถูกลบภายหลัง จึงไม่ได้บันทึกซ้ำ" in response.content.decode()
    assert ProgressReport.objects.count() == 1


def test_the_key_of_another_projects_report_is_refused_not_followed(client, staff, project, social_division):
    other = factories.make_project(code="24000000-7777", unit=social_division)
    key = "ab" * 16
    factories.make_report(other, submission_key=key)
    login(client, staff)
    response = client.post(reverse("projects:progress_new", args=[project.code]), form_data(submission_key=key))
    assert response.status_code == 200
    assert "รหัสการส่งแบบฟอร์มไม่ถูกต้อง" in response.content.decode()
    assert not project.reports.exists()
