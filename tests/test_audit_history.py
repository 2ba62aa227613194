"""The audit trail: every create, update, delete and restore is kept with who, when, and the old
and new values, and /projects/<code>/history/ shows them; the planning office restores a
deleted report from there and it is back on the project page."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import AuditEntry, ProgressReport
from tests import factories
from tests.conftest import login
from tests.paths import SEEDS


def report_data(**overrides):
    data = {
        "report_date": "30/03/2564",
        "percent": "30",
        "narrative": "อบรมรุ่นที่ 1",
        "problems": "ไม่มี",
        "obstacles": "ไม่มี",
    }
    data.update(overrides)
    return data


@pytest.fixture
def edited_report(client, staff, project):
    """A report entered, then edited, by the unit's staff."""
    login(client, staff)
    client.post(reverse("projects:progress_new", args=[project.code]), report_data())
    report = ProgressReport.objects.get()
    client.post(
        reverse("projects:progress_edit", args=[project.code, report.pk]),
        report_data(report_date="31/03/2564", percent="45.5", narrative="อบรมรุ่นที่ 1 และ 2", version=1),
    )
    return report


def test_the_history_shows_the_old_and_new_values_of_an_edited_report(client, edited_report, project):
    response = client.get(reverse("projects:history", args=[project.code]))
    assert response.status_code == 200
    update = response.context["entries"][0]
    assert update.get_action_display() == "แก้ไข"
    assert update.rows == [
        ("วันที่รายงาน", "30/03/2564", "31/03/2564"),
        ("ความคืบหน้าสะสม (ร้อยละ)", "30.00", "45.50"),
        ("ผลการดำเนินงาน", "อบรมรุ่นที่ 1", "อบรมรุ่นที่ 1 และ 2"),
    ]
    page = response.content.decode()
    for text in ("ประวัติการแก้ไข", "ค่าเดิม", "ค่าใหม่", "30/03/2564", "31/03/2564", "staff", "แก้ไข", "สร้าง"):
        assert text in page


def test_every_write_is_logged_with_who_and_the_changed_fields(client, edited_report, staff):
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [e.action for e in entries] == ["create", "update"]
    assert {e.user for e in entries} == {staff}
    assert entries[1].model_label == "projects.progressreport"
    assert entries[1].object_id == edited_report.pk
    assert entries[1].changes["percent"] == ["30.00", "45.50"]
    assert "problems" not in entries[1].changes  # unchanged fields are not logged


def test_a_deleted_report_stays_in_the_history_and_the_planning_office_restores_it(client, planner, staff, project):
    report = factories.make_report(project, report_date=date(2021, 3, 15), narrative="รายงานที่ถูกลบ")
    project.refresh_progress_summary()
    login(client, staff)
    client.post(reverse("projects:progress_delete", args=[project.code, report.pk]), {"version": report.version})
    assert "รายงานที่ถูกลบ" not in client.get(project.get_absolute_url()).content.decode()
    history = client.get(reverse("projects:history", args=[project.code]))
    assert "รายงานที่ถูกลบ" in history.content.decode()  # the old values of the delete entry
    assert "กู้คืนรายงานนี้" not in history.content.decode()  # staff cannot restore

    login(client, planner)
    history = client.get(reverse("projects:history", args=[project.code]))
    assert "กู้คืนรายงานนี้" in history.content.decode()
    report.refresh_from_db()
    url = reverse("projects:progress_restore", args=[project.code, report.pk])
    response = client.post(url, {"version": report.version}, follow=True)
    assert response.redirect_chain[-1][0] == project.get_absolute_url()
    assert "กู้คืนรายงานแล้ว" in response.content.decode()
    assert "รายงานที่ถูกลบ" in response.content.decode()
    project.refresh_from_db()
    assert project.latest_report_date == date(2021, 3, 15)
    assert [e.action for e in AuditEntry.objects.order_by("pk")] == ["delete", "restore"]
    history = client.get(reverse("projects:history", args=[project.code]))
    assert "กู้คืนรายงานนี้" not in history.content.decode()  # restored: nothing left to restore


def test_restoring_a_live_report_is_404(client, planner, project):
    report = factories.make_report(project)
    login(client, planner)
    assert client.post(reverse("projects:progress_restore", args=[project.code, report.pk])).status_code == 404


def test_project_and_step_changes_are_logged(client, staff, project):
    login(client, staff)
    client.post(
        reverse("projects:edit", args=[project.code]),
        {"name": "ชื่อใหม่", "unit": project.unit_id, "responsible_person": "นายทดสอบ", "version": 1},
    )
    client.post(
        reverse("projects:steps", args=[project.code]),
        {
            "version": 2,
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-0-number": "1",
            "steps-0-name": "จัดซื้อ",
            "steps-0-weight": "100",
            "steps-0-start": "01/10/2563",
            "steps-0-end": "31/12/2563",
        },
    )
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [(e.model_label, e.action) for e in entries] == [
        ("projects.project", "update"),
        ("projects.planstep", "create"),
    ]
    assert entries[0].changes["name"][1] == "ชื่อใหม่"
    assert entries[0].changes["responsible_person"] == ["", "นายทดสอบ"]
    assert entries[1].changes["end"] == [None, "2020-12-31"]
    rows = client.get(reverse("projects:history", args=[project.code])).context["entries"][0].rows
    assert ("สิ้นสุด", "-", "31/12/2563") in rows


def test_the_history_page_query_count_is_pinned(client, staff, project, django_assert_max_num_queries):
    for n in range(10):
        report = factories.make_report(project, report_date=date(2021, 3, n + 1))
        AuditEntry.objects.create(
            project=project, model_label="projects.progressreport", object_id=report.pk, action="create", user=staff
        )
    login(client, staff)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("projects:history", args=[project.code])).status_code == 200


def test_the_history_of_an_imported_project_shows_the_system_for_entries_without_a_user(client, planner):
    call_command("import_legacy", str(SEEDS / "000_ce21939e2f54dfaa.txt"), stdout=StringIO())
    login(client, planner)

    response = client.get(reverse("projects:history", args=["24000000-3029"]))

    assert response.status_code == 200
    entries = response.context["entries"]
    assert entries and {entry.user for entry in entries} == {None}
    page = response.content.decode()
    assert page.count("· ระบบ</p>") == len(entries)
    assert "import_legacy 000_ce21939e2f54dfaa.txt" in page


def test_the_history_names_the_system_in_english(client, planner, project):
    AuditEntry.objects.create(project=project, model_label="projects.project", object_id=project.pk, action="update")
    login(client, planner)

    response = client.get(reverse("projects:history", args=[project.code]), headers={"accept-language": "en"})

    assert response.status_code == 200
    assert "· System</p>" in response.content.decode()
