"""Reading the indicator pages beyond the seeds (indicators.legacy_indicator_pages): targets as
written, measures that mean lower is better, four-decimal numbers, the title lines that tell the
page types apart. No database."""

from decimal import Decimal

import pytest

from indicators import legacy
from indicators.legacy import LegacyFormatError
from indicators.legacy_indicator_pages import agreement_code, lower_is_better, number, read_target
from tests.paths import SEEDS


def parse_text(text):
    return legacy.parse(legacy.decode(text.encode("utf-8")))


@pytest.mark.parametrize(
    ("printed", "target", "target_text", "base_year"),
    [
        ("80.0000", Decimal("80.00"), "", None),
        ("100.00", Decimal("100.00"), "", None),
        ("1", Decimal("1.00"), "", None),
        ("๑๒", Decimal("12.00"), "", None),
        ("1,250", Decimal("1250.00"), "", None),
        ("20 ของประชาชนที่ทำการสำรวจ", Decimal("20.00"), "20 ของประชาชนที่ทำการสำรวจ", None),
        ("5 จากปีที่ผ่านมา พ.ศ. 2563", Decimal("5.00"), "5 จากปีที่ผ่านมา พ.ศ. 2563", 2563),
        ("๕ จากปี ๒๕๖๒", Decimal("5.00"), "๕ จากปี ๒๕๖๒", 2562),
        ("-", None, "", None),
        ("", None, "", None),
    ],
)
def test_it_reads_a_target_as_written_and_its_number(printed, target, target_text, base_year):
    warnings = []
    assert read_target(printed, 7, warnings) == (target, target_text, base_year)
    assert warnings == []


def test_it_keeps_a_target_without_a_leading_number_as_text_and_says_so():
    warnings = []
    assert read_target("ไม่น้อยกว่าปีที่ผ่านมา", 7, warnings) == (None, "ไม่น้อยกว่าปีที่ผ่านมา", None)
    assert warnings == [(7, "the target 'ไม่น้อยกว่าปีที่ผ่านมา' does not start with a number: kept as text only")]


@pytest.mark.parametrize(
    ("measure", "lower"),
    [
        ("ร้อยละ (ลดลง)", True),
        ("ลดลงร้อยละ", True),
        ("ร้อยละ", False),
        ("ระดับ", False),
        ("ตร.ม.", False),
        ("กลุ่ม", False),
    ],
)
def test_a_measure_of_a_reduction_means_lower_is_better(measure, lower):
    assert lower_is_better(measure) is lower


@pytest.mark.parametrize(
    ("printed", "value"),
    [
        ("100.0000", Decimal("100.00")),
        ("85.5000", Decimal("85.50")),
        ("๗๒.๕", Decimal("72.50")),
        ("0", Decimal("0.00")),
    ],
)
def test_it_accepts_four_decimals_that_are_zero_after_the_second(printed, value):
    assert number(printed, 3, "score") == value


@pytest.mark.parametrize(
    ("printed", "message"),
    [
        ("85.5050", "score '85.5050' has more than 2 decimals that are not zero"),
        ("1O0", "score '1O0' is not a number"),
        ("150", "score 150.00 is outside 0–100"),
    ],
)
def test_it_refuses_a_number_the_database_cannot_hold_as_printed(printed, message):
    with pytest.raises(LegacyFormatError, match=message) as exc:
        number(printed, 3, "score", low=0, high=100)
    assert exc.value.line == 3


def test_the_code_of_an_agreement_kpi_is_made_of_the_unit_the_dimension_and_its_number():
    assert agreement_code("50120000", 1, "1.3") == "50120000-D1-1.3"
    assert agreement_code("24000000", 2, "๒.๑") == "24000000-D2-2.1"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("รายละเอียดตัวชี้วัด", "KPI detail page"),
        ("ผลการปฏิบัติราชการประจำปีของหน่วยงาน : 50120000", "unit performance page"),
        ("ผลการปฏิบัติราชการประจำปี : ของหน่วยงาน : 50120000", "unit performance page"),
        ("โครงการจัดทำฐานข้อมูลตัวชี้วัดการพัฒนาเมือง (2562-2563)", "city-development indicator page"),
    ],
)
def test_it_tells_the_page_types_apart_by_their_title_line(title, kind):
    page = {
        "KPI detail page": SEEDS / "kpi_detail_written_5012-0456.txt",
        "unit performance page": SEEDS / "unit_performance_written_50120000_dim1.txt",
        "city-development indicator page": SEEDS / "city_indicator_written_123.txt",
    }[kind]
    lines = page.read_text(encoding="utf-8").split("\n")
    assert parse_text("\n".join([title, *lines[1:]])).kind == kind


def test_the_written_pages_hold_no_line_the_parser_cannot_place():
    for name in (
        "kpi_detail_written_5012-0456",
        "unit_performance_written_50120000_dim1",
        "city_indicator_written_123",
    ):
        page = legacy.parse(legacy.decode((SEEDS / f"{name}.txt").read_bytes()))
        assert (page.unplaced, page.warnings, page.stopped) == ([], [], None), name


def test_it_warns_when_the_table_counts_in_another_measure_than_the_target():
    text = (SEEDS / "kpi_detail_written_5012-0456.txt").read_text(encoding="utf-8").replace("\n(ร้อยละ)\n", "\n(คน)\n")
    page = parse_text(text)
    assert page.warnings == [(26, "indicator 5012-0456: the table counts in คน, the target in ร้อยละ")]


def test_it_warns_when_the_audit_line_and_the_table_disagree_and_keeps_the_table():
    path = SEEDS / "kpi_detail_written_5012-0456.txt"
    text = path.read_text(encoding="utf-8").replace("ไตรมาสที่ 3: 100.0000", "ไตรมาสที่ 1: 90.0000")
    page = parse_text(text)
    assert page.indicator.quarters[1][1]["audit_score"] == Decimal("100.00")
    assert page.warnings == [(19, "the audit line says 90.00 for quarter 1, the table 100.00; the table's kept")]
