"""The indicator pages in a real Chromium at phone width: staff of สำนักพัฒนาสังคม open the
indicators from the menu, go from the list to an indicator's page (its chart draws the
quarterly results and the target), edit its definition and enter a quarter's result, coming
back to the page each time; every page fits a phone."""

from decimal import Decimal

import pytest

from indicators.models import Indicator, IndicatorQuarter
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

PASSWORD = "correct-horse-12345"
FY = 2564


@pytest.fixture
def indicator(social_dept):
    factories.make_user("kpi-staff", unit=social_dept, password=PASSWORD)
    indicator = factories.make_indicator(
        code="2400-1065",
        unit=social_dept,
        fiscal_year=FY,
        name="ร้อยละของเรื่องร้องเรียนที่ค้างดำเนินการ",
        measure="ร้อยละ (ลดลง)",
        lower_is_better=True,
        target=Decimal("5"),
    )
    factories.make_indicator_quarter(indicator, 1, result=Decimal("7"))
    factories.make_indicator_quarter(indicator, 2, result=Decimal("4.5"))
    return indicator


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_list_page_edit_and_a_quarters_result_at_phone_width(page, live_server, indicator):
    page.set_viewport_size(PHONE)
    login(page, live_server, "kpi-staff", PASSWORD)
    page.get_by_role("button", name="เมนู").click()
    page.get_by_role("link", name="ตัวชี้วัด", exact=True).click()
    page.wait_for_url(live_server.url + "/indicators/")

    page.locator("#id_fiscal_year").select_option(str(FY))
    page.get_by_role("button", name="กรอง").click()
    row = page.locator("tr[data-code='2400-1065']")
    assert "ค่าน้อยดีกว่า" in row.inner_text()
    assert fits_the_screen(page)
    screenshot(page, "indicator-list-390")
    row.get_by_role("link", name=indicator.name).click()

    page.wait_for_url(live_server.url + "/indicators/2400-1065/2564/")
    page.wait_for_selector("#indicator-chart .main-svg")
    chart = page.evaluate("document.getElementById('indicator-chart').data[0].y")
    assert chart == [7, 4.5, None, None]
    target_line = page.evaluate("document.getElementById('indicator-chart').layout.shapes[1].y0")
    assert target_line == 5
    # The shaded side that meets the target is below it: lower is better.
    shade = page.evaluate("document.getElementById('indicator-chart').layout.shapes[0]")
    assert (shade["y0"], shade["y1"]) == (0, 5)
    assert fits_the_screen(page)
    screenshot(page, "indicator-page-390")

    page.get_by_role("link", name="แก้ไขตัวชี้วัด").click()
    page.locator("#id_target_text").fill("4 จากปีที่ผ่านมา พ.ศ. 2563")
    page.locator("#id_target").fill("")
    assert fits_the_screen(page)
    screenshot(page, "indicator-form-390")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_url(live_server.url + "/indicators/2400-1065/2564/")
    assert page.get_by_text("บันทึกข้อมูลตัวชี้วัดเรียบร้อยแล้ว").is_visible()
    assert page.locator(".indicator-target").inner_text().endswith("4 จากปีที่ผ่านมา พ.ศ. 2563")
    assert Indicator.objects.get(pk=indicator.pk).target == 4

    page.get_by_role("link", name="บันทึกผลงาน ไตรมาส 3").click()
    page.locator("#id_result").fill("3")
    page.locator("#id_narrative").fill("ลดลงตามเป้าหมาย")
    page.get_by_role("button", name="บันทึก").click()
    page.wait_for_url(live_server.url + "/indicators/2400-1065/2564/#quarter-3")
    assert page.get_by_text("บันทึกผลงานไตรมาสที่ 3 เรียบร้อยแล้ว").is_visible()
    assert page.locator("tr[data-quarter='3'] [data-status]").get_attribute("data-status") == "met"
    assert IndicatorQuarter.objects.get(indicator=indicator, quarter=3).result == 3
    assert fits_the_screen(page)
    screenshot(page, "indicator-page-after-entry-390")
    assert page.console_errors == []


def test_the_page_fits_a_desktop_and_draws_its_chart(page, live_server, indicator):
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "kpi-staff", PASSWORD, next_path="/indicators/2400-1065/2564/")
    page.wait_for_selector("#indicator-chart .main-svg")
    # Short of the year's target in Q1 with no target for the quarter: not behind before Q4.
    assert page.locator("tr[data-quarter='1'] [data-status]").get_attribute("data-status") == "in_progress"
    assert fits_the_screen(page)
    screenshot(page, "indicator-page-1366")
    assert page.console_errors == []
