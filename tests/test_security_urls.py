"""Every URL in the URLconf, walked from get_resolver() so a new view is covered the day it is
added: anonymous users are sent to the login page (except the few public pages), signed-in
users read, writes follow the matrix of tests/test_access.py, and no POST gets past CSRF."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.test_access import ALLOWED, EVIDENCE, EVIDENCE_DOWNLOADS, ROLES, WRITE_URLS, World

# Reachable without signing in, on purpose.
PUBLIC = {
    "login",
    "logout",  # POST only; signing out needs no session
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "healthz",
    "favicon",
}
WRITES = {name: kind for name, _args, kind, _status in WRITE_URLS} | {
    name: EVIDENCE for name, _args in EVIDENCE_DOWNLOADS
}
# The REST API answers scripts: without a token or session a 401 in JSON (tests/test_api.py),
# never the login page; its documentation page is for people and asks them to log in. Its two
# writes take POST only (who may: tests/test_api.py).
API_WRITES = {"api:project_reports", "api:quarter_result"}
# Query strings a URL needs to name what it shows.
QUERIES = {"dashboard:export": "?fy=2564&period=m8&table=progress-distribution&format=csv"}
POST_ONLY = {"users:set_active", "users:invite"}  # buttons on the account page; GET is 405
SLOW = {"projects:print_pdf", "reports:indicator_report_pdf", "reports:performance_pdf"}  # WeasyPrint: a few roles only


def url_names():
    """(name, parameter names) of every URL except Django's admin (it has its own login)."""

    def walk(patterns, namespaces=()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(pattern.url_patterns, namespaces + ((pattern.namespace,) if pattern.namespace else ()))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield ":".join((*namespaces, pattern.name)), tuple(pattern.pattern.converters)

    return sorted(set(walk(get_resolver().url_patterns)))


def build_url(world, name, parameters):
    """The URL of `name` for the world's objects; fails on a parameter it does not know, so a
    new kind of URL makes this test ask to be taught instead of being skipped."""
    namespace = name.split(":")[0] if ":" in name else ""
    values = {}
    for parameter in parameters:
        if parameter == "code":
            # public:project, public-en:project, api:project…
            is_project = namespace == "projects" or name.endswith(":project") or name.startswith("api:project")
            values[parameter] = world.project.code if is_project else world.indicator.code
        elif parameter == "pk" and namespace == "users":
            values[parameter] = world.users["staff_unit"].pk
        elif parameter == "dataset":  # an open-data file of the public site
            values[parameter] = "projects"
        elif parameter == "pk":
            values[parameter] = world.deleted.pk if name == "projects:progress_restore" else world.report.pk
        elif parameter in ("fiscal_year", "fy"):
            values[parameter] = world.indicator.fiscal_year
        elif parameter == "quarter":
            values[parameter] = 3
        elif parameter in ("uidb64", "token"):
            values[parameter] = "x"
        elif parameter == "unit_code":  # a unit's performance agreement
            values[parameter] = world.indicator.unit.code
        elif parameter == "file_id":  # an evidence file of the report, or of the indicator's quarter 3
            values[parameter] = (world.report_file if namespace == "projects" else world.quarter_file).pk
        elif parameter == "number":  # a city-development indicator
            values[parameter] = factories.make_city_indicator().number
        else:
            pytest.fail(f"{name}: teach tests/test_security_urls.py the URL parameter {parameter!r}")
    return reverse(name, kwargs=values) + QUERIES.get(name, "")


URLS = url_names()
# The public transparency site (issue 22) in both languages: every page and download, no login.
PUBLIC_SITE = {name for name, _ in URLS if name.split(":")[0] in ("public", "public-en")}
PUBLIC |= PUBLIC_SITE


@pytest.fixture
def world(social_dept, social_division, district_office, planning_office):
    return World(social_dept, social_division, district_office, planning_office)


def test_the_walk_finds_the_known_urls():
    names = {name for name, _ in URLS}
    assert {"projects:detail", "projects:progress_new", "dashboard:index", "healthz", "login"} <= names
    assert set(WRITES) <= names
    assert {"public:project", "public-en:project", "public:data_csv", "public-en:metadata"} <= PUBLIC_SITE


@pytest.mark.parametrize(("name", "parameters"), URLS, ids=[name for name, _ in URLS])
def test_anonymous_users_are_sent_to_the_login_page(client, world, name, parameters):
    url = build_url(world, name, parameters)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if name in PUBLIC_SITE:
            assert response.status_code == (200 if method == "get" else 405), f"{method.upper()} {url}"
            continue
        if name in PUBLIC:
            assert response.status_code < 500
            continue
        if name.startswith("api:") and name != "api:docs":
            assert response.status_code in (401, 403, 404, 405), f"{method.upper()} {url}"
            if name != "api:schema":  # the schema's 401 is in the schema's own format
                assert response["Content-Type"].startswith("application/json"), f"{method.upper()} {url}"
            continue
        if response.status_code == 405:
            continue  # a view refuses a method it never takes before asking who you are
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response.url.startswith(reverse("login") + "?next="), f"{method.upper()} {url}"


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
@pytest.mark.parametrize(("name", "parameters"), URLS, ids=[name for name, _ in URLS])
def test_signed_in_users_read_every_page_and_write_per_the_matrix(client, world, name, parameters, role):
    if name in PUBLIC or (name in SLOW and role not in ("staff_other", "planner")):
        return
    client.force_login(world.users[role])
    response = client.get(build_url(world, name, parameters))
    if name in WRITES:
        assert response.status_code == (200 if role in ALLOWED[WRITES[name]] else 403)
    elif name in POST_ONLY:
        assert response.status_code == 405
    elif name == "api_token_revoke":
        assert response.status_code == 405  # POST only (tests/test_api_docs_and_tokens.py)
    elif name in API_WRITES:
        assert response.status_code in (403, 405), f"{role} GET {name}"  # 403: may not write, checked first
    elif name.startswith("reports:book"):
        # The quarterly books (engineer H's, in progress): no job exists here; never a 500.
        assert response.status_code in (200, 302, 403, 404, 405)
    else:
        assert response.status_code == 200, f"{role} GET {name}"


@pytest.mark.parametrize(("name", "parameters"), URLS, ids=[name for name, _ in URLS])
def test_every_post_without_a_csrf_token_is_refused(world, name, parameters):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["admin"])  # may do everything: only CSRF can refuse
    response = client.post(build_url(world, name, parameters), {"name": "x", "percent": "50"})
    assert response.status_code == 403, name
    assert "CSRF" in response.content.decode()


def test_a_post_with_the_token_gets_through(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["staff_unit"])
    url = reverse("projects:progress_delete", args=[world.project.code, world.report.pk])
    token = client.get(url).context["csrf_token"]
    data = {"csrfmiddlewaretoken": str(token), "version": world.report.version}
    assert client.post(url, data).status_code == 302
