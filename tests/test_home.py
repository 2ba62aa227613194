"""The signed-in home page "My projects" (/): the unit's and sub-units' projects of the current
fiscal year, those without a report this month first, with a one-click button to report."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bma_tracker import thaidate
from tests import factories
from tests.conftest import login


@pytest.fixture
def this_year(social_dept, social_division, district_office):
    fiscal_year = thaidate.fiscal_year(timezone.localdate())
    return {
        "reported": factories.make_project(code="24000000-1", unit=social_dept, fiscal_year=fiscal_year),
        "missing": factories.make_project(code="24040000-2", unit=social_division, fiscal_year=fiscal_year),
        "old": factories.make_project(code="24000000-3", unit=social_dept, fiscal_year=fiscal_year - 1),
        "other": factories.make_project(code="50240000-4", unit=district_office, fiscal_year=fiscal_year),
    }


def reported(project, **report):
    """A report as every writer stores one: the project's progress summary refreshed with it."""
    factories.make_report(project, **report)
    project.refresh_progress_summary()


def test_it_lists_the_units_projects_of_this_year_unreported_first(client, staff, this_year):
    reported(this_year["reported"], report_date=timezone.localdate())
    reported(this_year["missing"], report_date=date(2000, 1, 1))
    login(client, staff)
    response = client.get(reverse("home"))
    assert [p.code for p in response.context["projects"]] == ["24040000-2", "24000000-1"]
    assert response.context["missing"] == 1
    page = response.content.decode()
    assert "ยังไม่ได้รายงานเดือนนี้ 1 โครงการ" in page
    assert page.count("รายงานเดือนนี้</a>") == 1
    assert reverse("projects:progress_new", args=["24040000-2"]) in page


def test_a_deleted_report_does_not_count_as_reported(client, staff, this_year):
    reported(this_year["reported"], report_date=timezone.localdate(), deleted_at=timezone.now())
    login(client, staff)
    assert client.get(reverse("home")).context["missing"] == 2


def test_only_a_report_dated_in_this_calendar_month_counts(client, staff, this_year):
    today = timezone.localdate()
    reported(this_year["missing"], report_date=today.replace(day=1) - timedelta(days=1))  # last month
    reported(this_year["reported"], report_date=today.replace(day=1))
    login(client, staff)
    response = client.get(reverse("home"))
    assert [(p.code, p.reported_this_month) for p in response.context["projects"]] == [
        ("24040000-2", False),
        ("24000000-1", True),
    ]


def test_planners_see_the_page_without_report_buttons(client, planner, this_year):
    login(client, planner)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "รายงานเดือนนี้</a>" not in response.content.decode()
    assert reverse("projects:list") in response.content.decode()


def test_the_home_page_query_count_is_pinned(client, staff, social_dept, django_assert_max_num_queries):
    fiscal_year = thaidate.fiscal_year(timezone.localdate())
    for n in range(30):
        factories.make_project(code=f"24000000-{n + 100}", unit=social_dept, fiscal_year=fiscal_year)
    login(client, staff)
    # The session and user, the year's calendar, the projects with their month's report status,
    # the year's closed quarters, the reports returned to the unit.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("home"))
    assert len(response.context["projects"]) == 30


def test_password_change_is_in_thai(client, staff):
    login(client, staff)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert "เปลี่ยนรหัสผ่าน" in response.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-test-12345", "new_password1": "ใหม่-ยาวพอ-2567", "new_password2": "ใหม่-ยาวพอ-2567"},
        follow=True,
    )
    assert "เปลี่ยนรหัสผ่านเรียบร้อยแล้ว" in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password("ใหม่-ยาวพอ-2567")
