"""Two people edit the same record: the second save does not overwrite the first. It is shown
again with each differing field (their value vs yours), nothing saved; saving once more after
reading it is a deliberate choice and goes through."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from indicators.models import IndicatorQuarter
from projects.audit import EditConflict
from projects.models import AuditEntry, User
from projects.services import progress_report_update
from tests import factories


def report_data(report, **overrides):
    data = {
        "report_date": "30/03/2564",
        "percent": str(report.percent),
        "narrative": report.narrative,
        "problems": report.problems,
        "obstacles": report.obstacles,
        "version": report.version,
    }
    data.update(overrides)
    return data


@pytest.fixture
def two_clients(staff, director):
    first, second = Client(), Client()
    first.force_login(staff)
    second.force_login(director)
    return first, second


def test_the_second_save_of_a_report_shows_what_changed_and_saves_nothing(two_clients, project):
    report = factories.make_report(project, percent="30", narrative="เดิม")
    url = reverse("projects:progress_edit", args=[project.code, report.pk])
    first, second = two_clients
    # Both open the form at version 1.
    assert first.get(url).context["form"]["version"].value() == 1
    assert second.get(url).context["form"]["version"].value() == 1

    assert first.post(url, report_data(report, percent="40", narrative="ของคนแรก")).status_code == 302
    response = second.post(url, report_data(report, percent="35", narrative="ของคนที่สอง"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "ยังไม่ได้บันทึก: มีผู้อื่นแก้ไขรายการนี้หลังจากที่คุณเปิดแบบฟอร์ม" in page
    assert response.context["conflict"] == [
        ("ความคืบหน้าสะสม (ร้อยละ)", "40.00", "35.00"),
        ("ผลการดำเนินงาน", "ของคนแรก", "ของคนที่สอง"),
    ]
    report.refresh_from_db()
    assert (report.percent, report.narrative, report.version) == (Decimal("40"), "ของคนแรก", 2)
    assert AuditEntry.objects.filter(action="update").count() == 1
    # The form keeps what the second person typed, now at the stored version.
    assert response.context["form"]["narrative"].value() == "ของคนที่สอง"
    assert response.context["form"]["version"].value() == "2"


def test_saving_again_after_the_conflict_is_deliberate_and_goes_through(two_clients, project):
    report = factories.make_report(project, percent="30")
    url = reverse("projects:progress_edit", args=[project.code, report.pk])
    first, second = two_clients
    first.post(url, report_data(report, percent="40"))
    response = second.post(url, report_data(report, percent="35"))
    again = response.context["form"].data
    assert second.post(url, again).status_code == 302
    report.refresh_from_db()
    assert (report.percent, report.version) == (Decimal("35"), 3)


def test_the_service_refuses_a_stale_version(project, staff):
    report = factories.make_report(project, percent="30")
    progress_report_update(report=report, user=staff, version=1, values={"percent": Decimal("31")})
    stale = type(report).objects.get(pk=report.pk)
    with pytest.raises(EditConflict) as conflict:
        progress_report_update(report=stale, user=staff, version=1, values={"percent": Decimal("32")})
    assert conflict.value.current.percent == Decimal("31")
    assert AuditEntry.objects.count() == 1


def test_editing_a_report_someone_deleted_meanwhile_saves_nothing(two_clients, project):
    report = factories.make_report(project)
    first, second = two_clients
    edit = reverse("projects:progress_edit", args=[project.code, report.pk])
    second.get(edit)
    first.post(reverse("projects:progress_delete", args=[project.code, report.pk]), {"version": report.version})
    response = second.post(edit, report_data(report, percent="99"))
    assert response.status_code == 404  # a deleted report is no longer editable
    report.refresh_from_db()
    assert report.percent == Decimal("35")


def test_the_project_form_refuses_a_stale_version(two_clients, project):
    url = reverse("projects:edit", args=[project.code])
    first, second = two_clients
    data = {"name": project.name, "unit": project.unit_id, "version": project.version}
    assert first.post(url, {**data, "name": "ชื่อของคนแรก"}).status_code == 302
    response = second.post(url, {**data, "name": "ชื่อของคนที่สอง"})
    assert response.status_code == 200
    assert ("ชื่อโครงการ", "ชื่อของคนแรก", "ชื่อของคนที่สอง") in response.context["conflict"]
    project.refresh_from_db()
    assert project.name == "ชื่อของคนแรก"


def test_the_plan_steps_form_refuses_a_stale_project_version(two_clients, project):
    url = reverse("projects:steps", args=[project.code])
    first, second = two_clients
    data = {
        "version": project.version,
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-number": "1",
        "steps-0-name": "ขั้นตอนแรก",
        "steps-0-weight": "100",
        "steps-0-start": "01/10/2563",
        "steps-0-end": "30/09/2564",
    }
    assert first.post(url, data).status_code == 302
    response = second.post(url, {**data, "steps-0-name": "ขั้นตอนของคนที่สอง"})
    assert response.status_code == 200
    assert response.context["conflict"]
    assert list(project.steps.values_list("name", flat=True)) == ["ขั้นตอนแรก"]


def test_two_planners_evaluating_the_same_quarter(project, planner, planning_office):
    other = factories.make_user("planner-2", unit=planning_office, role=User.Role.PLANNER)
    url = reverse("projects:evaluate", args=[project.code, 1])
    first, second = Client(), Client()
    first.force_login(planner)
    second.force_login(other)
    first.get(url), second.get(url)
    assert first.post(url, {"score": "80", "version": ""}).status_code == 302
    response = second.post(url, {"score": "90", "version": ""})
    assert response.status_code == 200
    assert response.context["conflict"] == [("คะแนน", "80.00", "90.00")]
    assert project.evaluations.get().score == Decimal("80")


def test_two_staff_entering_the_same_indicator_quarter(two_clients, social_dept):
    indicator = factories.make_indicator(unit=social_dept)
    factories.make_indicator_quarter(indicator, quarter=2, result=Decimal("10"))
    url = reverse("indicators:result_edit", args=[indicator.code, indicator.fiscal_year, 2])
    first, second = two_clients
    assert first.post(url, {"result": "20", "narrative": "", "version": "1"}).status_code == 302
    response = second.post(url, {"result": "30", "narrative": "", "version": "1"})
    assert response.status_code == 200
    assert ("ผลงาน", "20.00", "30.00") in response.context["conflict"]
    assert IndicatorQuarter.objects.get().result == Decimal("20")


def test_reports_dates_are_untouched_by_a_refused_save(two_clients, project):
    report = factories.make_report(project, report_date=date(2021, 3, 30))
    url = reverse("projects:progress_edit", args=[project.code, report.pk])
    first, second = two_clients
    first.post(url, report_data(report, report_date="01/04/2564"))
    second.post(url, report_data(report, report_date="02/04/2564"))
    report.refresh_from_db()
    assert report.report_date == date(2021, 4, 1)
