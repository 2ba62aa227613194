"""The smallest journey through a real browser: the login wall, logging in, the project list,
on a desktop and on a phone, with no JavaScript errors on the way."""

import pytest

from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

PASSWORD = "correct-horse-12345"


@pytest.fixture
def somchai(social_dept):
    return factories.make_user("somchai", unit=social_dept, password=PASSWORD, first_name="สมชาย", last_name="ใจดี")


def fits_the_screen(page):
    """True when nothing sticks out sideways (no horizontal scrolling on a phone)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_it_sends_an_anonymous_visitor_to_the_login_page(page, live_server):
    response = page.goto(live_server.url + "/projects/")

    assert response.ok
    assert page.url == live_server.url + "/accounts/login/?next=/projects/"
    assert page.get_by_role("heading", name="เข้าสู่ระบบ").is_visible()
    assert page.locator("input[name=password]").is_visible()
    assert page.console_errors == []


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_it_shows_the_login_page_whole_on_desktop_and_phone(page, live_server, size, viewport):
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/accounts/login/")

    assert fits_the_screen(page)
    assert page.locator("main [type=submit]").is_visible()
    # The live server serves the static files: app.css paints the bar BMA green, and the Thai font
    # file loads (a missing one would fall back to another font without a word).
    assert page.locator("nav.navbar").evaluate("nav => getComputedStyle(nav).backgroundColor") == "rgb(27, 94, 32)"
    assert page.evaluate("document.fonts.load('16px Laksaman', 'ก').then(faces => faces.map(f => f.status))") == [
        "loaded"
    ]
    path = screenshot(page, f"login-{size}")
    assert path.stat().st_size > 0
    assert page.console_errors == []


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_it_logs_in_through_the_form_and_reaches_the_project_list(page, live_server, somchai, size, viewport):
    page.set_viewport_size(viewport)

    login(page, live_server, "somchai", PASSWORD, next_path="/projects/")

    assert page.url == live_server.url + "/projects/"
    assert page.locator("input[name=password]").count() == 0
    assert page.locator("form[action='/accounts/logout/'] [type=submit]").count() == 1  # collapsed on a phone
    assert fits_the_screen(page)
    screenshot(page, f"projects-{size}")
    assert page.console_errors == []


def test_it_keeps_a_wrong_password_on_the_login_page(page, live_server, somchai):
    with pytest.raises(AssertionError, match="login as 'somchai' failed"):
        login(page, live_server, "somchai", "not-the-password")

    assert page.url.startswith(live_server.url + "/accounts/login/")
    assert page.console_errors == []
