"""The quarter's indicators of a unit as Excel (issue 6): Thai headers, one row per indicator
of the unit and its sub-units, results per quarter, the quarter's 2.1 / 2.2 and audit score;
login required; a fixed number of queries whatever the number of indicators."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests import factories
from tests.conftest import login

URL = "/reports/indicators/2564/q2.xlsx?unit=24000000"
HEADERS = [
    "รหัสตัวชี้วัด",
    "ชื่อตัวชี้วัด",
    "หน่วยงาน",
    "หน่วยนับ",
    "ค่าเป้าหมาย",
    "ผลงาน ไตรมาสที่ 1",
    "ผลงาน ไตรมาสที่ 2",
    "ผลประเมิน 2.1 (ไตรมาสที่ 2)",
    "ผลประเมิน 2.2 (ไตรมาสที่ 2)",
    "คะแนนตรวจสอบ สยป. (ไตรมาสที่ 2)",
]


@pytest.fixture
def indicators(social_dept, social_division, district_office):
    first = factories.make_indicator(
        code="2400-0001", unit=social_dept, name="ร้อยละของผู้สูงอายุที่ได้รับการดูแล", target=Decimal("80")
    )
    factories.make_indicator_quarter(first, 1, result=Decimal("35.5"))
    factories.make_indicator_quarter(
        first, 2, result=Decimal("61.25"), score_1=Decimal("4"), score_2=Decimal("3.5"), audit_score=Decimal("90")
    )
    factories.make_indicator_quarter(first, 3, result=Decimal("99"))  # after the quarter asked for
    factories.make_indicator(code="2404-0001", unit=social_division, name="จำนวนสตรีที่ได้รับการฝึกอาชีพ", measure="คน")
    factories.make_indicator(code="5024-0001", unit=district_office, name="ตัวชี้วัดของเขต")
    factories.make_indicator(code="2400-0009", fiscal_year=2563, unit=social_dept, name="ปีก่อน")


def rows_of(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_it_lists_the_units_indicators_with_thai_headers_and_values_per_quarter(client, staff, indicators):
    response = login(client, staff).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="indicators-24000000-2564-q2.xlsx"' in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0][0] == "ผลการดำเนินงานตามตัวชี้วัด"
    assert rows[1][0] == "สำนักพัฒนาสังคม · ปีงบประมาณ 2564 · ไตรมาสที่ 2"
    assert rows[3] == HEADERS
    assert rows[4] == ["2400-0001", "ร้อยละของผู้สูงอายุที่ได้รับการดูแล", "สำนักพัฒนาสังคม", "ร้อยละ", 80, 35.5, 61.25, 4, 3.5, 90]
    assert rows[5][:5] == ["2404-0001", "จำนวนสตรีที่ได้รับการฝึกอาชีพ", "สำนักงานการส่งเสริมอาชีพ", "คน", 100]
    assert rows[5][5:] == [None] * 5  # nothing reported yet: empty cells, not zeros
    assert len(rows) == 6  # the district's and last year's indicators are not in it


def test_it_keeps_its_query_count_whatever_the_number_of_indicators(
    client, staff, indicators, social_division, django_assert_max_num_queries
):
    for n in range(20):
        indicator = factories.make_indicator(code=f"2404-1{n:03d}", unit=social_division)
        factories.make_indicator_quarter(indicator, 1, result=n)
    login(client, staff)
    # session + user, the unit, the indicators, their quarters
    with django_assert_max_num_queries(5):
        response = client.get(URL)
    assert len(rows_of(response)) == 26


def test_without_a_unit_it_lists_every_indicator_of_the_year(client, staff, indicators):
    rows = rows_of(login(client, staff).get("/reports/indicators/2564/q4.xlsx"))
    assert [row[0] for row in rows[4:]] == ["2400-0001", "2404-0001", "5024-0001"]
    assert rows[3][-1] == "คะแนนตรวจสอบ สยป. (ไตรมาสที่ 4)"


def test_it_needs_a_login_a_known_unit_and_a_real_quarter(client, staff, indicators):
    assert client.get(URL).status_code == 302
    login(client, staff)
    assert client.get("/reports/indicators/2564/q2.xlsx?unit=99999999").status_code == 404
    assert client.get("/reports/indicators/2564/q5.xlsx").status_code == 404
