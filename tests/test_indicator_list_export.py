"""The indicator list as Excel (/reports/indicators/list.xlsx?<the list's filters>): every
matching row, not one page; Thai headers; numbers stay numbers; a name that looks like a
formula stays text; login required; a fixed number of queries."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.models import Indicator
from tests import factories
from tests.conftest import login

URL = reverse("reports:indicator_list_xlsx")
FY = 2564


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content)).active


def table(ws):
    """(headers, rows) below the title, the scope line and the blank line."""
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    return list(rows[0]), [list(row) for row in rows[1:]]


@pytest.fixture
def indicators(social_dept, social_division, district_office):
    first = factories.make_indicator(
        code="2400-0001",
        unit=social_dept,
        fiscal_year=FY,
        name="ร้อยละของผู้สูงอายุที่ได้รับการดูแล",
        ordinal_display="7.",
        target_text="80 ของผู้สูงอายุในพื้นที่",
        target=Decimal("80"),
        achieved=Decimal("82.5"),
        type=Indicator.Type.STRATEGIC,
        level=Indicator.Level.OUTCOME,
    )
    for quarter, result in [(1, "20"), (2, "41.25"), (4, "82.5")]:
        factories.make_indicator_quarter(first, quarter, result=Decimal(result))
    lower = factories.make_indicator(
        code="2404-0001",
        unit=social_division,
        fiscal_year=FY,
        name="ร้อยละของเรื่องร้องเรียนที่ค้าง",
        measure="ร้อยละ (ลดลง)",
        lower_is_better=True,
        target=Decimal("5"),
    )
    factories.make_indicator_quarter(lower, 4, result=Decimal("7"))
    factories.make_indicator(code="5024-0001", unit=district_office, fiscal_year=FY, name="ตัวชี้วัดของเขต")
    factories.make_indicator(code="2400-0009", unit=social_dept, fiscal_year=FY - 1, name="ปีก่อน")
    return first


HEADERS = [
    "รหัสตัวชี้วัด",
    "ลำดับ",
    "ชื่อตัวชี้วัด",
    "รหัสหน่วยงาน",
    "หน่วยงาน",
    "ปีงบประมาณ",
    "ประเภทตัวชี้วัด",
    "ระดับความสำเร็จ",
    "มิติการประเมิน",
    "ลำดับในมิติ",
    "หน่วยนับ",
    "ค่าเป้าหมาย (ตามที่กำหนด)",
    "ค่าเป้าหมาย (ตัวเลข)",
    "ค่าน้อยดีกว่า",
    "ผลงานที่ทำได้",
    "ผลงาน ไตรมาสที่ 1",
    "ผลงาน ไตรมาสที่ 2",
    "ผลงาน ไตรมาสที่ 3",
    "ผลงาน ไตรมาสที่ 4",
    "สถานะ ไตรมาสที่ 4",
]


def test_anonymous_users_are_sent_to_login(client, indicators):
    response = client.get(URL, {"fiscal_year": FY})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_writes_the_filtered_list_with_thai_headers_and_numbers_as_numbers(client, other_staff, indicators):
    ws = sheet(login(client, other_staff).get(URL, {"fiscal_year": FY, "unit": "24000000"}))
    assert ws["A1"].value == "รายการตัวชี้วัด"
    assert ws["A2"].value == "สำนักพัฒนาสังคม · ปีงบประมาณ 2564 · สถานะของไตรมาสที่ 4"
    headers, rows = table(ws)
    assert headers == HEADERS
    assert rows == [
        [
            "2400-0001",
            "7.",
            "ร้อยละของผู้สูงอายุที่ได้รับการดูแล",
            "24000000",
            "สำนักพัฒนาสังคม",
            2564,
            "ตัวชี้วัดเชิงยุทธศาสตร์",
            "ผลลัพธ์ (outcome)",
            None,
            None,
            "ร้อยละ",
            "80 ของผู้สูงอายุในพื้นที่",
            80,
            "ไม่ใช่",
            82.5,
            20,
            41.25,
            None,
            82.5,
            "บรรลุ",
        ],
        [
            "2404-0001",
            None,
            "ร้อยละของเรื่องร้องเรียนที่ค้าง",
            "24040000",
            "สำนักงานการส่งเสริมอาชีพ",
            2564,
            "ไม่ระบุ",
            "ไม่ระบุ",
            None,
            None,
            "ร้อยละ (ลดลง)",
            None,
            5,
            "ใช่",
            7,  # not entered: the latest quarter's result (Indicator.achieved_rule)
            None,
            None,
            None,
            7,
            "ไม่บรรลุ",
        ],
    ]
    assert ws.cell(row=5, column=13).data_type == "n"  # the target is a number a sheet can sum


def test_it_writes_every_matching_row_not_one_page(client, staff, social_dept):
    Indicator.objects.bulk_create(
        Indicator(code=f"2400-{n:04d}", name=f"ตัวชี้วัด {n}", fiscal_year=FY, unit=social_dept) for n in range(120)
    )
    _headers, rows = table(sheet(login(client, staff).get(URL, {"fiscal_year": FY, "page": "2"})))
    assert len(rows) == 120


def test_a_formula_looking_name_is_written_as_text(client, staff, social_dept):
    factories.make_indicator(code="2400-0001", unit=social_dept, fiscal_year=FY, name='=HYPERLINK("http://x","y")')
    ws = sheet(login(client, staff).get(URL, {"fiscal_year": FY}))
    cell = ws.cell(row=5, column=3)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")


def test_the_status_filter_and_quarter_apply_to_the_export(client, staff, indicators):
    ws = sheet(login(client, staff).get(URL, {"fiscal_year": FY, "quarter": 2, "status": "met"}))
    headers, rows = table(ws)
    assert headers[-1] == "สถานะ ไตรมาสที่ 2"
    assert [row[0] for row in rows] == []  # 41.25 < 80 in Q2
    _headers, rows = table(sheet(client.get(URL, {"fiscal_year": FY, "status": "behind"})))
    assert [row[0] for row in rows] == ["2404-0001"]


def test_bad_filters_are_ignored_not_an_error(client, staff, indicators):
    _headers, rows = table(sheet(login(client, staff).get(URL, {"fiscal_year": "abc", "status": "x", "sort": "y"})))
    assert rows == []  # the current fiscal year, which has none


# session, the user, fiscal years, the plan nodes of the year, the rows with units and
# dimensions, their quarters.
EXPORT_QUERIES = 6


@pytest.mark.parametrize("count", [3, 200])
def test_the_export_query_count_does_not_grow_with_the_rows(
    client, staff, social_dept, django_assert_num_queries, count
):
    made = Indicator.objects.bulk_create(
        Indicator(code=f"2400-{n:04d}", name=f"ตัวชี้วัด {n}", fiscal_year=FY, unit=social_dept) for n in range(count)
    )
    for indicator in made[:3]:
        factories.make_indicator_quarter(indicator, 1, result=Decimal("1"))
    login(client, staff)
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(URL, {"fiscal_year": FY}).status_code == 200
