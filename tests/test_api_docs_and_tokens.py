"""The API's schema and documentation page (served from vendored files, no request leaves the
machine, under the site's strict CSP), and the token pages: a user makes a token (shown once,
stored hashed, with an expiry) and revokes it; administrators list and revoke anyone's."""

import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import ApiToken, AuditEntry
from tests.conftest import login

# --- Schema and documentation ----------------------------------------------------------------


def test_the_schema_is_an_openapi_3_document_of_every_endpoint(client, staff):
    login(client, staff)
    response = client.get(reverse("api:schema") + "?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/units/",
        "/api/v1/plan/",
        "/api/v1/projects/",
        "/api/v1/projects/{code}/",
        "/api/v1/projects/{code}/reports/",
        "/api/v1/indicators/",
        "/api/v1/indicators/{code}/{fiscal_year}/",
        "/api/v1/indicators/{code}/{fiscal_year}/quarters/{quarter}/",
        "/api/v1/dashboard/",
    }
    assert schema["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal token made on /accounts/tokens/: Authorization: Bearer bma_…",
    }


def test_the_schema_needs_a_login(client):
    assert client.get(reverse("api:schema")).status_code == 401


def test_the_documentation_page_asks_anonymous_users_to_log_in(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _local_urls(text):
    return re.findall(r"""(?:src|href)=["']([^"']+)["']""", text)


def test_the_documentation_page_loads_only_files_of_this_site(client, staff):
    login(client, staff)
    response = client.get(reverse("api:docs"))
    html = response.content.decode()
    assert response.status_code == 200
    urls = _local_urls(html)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert not re.search(r"https?://", html)
    for url in urls:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/").split("?")[0]), url  # vendored, served by whitenoise
    # Its script is a file of its own (no inline script, which the CSP forbids), and calls no one.
    assert "<script>" not in html.replace('<script src="', "")
    script = client.get(reverse("api:docs") + "?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert not re.search(r"https?://", script.content.decode())
    assert '"validatorUrl": null' in script.content.decode()  # no badge from validator.swagger.io


def test_the_documentation_page_keeps_the_sites_strict_policy(client, staff):
    login(client, staff)
    policy = client.get(reverse("api:docs"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy and "default-src 'self'" in policy
    assert "unsafe-eval" not in policy and "http" not in policy


# --- Token pages ---------------------------------------------------------------------------


def test_the_home_page_links_to_the_token_page(client, staff):
    login(client, staff)
    assert reverse("api_tokens") in client.get(reverse("home")).content.decode()


def test_a_user_makes_a_token_that_is_shown_once_and_stored_hashed(client, staff):
    login(client, staff)
    response = client.post(reverse("api_tokens"), {"name": "สคริปต์ eMENSCR", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = re.search(r'value="(bma_[0-9a-f]{8}_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=staff)
    assert token.name == "สคริปต์ eMENSCR" and shown.startswith(f"bma_{token.prefix}_")
    assert shown.split("_", 2)[2] not in token.secret_hash
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert AuditEntry.objects.filter(model_label="projects.apitoken", object_id=token.pk).exists()
    # It works, and the list shows it again without its secret.
    assert Client().get(reverse("api:units"), HTTP_AUTHORIZATION=f"Bearer {shown}").status_code == 200
    page = client.get(reverse("api_tokens")).content.decode()
    assert token.display in page and shown not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "days": "30"}, "กรุณาตั้งชื่อโทเค็น"),
        ({"name": "x", "days": "366"}, "อายุได้ไม่เกิน 365 วัน"),
        ({"name": "x", "days": "0"}, "อายุต้องอย่างน้อย 1 วัน"),
        ({"name": "x", "days": "abc"}, "กรุณากรอกจำนวนวันเป็นตัวเลข"),
        ({"name": "x" * 101, "days": "30"}, "ข้อความยาวเกินกำหนด"),
    ],
)
def test_a_token_needs_a_name_and_an_expiry_of_at_most_a_year(client, staff, data, message):
    login(client, staff)
    response = client.post(reverse("api_tokens"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_user_revokes_a_token_and_it_stops_working(client, staff):
    token, text = services.api_token_create(user=staff, name="เก่า", expires_at=timezone.now() + timedelta(days=5))
    login(client, staff)
    assert client.get(reverse("api_token_revoke", args=[token.pk])).status_code == 405
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get(reverse("api:units"), HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 401
    assert "เพิกถอนแล้ว" in client.get(reverse("api_tokens")).content.decode()


def test_nobody_revokes_someone_elses_token_on_the_page(client, staff, other_staff):
    token, _text = services.api_token_create(
        user=staff, name="ของ staff", expires_at=timezone.now() + timedelta(days=5)
    )
    login(client, other_staff)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "ของ staff" not in client.get(reverse("api_tokens")).content.decode()


def test_revoking_needs_the_csrf_token(staff):
    token, _text = services.api_token_create(user=staff, name="x", expires_at=timezone.now() + timedelta(days=5))
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_user_has_at_most_twenty_active_tokens(client, staff):
    for n in range(20):
        services.api_token_create(user=staff, name=f"t{n}", expires_at=timezone.now() + timedelta(days=5))
    login(client, staff)
    response = client.post(reverse("api_tokens"), {"name": "อีก", "days": "30"})
    assert "มีโทเค็นที่ใช้งานได้ครบ 20 รายการแล้ว" in response.content.decode()
    assert ApiToken.objects.count() == 20


def test_the_token_page_runs_a_fixed_number_of_queries(client, staff, django_assert_num_queries):
    login(client, staff)
    client.get(reverse("api_tokens"))
    for n in range(5):
        services.api_token_create(user=staff, name=f"t{n}", expires_at=timezone.now() + timedelta(days=5))
    with django_assert_num_queries(3):  # session, user, tokens
        assert client.get(reverse("api_tokens")).status_code == 200


def test_administrators_list_and_revoke_any_token_in_the_admin(client, staff, admin_user):
    token, _text = services.api_token_create(
        user=staff, name="ของ staff", expires_at=timezone.now() + timedelta(days=5)
    )
    login(client, admin_user)
    listing = client.get(reverse("admin:projects_apitoken_changelist"))
    assert listing.status_code == 200 and "ของ staff" in listing.content.decode()
    page = client.get(reverse("admin:projects_apitoken_change", args=[token.pk])).content.decode()
    assert token.secret_hash not in page
    client.post(reverse("admin:projects_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(reverse("admin:projects_apitoken_add")).status_code == 403
