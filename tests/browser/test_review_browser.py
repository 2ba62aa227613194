"""The reporting cycle in a real browser (issue 20): staff of สำนักพัฒนาสังคม submit a month's
report, their director approves it from the to-do list on the home page, and the planning office
closes the quarter on its calendar page; the pages looked at on a desktop and a phone."""

import pytest
from django.utils import timezone

from bma_tracker import thaidate
from projects.models import ProgressReport, QuarterLock, User
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

PASSWORD = "correct-horse-12345"


@pytest.fixture
def cast(social_dept, social_division, planning_office):
    return {
        "staff": factories.make_user("demo-staff", unit=social_dept, password=PASSWORD, first_name="สมชาย"),
        "director": factories.make_user(
            "demo-director", unit=social_dept, role=User.Role.DIRECTOR, password=PASSWORD, first_name="ประเสริฐ"
        ),
        "planner": factories.make_user(
            "demo-planner", unit=planning_office, role=User.Role.PLANNER, password=PASSWORD, first_name="กาญจนา"
        ),
        "project": factories.make_project(
            code="24040000-7101",
            unit=social_division,
            fiscal_year=thaidate.fiscal_year(timezone.localdate()),
            name="โครงการฝึกอาชีพระยะสั้นเพื่อผู้ว่างงาน",
        ),
    }


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def both_widths(page, name):
    screenshot(page, f"{name}-1366")
    page.set_viewport_size(PHONE)
    page.reload()  # as a phone loads it (the charts draw for the width they start at)
    assert fits_the_screen(page), name
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)
    page.reload()


def test_staff_submit_and_the_director_approves_from_the_home_page(page, live_server, cast):
    project = cast["project"]
    login(page, live_server, "demo-staff", PASSWORD, next_path=f"/projects/{project.code}/progress/new/")
    page.locator("#id_percent").fill("30")
    page.locator("#id_narrative").fill("จัดอบรมรุ่นที่ 1 ผู้เข้าร่วม 40 คน")
    page.get_by_role("button", name="ส่งรายงาน").click()
    page.wait_for_url(live_server.url + project.get_absolute_url())
    report = ProgressReport.objects.get(project=project)
    assert report.status == "submitted"
    assert page.locator(f"#report-{report.pk} .report-status").inner_text() == "ส่งแล้ว"
    both_widths(page, "cycle-project-page")

    page.context.clear_cookies()
    login(page, live_server, "demo-director", PASSWORD)
    todo = page.locator(".todo-approve")
    assert project.code in todo.inner_text()
    both_widths(page, "cycle-director-home")
    todo.get_by_role("link", name="ตรวจ").click()
    assert page.locator(".review-report").is_visible()
    both_widths(page, "cycle-review")
    page.get_by_role("button", name="อนุมัติ").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text("อนุมัติรายงานแล้ว").is_visible()
    report.refresh_from_db()
    assert report.status == "approved" and report.reviewed_by == cast["director"]
    assert page.locator(".todo-approve").count() == 0
    assert page.console_errors == []


def test_the_planning_office_closes_a_quarter_on_its_calendar_page(page, live_server, cast, social_dept):
    fiscal_year = thaidate.fiscal_year(timezone.localdate())
    login(page, live_server, "demo-planner", PASSWORD)
    page.get_by_role("link", name="ปฏิทินการรายงานและการปิดไตรมาส").click()
    both_widths(page, "cycle-calendar")
    page.locator(f"tr[data-year='{fiscal_year}']").get_by_role("link", name="ตั้งค่า").click()
    both_widths(page, "cycle-calendar-edit")
    page.goto(live_server.url + f"/projects/calendar/{fiscal_year}/quarters/")
    page.locator("#id_quarter").select_option("1")
    page.locator("#id_unit").select_option(str(social_dept.pk))
    page.get_by_role("button", name="ปิดไตรมาส").click()
    page.wait_for_load_state()
    assert page.get_by_text("ปิดไตรมาสที่ 1").first.is_visible()
    assert QuarterLock.objects.active().get().unit == social_dept
    both_widths(page, "cycle-quarters")
    assert page.console_errors == []
