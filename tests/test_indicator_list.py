"""The indicator list (/indicators/): every indicator a signed-in user may see, filtered by unit
(with its sub-units), district group, fiscal year, type, level, evaluation dimension, plan node,
the quarter's status (lower-is-better respected, a text-only target never met nor behind) and
Thai search; sorted, paged, query count pinned; the dashboard's figures agree with it."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bma_tracker import thaidate
from indicators.models import EvaluationDimension, Indicator, IndicatorQuarter
from projects.models import DistrictGroup, OrgUnit
from reports.dashboard import indicator_counts
from tests import factories
from tests.conftest import login

URL = reverse("indicators:list")
FY = 2564  # a closed fiscal year: its status is judged in quarter 4, whatever today is


def codes(response):
    return [indicator.code for indicator in response.context["page"].object_list]


def listed(client, **params):
    return codes(client.get(URL, {"fiscal_year": FY, **params}))


@pytest.fixture
def dimensions(db):
    return {
        n: EvaluationDimension.objects.create(number=n, name=name)
        for n, name in [(1, "ด้านประสิทธิผลตามพันธกิจ"), (2, "ด้านประสิทธิภาพของการปฏิบัติราชการ")]
    }


@pytest.fixture
def indicators(social_dept, social_division, district_office, dimensions):
    """Seven indicators of FY 2564 in four units, one of 2563; each with its quarter-4 status."""
    south = factories.make_unit(
        code="50100000", name="สำนักงานเขตบางขุนเทียน", kind=OrgUnit.Kind.DISTRICT, district_group=DistrictGroup.SOUTH
    )
    goal = factories.make_plan_node("3.2.1", "แรงงานนอกระบบเข้าถึงสวัสดิการ")
    other_goal = factories.make_plan_node("13.1", "ด้านที่สิบสาม (ไม่ใช่ด้านที่ 1)")
    safety = factories.make_plan_node("1.4", "ปลอดภัยพิบัติ")
    made = {
        "met": factories.make_indicator(
            code="2400-0001",
            unit=social_dept,
            fiscal_year=FY,
            name="ร้อยละของผู้สูงอายุที่ได้รับการดูแล",
            target=Decimal("80"),
            type=Indicator.Type.STRATEGIC,
            level=Indicator.Level.OUTPUT,
            dimension=dimensions[1],
            plan_node=goal,
        ),
        "behind": factories.make_indicator(
            code="2404-0001",
            unit=social_division,
            fiscal_year=FY,
            name="จำนวนสตรีที่ได้รับการฝึกอาชีพ",
            measure="คน",
            target=Decimal("100"),
            type=Indicator.Type.ROUTINE,
            level=Indicator.Level.OUTCOME,
            plan_node=other_goal,
        ),
        "lower_met": factories.make_indicator(
            code="5024-0001",
            unit=district_office,
            fiscal_year=FY,
            name="ร้อยละของเรื่องร้องเรียนที่ค้างดำเนินการ",
            measure="ร้อยละ (ลดลง)",
            lower_is_better=True,
            target=Decimal("5"),
            type=Indicator.Type.NEGOTIATED,
            dimension=dimensions[2],
            plan_node=safety,
        ),
        "lower_behind": factories.make_indicator(
            code="5010-0001",
            unit=south,
            fiscal_year=FY,
            name="อัตราการเกิดอุบัติเหตุทางถนน",
            measure="ลดลงร้อยละ",
            lower_is_better=True,
            target=Decimal("5"),
        ),
        "text_target": factories.make_indicator(
            code="2400-0002",
            unit=social_dept,
            fiscal_year=FY,
            name="ระดับความสำเร็จของการจัดทำฐานข้อมูลคนพิการ",
            target_text="มีฐานข้อมูลครบทุกเขต",
            target=None,
        ),
        "no_result": factories.make_indicator(
            code="2400-0003", unit=social_dept, fiscal_year=FY, name="จำนวนชุมชนที่ทําแผนพัฒนาชุมชน", target=Decimal("10")
        ),
        "old": factories.make_indicator(code="2400-0009", unit=social_dept, fiscal_year=FY - 1, name="ตัวชี้วัดปีก่อน"),
    }
    results = {"met": "85", "behind": "60", "lower_met": "3", "lower_behind": "7", "text_target": "1", "old": "1"}
    for key, result in results.items():
        factories.make_indicator_quarter(made[key], quarter=4, result=Decimal(result))
    factories.make_indicator_quarter(made["no_result"], quarter=1, result=Decimal("2"))  # but nothing in Q4
    factories.make_indicator_quarter(made["met"], quarter=1, result=Decimal("10"))  # behind in Q1
    return made


ALL_2564 = ["2400-0001", "2400-0002", "2400-0003", "2404-0001", "5010-0001", "5024-0001"]


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_any_signed_in_user_sees_every_indicator_of_the_year(client, other_staff, indicators):
    assert listed(login(client, other_staff)) == ALL_2564


def test_it_shows_the_current_fiscal_year_by_default(client, staff, social_dept, indicators):
    this_year = thaidate.fiscal_year(date.today())
    factories.make_indicator(code="2400-0100", unit=social_dept, fiscal_year=this_year)
    response = login(client, staff).get(URL)
    assert codes(response) == ["2400-0100"]
    assert f"ตัวชี้วัด ปีงบประมาณ {this_year}" in response.content.decode()


def test_each_row_links_to_the_indicator_page_with_its_target_result_and_status(client, staff, indicators):
    body = login(client, staff).get(URL, {"fiscal_year": FY}).content.decode()
    assert f'href="{reverse("indicators:detail", args=["2400-0001", FY])}"' in body
    assert "ร้อยละของผู้สูงอายุที่ได้รับการดูแล" in body
    assert "สำนักงานการส่งเสริมอาชีพ" in body  # the division's name
    assert "มีฐานข้อมูลครบทุกเขต" in body  # a text target, as written
    assert "ค่าน้อยดีกว่า" in body
    assert 'data-status="met"' in body and 'data-status="behind"' in body
    assert 'data-status="no_result"' in body and 'data-status="no_target"' in body
    assert "สถานะและผลงานของไตรมาสที่ 4" in body


def test_it_filters_by_fiscal_year(client, staff, indicators):
    assert listed(login(client, staff), fiscal_year=FY - 1) == ["2400-0009"]


def test_it_filters_by_unit_with_the_units_under_it(client, staff, indicators):
    login(client, staff)
    assert listed(client, unit="24000000") == ["2400-0001", "2400-0002", "2400-0003", "2404-0001"]
    assert listed(client, unit="24040000") == ["2404-0001"]


def test_it_filters_by_district_group(client, staff, indicators):
    assert listed(login(client, staff), district_group="south") == ["5010-0001"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "strategic"}, ["2400-0001"]),
        ({"type": "negotiated"}, ["5024-0001"]),
        ({"type": "-"}, ["2400-0002", "2400-0003", "5010-0001"]),  # not set
        ({"level": "outcome"}, ["2404-0001"]),
        ({"level": "-"}, ["2400-0002", "2400-0003", "5010-0001", "5024-0001"]),
        ({"dimension": "1"}, ["2400-0001"]),
        ({"dimension": "2"}, ["5024-0001"]),
        ({"plan": "3"}, ["2400-0001"]),  # the dimension and every node under it
        ({"plan": "3.2.1"}, ["2400-0001"]),
        ({"plan": "1"}, ["5024-0001"]),  # 1.4, not 13.1
        ({"plan": "13"}, ["2404-0001"]),
    ],
)
def test_it_filters_by_type_level_dimension_and_plan_node(client, staff, indicators, params, expected):
    login(client, staff)
    for node in ("3", "1", "13"):
        factories.make_plan_node(node, f"ด้านที่ {node}")
    assert listed(client, **params) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("met", ["2400-0001", "5024-0001"]),  # 85 ≥ 80; 3 ≤ 5 (lower is better)
        ("behind", ["2404-0001", "5010-0001"]),  # 60 < 100; 7 > 5 (lower is better)
        ("no_result", ["2400-0003"]),  # a result in Q1 only
        ("no_target", ["2400-0002"]),  # a result, but a target in words only
    ],
)
def test_it_filters_by_the_quarters_status_respecting_lower_is_better(client, staff, indicators, status, expected):
    assert listed(login(client, staff), status=status) == expected


def test_the_status_follows_the_quarter_asked_for(client, staff, indicators):
    login(client, staff)
    # 10 < 80 and 2 < 10 in Q1, with no target for the quarter: not behind before the year is out.
    assert listed(client, quarter=1, status="in_progress") == ["2400-0001", "2400-0003"]
    assert listed(client, quarter=1, status="behind") == listed(client, quarter=1, status="met") == []
    response = client.get(URL, {"fiscal_year": FY, "quarter": 1})
    row = next(i for i in response.context["page"] if i.code == "2400-0003")
    assert (row.quarter_result, row.quarter_status) == (Decimal("2"), "in_progress")
    Indicator.objects.filter(code="2400-0003").update(target_q1=Decimal("5"))  # the planning office sets Q1's
    assert listed(client, quarter=1, status="behind") == ["2400-0003"]


@pytest.mark.parametrize("quarter", [1, 4])
def test_the_list_and_the_dashboard_count_the_same_indicators(client, staff, indicators, social_dept, quarter):
    login(client, staff)
    counts = indicator_counts(Indicator.objects.in_fiscal_year(FY).for_unit(social_dept), quarter)["total"]
    listed_counts = {
        status: len(listed(client, unit="24000000", status=status, quarter=quarter))
        for status in ("met", "behind", "in_progress", "no_result", "no_target")
    }
    assert listed_counts == {
        "met": counts["met"],
        "behind": counts["not_met"],
        "in_progress": counts["in_progress"],
        "no_result": counts["not_reported"],
        "no_target": counts["no_target"],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ผู้สูงอายุ", ["2400-0001"]),
        ("2404-0001", ["2404-0001"]),
        ("๕๐๒๔", ["5024-0001"]),  # Thai digits
        ("ทำแผนพัฒนา", ["2400-0003"]),  # stored with NIKHAHIT + SARA AA, typed with SARA AM
        ("ไม่มีตัวชี้วัดนี้", []),
        ("%", []),
        ("'; DROP TABLE indicators_indicator; --", []),
    ],
)
def test_it_searches_thai_names_and_codes(client, staff, indicators, text, expected):
    assert listed(login(client, staff), q=text) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-code", list(reversed(ALL_2564))),
        ("result", ["2400-0003", "2400-0002", "5024-0001", "5010-0001", "2404-0001", "2400-0001"]),  # none first
        ("-result", ["2400-0001", "2404-0001", "5010-0001", "5024-0001", "2400-0002", "2400-0003"]),  # none last
    ],
)
def test_it_sorts_by_whitelisted_keys(client, staff, indicators, sort, expected):
    assert listed(login(client, staff), sort=sort) == expected


def test_it_sorts_by_name(client, staff, indicators):
    names = [i.name for i in login(client, staff).get(URL, {"fiscal_year": FY, "sort": "name"}).context["page"]]
    # By their first consonants, which Thai dictionary order (PostgreSQL's ICU collation) and
    # code-point order (SQLite) agree on; they differ on vowels and tone marks after them.
    assert [name[0] for name in names] == ["จ", "จ", "ร", "ร", "ร", "อ"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "password"}, "ไม่สามารถเรียงตามค่าที่ระบุได้"),
        ({"status": "late"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"quarter": "5"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"type": "<script>"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"dimension": "9"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"plan": "9.9"}, "ค่าที่เลือกไม่ถูกต้อง"),
        ({"unit": "99999999"}, "ไม่พบหน่วยงานที่เลือก"),
        ({"q": "ก" * 201}, "คำค้นหายาวเกินไป"),
    ],
)
def test_bad_filter_values_show_a_thai_error_and_are_ignored(client, staff, indicators, params, message):
    response = login(client, staff).get(URL, {"fiscal_year": FY, **params})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert codes(response) == ALL_2564


def test_it_pages_by_50_and_keeps_the_filters_in_the_links(client, staff, social_dept):
    for n in range(1, 121):
        factories.make_indicator(code=f"2400-{n:04d}", unit=social_dept, fiscal_year=FY, name=f"ตัวชี้วัดลำดับ {n}")
    login(client, staff)
    first = client.get(URL, {"fiscal_year": FY, "q": "ลำดับ", "sort": "-code"})
    assert len(codes(first)) == 50
    assert codes(first)[0] == "2400-0120"
    assert first.context["page"].paginator.num_pages == 3
    assert "sort=-code&amp;page=2" in first.content.decode()
    last = client.get(URL, {"fiscal_year": FY, "q": "ลำดับ", "sort": "-code", "page": 3})
    assert codes(last) == [f"2400-{n:04d}" for n in range(20, 0, -1)]


def test_the_export_link_keeps_the_lists_filters(client, staff, indicators):
    body = login(client, staff).get(URL, {"fiscal_year": FY, "unit": "24000000", "page": "1"}).content.decode()
    assert f'href="{reverse("reports:indicator_list_xlsx")}?fiscal_year={FY}&amp;unit=24000000"' in body


def test_those_who_may_define_indicators_see_the_create_and_copy_buttons(client, staff, planner, indicators):
    assert "สร้างตัวชี้วัด" in login(client, staff).get(URL).content.decode()
    assert "สร้างตัวชี้วัด" in login(client, planner).get(URL).content.decode()
    nobody = factories.make_user("no-unit", unit=None)
    body = login(client, nobody).get(URL).content.decode()
    assert "สร้างตัวชี้วัด" not in body and "คัดลอกไปปีงบประมาณถัดไป" not in body


# session, the user with their unit (navigation), fiscal years for the form, the plan nodes
# of the year's edition, the page's count, the page's rows with their units and quarter, the
# units and the evaluation dimensions of the form's selects.
LIST_QUERIES = 8


@pytest.mark.parametrize("count", [5, 300])
def test_the_list_query_count_does_not_grow_with_the_indicators(
    client, staff, social_dept, django_assert_num_queries, count
):
    made = Indicator.objects.bulk_create(
        Indicator(code=f"2400-{n:04d}", name=f"ตัวชี้วัด {n}", fiscal_year=FY, unit=social_dept, search_text=f"ตัวชี้วัด {n}")
        for n in range(count)
    )
    IndicatorQuarter.objects.bulk_create(IndicatorQuarter(indicator=i, quarter=4, result=Decimal("1")) for i in made)
    login(client, staff)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(URL, {"fiscal_year": FY, "status": "no_target", "q": "ตัวชี้วัด", "sort": "-result"})
    assert response.status_code == 200
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(URL, {"fiscal_year": FY})
    assert len(codes(response)) == min(count, 50)


def test_the_dashboards_indicator_figures_open_the_list_of_the_same_indicators(client, planner, indicators):
    login(client, planner)
    html = client.get(reverse("dashboard:index"), {"fy": FY, "period": "q4", "unit": "24000000"}).content.decode()
    for figure, status in [("ind-met", "met"), ("ind-not-met", "behind"), ("ind-not-reported", "no_result")]:
        link = re.search(rf'<a [^>]*href="([^"]*)" data-figure="{figure}">[^<]*?(\d+)</a>', html)
        url, count = link[1].replace("&amp;", "&"), int(link[2])
        assert url == f"{URL}?fiscal_year={FY}&unit=24000000&quarter=4&status={status}"
        assert len(codes(client.get(url))) == count
