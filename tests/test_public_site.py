"""The public transparency site and its open data (issue 22, items 3 and 4): no login, Thai and
English, HTTP caching, and never a private field — the responsible person's name and phone, who
entered a report or evaluated a project, the audit trail's notes, deleted (and, once reports
have statuses, draft and returned) reports, internal check scores."""

import csv
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from indicators.models import Indicator, IndicatorQuarter
from projects.models import (
    AuditEntry,
    OrgUnit,
    PlanEdition,
    PlanNode,
    PlanStep,
    ProgressReport,
    Project,
    ProjectEvaluation,
)
from projects.public import POLICIES, PublicView, all_field_names
from reports import opendata
from tests import factories

CODE = "24000000-3029"
PHONE = "02-246-0999 ต่อ 4711"
PERSON = "นางสาวลับเฉพาะ ทดสอบเอกชน"
STAFF_LOGIN = "priv-staff-login"
EVALUATOR_LOGIN = "priv-evaluator-login"
DELETED_TEXT = "ข้อความรายงานที่ถูกลบ-ไม่เผยแพร่"
AUDIT_NOTE = "บันทึกภายใน-ห้ามเผยแพร่"
REPORTER = "ผู้รายงานข้อมูลลับ"
REPORTER_POSITION = "ตำแหน่งลับเฉพาะ"
AUDIT_SCORE = "93.17"
PRIVATE_VALUES = [
    PHONE,
    PERSON,
    STAFF_LOGIN,
    EVALUATOR_LOGIN,
    DELETED_TEXT,
    AUDIT_NOTE,
    REPORTER,
    REPORTER_POSITION,
    AUDIT_SCORE,
]
# A Thai phone number as people write one: 02-246-0999, 081 234 5678, 022460999.
PHONE_NUMBER = re.compile(r"(?<![\w-])0\d{1,2}[- ]?\d{3}[- ]?\d{4}(?!\d)")


@pytest.fixture
def secret_project(social_dept, planning_office):
    """A project whose private fields all hold values that appear nowhere else."""
    staff = factories.make_user(STAFF_LOGIN, unit=social_dept)
    evaluator = factories.make_user(EVALUATOR_LOGIN, unit=planning_office)
    project = factories.make_project(
        code=CODE,
        unit=social_dept,
        fiscal_year=2564,
        name="โครงการฝึกอาชีพเพื่อผู้สูงอายุ",
        responsible_person=PERSON,
        responsible_phone=PHONE,
        rationale="เพื่อส่งเสริมอาชีพ",
    )
    factories.make_step(project, start=date(2020, 10, 1), end=date(2021, 9, 30), weight="100")
    factories.make_report(
        project, report_date=date(2021, 3, 30), percent="40", narrative="ฝึกอบรมแล้ว 3 รุ่น", entered_by=staff
    )
    factories.make_report(
        project, report_date=date(2021, 4, 30), percent="45", narrative=DELETED_TEXT, deleted_at=timezone.now()
    )
    project.refresh_progress_summary()
    ProjectEvaluation.objects.create(project=project, quarter=2, score=Decimal("88"), evaluated_by=evaluator)
    AuditEntry.objects.create(
        project=project,
        model_label="projects.project",
        object_id=project.pk,
        action="update",
        note=AUDIT_NOTE,
        user=staff,
    )
    indicator = factories.make_indicator(
        code="2400-1065", unit=social_dept, reporter_name=REPORTER, reporter_position=REPORTER_POSITION
    )
    indicator.projects.add(project)
    factories.make_indicator_quarter(
        indicator, quarter=2, result=Decimal("55"), narrative="ผลไตรมาสสอง", audit_score=Decimal(AUDIT_SCORE)
    )
    project.refresh_from_db()
    return project


def public_urls(project):
    """Every public URL (pages and downloads, both languages) for the project, its indicator and
    year, walked from the URLconf so that a new public URL is covered the day it is added."""
    indicator = project.indicators.get()
    urls = []
    for resolver in get_resolver().url_patterns:
        if not (isinstance(resolver, URLResolver) and resolver.namespace in ("public", "public-en")):
            continue
        for pattern in resolver.url_patterns:
            assert isinstance(pattern, URLPattern)
            name, parameters = f"{resolver.namespace}:{pattern.name}", set(pattern.pattern.converters)
            if "dataset" in parameters:
                for slug in opendata.DATASETS:
                    urls.append(reverse(name, kwargs={"fy": 2564, "dataset": slug}))
            elif pattern.name == "project":
                urls.append(reverse(name, kwargs={"code": project.code}))
            elif pattern.name == "indicator":
                urls.append(reverse(name, kwargs={"code": indicator.code, "fy": indicator.fiscal_year}))
            else:
                assert not parameters, f"teach public_urls() the parameters of {name}"
                urls.append(reverse(name) + "?fiscal_year=2564")
                urls.append(reverse(name) + "?fiscal_year=2564&q=" + project.name[:6])
    return urls


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def test_the_project_page_answers_without_login_and_shows_no_phone_and_no_login_name(client, secret_project):
    response = client.get(f"/public/projects/{CODE}/")
    assert response.status_code == 200
    text = body(response)
    assert secret_project.name in text and "ฝึกอบรมแล้ว 3 รุ่น" in text
    assert PHONE_NUMBER.search(text) is None and "โทร" not in text
    assert STAFF_LOGIN not in text and EVALUATOR_LOGIN not in text


def test_no_public_page_or_download_in_either_language_shows_a_private_value(client, secret_project):
    urls = public_urls(secret_project)
    assert len(urls) > 30
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        leaks = [value for value in PRIVATE_VALUES if value in text]
        assert leaks == [], url


def test_the_walk_covers_pages_and_downloads_in_both_languages(secret_project):
    urls = public_urls(secret_project)
    assert f"/public/projects/{CODE}/" in urls and f"/public/en/projects/{CODE}/" in urls
    assert "/public/data/2564/projects.csv" in urls and "/public/en/data/2564/metadata/quarters.json" in urls


def test_public_pages_never_redirect_to_login_even_for_a_signed_in_reader(client, secret_project, staff):
    for url in public_urls(secret_project)[:12]:
        assert client.get(url).status_code == 200
    client.force_login(staff)
    assert client.get(f"/public/projects/{CODE}/").status_code == 200


def test_every_field_of_every_public_model_is_decided_public_or_private():
    """Adding a field to one of these models fails here until it is named, in one line, in
    projects/public.py or indicators/public.py."""
    for model, policy in POLICIES.items():
        decided = set(policy.public) | set(policy.private)
        assert all_field_names(model) == decided, model.__name__
    assert {OrgUnit, PlanEdition, PlanNode, Project, PlanStep, ProgressReport, ProjectEvaluation} <= set(POLICIES)
    assert {Indicator, IndicatorQuarter} <= set(POLICIES)


def test_every_public_link_leads_to_a_model_with_its_own_policy():
    """A public foreign key or many-to-many link shows the related record through its own
    policy: making a link public means deciding the fields of what it leads to as well."""
    for model, policy in POLICIES.items():
        for name in policy.public:
            field = policy.field(name)
            if field.is_relation:
                assert field.related_model in POLICIES, f"{model.__name__}.{name}"


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Project, "responsible_phone"),
        (Project, "responsible_person"),
        (ProgressReport, "entered_by"),
        (ProgressReport, "deleted_at"),
        (ProjectEvaluation, "evaluated_by"),
        (Indicator, "reporter_name"),
        (IndicatorQuarter, "audit_score"),
    ],
)
def test_personal_and_internal_fields_are_private(model, field):
    assert field in POLICIES[model].private and field not in POLICIES[model].public


def test_a_public_view_refuses_a_private_field(secret_project):
    view = PublicView(secret_project)
    assert view.name == secret_project.name and view.unit.name == "สำนักพัฒนาสังคม"
    with pytest.raises(AttributeError):
        view.responsible_phone  # noqa: B018
    with pytest.raises(AttributeError):
        view.unit.users  # noqa: B018


def test_only_public_reports_are_shown(secret_project):
    assert list(ProgressReport.objects.public()) == list(ProgressReport.objects.live())


# --- Language ---------------------------------------------------------------------------------


def test_the_english_twin_is_in_english_and_the_switch_links_the_two(client, secret_project):
    thai, english = client.get(f"/public/projects/{CODE}/"), client.get(f"/public/en/projects/{CODE}/")
    assert thai["Content-Language"] == "th" and english["Content-Language"] == "en"
    assert '<html lang="en">' in body(english) and "Projects" in body(english)
    assert f'href="/public/en/projects/{CODE}/"' in body(thai)
    assert f'href="/public/projects/{CODE}/"' in body(english)
    assert 'href="/public/en/projects/"' in body(english)  # links stay in the page's language


def test_the_language_switch_keeps_the_query(client, secret_project):
    text = body(client.get("/public/projects/?fiscal_year=2564"))
    assert 'href="/public/en/projects/?fiscal_year=2564"' in text


# --- Caching ----------------------------------------------------------------------------------


def test_public_answers_are_cacheable_and_set_no_cookie(client, secret_project, staff):
    client.force_login(staff)  # a reader with a session gets the same cacheable answer
    for url in [f"/public/projects/{CODE}/", "/public/", "/public/projects/", "/public/data/2564/projects.csv"]:
        response = client.get(url)
        assert response["Cache-Control"] == "public, max-age=300", url
        assert response["ETag"].startswith('"'), url
        assert not response.cookies, url
        assert "cookie" not in response.get("Vary", "").lower(), url


def test_a_reader_with_the_etag_gets_304_until_the_data_changes(client, secret_project):
    url = f"/public/projects/{CODE}/"
    etag = client.get(url)["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again["ETag"] == etag and again.content == b""
    factories.make_report(secret_project, report_date=date(2021, 5, 30), percent="60")
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_download_answers_304_with_its_etag_and_changes_with_the_year(client, secret_project):
    url = "/public/data/2564/reports.csv"
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    Project.objects.filter(pk=secret_project.pk).update(name="ชื่อใหม่")
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200


def test_the_two_languages_have_different_etags(client, secret_project):
    assert client.get(f"/public/projects/{CODE}/")["ETag"] != client.get(f"/public/en/projects/{CODE}/")["ETag"]


def test_pages_work_without_javascript_only_the_charts_need_it(client, secret_project):
    text = body(client.get("/public/?fiscal_year=2564"))
    assert "<form" in text and 'method="get"' in text and "csrfmiddlewaretoken" not in text
    assert "<table" in text  # each chart's figures are also a table
    page = body(client.get(f"/public/projects/{CODE}/"))
    assert "progress-table" in page and "ฝึกอบรมแล้ว 3 รุ่น" in page
    assert re.search(r"<script>(?!\s*$)", page) is None  # no inline code, only data blocks and files


# --- Methods and bad input --------------------------------------------------------------------


def test_it_refuses_writes(client, secret_project):
    assert client.post(f"/public/projects/{CODE}/").status_code == 405
    assert client.post("/public/data/2564/projects.csv").status_code == 405


def test_an_unknown_project_or_dataset_is_404(client, secret_project):
    assert client.get("/public/projects/24000000-0/").status_code == 404
    assert client.get("/public/data/2564/users.csv").status_code == 404


def test_a_bad_fiscal_year_is_a_message_and_the_default_year(client, secret_project):
    response = client.get("/public/projects/?fiscal_year=abc")
    assert response.status_code == 200
    assert "ปีงบประมาณต้องเป็นตัวเลข พ.ศ. 4 หลัก" in body(response)
    english = client.get("/public/en/projects/?fiscal_year=1")
    assert "Fiscal year must be" in body(english) or "fiscal year" in body(english).lower()


# --- Open data --------------------------------------------------------------------------------


def test_the_csv_has_a_bom_and_reads_back_in_thai(client, secret_project):
    response = client.get("/public/data/2564/projects.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="bma-projects-2564.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == [CODE]
    assert rows[0]["name"] == "โครงการฝึกอาชีพเพื่อผู้สูงอายุ" and rows[0]["unit"] == "24000000"
    assert rows[0]["latest_percent"] == "40.00"
    assert "responsible_phone" not in rows[0] and "responsible_person" not in rows[0]


def test_the_csv_opens_in_a_spreadsheet_with_thai_intact(client, secret_project, tmp_path):
    """openpyxl cannot read CSV: the file goes through the csv module into a workbook, as Excel's
    import does, and the Thai text survives the round trip."""
    from openpyxl import Workbook

    content = b"".join(client.get("/public/data/2564/reports.csv").streaming_content).decode("utf-8-sig")
    book = Workbook()
    for row in csv.reader(io.StringIO(content)):
        book.active.append(row)
    book.save(tmp_path / "reports.xlsx")
    cells = [cell.value for row in load_workbook(tmp_path / "reports.xlsx").active.iter_rows() for cell in row]
    assert "ฝึกอบรมแล้ว 3 รุ่น" in cells and DELETED_TEXT not in cells


def test_the_json_holds_the_same_records(client, secret_project):
    response = client.get("/public/data/2564/reports.json")
    data = json.loads(body(response))
    assert data["dataset"] == "reports" and data["fiscal_year"] == 2564
    assert [(r["project"], r["report_date"], r["percent"]) for r in data["records"]] == [(CODE, "2021-03-30", 40.0)]


def test_the_quarters_and_indicators_files(client, secret_project):
    quarters = json.loads(body(client.get("/public/data/2564/quarters.json")))["records"]
    assert quarters == [
        {
            "indicator": "2400-1065",
            "quarter": 2,
            "result": 55.0,
            "narrative": "ผลไตรมาสสอง",
            "score_1": None,
            "score_2": None,
        }
    ]
    indicators = json.loads(body(client.get("/public/data/2564/indicators.json")))["records"]
    assert indicators[0]["projects"] == CODE and indicators[0]["unit"] == "24000000"


def test_each_dataset_has_a_dictionary_in_thai_and_english(client, secret_project):
    entries = json.loads(body(client.get("/public/data/2564/dictionary/projects.json")))["fields"]
    by_field = {entry["field"]: entry for entry in entries}
    assert by_field["name"] == {"field": "name", "type": "string", "name_th": "ชื่อโครงการ", "name_en": "Project name"}
    assert by_field["latest_percent"]["type"] == "number"
    assert set(by_field) == set(POLICIES[Project].public)
    csv_text = body(client.get("/public/data/2564/dictionary/projects.csv"))
    assert csv_text.startswith("\ufefffield,type,name_th,name_en")


def test_each_dataset_has_portal_metadata(client, secret_project, settings):
    settings.OPEN_DATA_LICENCE = "odc-by-1.0"
    meta = json.loads(body(client.get("/public/data/2564/metadata/reports.json")))
    assert meta["title"] == "รายงานความคืบหน้าโครงการรายเดือน ปีงบประมาณ 2564"
    assert meta["license_id"] == "odc-by-1.0" and meta["license_url"].startswith("https://opendatacommons.org/")
    assert meta["notes"] and meta["publisher"] == "กรุงเทพมหานคร"
    report = ProgressReport.objects.live().get()
    assert datetime.fromisoformat(meta["metadata_modified"]) == report.updated_at
    assert meta["resources"][0]["url"] == "http://testserver/public/data/2564/reports.csv"


def test_the_open_data_page_links_every_file_and_the_site_links_it(client, secret_project):
    text = body(client.get("/public/data/"))
    for slug in opendata.DATASETS:
        assert f"/public/data/2564/{slug}.csv" in text and f"/public/data/2564/metadata/{slug}.json" in text
    assert 'href="/public/data/"' in body(client.get("/public/"))


def test_a_big_year_is_streamed(client, secret_project):
    assert client.get("/public/data/2564/projects.csv").streaming
    assert client.get("/public/data/2564/reports.json").streaming


# --- Reachable from the staff site --------------------------------------------------------------


def test_the_login_page_and_the_signed_in_footer_link_the_public_site(client, staff):
    assert 'href="/public/"' in client.get(reverse("login")).content.decode()
    client.force_login(staff)
    assert 'href="/public/"' in client.get(reverse("projects:list")).content.decode()


# --- Query counts -----------------------------------------------------------------------------


def test_the_project_page_reads_a_fixed_number_of_queries(client, secret_project, django_assert_num_queries):
    for n in range(3):
        factories.make_report(secret_project, report_date=date(2021, 5 + n, 28), percent=str(50 + n))
    # the project with its revisions, then its unit's page data: steps, evaluations, reports,
    # plan nodes, indicators, their quarters
    with django_assert_num_queries(7):
        assert client.get(f"/public/projects/{CODE}/").status_code == 200
    with django_assert_num_queries(1):  # cached body: only the revision read
        assert client.get(f"/public/projects/{CODE}/").status_code == 200


def test_the_lists_read_a_fixed_number_of_queries(client, secret_project, social_dept, django_assert_num_queries):
    for _n in range(5):
        factories.make_project(unit=social_dept, fiscal_year=2564)
        factories.make_indicator(unit=social_dept)
    # the year's revision, the years on offer, the count, the page
    with django_assert_num_queries(4):
        assert client.get("/public/projects/?fiscal_year=2564").status_code == 200
    with django_assert_num_queries(4):
        assert client.get("/public/indicators/?fiscal_year=2564").status_code == 200


def test_the_dashboard_reads_a_fixed_number_of_queries(client, secret_project, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get("/public/?fiscal_year=2564").status_code == 200


def test_a_download_reads_a_fixed_number_of_queries(client, secret_project, social_dept, django_assert_num_queries):
    for n in range(5):
        project = factories.make_project(unit=social_dept, fiscal_year=2564)
        project.plan_nodes.add(factories.make_plan_node(code=f"3.2.{n}"))
    # the year's revision, the projects, their plan nodes
    with django_assert_num_queries(3):
        assert len(body(client.get("/public/data/2564/projects.csv")).splitlines()) == 7
    with django_assert_num_queries(2):
        body(client.get("/public/data/2564/reports.json"))


def test_evidence_files_are_not_public(client, secret_project, staff, media_root):
    """Evidence holds photos of people and signed letters: the public page names no file and
    links no download, although the staff page does."""
    from projects import services

    report = factories.make_report(secret_project, report_date=date(2021, 5, 28))
    services.report_evidence_add(
        report=report, upload=factories.upload("ภาพผู้เข้าอบรม-ลับ.pdf", factories.pdf_bytes()), user=staff
    )
    staff_client = client.__class__()
    staff_client.force_login(staff)
    assert "ภาพผู้เข้าอบรม-ลับ.pdf" in staff_client.get(f"/projects/{CODE}/").content.decode()
    for path in (f"/public/projects/{CODE}/", f"/public/en/projects/{CODE}/"):
        html = client.get(path).content.decode()
        assert "ภาพผู้เข้าอบรม-ลับ.pdf" not in html and "/evidence/" not in html


def test_drafts_returned_reports_and_review_comments_are_not_public(client, secret_project):
    factories.make_report(secret_project, report_date=date(2021, 6, 28), narrative="ร่างที่ยังไม่ส่ง-ลับ", status="draft")
    factories.make_report(
        secret_project,
        report_date=date(2021, 7, 28),
        narrative="รายงานที่ถูกส่งกลับ-ลับ",
        status="returned",
        review_comment="ความเห็นภายในของผู้อำนวยการ-ลับ",
    )
    for url in (
        f"/public/projects/{CODE}/",
        f"/public/en/projects/{CODE}/",
        "/public/data/2564/reports.csv",
        "/public/data/2564/reports.json",
    ):
        response = client.get(url)
        body = response.content if hasattr(response, "content") else b"".join(response.streaming_content)
        text = body.decode("utf-8-sig")
        for secret in ("ร่างที่ยังไม่ส่ง-ลับ", "รายงานที่ถูกส่งกลับ-ลับ", "ความเห็นภายในของผู้อำนวยการ-ลับ"):
            assert secret not in text, (url, secret)
