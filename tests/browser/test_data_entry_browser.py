"""Data entry in a real browser: staff of สำนักพัฒนาสังคม report this month's progress from the
home page, a wrong percent is explained next to the field, another unit's staff meet a 403,
and the planning office records a quarterly evaluation."""

import pytest
from django.utils import timezone

from bma_tracker import thaidate
from projects.models import ProgressReport, User
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

PASSWORD = "correct-horse-12345"


@pytest.fixture
def demo_staff(social_dept):
    return factories.make_user("demo-staff", unit=social_dept, password=PASSWORD, first_name="สมหญิง", last_name="รักงาน")


@pytest.fixture
def this_years_project(social_division):
    return factories.make_project(
        code="24040000-7001",
        unit=social_division,
        fiscal_year=thaidate.fiscal_year(timezone.localdate()),
        name="โครงการฝึกอาชีพระยะสั้นเพื่อผู้ว่างงาน",
    )


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_staff_report_this_month_from_the_home_page(page, live_server, demo_staff, this_years_project):
    login(page, live_server, "demo-staff", PASSWORD)
    row = page.locator(f"tr[data-code='{this_years_project.code}']")
    assert "ยังไม่รายงาน" in row.inner_text()
    row.get_by_role("link", name="รายงานเดือนนี้").click()

    assert page.url.endswith(f"/projects/{this_years_project.code}/progress/new/")
    assert page.locator("#id_report_date").input_value() == thaidate.format_short(timezone.localdate())
    assert page.locator("#id_problems").input_value() == "ไม่มี"
    screenshot(page, "progress-form-1366")
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    screenshot(page, "progress-form-390")
    page.set_viewport_size(DESKTOP)

    page.locator("#id_percent").fill("45.5")
    page.locator("#id_narrative").fill("จัดอบรมรุ่นที่ 1 ผู้เข้าร่วม 40 คน <b>ครบ</b>")
    page.get_by_role("button", name="ส่งรายงาน").click()

    page.wait_for_url(live_server.url + this_years_project.get_absolute_url())
    assert page.get_by_text("บันทึกรายงานความคืบหน้าเรียบร้อยแล้ว").is_visible()
    assert page.get_by_text("จัดอบรมรุ่นที่ 1 ผู้เข้าร่วม 40 คน <b>ครบ</b>").is_visible()  # shown as typed text
    assert ProgressReport.objects.filter(project=this_years_project).count() == 1
    screenshot(page, "progress-saved-project-page")

    page.goto(live_server.url + "/")
    assert "รายงานแล้ว" in page.locator(f"tr[data-code='{this_years_project.code}']").inner_text()
    assert page.console_errors == []


def test_a_percent_of_150_is_explained_next_to_the_field_and_nothing_is_stored(
    page, live_server, demo_staff, this_years_project
):
    login(page, live_server, "demo-staff", PASSWORD, next_path=f"/projects/{this_years_project.code}/progress/new/")
    page.locator("#id_percent").fill("150")
    page.get_by_role("button", name="ส่งรายงาน").click()
    page.wait_for_load_state()

    feedback = page.locator("#id_percent ~ .invalid-feedback, #error_1_id_percent")
    assert "ร้อยละต้องไม่เกิน 100" in feedback.first.inner_text()
    assert page.locator("#id_percent").get_attribute("class").count("is-invalid") == 1
    assert page.locator("#id_percent").input_value() == "150"  # what was typed stays for correcting
    screenshot(page, "progress-form-error-150")
    assert not ProgressReport.objects.exists()
    assert page.console_errors == []


def test_district_staff_get_403_on_a_social_development_project(page, live_server, district_office, this_years_project):
    factories.make_user("district-staff", unit=district_office, password=PASSWORD)
    report = factories.make_report(this_years_project, report_date=timezone.localdate())
    login(page, live_server, "district-staff", PASSWORD)

    response = page.goto(live_server.url + f"/projects/{this_years_project.code}/progress/{report.pk}/edit/")
    assert response.status == 403
    assert page.locator("#id_percent").count() == 0
    response = page.goto(live_server.url + f"/projects/{this_years_project.code}/progress/new/")
    assert response.status == 403


def test_a_planner_records_a_quarterly_evaluation(page, live_server, planning_office, this_years_project):
    factories.make_user("planner-1", unit=planning_office, role=User.Role.PLANNER, password=PASSWORD)
    login(page, live_server, "planner-1", PASSWORD, next_path=this_years_project.get_absolute_url())
    page.get_by_role("link", name="ประเมิน ไตรมาส 1").click()
    page.locator("#id_score").fill("85")
    screenshot(page, "evaluation-form")
    page.get_by_role("button", name="บันทึก").click()

    page.wait_for_url(live_server.url + this_years_project.get_absolute_url())
    assert page.get_by_text("บันทึกผลการประเมินไตรมาสที่ 1 เรียบร้อยแล้ว").is_visible()
    evaluation = this_years_project.evaluations.get()
    assert (evaluation.quarter, evaluation.score) == (1, 85)
    assert page.console_errors == []


def test_on_a_phone_the_steps_form_shows_whole_dates_and_the_steps_table_is_reachable_by_keyboard(
    page, live_server, demo_staff, this_years_project
):
    from datetime import date

    first, _last = thaidate.fiscal_year_range(this_years_project.fiscal_year)
    factories.make_step(
        this_years_project, number=1, name="จัดอบรมหลักสูตรระยะสั้น", start=first, end=date(first.year + 1, 9, 30)
    )
    page.set_viewport_size(PHONE)
    login(page, live_server, "demo-staff", PASSWORD, next_path=f"/projects/{this_years_project.code}/steps/")
    for name in ("start", "end"):
        box = page.locator(f"#id_steps-0-{name}")
        assert box.input_value().count("/") == 2
        # The whole date is visible: the text is no wider than the box.
        assert box.evaluate("el => el.scrollWidth <= el.clientWidth"), name
    screenshot(page, "steps-form-390")
    page.goto(live_server.url + f"/projects/{this_years_project.code}/")
    region = page.locator("#steps .table-responsive")
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("aria-label")
    region.focus()
    assert page.evaluate("document.activeElement.closest('#steps') !== null")
