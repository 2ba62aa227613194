"""Browser tests: a real Chromium (Debian's /usr/bin/chromium) driven by Playwright against
pytest-django's `live_server`.

Every test in this folder is marked `browser` (so `pytest -m "not browser"` skips them) and is
skipped when /usr/bin/chromium is missing. Playwright's own browser downloads are never used.

Data: any test that uses `live_server` runs with `transactional_db` (pytest-django turns it on),
so rows created in the test — the cast in tests/conftest.py or tests/factories — are committed
and visible to the server thread. Create them before the first `page.goto`.

    from tests import factories
    from tests.browser.conftest import login, screenshot

    def test_it_shows_my_project(page, live_server, social_division):
        user = factories.make_user("somchai", unit=social_division, password="pw-test-12345")
        project = factories.make_project(unit=social_division)
        login(page, live_server, "somchai", "pw-test-12345")
        page.goto(live_server.url + project.get_absolute_url())
        assert page.get_by_role("heading", name=project.name).is_visible()
        assert page.console_errors == []
        screenshot(page, "project-detail")
"""

import os
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

# Playwright's sync API keeps an asyncio event loop running in the test thread; Django would
# then refuse every ORM call made from the test (factories, assertions on stored rows) with
# SynchronousOnlyOperation. Nothing here is async, so the check only gets in the way.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE.parent.parent / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
DEFAULT_TIMEOUT_MS = 15_000


@pytest.hookimpl(tryfirst=True)  # before -m deselects, so `-m "not browser"` sees the mark
def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so `page` can take a screenshot of a failed test.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The live server shares this process's cache; a dashboard cached by an earlier test would
    outlive that test's rows (transactional tests flush the tables, not the cache)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (per xdist worker)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context (no cookies) at 1366x768 in Thai. `page.console_errors` lists every
    console error and uncaught page error, for tests to assert it is empty."""
    context = browser.new_context(viewport=DESKTOP, locale="th-TH", timezone_id="Asia/Bangkok")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: _is_page_error(message) and page.console_errors.append(_describe(message)))
    page.on("pageerror", lambda error: page.console_errors.append(f"uncaught: {error}"))
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed and not page.is_closed():
        screenshot(page, f"FAILED-{request.node.name}")
    context.close()


def _is_page_error(message):
    # Chromium asks for /favicon.ico on its own when a page names no icon; its 404 is not the page's.
    return message.type == "error" and not (message.location or {}).get("url", "").endswith("/favicon.ico")


def _describe(message):
    """A console error with where it came from: "Failed to load resource: … 404" alone does not
    say which resource."""
    url = (message.location or {}).get("url")
    return f"{message.text} [{url}]" if url else message.text


def login(page, live_server, username, password, *, next_path=None):
    """Log in through the real form at /accounts/login/ and wait until the site lets us in
    (at LOGIN_REDIRECT_URL, or at next_path when given). `live_server` is the fixture or its
    URL. Fails the test with the form's message when the site refuses."""
    base_url = getattr(live_server, "url", live_server)
    query = f"?{urlencode({'next': next_path})}" if next_path else ""
    page.goto(f"{base_url}/accounts/login/{query}")
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    if "/accounts/login/" in page.url:
        errors = page.locator("main .alert, main .invalid-feedback, main .errorlist").all_inner_texts()
        raise AssertionError(f"login as {username!r} failed: {' '.join(errors) or 'still on the login page'}")
    return page


def screenshot(page, name):
    """Save a full-page PNG to test-artifacts/screenshots/NAME.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "-", name) + ".png")  # test ids carry [ ] and /
    page.screenshot(path=str(path), full_page=True)
    return path
