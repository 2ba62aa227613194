"""The headline percent a legacy printout shows (Project.legacy_headline_percent): with no live
report it is the project's progress for lists and dashboards, whichever writer last touched the
reports; a report takes over as soon as there is one; nobody edits it in a form; and the pages
say which percent they show."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from bma_tracker import thaidate
from projects import services
from projects.forms import ProjectForm
from projects.models import Project
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed(social_division):
    """An imported project whose printout headlined 95 % and showed no report."""
    project = factories.make_project(
        code="24000000-4001", unit=social_division, fiscal_year=2564, legacy_headline_percent=Decimal("95")
    )
    project.refresh_progress_summary()
    return project


def summary(project):
    project.refresh_from_db()
    return project.latest_percent, project.latest_report_date, project.planned_percent_at_latest


def test_without_a_live_report_the_summary_is_the_printed_headline(printed):
    assert summary(printed) == (Decimal("95"), None, None)
    assert printed.percent_is_legacy_headline
    assert printed.report_months == 0


def test_without_a_headline_or_a_report_there_is_no_percent(project):
    project.refresh_progress_summary()
    assert summary(project) == (None, None, None)
    assert not project.percent_is_legacy_headline


def test_the_in_memory_summary_used_by_the_demo_data_follows_the_same_rule():
    project = Project(fiscal_year=2564, legacy_headline_percent=Decimal("40"))
    project.summarise(None, [], steps=[])
    assert (project.latest_percent, project.latest_report_date) == (Decimal("40"), None)
    project.summarise({"percent": Decimal("55"), "report_date": date(2021, 3, 1)}, [date(2021, 3, 1)], steps=[])
    assert (project.latest_percent, project.latest_report_date) == (Decimal("55"), date(2021, 3, 1))


def test_a_report_takes_over_and_deleting_it_gives_the_headline_back(printed, staff):
    values = {"report_date": date(2021, 3, 30), "percent": Decimal("40"), "narrative": "เริ่มดำเนินการ"}
    report, _created = services.progress_report_submit(project=printed, user=staff, values=values)
    assert summary(printed)[:2] == (Decimal("40"), date(2021, 3, 30))
    assert not printed.percent_is_legacy_headline

    services.progress_report_delete(report=report, user=staff, version=report.version)
    assert summary(printed) == (Decimal("95"), None, None)

    report.refresh_from_db()
    services.progress_report_restore(report=report, user=staff, version=report.version)
    assert summary(printed)[:2] == (Decimal("40"), date(2021, 3, 30))
    assert printed.legacy_headline_percent == Decimal("95")  # never changed by a report


def test_deleting_the_last_report_in_the_admin_gives_the_headline_back(client, admin_user, printed):
    report = factories.make_report(printed, report_date=date(2021, 3, 30), percent="35.00")
    printed.refresh_progress_summary()
    client.force_login(admin_user)

    url = reverse("admin:projects_progressreport_delete", args=[report.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302

    assert summary(printed) == (Decimal("95"), None, None)


def test_the_admin_shows_the_headline_without_letting_anyone_edit_it(client, admin_user, printed):
    client.force_login(admin_user)
    response = client.get(reverse("admin:projects_project_change", args=[printed.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ความคืบหน้าที่ระบบเดิมแสดง (ร้อยละ)" in page
    assert 'name="legacy_headline_percent"' not in page


def test_the_project_form_neither_shows_nor_saves_the_headline(client, staff, printed):
    assert "legacy_headline_percent" not in ProjectForm(instance=printed, user=staff).fields
    login(client, staff)

    response = client.post(
        reverse("projects:edit", args=[printed.code]),
        {"name": "ชื่อใหม่", "unit": printed.unit_id, "version": 1, "legacy_headline_percent": "5"},
    )

    assert response.status_code == 302
    printed.refresh_from_db()
    assert (printed.name, printed.legacy_headline_percent, printed.latest_percent) == (
        "ชื่อใหม่",
        Decimal("95"),
        Decimal("95"),
    )


def test_the_database_refuses_a_headline_outside_0_to_100(printed):

    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=printed.pk).update(legacy_headline_percent=Decimal("101"))


def test_the_report_form_names_the_printed_percent_as_such(client, staff, printed):
    login(client, staff)
    page = client.get(reverse("projects:progress_new", args=[printed.code])).content.decode()
    assert "ความคืบหน้าที่ระบบเดิมแสดง ร้อยละ 95.00" in page
    assert "()" not in page


def test_my_projects_marks_the_printed_percent(client, staff, social_division):
    this_year = thaidate.fiscal_year(thaidate.today())
    project = factories.make_project(unit=social_division, fiscal_year=this_year, legacy_headline_percent=Decimal("95"))
    project.refresh_progress_summary()
    login(client, staff)
    page = client.get(reverse("home")).content.decode()
    assert "95.00" in page
    assert "ตามระบบเดิม" in page


def test_the_page_shows_the_printed_headline_beside_a_report_that_agrees(client, staff, printed):
    factories.make_report(printed, report_date=date(2021, 3, 30), percent="95")
    printed.refresh_progress_summary()
    login(client, staff)

    response = client.get(printed.get_absolute_url())

    page = response.content.decode()
    assert "ความคืบหน้าที่ระบบเดิมแสดง: ร้อยละ 95" in page
    assert "ยังไม่มีรายงานความคืบหน้าในระบบนี้" not in page
    assert response.context["notes_by_section"].get("header", []) == []


def test_it_reads_in_english(client, staff, printed):
    login(client, staff)
    page = client.get(printed.get_absolute_url(), headers={"accept-language": "en"}).content.decode()
    assert "Progress the legacy system printed: 95%" in page
    assert "No progress report in this system yet" in page
