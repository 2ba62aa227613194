"""The Thai calendar: Buddhist-era years, fiscal years and quarters, Thai dates in and out.

FY N (BE) runs 1 Oct CE N-544 .. 30 Sep CE N-543; Q1 = Oct–Dec, Q2 = Jan–Mar, Q3 = Apr–Jun,
Q4 = Jul–Sep. BE 2563 (CE 2020) and BE 2567 (CE 2024) are leap years, BE 2564 (CE 2021) is not.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template import Context, Template

from bma_tracker import thaidate
from bma_tracker.thaidate import ThaiDateError, parse_thai_date

# Every quarter of four fiscal years, with its first and last day.
QUARTERS = [
    (2563, 1, date(2019, 10, 1), date(2019, 12, 31)),
    (2563, 2, date(2020, 1, 1), date(2020, 3, 31)),
    (2563, 3, date(2020, 4, 1), date(2020, 6, 30)),
    (2563, 4, date(2020, 7, 1), date(2020, 9, 30)),
    (2564, 1, date(2020, 10, 1), date(2020, 12, 31)),
    (2564, 2, date(2021, 1, 1), date(2021, 3, 31)),
    (2564, 3, date(2021, 4, 1), date(2021, 6, 30)),
    (2564, 4, date(2021, 7, 1), date(2021, 9, 30)),
    (2567, 1, date(2023, 10, 1), date(2023, 12, 31)),
    (2567, 2, date(2024, 1, 1), date(2024, 3, 31)),
    (2567, 3, date(2024, 4, 1), date(2024, 6, 30)),
    (2567, 4, date(2024, 7, 1), date(2024, 9, 30)),
    (2568, 1, date(2024, 10, 1), date(2024, 12, 31)),
    (2568, 2, date(2025, 1, 1), date(2025, 3, 31)),
    (2568, 3, date(2025, 4, 1), date(2025, 6, 30)),
    (2568, 4, date(2025, 7, 1), date(2025, 9, 30)),
]

# Each quarter boundary, seen from both sides: (day, fiscal year, quarter).
BOUNDARY_DAYS = [
    (date(2019, 9, 30), 2562, 4),
    (date(2019, 10, 1), 2563, 1),
    (date(2019, 12, 31), 2563, 1),
    (date(2020, 1, 1), 2563, 2),
    (date(2020, 2, 29), 2563, 2),
    (date(2020, 3, 31), 2563, 2),
    (date(2020, 4, 1), 2563, 3),
    (date(2020, 6, 30), 2563, 3),
    (date(2020, 7, 1), 2563, 4),
    (date(2020, 9, 30), 2563, 4),
    (date(2020, 10, 1), 2564, 1),
    (date(2020, 12, 31), 2564, 1),
    (date(2021, 1, 1), 2564, 2),
    (date(2021, 2, 28), 2564, 2),
    (date(2021, 3, 1), 2564, 2),
    (date(2021, 3, 31), 2564, 2),
    (date(2021, 4, 1), 2564, 3),
    (date(2021, 6, 30), 2564, 3),
    (date(2021, 7, 1), 2564, 4),
    (date(2021, 8, 30), 2564, 4),
    (date(2021, 9, 30), 2564, 4),
    (date(2021, 10, 1), 2565, 1),
    (date(2023, 9, 30), 2566, 4),
    (date(2023, 10, 1), 2567, 1),
    (date(2023, 12, 31), 2567, 1),
    (date(2024, 1, 1), 2567, 2),
    (date(2024, 2, 29), 2567, 2),
    (date(2024, 3, 31), 2567, 2),
    (date(2024, 4, 1), 2567, 3),
    (date(2024, 6, 30), 2567, 3),
    (date(2024, 7, 1), 2567, 4),
    (date(2024, 9, 30), 2567, 4),
    (date(2024, 10, 1), 2568, 1),
]


@pytest.mark.parametrize(("ce", "be"), [(2020, 2563), (2021, 2564), (2024, 2567), (1957, 2500)])
def test_it_converts_between_ce_and_be_years(ce, be):
    assert thaidate.be_year(ce) == be
    assert thaidate.ce_year(be) == ce


@pytest.mark.parametrize(
    ("fy", "first", "last"),
    [
        (2563, date(2019, 10, 1), date(2020, 9, 30)),
        (2564, date(2020, 10, 1), date(2021, 9, 30)),
        (2567, date(2023, 10, 1), date(2024, 9, 30)),
        (2500, date(1956, 10, 1), date(1957, 9, 30)),
    ],
)
def test_it_gives_the_date_range_of_a_fiscal_year(fy, first, last):
    assert thaidate.fiscal_year_range(fy) == (first, last)


@pytest.mark.parametrize(("day", "fy", "quarter"), BOUNDARY_DAYS)
def test_it_puts_each_boundary_day_in_its_fiscal_year_and_quarter(day, fy, quarter):
    assert thaidate.fiscal_year(day) == fy
    assert thaidate.fiscal_quarter(day) == quarter


@pytest.mark.parametrize(("fy", "quarter", "first", "last"), QUARTERS)
def test_it_gives_the_date_range_of_a_quarter(fy, quarter, first, last):
    assert thaidate.quarter_range(fy, quarter) == (first, last)


@pytest.mark.parametrize(("fy", "quarter", "first", "last"), QUARTERS)
def test_it_puts_the_first_and_last_day_of_a_quarter_inside_it_and_their_neighbours_outside(fy, quarter, first, last):
    for day in (first, last):
        assert (thaidate.fiscal_year(day), thaidate.fiscal_quarter(day)) == (fy, quarter)
    before, after = first - timedelta(days=1), last + timedelta(days=1)
    assert (thaidate.fiscal_year(before), thaidate.fiscal_quarter(before)) != (fy, quarter)
    assert (thaidate.fiscal_year(after), thaidate.fiscal_quarter(after)) != (fy, quarter)


@pytest.mark.parametrize("fy", [2563, 2564, 2567, 2568])
def test_it_tiles_a_fiscal_year_with_its_four_quarters(fy):
    ranges = [thaidate.quarter_range(fy, q) for q in (1, 2, 3, 4)]
    assert ranges[0][0] == thaidate.fiscal_year_range(fy)[0]
    assert ranges[3][1] == thaidate.fiscal_year_range(fy)[1]
    for (_, last), (next_first, _) in zip(ranges, ranges[1:], strict=False):
        assert next_first == last + timedelta(days=1)


def test_it_agrees_with_quarter_range_on_every_day_of_six_fiscal_years():
    day, end = date(2019, 10, 1), date(2025, 9, 30)
    while day <= end:
        first, last = thaidate.quarter_range(thaidate.fiscal_year(day), thaidate.fiscal_quarter(day))
        assert first <= day <= last, day
        day += timedelta(days=1)


@pytest.mark.parametrize("quarter", [0, 5, -1, "1", None])
def test_it_rejects_a_quarter_outside_1_to_4(quarter):
    with pytest.raises(ValueError, match="quarter must be 1–4"):
        thaidate.quarter_range(2564, quarter)


MONTHS = [
    (1, "มกราคม", "ม.ค."),
    (2, "กุมภาพันธ์", "ก.พ."),
    (3, "มีนาคม", "มี.ค."),
    (4, "เมษายน", "เม.ย."),
    (5, "พฤษภาคม", "พ.ค."),
    (6, "มิถุนายน", "มิ.ย."),
    (7, "กรกฎาคม", "ก.ค."),
    (8, "สิงหาคม", "ส.ค."),
    (9, "กันยายน", "ก.ย."),
    (10, "ตุลาคม", "ต.ค."),
    (11, "พฤศจิกายน", "พ.ย."),
    (12, "ธันวาคม", "ธ.ค."),
]


@pytest.mark.parametrize(("month", "full", "abbr"), MONTHS)
def test_it_names_every_month_in_full_and_abbreviated(month, full, abbr):
    assert thaidate.month_name(month) == full
    assert thaidate.month_name(month, abbr=True) == abbr


@pytest.mark.parametrize("month", [0, 13, -1])
def test_it_refuses_to_name_a_month_outside_1_to_12(month):
    with pytest.raises(ValueError, match="month must be 1–12"):
        thaidate.month_name(month)


@pytest.mark.parametrize(
    ("day", "short"),
    [
        (date(2021, 8, 30), "30/08/2564"),
        (date(2021, 1, 5), "05/01/2564"),
        (date(2020, 10, 1), "01/10/2563"),
        (date(2020, 2, 29), "29/02/2563"),
        (date(2024, 12, 31), "31/12/2567"),
    ],
)
def test_it_formats_a_short_date_zero_padded_with_the_be_year(day, short):
    assert thaidate.format_short(day) == short


@pytest.mark.parametrize(("month", "full", "abbr"), MONTHS)
def test_it_formats_a_medium_and_long_date_with_each_month_name(month, full, abbr):
    assert thaidate.format_medium(date(2021, month, 5)) == f"5 {abbr} 2564"
    assert thaidate.format_long(date(2021, month, 5)) == f"5 {full} 2564"


def test_it_formats_with_thai_digits_on_request():
    assert thaidate.format_short(date(2021, 8, 30), thai_digits=True) == "๓๐/๐๘/๒๕๖๔"
    assert thaidate.format_medium(date(2021, 8, 30), thai_digits=True) == "๓๐ ส.ค. ๒๕๖๔"
    assert thaidate.format_long(date(2021, 8, 3), thai_digits=True) == "๓ สิงหาคม ๒๕๖๔"


def test_it_formats_a_datetime_by_its_date():
    assert thaidate.format_short(datetime(2021, 8, 30, 23, 59)) == "30/08/2564"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("30/08/2564", date(2021, 8, 30)),
        ("30/8/2564", date(2021, 8, 30)),
        ("1/1/2564", date(2021, 1, 1)),
        ("01/01/2564", date(2021, 1, 1)),
        ("1/10/2563", date(2020, 10, 1)),
        ("30/9/2564", date(2021, 9, 30)),
        ("31/12/2567", date(2024, 12, 31)),
        (" 30 / 8 / 2564 ", date(2021, 8, 30)),
        ("๓๐/๘/๒๕๖๔", date(2021, 8, 30)),
        ("๓๐/08/2564", date(2021, 8, 30)),
        ("29/02/2563", date(2020, 2, 29)),
        ("29/2/2567", date(2024, 2, 29)),
        ("28/02/2564", date(2021, 2, 28)),
    ],
)
def test_it_parses_a_day_month_be_year_date(text, day):
    assert parse_thai_date(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "กรุณากรอกวันที่ในรูปแบบ วว/ดด/ปปปป (พ.ศ.) เช่น 30/08/2564"),
        (None, "กรุณากรอกวันที่ในรูปแบบ วว/ดด/ปปปป (พ.ศ.) เช่น 30/08/2564"),
        ("   ", "กรุณากรอกวันที่ในรูปแบบ"),
        ("garbage", "กรุณากรอกวันที่ในรูปแบบ"),
        ("30-08-2564", "กรุณากรอกวันที่ในรูปแบบ"),
        ("2564-08-30", "กรุณากรอกวันที่ในรูปแบบ"),
        ("30/08", "กรุณากรอกวันที่ในรูปแบบ"),
        ("30/08/2564/1", "กรุณากรอกวันที่ในรูปแบบ"),
        ("٣٠/٨/٢٥٦٤", "กรุณากรอกวันที่ในรูปแบบ"),  # Arabic-Indic digits are not Thai digits
        ("30/8/64", "กรุณากรอกปี พ.ศ. เป็นตัวเลข 4 หลัก"),
        ("31/02/2564", "ไม่มีวันที่ 31 กุมภาพันธ์ 2564 (เดือนกุมภาพันธ์ 2564 มี 28 วัน)"),
        ("29/02/2564", "ไม่มีวันที่ 29 กุมภาพันธ์ 2564 (เดือนกุมภาพันธ์ 2564 มี 28 วัน)"),
        ("30/02/2563", "ไม่มีวันที่ 30 กุมภาพันธ์ 2563 (เดือนกุมภาพันธ์ 2563 มี 29 วัน)"),
        ("31/4/2564", "เดือนเมษายน 2564 มี 30 วัน"),
        ("0/1/2564", "ไม่มีวันที่ 0 มกราคม 2564"),
        ("1/13/2564", "ไม่มีเดือนที่ 13 กรุณากรอกเดือน 1–12"),
        ("1/0/2564", "ไม่มีเดือนที่ 0"),
        ("30/08/2021", "ปี 2021 ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. (เช่น 2564)"),
        ("๓๐/๘/๒๐๒๑", "ปี 2021 ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. (เช่น 2564)"),
        ("1/1/1900", "ปี 1900 ดูเหมือนเป็นปี ค.ศ."),
        ("1/1/9999", "ปี พ.ศ. 9999 ไม่อยู่ในช่วงที่ใช้ได้"),
        ("1/1/1000", "ปี พ.ศ. 1000 ไม่อยู่ในช่วงที่ใช้ได้"),
    ],
)
def test_it_rejects_a_bad_date_with_a_thai_message(text, message):
    with pytest.raises(ThaiDateError) as caught:
        parse_thai_date(text)
    assert message in str(caught.value)


def test_its_parse_error_is_a_value_error_so_forms_can_catch_it():
    assert issubclass(ThaiDateError, ValueError)


def test_it_reads_back_every_date_it_formats_across_a_leap_fiscal_year():
    first, last = thaidate.fiscal_year_range(2567)
    day = first
    while day <= last:
        assert parse_thai_date(thaidate.format_short(day)) == day
        assert parse_thai_date(thaidate.format_short(day, thai_digits=True)) == day
        day += timedelta(days=1)


def render(source, **context):
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("{{ v|thai_date }}", date(2021, 8, 30), "30/08/2564"),
        ("{{ v|thai_date_medium }}", date(2021, 8, 30), "30 ส.ค. 2564"),
        ("{{ v|thai_date_long }}", date(2021, 8, 30), "30 สิงหาคม 2564"),
        ("{{ v|be_year }}", 2021, "2564"),
        ("{{ v|be_year }}", "2021", "2564"),
        ("{{ v|be_year }}", date(2020, 10, 1), "2563"),
        ("{{ v|thai_digits }}", "3.2.2.1", "๓.๒.๒.๑"),
        ("{{ v|thai_digits }}", 0, "๐"),
        ("{{ v|thai_date|thai_digits }}", date(2021, 8, 30), "๓๐/๐๘/๒๕๖๔"),
    ],
)
def test_its_template_filters_render_thai_dates_without_a_load_tag(source, value, expected):
    assert render(source, v=value) == expected


@pytest.mark.parametrize("value", [None, "", "2021-08-30", "garbage"])
@pytest.mark.parametrize("filter_name", ["thai_date", "thai_date_medium", "thai_date_long", "be_year"])
def test_its_template_filters_render_nothing_for_a_value_they_cannot_show(filter_name, value):
    assert render(f"[{{{{ v|{filter_name} }}}}]", v=value) == "[]"


def test_its_thai_digits_filter_renders_nothing_for_none():
    assert render("[{{ v|thai_digits }}]", v=None) == "[]"


def test_its_template_filters_show_an_aware_datetime_on_its_bangkok_day():
    # 17:30 UTC on 29 Aug is 00:30 on 30 Aug in Bangkok (UTC+7).
    moment = datetime(2021, 8, 29, 17, 30, tzinfo=UTC)
    assert render("{{ v|thai_date }} {{ v|thai_date_medium }}", v=moment) == "30/08/2564 30 ส.ค. 2564"
    new_year_utc = datetime(2023, 12, 31, 18, 0, tzinfo=UTC)  # 1 Jan 2024 01:00 in Bangkok
    assert render("{{ v|be_year }}", v=new_year_utc) == "2567"


def test_today_is_the_bangkok_day_whatever_the_server_zone():
    from datetime import datetime

    assert thaidate.today() == datetime.now(UTC).astimezone(thaidate.BANGKOK).date()
