"""The dashboard in a real browser: every chart is drawn by Plotly from the embedded JSON, with no
console error, for a director (own department) and a planner (the whole BMA), on a desktop and
a phone screen."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.browser.conftest import PHONE, login, screenshot

CHARTS = ["progress-distribution", "planned-actual", "monthly-reporting", "indicators-by-dimension"]


@pytest.fixture
def seeded(transactional_db):
    cache.clear()
    call_command("seed_demo", projects=30, years=2, seed=3, password="x")


def _assert_every_chart_drawn(page):
    page.wait_for_selector(".dash-chart.js-plotly-plot")
    charts = page.locator("[data-chart]")
    assert charts.count() == len(CHARTS)
    for slug in CHARTS:
        chart = page.locator(f'[data-chart="chart-{slug}-data"]')
        assert "js-plotly-plot" in chart.get_attribute("class"), slug
        assert chart.locator("g.trace").count() >= 1, f"{slug}: no data trace drawn"
        assert chart.locator("g.point, path.point").count() >= 1 or slug == "planned-actual", slug


@pytest.mark.parametrize("username", ["demo-director", "demo-planner"])
def test_every_chart_is_drawn_without_console_errors(page, live_server, seeded, username):
    login(page, live_server, username, "x")
    page.goto(f"{live_server.url}/dashboard/")
    _assert_every_chart_drawn(page)
    heading = page.get_by_role("heading", level=1).inner_text()
    assert ("สำนักพัฒนาสังคม" in heading) == (username == "demo-director")
    assert page.console_errors == []
    screenshot(page, f"dashboard-{username}-1366x768")

    page.set_viewport_size(PHONE)
    page.reload()
    _assert_every_chart_drawn(page)
    assert page.console_errors == []
    # Nothing wider than the phone's screen but the scrollable tables and the charts' own SVG.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, f"dashboard-{username}-390x844")


def test_a_director_drills_down_to_a_district_group_and_the_project_list(page, live_server, seeded):
    login(page, live_server, "demo-director", "x")
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("navigation", name="เส้นทาง").get_by_role("link", name="กรุงเทพมหานคร (ทุกหน่วยงาน)").click()
    assert "ทุกหน่วยงาน" in page.get_by_role("heading", level=1).inner_text()
    # The planned-actual chart's table is the drill-down: a row per department and district group.
    group = page.locator("#chart-planned-actual-title").locator("..").locator("a[href*='group=']").first
    name = group.inner_text()
    group.click()
    page.wait_for_url("**group=*")
    assert name in page.get_by_role("heading", level=1).inner_text()
    _assert_every_chart_drawn(page)
    page.locator("main").get_by_role("link", name="รายการโครงการของขอบเขตนี้").click()
    assert "/projects/" in page.url and "district_group=" in page.url
    assert page.console_errors == []
