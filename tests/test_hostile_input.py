"""No crafted request gets a 500 or writes anything (issue 19): every URL pattern of the
URLconf, walked from get_resolver() as tests/test_security_urls.py does, is asked for with
hostile path parameters and query strings, and every form it shows is posted with hostile
values (NUL bytes, a megabyte of text, numbers beyond any column, duplicate keys). The answers
may be 400, 403, 404, 405, 413 or the form again with its errors; the database is left as it
was."""

import re
from urllib.parse import quote

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from projects.models import PlanStep
from tests import factories
from tests.test_access import World
from tests.test_security_urls import PUBLIC, PUBLIC_SITE, build_url

HOSTILE_SEGMENTS = ["\x00", "x" * 5000, "ก" * 300, "9" * 30, "'; DROP TABLE x;--", "%ff%fe", "..", " "]
HOSTILE_QUERIES = [
    "?q=%00&unit=%00&group=%00",
    "?fy=99999999999999999999&period=q9&page=99999999999999999999&sort=%00",
    "?fy=%ff%fe&period=%ff&q=" + quote("ก" * 5000),
    "?page=-1&page=2&fy=2564&fy=x&unit=24000000&unit=",
    "?table=%00&format=%00",
]
# Refused in any field: a NUL, and more text than any field takes (a megabyte: every field at
# once is then over the request limit too, DATA_UPLOAD_MAX_MEMORY_SIZE).
MEGABYTE = "x" * 1_000_000
NEVER_VALID = ["\x00", "x" * 25_000, MEGABYTE]
# Refused by the number and date fields (text fields may take them: each form is posted with
# every field holding one of these, never one field alone).
NOT_NUMBERS = ["9" * 40, "-1e999", "NaN"]
# Two roles cover every write: the owning unit's staff and the administrator.
ROLES = ("staff_unit", "admin")
SLOW = {"projects:print_pdf", "reports:indicator_report_pdf"}


def routes():
    """(name, full route with converters, parameter names) of every URL but Django's admin."""

    def walk(patterns, prefix="", namespaces=()):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                namespace = (pattern.namespace,) if pattern.namespace else ()
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), namespaces + namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = ":".join((*namespaces, pattern.name))
                yield name, prefix + str(pattern.pattern), tuple(pattern.pattern.converters)

    return sorted(set(walk(get_resolver().url_patterns)))


ROUTES = routes()
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def hostile_paths(route, parameters):
    """The route with each parameter in turn replaced by each hostile value (the others valid
    enough to reach it)."""
    for parameter in parameters:
        for value in HOSTILE_SEGMENTS:
            path = _CONVERTER.sub(lambda m, p=parameter, v=value: quote(v) if m.group(1) == p else "1", route)
            yield "/" + path


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models() if _is_ours(model)}


def _is_ours(model):
    return model._meta.app_label in ("projects", "indicators", "reports") and model._meta.managed


@pytest.fixture
def world(social_dept, social_division, district_office, planning_office):
    return World(social_dept, social_division, district_office, planning_office)


def assert_no_500(response, what):
    assert response.status_code < 500, f"{what} answered {response.status_code}"


@pytest.mark.parametrize(("name", "route", "parameters"), ROUTES, ids=[name for name, _r, _p in ROUTES])
def test_hostile_paths_and_queries_get_no_500(client, world, name, route, parameters):
    client.force_login(world.users["admin"])
    for path in hostile_paths(route, parameters):
        assert_no_500(client.get(path), f"GET {path[:120]}")
        assert_no_500(client.post(path, {"x": "\x00"}), f"POST {path[:120]}")
    if name in PUBLIC - PUBLIC_SITE and name not in ("set_language", "login"):
        return
    url = build_url(world, name, parameters).split("?")[0]
    for query in HOSTILE_QUERIES if name not in SLOW else HOSTILE_QUERIES[:1]:
        assert_no_500(client.get(url + query), f"GET {url}{query[:80]}")


_FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.S)
_SKIP_FIELDS = {"csrfmiddlewaretoken"}


def form_fields(html):
    return sorted({name for name in _FIELD.findall(html) if name not in _SKIP_FIELDS})


def form_urls(client, world):
    """The pages (URL, field names) that show a form that POSTs to themselves."""
    found = []
    for name, _route, parameters in ROUTES:
        if name in PUBLIC or name in SLOW:
            continue
        url = build_url(world, name, parameters)
        response = client.get(url)
        # (a download streams a file: no form there)
        html = (
            response.content.decode(errors="replace") if response.status_code == 200 and not response.streaming else ""
        )
        if re.search(r'<form[^>]*method="post"', html, re.I) and (fields := form_fields(html)):
            found.append((name, url, fields))
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_form_posted_with_hostile_values_gets_no_500_and_stores_nothing(client, world, role, settings):
    settings.AXES_ENABLED = False  # the login form is posted many times here
    client.force_login(world.users[role])
    forms = form_urls(client, world)
    assert {"projects:progress_new", "projects:edit", "projects:steps", "projects:new"} <= {n for n, _u, _f in forms}
    before = row_counts()
    for name, url, fields in forms:
        for value in NEVER_VALID + NOT_NUMBERS:
            # Every field at once, then (for what no field takes) each field alone.
            variants = [dict.fromkeys(fields, value)]
            if value in NEVER_VALID and value is not MEGABYTE:
                variants += [{field: value} for field in fields[:12]]
            for data in variants:
                response = client.post(url, data)
                assert_no_500(response, f"{role} POST {name} {sorted(data)[:3]} = {value[:12]!r}")
                assert response.status_code != 302 or name in ("logout",), f"{name} accepted {value[:12]!r}"
            if value is MEGABYTE:
                continue
            # The same keys twice, with two hostile values.
            pairs = [(field, v) for field in fields for v in (value, "\x00")]
            body = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
            response = client.post(url, body, content_type="application/x-www-form-urlencoded")
            assert_no_500(response, f"{role} POST {name} duplicate keys")
        if name == "logout":
            client.force_login(world.users[role])
    assert row_counts() == before


def _multipart(filename, content, field="file", boundary="hostileBOUNDARY"):
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
    head += "Content-Type: application/pdf\r\n\r\n"
    return head.encode("utf-8", "surrogatepass") + content + f"\r\n--{boundary}--\r\n".encode()


HOSTILE_FILENAMES = [
    "x" * 5000 + ".pdf",
    "ก" * 3000 + ".pdf",
    "bad\x00name.pdf",
    "\x00",
    "../../../../etc/passwd",
    "/",
    "C:\\Windows\\system32\\evil.pdf",
    "",
    "\u202efdp.exe",
]


@pytest.mark.parametrize("name", ["projects:progress_evidence", "indicators:quarter_evidence"])
def test_evidence_uploads_with_hostile_multipart_get_no_500_and_keep_a_clean_name(client, world, name, media_root):
    """Huge and strange filenames, NUL bytes, an empty file, a file posted as a plain field,
    two files under one name, a body cut short: never a 500; what is stored is a valid file
    under a clean name no longer than 200 characters, anything else stores nothing."""
    from projects.evidence import NAME_MAX
    from tests import factories

    client.force_login(world.users["staff_unit"])
    url = build_url(world, name, [p for p in ("code", "pk", "fiscal_year", "quarter") if p in _route_params(name)])
    model = apps.get_model("projects.ReportEvidence" if name.startswith("projects") else "indicators.QuarterEvidence")
    before = model.objects.count()
    pdf = factories.pdf_bytes()
    content_type = "multipart/form-data; boundary=hostileBOUNDARY"
    for filename in HOSTILE_FILENAMES:
        assert_no_500(client.post(url, _multipart(filename, pdf), content_type=content_type), repr(filename[:20]))
    for body in (
        _multipart("empty.pdf", b""),
        _multipart("x.pdf", b"\x00" * 1000),
        b'--hostileBOUNDARY\r\nContent-Disposition: form-data; name="file"\r\n\r\nnot a file\r\n--hostileBOUNDARY--\r\n',
        _multipart("cut.pdf", pdf)[:-30],
        _multipart("a.pdf", pdf)[: -len("--\r\n")]
        + _multipart("b.pdf", b"MZ" + b"\x00" * 50)[len("--hostileBOUNDARY") :],
    ):
        assert_no_500(client.post(url, body, content_type=content_type), repr(body[:60]))
    stored = list(model.objects.filter(pk__gt=0).order_by("pk"))[before:]
    assert stored, "a valid PDF under a long name is kept, its name cut"
    for row in stored:
        assert row.content_type == "application/pdf"
        assert 0 < len(row.original_name) <= NAME_MAX
        assert not any(ch in row.original_name for ch in "\x00/\\\u202e")


def _route_params(name):
    return next(parameters for route_name, _route, parameters in ROUTES if route_name == name)


# --- tampered formsets and hidden fields (issue 19) -------------------------------------------


def tampered_posts(world):
    """(what, URL, data): crafted posts of the steps formset and of the hidden fields of the
    other forms, each of which gave a 500 or saved something unexpected before."""
    project = world.project
    first, second = (factories.make_step(project, number=n, name=f"ขั้นตอน {n}") for n in (1, 2))
    other_step = factories.make_step(factories.make_project(code="24000000-2", unit=project.unit), number=1)
    steps_url = reverse("projects:steps", args=[project.code])

    def steps(*rows, initial=0, total=None, version=None):
        data = {
            "version": project.version if version is None else version,
            "steps-TOTAL_FORMS": str(len(rows)) if total is None else total,
            "steps-INITIAL_FORMS": str(initial),
        }
        for i, row in enumerate(rows):
            data |= {f"steps-{i}-{key}": value for key, value in row.items()}
        return data

    def row(number, pk=None, **extra):
        data = {"number": number, "name": "ก", "weight": "10", "start": "01/10/2563", "end": "01/10/2563"}
        return data | ({"id": pk} if pk else {}) | extra

    report_url = reverse("projects:progress_new", args=[project.code])
    report = {"report_date": "01/03/2564", "percent": "10", "narrative": "", "problems": "", "obstacles": ""}
    edit_url = reverse("projects:progress_edit", args=[project.code, world.report.pk])
    return [
        ("a step numbered 30000", steps_url, steps(row("30000"))),
        ("a step numbered beyond any column", steps_url, steps(row("9" * 40))),
        ("a stored step's number reused, the step left out", steps_url, steps(row("1"))),
        ("two new steps with one number", steps_url, steps(row("5"), row("5"))),
        ("one stored step twice", steps_url, steps(row("3", first.pk), row("4", first.pk), initial=2)),
        (
            "one stored step kept and deleted",
            steps_url,
            steps(row("1", first.pk), row("1", first.pk, DELETE="on"), initial=2),
        ),
        ("another project's step", steps_url, steps(row("7", other_step.pk), initial=1)),
        ("a non-numeric step id", steps_url, steps(row("7", "abc"), initial=1)),
        ("a step id beyond any column", steps_url, steps(row("7", "9" * 40), initial=1)),
        ("more initial forms than steps", steps_url, steps(row("8"), row("9"), initial=5)),
        ("150 forms", steps_url, steps(*(row(str(n % 99 + 1)) for n in range(150)))),
        ("a huge form count", steps_url, steps(row("8"), total="9" * 30)),
        ("no management form", steps_url, {"version": project.version, "steps-0-number": "8"}),
        ("a version beyond any column", steps_url, steps(row("8"), version="9" * 40)),
        ("a NUL in a step", steps_url, steps(row("8", name="\x00"), row("\x00"))),
        ("a submission key of 65 characters", report_url, report | {"submission_key": "x" * 65}),
        ("a submission key with a NUL", report_url, report | {"submission_key": "\x00" * 32}),
        ("a version beyond any column", edit_url, report | {"version": "9" * 40}),
        ("a negative version", edit_url, report | {"version": "-5"}),
    ], [first, second]


@pytest.mark.parametrize("role", ROLES)
def test_tampered_formsets_and_hidden_fields_get_no_500_and_store_nothing(client, world, role):
    client.force_login(world.users[role])
    posts, stored_steps = tampered_posts(world)
    before = row_counts()
    steps_before = list(PlanStep.objects.order_by("pk").values())
    for what, url, data in posts:
        response = client.post(url, data)
        assert_no_500(response, f"{role} {what}")
        assert response.status_code == 200, f"{role} {what}: {response.status_code}"
        assert row_counts() == before, f"{role} {what} stored something"
        assert list(PlanStep.objects.order_by("pk").values()) == steps_before, f"{role} {what} changed a step"
    assert len(stored_steps) == 2
