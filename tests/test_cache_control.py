"""Cache-Control: private, no-store on every answer to a signed-in user (pages, PDFs, Excel and
CSV exports, redirects), from one middleware; answers to anonymous requests left as they were."""

import pytest
from django.urls import reverse

from tests.test_access import World
from tests.test_security_urls import PUBLIC, URLS, build_url

# One PDF stands for the WeasyPrint pages (each costs a fraction of a second of CPU).
SKIPPED = {"reports:indicator_report_pdf", "reports:performance_pdf", "logout"}


@pytest.fixture
def world(social_dept, social_division, district_office, planning_office):
    return World(social_dept, social_division, district_office, planning_office)


def is_private(response):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_every_page_file_and_export_a_signed_in_user_gets_is_private(client, world):
    client.force_login(world.users["admin"])
    seen = set()
    for name, parameters in URLS:
        if name in SKIPPED or (name in PUBLIC and name not in ("login", "password_reset")):
            continue
        url = build_url(world, name, parameters)
        response = client.get(url)
        assert response.status_code < 500, url
        assert is_private(response), f"{name}: {response.status_code} {response.get('Cache-Control')!r}"
        seen.add(response.get("Content-Type", "").split(";")[0])
    assert {"text/html", "application/pdf"} <= seen
    for table_format in ("csv", "xlsx"):
        url = f"{reverse('dashboard:export')}?fy=2564&period=m8&table=progress-distribution&format={table_format}"
        response = client.get(url)
        assert response.status_code == 200 and is_private(response), table_format


def test_a_post_and_its_redirect_are_private_too(client, world):
    client.force_login(world.users["staff_unit"])
    url = reverse("projects:progress_delete", args=[world.project.code, world.report.pk])
    response = client.post(url, {"version": world.report.version})
    assert response.status_code == 302 and is_private(response)


def test_the_answer_to_a_fresh_login_is_private(client, world):
    response = client.post(
        reverse("login"), {"username": world.users["staff_unit"].username, "password": "pw-test-12345"}
    )
    assert response.status_code == 302 and is_private(response)


ANONYMOUS_URLS = ["/accounts/login/", "/accounts/password_reset/", "/healthz"]  # static files: whitenoise, before it


def headers(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get("Cache-Control"), response.get("Vary")


def test_anonymous_answers_are_left_as_their_views_made_them(client, world, settings):
    with_it = {url: headers(client, url) for url in ANONYMOUS_URLS}
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "bma_tracker.security.PrivateResponsesMiddleware"]
    assert with_it == {url: headers(client, url) for url in ANONYMOUS_URLS}
    assert with_it["/accounts/password_reset/"][0] is None
    assert "Cookie" not in (with_it["/healthz"][1] or "")
