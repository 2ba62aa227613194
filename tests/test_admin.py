"""The admin edits reports and steps outside projects.services: the project's stored progress
summary (and the dashboards counting it) must still follow."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ProgressReport
from tests import factories


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def report_form(report, **changes):
    data = {
        "project": report.project_id,
        "report_date": report.report_date.isoformat(),
        "percent": str(report.percent),
        "narrative": report.narrative,
        "problems": report.problems,
        "obstacles": report.obstacles,
        "source": report.source,
        "submission_key": "",
        "entered_by": "",
        "version": report.version,
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_editing_a_report_in_the_admin_refreshes_the_projects_summary(admin_client, project):
    report = factories.make_report(project, report_date=date(2021, 3, 30), percent="35.00")
    project.refresh_progress_summary()

    url = reverse("admin:projects_progressreport_change", args=[report.pk])
    response = admin_client.post(url, report_form(report, percent="80.00", report_date="2021-05-03"))

    assert response.status_code == 302, response.content.decode()[:2000]
    project.refresh_from_db()
    assert project.latest_percent == Decimal("80.00")
    assert project.latest_report_date == date(2021, 5, 3)
    assert project.report_months == 1 << 7  # May is the eighth month of the fiscal year


@pytest.mark.django_db
def test_deleting_a_report_in_the_admin_refreshes_the_projects_summary(admin_client, project):
    kept = factories.make_report(project, report_date=date(2021, 1, 10), percent="20.00")
    dropped = factories.make_report(project, report_date=date(2021, 3, 30), percent="35.00")
    project.refresh_progress_summary()

    url = reverse("admin:projects_progressreport_delete", args=[dropped.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302

    assert not ProgressReport.objects.filter(pk=dropped.pk).exists()
    project.refresh_from_db()
    assert (project.latest_percent, project.latest_report_date) == (kept.percent, kept.report_date)
    assert project.report_months == 1 << 3  # January
