"""The REST API (issue 22): a token of demo-staff stores a monthly report on 24000000-3029 that
shows on the project page and in its history; the same request again stores nothing new; another
unit's project is a 403 that stores nothing. Bad input answers the forms' own Thai messages as
JSON; reads are filtered as the web lists filter, paginated by cursor, tagged for If-None-Match,
and counted per token."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import AuditEntry, ProgressReport, User
from tests import factories

SEED_CODE = "24000000-3029"


@pytest.fixture
def demo_staff(social_dept):
    return factories.make_user("demo-staff", unit=social_dept, role=User.Role.STAFF)


@pytest.fixture
def seed_project(social_dept):
    return factories.make_project(code=SEED_CODE, unit=social_dept, fiscal_year=2564, name="โครงการฝึกอาชีพ")


@pytest.fixture
def other_project(district_office):
    return factories.make_project(code="50240000-1", unit=district_office, fiscal_year=2564)


def token_for(user, days=90):
    _token, text = services.api_token_create(user=user, name="สคริปต์", expires_at=timezone.now() + timedelta(days=days))
    return text


class Api:
    """A client that sends a token (or a session) and JSON."""

    def __init__(self, token=None, client=None):
        self.client = client or Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def get(self, url, **extra):
        return self.client.get(url, **self.headers, **extra)

    def post(self, url, data, **extra):
        body = data if isinstance(data, str | bytes) else json.dumps(data)
        return self.client.post(url, body, content_type="application/json", **self.headers, **extra)


def report_url(code):
    return reverse("api:project_reports", args=[code])


REPORT = {"report_date": "2021-03-30", "percent": 45.5, "narrative": "จัดอบรมรุ่นที่ 1 แล้ว", "problems": "ไม่มี"}


# --- The "done when" -----------------------------------------------------------------


def test_a_token_of_demo_staff_stores_a_report_that_shows_on_the_project_page_and_in_its_history(
    client, demo_staff, seed_project
):
    api = Api(token_for(demo_staff))
    response = api.post(report_url(SEED_CODE), REPORT, HTTP_IDEMPOTENCY_KEY="run-1")
    assert response.status_code == 201
    body = response.json()
    assert body["project"] == SEED_CODE and body["percent"] == "45.50" and body["report_date"] == "2021-03-30"
    report = ProgressReport.objects.get(pk=body["id"])
    assert report.entered_by == demo_staff and report.narrative == "จัดอบรมรุ่นที่ 1 แล้ว"
    client.force_login(demo_staff)
    page = client.get(reverse("projects:detail", args=[SEED_CODE])).content.decode()
    assert "จัดอบรมรุ่นที่ 1 แล้ว" in page and "45.50" in page
    history = client.get(reverse("projects:history", args=[SEED_CODE])).content.decode()
    assert "จัดอบรมรุ่นที่ 1 แล้ว" in history
    entry = AuditEntry.objects.get(model_label="projects.progressreport", object_id=report.pk)
    assert entry.user == demo_staff and entry.action == AuditEntry.Action.CREATE


def test_the_same_request_again_with_the_same_idempotency_key_stores_nothing_new(demo_staff, seed_project):
    api = Api(token_for(demo_staff))
    first = api.post(report_url(SEED_CODE), REPORT, HTTP_IDEMPOTENCY_KEY="run-1")
    again = api.post(report_url(SEED_CODE), REPORT, HTTP_IDEMPOTENCY_KEY="run-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert ProgressReport.objects.filter(project=seed_project).count() == 1
    assert AuditEntry.objects.filter(model_label="projects.progressreport").count() == 1
    # Another key is another report.
    assert api.post(report_url(SEED_CODE), REPORT, HTTP_IDEMPOTENCY_KEY="run-2").status_code == 201
    assert ProgressReport.objects.filter(project=seed_project).count() == 2


def test_an_idempotency_key_is_the_users_own(demo_staff, director, seed_project):
    first = Api(token_for(demo_staff)).post(report_url(SEED_CODE), REPORT, HTTP_IDEMPOTENCY_KEY="k")
    second = Api(token_for(director)).post(report_url(SEED_CODE), REPORT, HTTP_IDEMPOTENCY_KEY="k")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] != first.json()["id"]


def test_a_project_of_another_unit_gives_403_and_stores_nothing(demo_staff, seed_project, other_project):
    response = Api(token_for(demo_staff)).post(report_url(other_project.code), REPORT, HTTP_IDEMPOTENCY_KEY="x")
    assert response.status_code == 403
    assert response.json() == {"detail": "คุณไม่มีสิทธิ์ทำรายการนี้", "code": "permission_denied"}
    assert not ProgressReport.objects.exists()
    assert not AuditEntry.objects.filter(model_label="projects.progressreport").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("staff", 201), ("director", 201), ("planner", 403), ("other_staff", 403), ("admin_user", 201)],
)
def test_a_token_writes_with_exactly_its_users_role_and_unit(request, seed_project, role, status):
    user = request.getfixturevalue(role)
    response = Api(token_for(user)).post(report_url(SEED_CODE), REPORT)
    assert response.status_code == status
    assert ProgressReport.objects.count() == (1 if status == 201 else 0)


def test_an_unknown_project_is_a_404_in_json(demo_staff):
    response = Api(token_for(demo_staff)).post(report_url("24000000-1"), REPORT)
    assert response.status_code == 404
    assert response.json()["detail"] == "ไม่พบข้อมูลที่ขอ"


# --- Bad input: the forms' messages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"percent": 150}, "percent", "ร้อยละต้องไม่เกิน 100"),
        ({"percent": "abc"}, "percent", "กรุณากรอกเป็นตัวเลข เช่น 45 หรือ 45.50"),
        ({"percent": 45.555}, "percent", "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
        ({"report_date": "2022-03-30"}, "report_date", "วันที่รายงานต้องอยู่ในปีงบประมาณ 2564"),
        ({"report_date": None}, "report_date", "กรุณากรอกวันที่"),
        ({"narrative": "ก" * 5001}, "narrative", "ข้อความยาวเกินกำหนด"),
        ({"narrative": "a\x00b"}, "narrative", "อักขระที่ใช้ไม่ได้"),
        ({"narrative": ["x"]}, "narrative", "ค่าของช่องนี้ต้องเป็นข้อความหรือตัวเลข"),
        ({"percent": True}, "percent", "ค่าของช่องนี้ต้องเป็นข้อความหรือตัวเลข"),
    ],
)
def test_bad_input_is_a_400_with_the_forms_thai_message_and_stores_nothing(
    demo_staff, seed_project, changes, field, message
):
    response = Api(token_for(demo_staff)).post(report_url(SEED_CODE), {**REPORT, **changes})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"] == "ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบรายการด้านล่าง"
    assert any(message in text for text in body["errors"][field]), body
    assert not ProgressReport.objects.exists()


def test_a_thai_date_is_taken_as_the_form_takes_it(demo_staff, seed_project):
    response = Api(token_for(demo_staff)).post(report_url(SEED_CODE), {**REPORT, "report_date": "30/03/2564"})
    assert response.status_code == 201 and response.json()["report_date"] == "2021-03-30"


def test_errors_are_in_english_for_a_reader_who_asks_for_english(demo_staff, seed_project):
    response = Api(token_for(demo_staff)).post(
        report_url(SEED_CODE), {**REPORT, "percent": 150}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["errors"]["percent"] == ["The percent cannot be over 100"]


def test_a_lower_percent_needs_the_forms_confirmation_and_reason(demo_staff, seed_project):
    factories.make_report(seed_project, report_date=date(2021, 2, 28), percent="60")
    api = Api(token_for(demo_staff))
    refused = api.post(report_url(SEED_CODE), REPORT)
    assert refused.status_code == 400 and "ต่ำกว่ารายงานก่อนหน้า" in refused.json()["errors"]["percent"][0]
    no_reason = api.post(report_url(SEED_CODE), {**REPORT, "confirm_lower": True})
    assert no_reason.json()["errors"]["lower_reason"] == ["กรุณาระบุเหตุผลที่ความคืบหน้าลดลง"]
    stored = api.post(report_url(SEED_CODE), {**REPORT, "confirm_lower": True, "lower_reason": "แก้ตัวเลขผิด"})
    assert stored.status_code == 201
    entry = AuditEntry.objects.get(model_label="projects.progressreport", object_id=stored.json()["id"])
    assert entry.note == "ความคืบหน้าลดลง: แก้ตัวเลขผิด"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "detail"),
    [
        ("{not json", "application/json", 400, "ข้อมูลที่ส่งมาไม่ใช่ JSON ที่ถูกต้อง"),
        ("[1, 2]", "application/json", 400, "ข้อมูลไม่ถูกต้อง กรุณาตรวจสอบรายการด้านล่าง"),
        ("percent=50", "application/x-www-form-urlencoded", 415, "กรุณาส่งข้อมูลเป็น JSON (Content-Type: application/json)"),
        ('{"narrative": "' + "x" * 3_000_000 + '"}', "application/json", 413, "ข้อมูลที่ส่งมามีขนาดใหญ่เกินกำหนด"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused_in_thai(
    demo_staff, seed_project, body, content_type, status, detail
):
    client = Client()
    response = client.post(
        report_url(SEED_CODE), body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {token_for(demo_staff)}"
    )
    assert response.status_code == status
    assert response.json()["detail"] == detail
    assert not ProgressReport.objects.exists()


def test_an_unusable_idempotency_key_is_refused(demo_staff, seed_project):
    response = Api(token_for(demo_staff)).post(report_url(SEED_CODE), REPORT, HTTP_IDEMPOTENCY_KEY="k" * 65)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["errors"]
    assert not ProgressReport.objects.exists()


def test_a_method_the_endpoint_does_not_take_is_a_405_in_json(demo_staff, seed_project):
    response = Api(token_for(demo_staff)).get(report_url(SEED_CODE))
    assert response.status_code == 405 and "detail" in response.json()


# --- Tokens ---------------------------------------------------------------------------------


def test_without_a_token_the_api_answers_401_asking_for_a_bearer_token(client, seed_project):
    response = client.get(reverse("api:projects"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer a b",
        "Bearer bma_12345678_wrong",
        "Bearer bma_short",
        "Bearer bma_ÿÿÿÿÿÿÿÿ_x",
        "Bearer " + "x" * 300,
    ],
)
def test_a_wrong_token_is_a_401(client, demo_staff, seed_project, header):
    token_for(demo_staff)
    response = client.get(reverse("api:projects"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"] == "โทเค็น API ไม่ถูกต้อง"


def test_a_token_with_a_wrong_secret_for_a_real_prefix_is_a_401(demo_staff, seed_project):
    text = token_for(demo_staff)
    response = Api(text[:-3] + "abc").get(reverse("api:projects"))
    assert response.status_code == 401


def test_a_revoked_token_is_refused_at_once(demo_staff, seed_project):
    token, text = services.api_token_create(
        user=demo_staff, name="ทดสอบ", expires_at=timezone.now() + timedelta(days=1)
    )
    api = Api(text)
    assert api.get(reverse("api:projects")).status_code == 200
    services.api_token_revoke(token=token, user=demo_staff)
    response = api.get(reverse("api:projects"))
    assert response.status_code == 401 and response.json()["detail"] == "โทเค็น API นี้ถูกเพิกถอนแล้ว"


def test_an_expired_token_is_refused(demo_staff, seed_project):
    token, text = services.api_token_create(
        user=demo_staff, name="ทดสอบ", expires_at=timezone.now() + timedelta(days=1)
    )
    token.__class__.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - timedelta(days=2), expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = Api(text).get(reverse("api:projects"))
    assert response.status_code == 401 and "หมดอายุ" in response.json()["detail"]


def test_the_token_of_a_deactivated_user_is_refused(demo_staff, seed_project):
    api = Api(token_for(demo_staff))
    User.objects.filter(pk=demo_staff.pk).update(is_active=False)
    assert api.get(reverse("api:projects")).status_code == 401


def test_the_user_is_read_from_the_database_on_every_request(demo_staff, seed_project, district_office):
    api = Api(token_for(demo_staff))
    assert api.post(report_url(SEED_CODE), REPORT).status_code == 201
    User.objects.filter(pk=demo_staff.pk).update(unit=district_office)  # moved to another unit
    assert api.post(report_url(SEED_CODE), REPORT).status_code == 403


def test_only_the_hash_of_the_secret_is_stored_and_use_is_recorded(demo_staff, seed_project):
    token, text = services.api_token_create(
        user=demo_staff, name="ทดสอบ", expires_at=timezone.now() + timedelta(days=1)
    )
    secret = text.split("_", 2)[2]
    assert text.startswith(f"bma_{token.prefix}_") and secret not in token.secret_hash
    assert token.secret_hash == token.hash_secret(secret) and len(secret) >= 43
    assert token.last_used_at is None
    Api(text).get(reverse("api:projects"))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_browser_session_works_with_csrf_enforced(demo_staff, seed_project):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_staff)
    assert client.get(reverse("api:project", args=[SEED_CODE])).status_code == 200
    refused = client.post(report_url(SEED_CODE), json.dumps(REPORT), content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not ProgressReport.objects.exists()
    client.get(reverse("api_tokens"))  # any page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    stored = client.post(
        report_url(SEED_CODE), json.dumps(REPORT), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert stored.status_code == 201


# --- Throttling -----------------------------------------------------------------------------


def test_requests_beyond_the_rate_of_a_token_get_429_with_retry_after(settings, demo_staff, staff, seed_project):
    settings.API_RATE_PER_MINUTE = 3
    api = Api(token_for(demo_staff))
    answers = [api.get(reverse("api:units")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = api.get(reverse("api:units"))
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["detail"].startswith("ส่งคำขอถี่เกินไป กรุณารอ")
    # Counted per token: another token (of another user) is not held back.
    assert Api(token_for(staff)).get(reverse("api:units")).status_code == 200


# --- Reads: filters, cursor pagination, ETags, query counts ---------------------------------


@pytest.fixture
def projects_2564(social_dept, social_division, district_office):
    node = factories.make_plan_node(code="3.2.2.1")
    made = [
        factories.make_project(code="24000000-1", unit=social_dept, name="โครงการส่งเสริมอาชีพ"),
        factories.make_project(code="24000000-2", unit=social_dept, name="โครงการพัฒนาคุณภาพชีวิตผู้สูงอายุ"),
        factories.make_project(code="24040000-1", unit=social_division, name="โครงการฝึกอบรมวิชาชีพ"),
        factories.make_project(code="50240000-1", unit=district_office, name="โครงการเขตสะอาด"),
        factories.make_project(code="50240000-2", unit=district_office, name="โครงการปลูกต้นไม้"),
    ]
    made[0].plan_nodes.add(node)
    factories.make_project(code="24000000-9", unit=social_dept, fiscal_year=2563)
    return made


def codes(response):
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fiscal_year=2564", ["24000000-1", "24000000-2", "24040000-1", "50240000-1", "50240000-2"]),
        ("fiscal_year=2563", ["24000000-9"]),
        ("fiscal_year=2564&unit=24000000", ["24000000-1", "24000000-2", "24040000-1"]),
        ("fiscal_year=2564&unit=24040000", ["24040000-1"]),
        ("fiscal_year=2564&district_group=thon_south", ["50240000-1", "50240000-2"]),
        ("fiscal_year=2564&q=อาชีพ", ["24000000-1"]),
        ("fiscal_year=2564&q=วิชาชีพ", ["24040000-1"]),
        ("fiscal_year=2564&plan_node=3.2", ["24000000-1"]),
        ("fiscal_year=2564&dimension=3", ["24000000-1"]),
        ("fiscal_year=2564&status=no_report", ["24000000-1", "24000000-2", "24040000-1", "50240000-1", "50240000-2"]),
        ("fiscal_year=2564&status=complete", []),
    ],
)
def test_the_project_list_filters_as_the_web_list(staff, projects_2564, query, expected):
    response = Api(token_for(staff)).get(reverse("api:projects") + "?" + query)
    assert response.status_code == 200
    assert codes(response) == expected


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("fiscal_year=1999", "fiscal_year", "ค่าที่เลือกไม่ถูกต้อง กรุณาเลือกจากรายการ"),
        ("unit=99999999", "unit", "ไม่พบหน่วยงานที่เลือก"),
        ("status=late", "status", "ค่าที่เลือกไม่ถูกต้อง กรุณาเลือกจากรายการ"),
        ("plan_node=x", "plan_node", "รหัสประเด็นแผนพัฒนาต้องอยู่ในรูป 3.2.2.1"),
        ("q=" + "ก" * 201, "q", "คำค้นหายาวเกินไป"),
    ],
)
def test_a_bad_filter_is_a_400_with_the_list_forms_message(staff, projects_2564, query, field, message):
    response = Api(token_for(staff)).get(reverse("api:projects") + "?" + query)
    assert response.status_code == 400
    assert message in response.json()["errors"][field][0]


def test_the_project_list_pages_by_cursor(staff, projects_2564):
    api = Api(token_for(staff))
    url = reverse("api:projects") + "?fiscal_year=2564&page_size=2"
    seen, pages = [], 0
    while url:
        body = api.get(url).json()
        seen += [row["code"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3
    assert seen == ["24000000-1", "24000000-2", "24040000-1", "50240000-1", "50240000-2"]
    assert api.get(reverse("api:projects") + "?cursor=bogus").status_code == 404


def test_the_project_list_answers_the_rows_fields(staff, projects_2564):
    row = Api(token_for(staff)).get(reverse("api:projects") + "?fiscal_year=2564").json()["results"][0]
    assert row == {
        "code": "24000000-1",
        "name": "โครงการส่งเสริมอาชีพ",
        "fiscal_year": 2564,
        "unit": "24000000",
        "unit_name": "สำนักพัฒนาสังคม",
        "latest_percent": None,
        "latest_report_date": None,
        "planned_percent_at_latest": None,
        "schedule_status": "no_report",
        "url": "http://testserver/projects/24000000-1/",
    }


def test_the_project_list_runs_a_fixed_number_of_queries(django_assert_num_queries, staff, social_dept):
    api = Api(token_for(staff))
    api.get(reverse("api:projects"))  # last_used_at written once
    for _n in range(3):
        factories.make_project(unit=social_dept, fiscal_year=2564)
    # token+user, the filter form's years, the page
    with django_assert_num_queries(3):
        assert len(codes(api.get(reverse("api:projects") + "?fiscal_year=2564"))) == 3
    for _n in range(20):
        factories.make_project(unit=social_dept, fiscal_year=2564)
    with django_assert_num_queries(3):
        assert len(codes(api.get(reverse("api:projects") + "?fiscal_year=2564"))) == 23


def test_a_project_answers_with_its_reports_steps_evaluations_and_indicators(staff, seed_project, social_dept, planner):
    factories.make_report(seed_project, report_date=date(2021, 3, 30), percent="35")
    factories.make_report(seed_project, report_date=date(2021, 2, 28), percent="20", deleted_at=timezone.now())
    factories.make_step(seed_project, number=1, weight="100", start=date(2020, 10, 1), end=date(2021, 9, 30))
    services.project_evaluation_save(project=seed_project, user=planner, quarter=2, score=Decimal("80"))
    indicator = factories.make_indicator(code="2400-1065", unit=social_dept)
    indicator.projects.add(seed_project)
    factories.make_indicator_quarter(indicator, quarter=1, result=Decimal("50"), narrative="ผลไตรมาสแรก")
    body = Api(token_for(staff)).get(reverse("api:project", args=[SEED_CODE])).json()
    assert body["code"] == SEED_CODE and body["unit"] == "24000000" and body["fiscal_year"] == 2564
    assert [r["percent"] for r in body["reports"]] == ["35.00"]  # the deleted one is not there
    assert body["steps"] == [
        {"number": 1, "name": "วางแผนการดำเนินงาน", "weight": "100.00", "start": "2020-10-01", "end": "2021-09-30"}
    ]
    assert [(e["quarter"], e["score"]) for e in body["evaluations"]] == [(2, "80.00")]
    assert body["indicators"][0]["code"] == "2400-1065"
    assert body["indicators"][0]["quarters"] == [{"quarter": 1, "result": "50.00", "narrative": "ผลไตรมาสแรก"}]
    assert body["schedule_status"] == "complete" or body["schedule_status"] in {"on_track", "behind", "no_report"}


def test_a_project_runs_a_fixed_number_of_queries(django_assert_num_queries, staff, seed_project, social_dept):
    api = Api(token_for(staff))
    api.get(reverse("api:project", args=[SEED_CODE]))
    for n in range(1, 6):
        factories.make_report(seed_project, report_date=date(2021, 3, n), percent=str(n))
        factories.make_step(seed_project, number=n)
        indicator = factories.make_indicator(unit=social_dept)
        indicator.projects.add(seed_project)
        factories.make_indicator_quarter(indicator, quarter=1)
    # token+user, project, steps, evaluations, reports, plan nodes, indicators, their quarters
    with django_assert_num_queries(8):
        body = api.get(reverse("api:project", args=[SEED_CODE])).json()
    assert len(body["reports"]) == 5 and len(body["indicators"]) == 5


def test_a_project_is_tagged_by_its_revision_and_answers_304_until_it_changes(
    django_assert_num_queries, staff, seed_project
):
    api = Api(token_for(staff))
    url = reverse("api:project", args=[SEED_CODE])
    first = api.get(url)
    tag = first["ETag"]
    assert tag.startswith('"') and "private" in first["Cache-Control"]
    with django_assert_num_queries(2):  # token+user and the project row: nothing is serialised
        assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    factories.make_report(seed_project, report_date=date(2021, 3, 30))  # the database moves the revision
    changed = api.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_a_list_is_tagged_by_its_body(staff, projects_2564):
    api = Api(token_for(staff))
    url = reverse("api:projects") + "?fiscal_year=2564"
    tag = api.get(url)["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    factories.make_project(code="24000000-77", unit=projects_2564[0].unit)
    assert api.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_units_and_the_plan_tree(staff, social_division):
    factories.make_plan_node(code="3", title="มหานครสำหรับทุกคน")
    api = Api(token_for(staff))
    units = api.get(reverse("api:units")).json()["results"]
    assert {
        "code": "24040000",
        "name": "สำนักงานการส่งเสริมอาชีพ",
        "kind": "division",
        "district_group": "",
        "parent": "24000000",
    } in units
    plan = api.get(reverse("api:plan")).json()
    assert plan[0]["first_fiscal_year"] == 2561
    assert plan[0]["nodes"][0]["code"] == "3" and plan[0]["nodes"][0]["parent"] is None
    assert api.get(reverse("api:plan") + "?fiscal_year=abc").status_code == 400


# --- Indicators -----------------------------------------------------------------------------


@pytest.fixture
def indicator(social_dept):
    return factories.make_indicator(code="2400-1065", unit=social_dept, fiscal_year=2564)


def quarter_url(indicator, quarter):
    return reverse("api:quarter_result", args=[indicator.code, indicator.fiscal_year, quarter])


def test_indicators_answer_with_their_quarters(staff, indicator):
    factories.make_indicator_quarter(indicator, quarter=2, result=Decimal("70"))
    api = Api(token_for(staff))
    rows = api.get(reverse("api:indicators") + "?fiscal_year=2564").json()["results"]
    assert [row["code"] for row in rows] == ["2400-1065"]
    assert [(q["quarter"], q["result"]) for q in rows[0]["quarters"]] == [(2, "70.00")]
    detail = api.get(reverse("api:indicator", args=["2400-1065", 2564]))
    assert detail.status_code == 200 and detail.json()["target"] == "100.00"
    assert (
        api.get(reverse("api:indicator", args=["2400-1065", 2564]), HTTP_IF_NONE_MATCH=detail["ETag"]).status_code
        == 304
    )
    assert api.get(reverse("api:indicator", args=["2400-1065", 2599])).status_code == 404


def test_the_indicator_list_runs_a_fixed_number_of_queries(django_assert_num_queries, staff, social_dept):
    api = Api(token_for(staff))
    api.get(reverse("api:indicators"))
    for _n in range(5):
        factories.make_indicator_quarter(factories.make_indicator(unit=social_dept, fiscal_year=2564), quarter=1)
    # token+user, the form's years and plan nodes, the page, its quarters
    with django_assert_num_queries(5):
        assert len(api.get(reverse("api:indicators") + "?fiscal_year=2564").json()["results"]) == 5


def test_a_quarter_result_is_stored_through_the_quarter_form_and_its_service(staff, indicator):
    api = Api(token_for(staff))
    response = api.post(quarter_url(indicator, 2), {"result": "85.5", "narrative": "ดำเนินการแล้ว"})
    assert response.status_code == 201
    body = response.json()
    assert (body["indicator"], body["quarter"], body["result"], body["version"]) == ("2400-1065", 2, "85.50", 1)
    assert AuditEntry.objects.filter(model_label="indicators.indicatorquarter").count() == 1
    # The same request again (a retry): nothing new.
    again = api.post(quarter_url(indicator, 2), {"result": "85.5", "narrative": "ดำเนินการแล้ว"})
    assert again.status_code == 200 and again.json()["version"] == 1
    assert AuditEntry.objects.filter(model_label="indicators.indicatorquarter").count() == 1
    # A change needs the version read; a stale one is a 409.
    assert api.post(quarter_url(indicator, 2), {"result": "90"}).status_code == 409
    changed = api.post(quarter_url(indicator, 2), {"result": "90", "version": 1})
    assert changed.status_code == 200 and changed.json()["result"] == "90.00"
    stale = api.post(quarter_url(indicator, 2), {"result": "95", "version": 1})
    assert stale.status_code == 409 and "ถูกแก้ไขโดยผู้อื่น" in stale.json()["detail"]


def test_a_quarter_result_of_another_unit_is_a_403_and_stores_nothing(other_staff, indicator):
    response = Api(token_for(other_staff)).post(quarter_url(indicator, 2), {"result": "1"})
    assert response.status_code == 403
    assert not indicator.quarters.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "non_field_errors", "กรุณากรอกผลงานหรือรายงานผลการดำเนินงานอย่างน้อยหนึ่งช่อง"),
        ({"result": "1e3"}, "result", "กรุณากรอกเป็นตัวเลข เช่น 45 หรือ 45.50"),
        ({"result": "-5"}, "result", "ต้องไม่ต่ำกว่า 0"),
    ],
)
def test_a_bad_quarter_result_is_a_400_with_the_forms_message(staff, indicator, data, field, message):
    response = Api(token_for(staff)).post(quarter_url(indicator, 2), data)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    assert not indicator.quarters.exists()


def test_a_quarter_outside_1_to_4_is_refused(staff, indicator):
    response = Api(token_for(staff)).post(quarter_url(indicator, 5), {"result": "1"})
    assert response.status_code == 400 and not indicator.quarters.exists()


# --- The dashboard --------------------------------------------------------------------------


def test_the_dashboard_figures_of_a_scope_are_the_pages(director, projects_2564):
    api = Api(token_for(director))
    response = api.get(reverse("api:dashboard") + "?fy=2564&period=q2")
    assert response.status_code == 200
    body = response.json()
    assert (body["scope"], body["fiscal_year"], body["period"]) == ("unit:24000000", 2564, "q2")
    assert body["headline"]["total"] == 3  # the unit and the units under it
    assert api.get(reverse("api:dashboard") + "?fy=2564&period=q2&group=").json()["headline"]["total"] == 5
    assert (
        api.get(reverse("api:dashboard") + "?fy=2564&period=q2", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    )
    refused = api.get(reverse("api:dashboard") + "?fy=2564&period=q7")
    assert refused.status_code == 400
    assert refused.json()["errors"]["period"] == ["เดือนหรือไตรมาสที่เลือกไม่ถูกต้อง กรุณาเลือกจากรายการ"]


def test_a_district_group_without_offices_has_empty_figures_not_a_500(client, director, planner, projects_2564):
    # Found by the schema-driven test: the dashboard's one rollup query cannot be written for a
    # scope with no unit at all, and the page gave a 500 as well.
    response = Api(token_for(director)).get(reverse("api:dashboard") + "?fy=2564&group=north")
    assert response.status_code == 200 and response.json()["headline"]["total"] == 0
    client.force_login(planner)
    assert client.get(reverse("dashboard:index") + "?fy=2564&group=north").status_code == 200


def test_refusals_are_in_english_for_a_reader_who_asks_for_english(demo_staff, seed_project, other_project):
    api = Api(token_for(demo_staff))
    refused = api.post(report_url(other_project.code), REPORT, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403 and refused.json()["detail"] == "You may not do this"
    missing = Api().get(reverse("api:projects"), HTTP_ACCEPT_LANGUAGE="en")
    assert missing.json()["detail"].startswith("Please sign in, or send an API token")
