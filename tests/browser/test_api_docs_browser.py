"""The API's documentation page in a real browser (issue 22): it renders the operations with no
request leaving the machine (every asset is vendored) and no error under the site's CSP."""

from tests import factories
from tests.browser.conftest import login, screenshot

PASSWORD = "correct-horse-12345"


def test_the_documentation_page_renders_with_no_request_leaving_the_machine(page, live_server, social_dept):
    factories.make_user("somchai", unit=social_dept, password=PASSWORD)
    login(page, live_server, "somchai", PASSWORD)
    elsewhere = []
    page.on(
        "request", lambda request: None if request.url.startswith(live_server.url) else elsewhere.append(request.url)
    )
    page.goto(live_server.url + "/api/docs/")
    page.get_by_text("/api/v1/projects/{code}/reports/").first.wait_for()
    assert page.get_by_text("Report monthly progress").first.is_visible()
    assert elsewhere == []
    assert page.console_errors == []
    screenshot(page, "api-docs")
