"""Hostile and odd input (issue 7): stored script comes back escaped on every page and PDF,
SQL metacharacters and Thai in every search and filter, oversized input refused in Thai, other
units' object IDs refused, and the security headers on every page."""

from datetime import date

import pytest
from django.urls import reverse

from indicators.models import IndicatorQuarter
from tests import factories
from tests.pdftools import pdftotext, squash

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT} {IMG}"
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")


@pytest.fixture
def hostile(social_division, staff):
    """A project, its steps, reports and indicator with the payload in every free-text field."""
    project = factories.make_project(
        code="24000000-6666",
        unit=social_division,
        fiscal_year=2564,
        name=f"โครงการ {PAYLOAD}",
        rationale=PAYLOAD,
        objectives=PAYLOAD,
        targets=PAYLOAD,
        responsible_person=PAYLOAD[:200],
    )
    factories.make_step(project, name=f"ขั้นตอน {PAYLOAD}")
    factories.make_report(project, narrative=PAYLOAD, problems=PAYLOAD, obstacles=PAYLOAD)
    indicator = factories.make_indicator(
        code="2400-6666",
        unit=social_division,
        name=f"ตัวชี้วัด {PAYLOAD}",
        definitions=PAYLOAD,
        calculation=PAYLOAD,
        target_text=PAYLOAD[:500],
        summary=PAYLOAD,
        evidence=PAYLOAD,
    )
    indicator.projects.add(project)
    factories.make_indicator_quarter(indicator, quarter=1, narrative=PAYLOAD)
    return project, indicator


def assert_escaped(html, where):
    assert "<script>alert" not in html, where
    assert "<img src=x" not in html, where
    assert ESCAPED[0] in html, where


def test_stored_script_comes_back_escaped_on_every_page(client, hostile, planner):
    project, indicator = hostile
    client.force_login(planner)
    pages = [
        reverse("projects:detail", args=[project.code]),
        reverse("projects:print", args=[project.code]),
        reverse("projects:history", args=[project.code]),
        reverse("projects:list") + "?fiscal_year=2564",
        reverse("reports:indicator_report", args=[indicator.code, indicator.fiscal_year, 1]),
        reverse("indicators:result_edit", args=[indicator.code, indicator.fiscal_year, 1]),
        reverse("indicators:list") + "?fiscal_year=2564",
        reverse("indicators:detail", args=[indicator.code, indicator.fiscal_year]),
        reverse("indicators:history", args=[indicator.code, indicator.fiscal_year]),
        reverse("indicators:edit", args=[indicator.code, indicator.fiscal_year]),
        reverse("indicators:copy") + "?fiscal_year=2564",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        if response.status_code == 200:
            assert_escaped(response.content.decode(), url)


def test_stored_script_comes_back_escaped_in_the_entry_forms(client, hostile, staff):
    project, _indicator = hostile
    client.force_login(staff)
    report = project.reports.get()
    for url in (
        reverse("projects:edit", args=[project.code]),
        reverse("projects:steps", args=[project.code]),
        reverse("projects:progress_edit", args=[project.code, report.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url


def test_the_pdfs_print_the_payload_as_text(client, hostile, planner):
    project, indicator = hostile
    client.force_login(planner)
    for url in (
        reverse("projects:print_pdf", args=[project.code]),
        reverse("reports:indicator_report_pdf", args=[indicator.code, indicator.fiscal_year, 1]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert squash("<script>alert(1)</script>") in squash(pdftotext(response.content)), url


SEARCHES = ["'", '"', "%", "_", ";--", "\\", "ทดสอบ", "สํา", "' OR 1=1 --", "%' AND '1'='1"]


@pytest.mark.parametrize("term", SEARCHES)
def test_search_and_filters_take_sql_metacharacters_and_thai(client, staff, social_division, term):
    factories.make_project(code="24000000-7001", unit=social_division, name="โครงการทดสอบ 100% สำเร็จ_ครบ")
    factories.make_project(code="24000000-7002", unit=social_division, name="โครงการอื่น")
    client.force_login(staff)
    for params in (
        {"q": term},
        {"q": term, "fiscal_year": "2564", "status": term, "sort": term},
        {"unit": term, "district_group": term, "dimension": term},
        {"fiscal_year": term, "page": term},
    ):
        response = client.get(reverse("projects:list"), params)
        assert response.status_code == 200, params
    found = client.get(reverse("projects:list"), {"q": term, "fiscal_year": "2564"}).content.decode()
    if term in ("ทดสอบ", "สํา", "%", "_"):
        assert "24000000-7001" in found and "24000000-7002" not in found
    if term in ("'", ";--", "' OR 1=1 --", "%' AND '1'='1"):
        assert "24000000-7001" not in found and "24000000-7002" not in found


@pytest.mark.parametrize("term", ["'", "%", ";--", "\\", "ทดสอบ"])
def test_dashboard_selectors_take_odd_values(client, director, term):
    client.force_login(director)
    response = client.get(reverse("dashboard:index"), {"fy": term, "period": term, "group": term, "unit": term})
    assert response.status_code in (200, 404)


def test_a_100_kb_narrative_is_refused_with_a_thai_message(client, staff, project):
    client.force_login(staff)
    response = client.post(
        reverse("projects:progress_new", args=[project.code]),
        {"report_date": "30/03/2564", "percent": "10", "narrative": "ก" * 100_000, "problems": "", "obstacles": ""},
    )
    assert response.status_code == 200
    assert "ข้อความยาวเกินกำหนด" in response.content.decode()
    assert not project.reports.exists()


def test_a_10_mb_post_is_refused_with_413_in_thai(client, staff, project):
    client.force_login(staff)
    response = client.post(
        reverse("projects:progress_new", args=[project.code]),
        {"report_date": "30/03/2564", "percent": "10", "narrative": "x" * 10_000_000},
    )
    assert response.status_code == 413
    assert "ข้อมูลที่ส่งมีขนาดใหญ่เกินไป" in response.content.decode()
    assert not project.reports.exists()


def test_another_projects_report_through_my_project_url_is_404(client, staff, project, district_office):
    theirs = factories.make_project(code="50240000-1", unit=district_office)
    their_report = factories.make_report(theirs, report_date=date(2021, 3, 1))
    client.force_login(staff)
    for name in ("projects:progress_edit", "projects:progress_delete"):
        assert client.get(reverse(name, args=[project.code, their_report.pk])).status_code == 404
        assert client.post(reverse(name, args=[project.code, their_report.pk]), {}).status_code == 404
    their_report.refresh_from_db()
    assert their_report.deleted_at is None


def test_another_units_objects_are_403(client, staff, district_office):
    theirs = factories.make_project(code="50240000-2", unit=district_office)
    report = factories.make_report(theirs)
    indicator = factories.make_indicator(code="5024-0001", unit=district_office)
    client.force_login(staff)
    for url in (
        reverse("projects:edit", args=[theirs.code]),
        reverse("projects:progress_new", args=[theirs.code]),
        reverse("projects:progress_edit", args=[theirs.code, report.pk]),
        reverse("indicators:result_edit", args=[indicator.code, indicator.fiscal_year, 1]),
    ):
        response = client.post(url, {"percent": "99"})
        assert response.status_code == 403, url
        assert "ไม่มีสิทธิ์" in response.content.decode()
    assert not IndicatorQuarter.objects.filter(indicator=indicator).exists()


def test_an_unknown_page_is_a_thai_404(client, staff):
    client.force_login(staff)
    response = client.get("/projects/no-such-project/")
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()


def test_every_page_carries_the_security_headers(client, staff, project):
    client.force_login(staff)
    for url in ("/accounts/login/", reverse("projects:detail", args=[project.code]), reverse("dashboard:index")):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_no_page_has_an_inline_script_or_event_handler(client, staff, project):
    import re

    factories.make_report(project)
    indicator = factories.make_indicator(code="2400-0001", unit=project.unit, fiscal_year=project.fiscal_year)
    client.force_login(staff)
    for url in (
        "/accounts/login/",
        reverse("projects:list"),
        reverse("projects:detail", args=[project.code]),
        reverse("projects:progress_new", args=[project.code]),
        reverse("projects:steps", args=[project.code]),
        reverse("projects:edit", args=[project.code]),
        reverse("dashboard:index"),
        reverse("home"),
        reverse("indicators:list"),
        reverse("indicators:detail", args=[indicator.code, indicator.fiscal_year]),
        reverse("indicators:new"),
        reverse("indicators:edit", args=[indicator.code, indicator.fiscal_year]),
        reverse("indicators:copy"),
    ):
        response = client.get(url, follow=True)
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, f"{url}: inline {tag}"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url
