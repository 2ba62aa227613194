"""The monthly progress form: /projects/<code>/progress/new/ and …/<id>/edit/, delete and restore."""

import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urljoin

import pytest
from django.urls import reverse

from bma_tracker import thaidate
from projects.models import AuditEntry, ProgressReport, Project
from tests import factories
from tests.conftest import login


def new_url(project):
    return reverse("projects:progress_new", args=[project.code])


def form_data(**overrides):
    data = {
        "report_date": "30/03/2564",
        "percent": "45.50",
        "narrative": "จัดอบรมครั้งที่ 1 แล้ว",
        "problems": "ไม่มี",
        "obstacles": "ไม่มี",
        "submission_key": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def staff_client(client, staff):
    return login(client, staff)


def test_it_shows_the_form_with_today_and_ไม่มี_as_defaults(staff_client, project, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = staff_client.get(new_url(project))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["problems"].value() == "ไม่มี"
    assert form["obstacles"].value() == "ไม่มี"
    assert "ไม่เกิน 5,000 ตัวอักษร" in response.content.decode()
    assert 'placeholder="วว/ดด/ปปปป"' in response.content.decode()


def test_it_records_a_report_refreshes_the_summary_and_logs_it(staff_client, staff, project):
    response = staff_client.post(new_url(project), form_data(), follow=True)
    assert response.redirect_chain[-1][0] == project.get_absolute_url()
    assert "บันทึกรายงานความคืบหน้าเรียบร้อยแล้ว" in response.content.decode()
    report = ProgressReport.objects.get(project=project)
    assert (report.report_date, report.percent, report.entered_by) == (date(2021, 3, 30), Decimal("45.50"), staff)
    project.refresh_from_db()
    assert project.latest_percent == Decimal("45.50")
    assert project.latest_report_date == date(2021, 3, 30)
    entry = AuditEntry.objects.get(project=project)
    assert entry.action == "create" and entry.user == staff
    assert entry.changes["percent"] == [None, "45.50"]


def test_it_shows_the_new_report_on_the_project_page(staff_client, project):
    staff_client.post(new_url(project), form_data(narrative="ส่งมอบงานงวดที่ 2"))
    page = staff_client.get(project.get_absolute_url()).content.decode()
    assert "ส่งมอบงานงวดที่ 2" in page
    assert "30/03/2564" in page


def test_it_accepts_thai_digits_and_an_unpadded_date(staff_client, project):
    staff_client.post(new_url(project), form_data(report_date="๕/๔/๒๕๖๔", percent="๖๐"))
    report = ProgressReport.objects.get(project=project)
    assert (report.report_date, report.percent) == (date(2021, 4, 5), Decimal("60"))


def test_it_refuses_a_date_outside_the_projects_fiscal_year(staff_client, project):
    response = staff_client.post(new_url(project), form_data(report_date="01/10/2564"))
    assert response.status_code == 200
    assert "วันที่รายงานต้องอยู่ในปีงบประมาณ 2564 (01/10/2563 – 30/09/2564)" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_it_asks_for_confirmation_and_a_reason_when_the_percent_goes_down(staff_client, staff, project):
    factories.make_report(project, report_date=date(2021, 3, 1), percent="50")
    response = staff_client.post(new_url(project), form_data(percent="40"))
    page = response.content.decode()
    assert "ร้อยละ 40 ต่ำกว่ารายงานก่อนหน้า (ร้อยละ 50.00 เมื่อ 01/03/2564)" in page
    assert 'name="confirm_lower"' in page
    assert ProgressReport.objects.count() == 1

    response = staff_client.post(new_url(project), form_data(percent="40", confirm_lower="on"))
    assert "กรุณาระบุเหตุผลที่ความคืบหน้าลดลง" in response.content.decode()
    assert ProgressReport.objects.count() == 1

    response = staff_client.post(
        new_url(project), form_data(percent="40", confirm_lower="on", lower_reason="นับซ้ำงวดที่แล้ว")
    )
    assert response.status_code == 302
    assert ProgressReport.objects.count() == 2
    entry = AuditEntry.objects.get(action="create", project=project)
    assert entry.note == "ความคืบหน้าลดลง: นับซ้ำงวดที่แล้ว"


def test_a_lower_percent_before_an_earlier_report_needs_no_confirmation(staff_client, project):
    factories.make_report(project, report_date=date(2021, 3, 31), percent="50")
    response = staff_client.post(new_url(project), form_data(report_date="01/03/2564", percent="40"))
    assert response.status_code == 302


def test_it_edits_a_report_keeps_the_old_values_in_the_history(staff_client, staff, project):
    report = factories.make_report(project, percent="30", narrative="เดิม")
    url = reverse("projects:progress_edit", args=[project.code, report.pk])
    form = staff_client.get(url).context["form"]
    assert form["report_date"].value() == "30/03/2564"
    response = staff_client.post(url, form_data(percent="35", narrative="ใหม่", version=report.version))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.percent, report.narrative, report.version) == (Decimal("35"), "ใหม่", 2)
    project.refresh_from_db()
    assert project.latest_percent == Decimal("35")
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"percent": ["30.00", "35.00"], "narrative": ["เดิม", "ใหม่"]}


def test_it_does_not_edit_a_deleted_report(staff_client, project):
    report = factories.make_report(project)
    ProgressReport.objects.filter(pk=report.pk).update(deleted_at="2021-04-01T00:00:00Z")
    response = staff_client.get(reverse("projects:progress_edit", args=[project.code, report.pk]))
    assert response.status_code == 404


def test_deleting_hides_the_report_and_the_summary_forgets_it(staff_client, project):
    older = factories.make_report(project, report_date=date(2021, 2, 1), percent="20")
    newer = factories.make_report(project, report_date=date(2021, 3, 1), percent="30", narrative="รายงานที่จะลบ")
    project.refresh_progress_summary()
    url = reverse("projects:progress_delete", args=[project.code, newer.pk])
    assert "ยืนยันการลบ" in staff_client.get(url).content.decode()
    response = staff_client.post(url, {"version": newer.version})
    assert response.status_code == 302
    newer.refresh_from_db()
    assert newer.deleted_at is not None
    assert ProgressReport.objects.count() == 2  # never hard-deleted
    project.refresh_from_db()
    assert (project.latest_percent, project.latest_report_date) == (older.percent, older.report_date)
    assert "รายงานที่จะลบ" not in staff_client.get(project.get_absolute_url()).content.decode()


def test_the_project_page_links_each_report_to_its_own_edit_evidence_and_delete_pages(staff_client, project):
    older = factories.make_report(project, report_date=date(2021, 2, 1), percent="20")
    newer = factories.make_report(project, report_date=date(2021, 3, 1), percent="30")
    page_url = project.get_absolute_url()
    page = staff_client.get(page_url).content.decode()
    actions = page[page.index('class="project-report-actions') :]
    actions = actions[: actions.index("</details>")]
    # The links are relative to the project page: resolved as a browser does, each leads to its
    # report's page, newest first as numbered.
    links = [urljoin(page_url, href) for href in re.findall(r'href="([^"]+)"', actions)]
    assert links == [
        reverse(f"projects:progress_{action}", args=[project.code, report.pk])
        for report in (newer, older)
        for action in ("edit", "evidence", "delete")
    ]
    assert Decimal(staff_client.get(links[0]).context["form"]["percent"].value()) == Decimal("30")
    assert "(1) 01/03/2564 · ร้อยละ 30.00" in actions


def test_the_blank_form_is_shared_by_every_project_of_a_day_but_follows_the_language(staff_client, project):
    # The blank form's fields are rendered once per process, language and day ("fragments" cache).
    other = factories.make_project(code="24000000-9998", unit=project.unit, fiscal_year=2564)
    thai = staff_client.get(new_url(project)).content.decode()
    today = "30/09/2564"  # FY 2564 is over: the form offers its last day (projects.cycle.open_report_day)
    assert f'name="report_date" value="{today}"' in thai and "ความคืบหน้าสะสม (ร้อยละ)" in thai
    staff_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = staff_client.get(new_url(other)).content.decode()
    assert "Cumulative progress (%)" in english and "ความคืบหน้าสะสม (ร้อยละ)" not in english
    assert f'name="report_date" value="{today}"' in english
    # Each page keeps its own project, submission key and CSRF token around the shared fields.
    assert other.name in english and project.name not in english
    keys = [re.search(r'name="submission_key" value="([0-9a-f]+)"', page).group(1) for page in (thai, english)]
    assert keys[0] != keys[1]
    # A form sent back with errors shows what was typed, not the blank form.
    response = staff_client.post(new_url(other), form_data(percent="150", narrative="typed text"))
    assert "typed text" in response.content.decode() and "The percent cannot be over 100" in response.content.decode()


def test_posting_a_report_runs_a_fixed_number_of_queries(staff_client, project, django_assert_num_queries):
    # The session, the signed-in user, the project (without a shared cache, as here: from the
    # database), the previous report (is the percent lower?); then in one transaction (here a
    # savepoint) the report, its audit entry, the live reports and plan steps the summary is
    # computed from, and the summary. No query asks first whether the form was already
    # submitted: the unique submission key refuses a second submit. The reporting cycle adds
    # two: the year's closed quarters (the form offers and checks the date) and the service's
    # own closed-quarter check, which every writer passes through.
    factories.make_step(project)
    factories.make_report(project, report_date=date(2021, 2, 27))
    # 13, and one for the other reports of the month (the warning when there are any)
    with django_assert_num_queries(14):
        response = staff_client.post(new_url(project), form_data(submission_key="c0ffee" + "0" * 26))
    assert response.status_code == 302
    assert project.reports.filter(submission_key="c0ffee" + "0" * 26).count() == 1


def test_the_edit_and_delete_urls_refuse_get_and_post_from_other_methods(staff_client, project):
    report = factories.make_report(project)
    assert staff_client.put(reverse("projects:progress_edit", args=[project.code, report.pk])).status_code == 405
    assert staff_client.delete(reverse("projects:progress_delete", args=[project.code, report.pk])).status_code == 405


def test_unknown_project_is_404(staff_client, db):
    assert staff_client.get(reverse("projects:progress_new", args=["24000000-0"])).status_code == 404
    assert not Project.objects.filter(code="24000000-0").exists()


def test_the_form_speaks_english_after_the_language_switch(staff_client, project):
    staff_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = staff_client.get(new_url(project)).content.decode()
    assert "Monthly progress report" in page
    assert "Cumulative progress (%)" in page
    assert "At most 5,000 characters" in page
    response = staff_client.post(new_url(project), form_data(percent="150"))
    assert "The percent cannot be over 100" in response.content.decode()


@pytest.mark.parametrize("posted", [{}, {"version": "x"}, {"version": "999"}])
def test_a_delete_confirmed_on_a_stale_or_tampered_page_asks_again_and_deletes_nothing(staff_client, project, posted):
    report = factories.make_report(project, report_date=date(2021, 3, 1), narrative="ยังอยู่")
    url = reverse("projects:progress_delete", args=[project.code, report.pk])
    response = staff_client.post(url, posted)
    assert response.status_code == 409
    assert "เพิ่งถูกแก้ไขโดยผู้อื่น" in response.content.decode()
    assert f'name="version" value="{report.version}"' in response.content.decode()
    report.refresh_from_db()
    assert report.deleted_at is None


def test_a_report_edited_after_the_delete_page_was_opened_is_not_deleted(staff_client, project):
    report = factories.make_report(project, report_date=date(2021, 3, 1), narrative="ฉบับแรก")
    shown = report.version
    ProgressReport.objects.filter(pk=report.pk).update(narrative="แก้แล้ว", version=shown + 1)
    response = staff_client.post(
        reverse("projects:progress_delete", args=[project.code, report.pk]), {"version": shown}
    )
    assert response.status_code == 409 and "แก้แล้ว" in response.content.decode()
    report.refresh_from_db()
    assert report.deleted_at is None


# --- a report dated in the future (issue 19) -----------------------------------------------------


@pytest.fixture
def current_project(social_division):
    """A project of the fiscal year tomorrow falls in, so that tomorrow is inside its year."""
    tomorrow = thaidate.today() + timedelta(days=1)
    return factories.make_project(
        code="24000000-8888", unit=social_division, fiscal_year=thaidate.fiscal_year(tomorrow)
    )


def test_it_refuses_a_report_dated_after_today(staff_client, current_project):
    today = thaidate.today()
    tomorrow = thaidate.format_short(today + timedelta(days=1))
    response = staff_client.post(new_url(current_project), form_data(report_date=tomorrow))
    assert response.status_code == 200
    message = f"วันที่รายงานต้องไม่เกินวันนี้ ({thaidate.format_short(today)}) เพราะรายงานบอกผลที่ทำได้จนถึงวันที่รายงาน"
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert (
        staff_client.post(new_url(current_project), form_data(report_date=thaidate.format_short(today))).status_code
        == 302
    )


def test_an_edit_may_not_move_a_report_into_the_future(staff_client, current_project):
    report = factories.make_report(current_project, report_date=thaidate.today())
    tomorrow = thaidate.format_short(thaidate.today() + timedelta(days=1))
    url = reverse("projects:progress_edit", args=[current_project.code, report.pk])
    response = staff_client.post(url, form_data(report_date=tomorrow, version=report.version))
    assert "วันที่รายงานต้องไม่เกินวันนี้" in response.content.decode()
    report.refresh_from_db()
    assert report.report_date == thaidate.today()


def test_the_services_and_the_model_refuse_a_future_report_for_every_writer(staff, current_project):
    from django.core.exceptions import ValidationError

    from projects import services

    tomorrow = thaidate.today() + timedelta(days=1)
    values = {"report_date": tomorrow, "percent": Decimal("10"), "narrative": "", "problems": "", "obstacles": ""}
    with pytest.raises(ValidationError) as refused:
        services.progress_report_submit(project=current_project, user=staff, values=values)
    assert list(refused.value.message_dict) == ["report_date"]
    report = factories.make_report(current_project, report_date=thaidate.today())
    with pytest.raises(ValidationError):
        services.progress_report_update(report=report, user=staff, version=report.version, values=values)
    report.refresh_from_db()
    assert (report.report_date, report.version) == (thaidate.today(), 1)
    assert ProgressReport.objects.count() == 1
    assert not AuditEntry.objects.exists()


# --- A month that already has a report (issue 21): a warning, not a refusal -------------------


def test_the_form_says_when_the_month_already_has_a_report_and_links_it(staff_client, current_project):
    existing = factories.make_report(current_project, report_date=thaidate.today(), percent="30")
    html = staff_client.get(new_url(current_project)).content.decode()
    assert "เดือนนี้มีรายงานแล้ว 1 ฉบับ" in html
    assert reverse("projects:progress_edit", args=[current_project.code, existing.pk]) in html


def test_a_second_report_in_a_month_is_saved_with_a_warning(staff_client, current_project):
    today = thaidate.today()
    factories.make_report(current_project, report_date=today, percent="30")
    response = staff_client.post(
        new_url(current_project), form_data(report_date=thaidate.format_short(today), percent="40"), follow=True
    )
    assert current_project.reports.count() == 2
    assert "เดือนนี้มีรายงานอื่นอีก 1 ฉบับ" in response.content.decode()


def test_a_month_without_reports_shows_no_warning(staff_client, current_project):
    assert "same-month" not in staff_client.get(new_url(current_project)).content.decode()
