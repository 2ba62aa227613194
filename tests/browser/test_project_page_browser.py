"""A seed project's page in a real Chromium: the Plotly chart draws both series from the
embedded data, the step timeline draws, nothing errors, and the page fits a phone."""

import pytest
from django.core.management import call_command

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot
from tests.paths import SEEDS

PASSWORD = "correct-horse-12345"
SEED_000 = str(SEEDS / "000_ce21939e2f54dfaa.txt")
SEED_003 = str(SEEDS / "003_479be46a3a9ca5c2.txt")


@pytest.fixture
def reader(transactional_db):
    call_command("import_legacy", SEED_000, SEED_003)
    return factories.make_user("reader", password=PASSWORD)


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_it_draws_the_progress_chart_with_both_series(page, live_server, reader, size, viewport):
    page.set_viewport_size(viewport)
    login(page, live_server, "reader", PASSWORD)
    page.goto(live_server.url + "/projects/24000000-3029/")

    page.wait_for_selector("#progress-chart .main-svg")
    page.wait_for_selector("#steps-chart .main-svg")
    names = page.evaluate("document.getElementById('progress-chart').data.map(trace => trace.name)")
    assert names == ["ผลการดำเนินงานจริง", "แผน"]
    assert page.evaluate("document.getElementById('progress-chart').data[0].x.length") == 10
    assert page.evaluate("document.getElementById('steps-chart').data[0].y.length") == 3
    # Thai month ticks drawn on the axis.
    ticks = page.evaluate("[...document.querySelectorAll('#progress-chart .xtick text')].map(t => t.textContent)")
    assert "ต.ค. 63" in ticks
    assert page.get_by_role("heading", name="ผลการดำเนินงาน", exact=True).is_visible()
    assert fits_the_screen(page)
    assert page.console_errors == []
    screenshot(page, f"project-page-{size}")


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_project_list_shows_the_seed_projects(page, live_server, reader, size, viewport):
    page.set_viewport_size(viewport)
    login(page, live_server, "reader", PASSWORD)
    page.goto(live_server.url + "/projects/?fiscal_year=2564")
    assert page.locator("tr.project-row").count() == 1
    assert page.locator("tr.project-row [data-status=complete]").is_visible()
    assert fits_the_screen(page)
    assert page.console_errors == []
    screenshot(page, f"project-list-{size}")


def test_the_print_page_fits_a_phone_and_loads_the_thai_font(page, live_server, reader):
    page.set_viewport_size(PHONE)
    login(page, live_server, "reader", PASSWORD)
    page.goto(live_server.url + "/projects/24000000-2964/print/")
    assert page.evaluate("document.fonts.load('16px Laksaman', 'ก').then(faces => faces.map(f => f.status))") == [
        "loaded"
    ]
    assert fits_the_screen(page)
    assert page.console_errors == []
    screenshot(page, "project-print-phone")
