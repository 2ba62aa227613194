"""The project list (/projects/): filters, search, sort, paging, bad input, query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bma_tracker import thaidate
from projects.models import DistrictGroup, OrgUnit, Project
from tests import factories
from tests.conftest import login

URL = reverse("projects:list")
FY = thaidate.fiscal_year(date.today())


def codes(response):
    return [project.code for project in response.context["page"].object_list]


def summary(project, percent, reported, planned):
    """Set a project's stored progress summary directly (what refresh_progress_summary keeps)."""
    Project.objects.filter(pk=project.pk).update(
        latest_percent=Decimal(percent) if percent is not None else None,
        latest_report_date=reported,
        planned_percent_at_latest=Decimal(planned) if planned is not None else None,
    )


@pytest.fixture
def projects(social_dept, social_division, district_office):
    """Four projects of this fiscal year, one of last year, in three units."""
    today = date.today()
    south = factories.make_unit(
        code="50100000", name="สำนักงานเขตบางขุนเทียน", kind=OrgUnit.Kind.DISTRICT, district_group=DistrictGroup.SOUTH
    )
    made = {
        "a": factories.make_project(code="24000000-1", unit=social_dept, fiscal_year=FY, name="โครงการพัฒนาชุมชน"),
        "b": factories.make_project(code="24040000-2", unit=social_division, fiscal_year=FY, name="โครงการฝึกอาชีพ"),
        "c": factories.make_project(
            code="50240000-3", unit=district_office, fiscal_year=FY, name="โครงการทำความสะอาดคลอง"
        ),
        "d": factories.make_project(code="50100000-4", unit=south, fiscal_year=FY, name="โครงการ ก ข ค"),
        "old": factories.make_project(code="24000000-5", unit=social_dept, fiscal_year=FY - 1, name="โครงการปีก่อน"),
    }
    summary(made["a"], "100", today, "100")  # complete
    summary(made["b"], "20", today, "50")  # behind
    summary(made["c"], "60", today, "55")  # on track
    summary(made["d"], None, None, None)  # no report
    made["a"].plan_nodes.add(factories.make_plan_node("3.2.2.1", "ฝึกอาชีพ"), factories.make_plan_node("3.2.2", "โอกาส"))
    made["b"].plan_nodes.add(factories.make_plan_node("1", "มหานครปลอดภัย"))
    made["c"].plan_nodes.add(factories.make_plan_node("13.1", "ด้านที่สิบสาม (ไม่ใช่ด้านที่ 1)"))
    return made


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_this_fiscal_years_projects_by_default_to_any_user(client, other_staff, projects):
    response = login(client, other_staff).get(URL)
    assert response.status_code == 200
    assert codes(response) == ["24000000-1", "24040000-2", "50100000-4", "50240000-3"]


def test_each_row_shows_code_name_unit_percent_thai_date_and_status(client, staff, projects):
    body = login(client, staff).get(URL).content.decode()
    assert "24040000-2" in body
    assert "โครงการฝึกอาชีพ" in body
    assert "สำนักงานการส่งเสริมอาชีพ" in body
    assert thaidate.format_medium(date.today()) in body
    assert 'data-status="behind"' in body and "ล่าช้ากว่าแผน" in body
    assert 'data-status="complete"' in body
    assert 'data-status="on_track"' in body
    assert 'data-status="no_report"' in body


def test_it_filters_by_fiscal_year(client, staff, projects):
    assert codes(login(client, staff).get(URL, {"fiscal_year": FY - 1})) == ["24000000-5"]


def test_a_closed_fiscal_year_is_judged_at_its_end(client, staff, projects):
    old = projects["old"]
    summary(old, "50", date(thaidate.ce_year(FY - 1), 9, 20), "50")  # reported in its last month
    response = login(client, staff).get(URL, {"fiscal_year": FY - 1})
    assert [p.schedule_status for p in response.context["page"]] == ["on_track"]


def test_it_filters_by_unit_including_its_sub_units(client, staff, projects, social_dept):
    assert codes(login(client, staff).get(URL, {"unit": social_dept.code})) == ["24000000-1", "24040000-2"]
    assert codes(client.get(URL, {"unit": "24040000"})) == ["24040000-2"]


def test_it_filters_by_district_group(client, staff, projects):
    assert codes(login(client, staff).get(URL, {"district_group": "south"})) == ["50100000-4"]


def test_it_filters_by_plan_dimension_once_per_project(client, staff, projects):
    login(client, staff)
    # Project a links two nodes under dimension 3 and still appears once.
    assert codes(client.get(URL, {"dimension": "3"})) == ["24000000-1"]
    # "1" matches the node 1 and its children, not 13.x.
    assert codes(client.get(URL, {"dimension": "1"})) == ["24040000-2"]
    assert codes(client.get(URL, {"dimension": "7"})) == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("complete", ["24000000-1"]),
        ("behind", ["24040000-2"]),
        ("on_track", ["50240000-3"]),
        ("no_report", ["50100000-4"]),
    ],
)
def test_it_filters_by_schedule_status(client, staff, projects, status, expected):
    assert codes(login(client, staff).get(URL, {"status": status})) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ฝึกอาชีพ", ["24040000-2"]),
        ("24040000", ["24040000-2"]),
        ("ทําความสะอาด", ["50240000-3"]),  # typed with NIKHAHIT + SARA AA, stored with SARA AM
        ("๒๔๐๔๐๐๐๐", ["24040000-2"]),  # Thai digits
        ("ไม่มีโครงการนี้", []),
    ],
)
def test_it_searches_thai_names_and_codes(client, staff, projects, text, expected):
    assert codes(login(client, staff).get(URL, {"q": text})) == expected


def test_a_stored_decomposed_sara_am_is_found_by_the_composed_spelling(client, staff, social_dept):
    factories.make_project(code="24000000-77", unit=social_dept, fiscal_year=FY, name="โครงการทํางานร่วมกัน")
    assert codes(login(client, staff).get(URL, {"q": "ทำงาน"})) == ["24000000-77"]


@pytest.mark.parametrize("text", ["%", "_", "%'_;--", "'; DROP TABLE projects_project; --", "\\", '"'])
def test_sql_metacharacters_in_search_are_plain_text(client, staff, projects, text):
    response = login(client, staff).get(URL, {"q": text})
    assert response.status_code == 200
    assert codes(response) == []
    assert Project.objects.count() == 5


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("code", ["24000000-1", "24040000-2", "50100000-4", "50240000-3"]),
        ("-code", ["50240000-3", "50100000-4", "24040000-2", "24000000-1"]),
        ("percent", ["50100000-4", "24040000-2", "50240000-3", "24000000-1"]),  # no report first
        ("-percent", ["24000000-1", "50240000-3", "24040000-2", "50100000-4"]),  # no report last
        ("-date", ["24000000-1", "24040000-2", "50240000-3", "50100000-4"]),
        ("unit", ["24040000-2", "50100000-4", "50240000-3", "24000000-1"]),  # Thai order = code-point order here
    ],
)
def test_it_sorts_by_whitelisted_keys(client, staff, projects, sort, expected):
    assert codes(login(client, staff).get(URL, {"sort": sort})) == expected


def test_it_sorts_by_name(client, staff, projects):
    names = [p.name for p in login(client, staff).get(URL, {"sort": "name"}).context["page"]]
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "password"}, "ไม่สามารถเรียงตามค่าที่ระบุได้"),
        ({"sort": "unit__name; DROP"}, "ไม่สามารถเรียงตามค่าที่ระบุได้"),
        ({"fiscal_year": "abc"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"fiscal_year": "1999"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"unit": "99999999"}, "ไม่พบหน่วยงานที่เลือก"),
        ({"status": "late"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"dimension": "8"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"district_group": "<script>"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"q": "ก" * 201}, "คำค้นหายาวเกินไป"),
    ],
)
def test_bad_filter_values_show_a_thai_error_and_are_ignored(client, staff, projects, params, message):
    response = login(client, staff).get(URL, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert codes(response) == ["24000000-1", "24040000-2", "50100000-4", "50240000-3"]


def test_bad_values_are_escaped_when_shown_back(client, staff, projects):
    body = login(client, staff).get(URL, {"q": "<b>x</b>"}).content.decode()
    assert "<b>x</b>" not in body


def test_it_pages_by_50_and_keeps_the_filters_in_the_links(client, staff, social_dept):
    for n in range(1, 121):
        factories.make_project(code=f"24000000-{n:03d}", unit=social_dept, fiscal_year=FY, name=f"โครงการลำดับ {n}")
    login(client, staff)
    first = client.get(URL, {"q": "ลำดับ", "sort": "-code"})
    assert len(codes(first)) == 50
    assert codes(first)[0] == "24000000-120"
    assert first.context["page"].paginator.num_pages == 3
    body = first.content.decode()
    assert "?q=%E0%B8%A5%E0%B8%B3%E0%B8%94%E0%B8%B1%E0%B8%9A&amp;sort=-code&amp;page=2" in body
    last = client.get(URL, {"q": "ลำดับ", "sort": "-code", "page": 3})
    assert codes(last) == [f"24000000-{n:03d}" for n in range(20, 0, -1)]


@pytest.mark.parametrize("page", ["0", "999", "abc", "-1"])
def test_a_bad_page_number_gives_a_page_not_an_error(client, staff, projects, page):
    response = login(client, staff).get(URL, {"page": page})
    assert response.status_code == 200


def test_the_sort_link_toggles_direction_and_drops_the_page(client, staff, projects):
    body = login(client, staff).get(URL, {"sort": "name", "page": "1"}).content.decode()
    assert 'href="?sort=-name"' in body
    assert 'href="?sort=code"' in body


# session, the user with their unit (navigation), fiscal years for the form, the page's count,
# the page's rows with their units, the units for the form.
LIST_QUERIES = 6


@pytest.mark.parametrize("count", [10, 1000])
def test_the_list_query_count_does_not_grow_with_the_projects(
    client, staff, social_dept, django_assert_num_queries, count
):
    Project.objects.bulk_create(
        Project(code=f"24000000-{n}", name=f"โครงการ {n}", fiscal_year=FY, unit=social_dept, search_text=f"โครงการ {n}")
        for n in range(count)
    )
    login(client, staff)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(URL, {"status": "no_report", "q": "โครงการ", "sort": "-percent"})
    assert response.status_code == 200
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(URL)
    assert len(codes(response)) == 10 if count == 10 else 50
