"""Reading legacy printouts (indicators.legacy): every field of the seed pages, the quirks
DOMAIN.md lists, and the files that are not printouts. No database."""

import codecs
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from indicators import legacy
from indicators.legacy import LegacyFormatError
from tests.paths import SEEDS

DATA = Path(__file__).parent / "data" / "legacy"
SEED_000 = SEEDS / "000_ce21939e2f54dfaa.txt"
SEED_002 = SEEDS / "002_b90a0f8adbbb71e4.txt"
SEED_003 = SEEDS / "003_479be46a3a9ca5c2.txt"


def read(path):
    return legacy.parse(legacy.decode(path.read_bytes()))


def seed_text(path):
    return path.read_text(encoding="utf-8")


def parse_text(text):
    return legacy.parse(legacy.decode(text.encode("utf-8")))


# --- project page, seed 000 ------------------------------------------------------------------


def test_it_reads_the_header_of_seed_000():
    page = read(SEED_000)
    assert page.kind == "project page"
    assert page.code == "24000000-3029"
    assert page.name == ("โครงการส่งเสริมสนับสนุนแรงงานนอกระบบและประชาชนทั่วไปเข้าถึงสวัสดิการทางสังคมและแหล่งเงินทุนในการประกอบอาชีพ")
    assert page.unit_name == "สํานักพัฒนาสังคม"  # decomposed SARA AM kept as printed
    assert page.fiscal_year == 2564
    assert page.headline_percent == Decimal("100")
    assert page.responsible_person == "ผู้อำนวยการสำนักงานการส่งเสริมอาชีพ"
    assert page.responsible_phone == ""
    assert [(e.quarter, e.score) for e in page.evaluations] == [(1, Decimal("100"))]
    assert page.rationale.startswith("- สำนักพัฒนาสังคมมีภารกิจฝึกอบรมให้ความรู้ด้านอาชีพ")
    assert page.rationale.endswith("ที่ขึ้นทะเบียนถูกต้องตามกฏหมาย")
    assert (page.division_code, page.subunit_code) == ("24040000", "24040000")
    assert page.objectives.startswith("- เพื่อส่งเสริม สนับสนุนแรงงานนอกระบบ")
    assert page.targets.startswith("-กลุ่มผู้ขับขี่รถจักรยานยนต์รับจ้าง")
    assert page.unplaced == []
    assert page.warnings == []


def test_it_keeps_the_strategy_block_as_printed_and_reads_its_four_levels():
    page = read(SEED_000)
    assert page.plan_alignment_text == (
        "ด้านที่ ๓ - มหานครสำหรับทุกคน : Bangkok as a City for All\n"
        "๓.๒ - เมืองแห่งโอกาสทางเศรษฐกิจ\n"
        "๓.๒.๒ คนกรุงเทพฯมีโอกาสได้รับการฝึกอาชีพตามความถนัด%\n"
        "๓.๒.๒.๑ พัฒนาโรงเรียนฝึกอาชีพกรุงเทพมหานคร ศูนย์ฝึกอาชีพ และการจัดฝึกอาชีพ"
    )
    assert [(p.level, p.code, p.code_display, p.title, p.title_en) for p in page.plan_lines] == [
        (1, "3", "๓", "มหานครสำหรับทุกคน", "Bangkok as a City for All"),
        (2, "3.2", "๓.๒", "เมืองแห่งโอกาสทางเศรษฐกิจ", ""),
        (3, "3.2.2", "๓.๒.๒", "คนกรุงเทพฯมีโอกาสได้รับการฝึกอาชีพตามความถนัด", ""),
        (4, "3.2.2.1", "๓.๒.๒.๑", "พัฒนาโรงเรียนฝึกอาชีพกรุงเทพมหานคร ศูนย์ฝึกอาชีพ และการจัดฝึกอาชีพ", ""),
    ]


def test_it_reads_the_ten_reports_of_seed_000_newest_first():
    page = read(SEED_000)
    assert [(r.number, r.percent, r.report_date) for r in page.reports] == [
        (1, Decimal("100.00"), date(2021, 8, 30)),
        (2, Decimal("55.00"), date(2021, 7, 29)),
        (3, Decimal("50.00"), date(2021, 6, 28)),
        (4, Decimal("45.00"), date(2021, 5, 29)),
        (5, Decimal("40.00"), date(2021, 4, 29)),
        (6, Decimal("35.00"), date(2021, 3, 30)),
        (7, Decimal("30.00"), date(2021, 2, 25)),
        (8, Decimal("25.00"), date(2021, 1, 28)),
        (9, Decimal("20.00"), date(2020, 12, 28)),
        (10, Decimal("10.00"), date(2020, 11, 25)),
    ]
    newest = page.reports[0]
    assert newest.narrative.startswith("ดำเนินการ ครบ 3 กลุ่มเป้าหมาย 1. กลุ่มผู้ขับขี่รถจักรยานยนต์รับจ้าง จำนวน 847 ราย")
    assert newest.narrative.endswith("จึงเป็นอุปสรรคในการดำเนินงาน")
    assert (newest.problems, newest.obstacles) == ("ไม่มี", "ไม่มี")


def test_it_reads_the_plan_steps_of_seed_000():
    page = read(SEED_000)
    assert [(s.number, s.name, s.weight, s.start, s.end) for s in page.steps] == [
        (1, "วางแผนการดำเนินงาน", Decimal("20"), date(2020, 10, 1), date(2020, 10, 1)),
        (2, "ดำเนินโครงการ", Decimal("50"), date(2021, 1, 1), date(2021, 1, 1)),
        (3, "รวบรวมแบบสอบถามและสรุปผล", Decimal("0"), date(2021, 7, 1), date(2021, 7, 1)),
    ]


def test_it_reads_the_linked_indicator_and_its_quarter_table():
    (indicator,) = read(SEED_000).indicators
    assert indicator.code == "2400-1065"
    assert indicator.values == {
        "name": "จำนวนกลุ่มเป้าหมายของแรงงานนอกระบบในพื้นที่เขตเข้าถึงสวัสดิการทางสังคม",
        "measure": "กลุ่ม",
        "target": Decimal("3"),
        "achieved": Decimal("0"),
        "type": "strategic",
        "level": "output",
    }
    assert [(q.quarter, q.result, q.audit_score, q.score_1, q.score_2) for q in indicator.quarters] == [
        (1, Decimal("0.00"), None, Decimal("100"), Decimal("100")),
        (2, Decimal("0.00"), None, Decimal("100"), Decimal("100")),
        (3, Decimal("0.00"), None, Decimal("0"), Decimal("0")),
        (4, Decimal("100.00"), None, Decimal("100"), Decimal("100")),
    ]


# --- project page, seed 003: the quirks ------------------------------------------------------


def test_it_reads_seed_003_with_its_quirks():
    page = read(SEED_003)
    assert (page.code, page.fiscal_year, page.responsible_person) == ("24000000-2964", 2563, "นายอิทธิพล อิงประสาร")
    assert [(e.quarter, e.score) for e in page.evaluations] == [(2, Decimal("100"))]
    assert (page.division_code, page.subunit_code) == ("24030000", "24030000")
    # en dash after ด้านที่ ๑
    assert (page.plan_lines[0].code, page.plan_lines[0].title, page.plan_lines[0].title_en) == (
        "1",
        "มหานครปลอดภัย",
        "Bangkok as a Safe City",
    )
    assert [p.code for p in page.plan_lines] == ["1", "1.4", "1.4.1", "1.4.1.1"]
    reports = {r.number: r for r in page.reports}
    assert len(reports) == 13
    assert reports[1].narrative == ""  # '29/09/2563 :'
    assert reports[6].narrative.startswith("อยู่ระหว่างขั้นตอนรออนุมัติ")  # '27/4/2563 :' unpadded
    assert reports[10].narrative == "จ้างเหมารถยนต์โดยสารปรับอากาศ ขนาด 40 ที่นั่งขึ้นไป 4 คัน จำนวน 15 รุ่นและจัดซื้ออุปกรณ์"
    assert (reports[11].problems, reports[11].obstacles) == ("-", "-")
    assert [s.weight for s in page.steps] == [Decimal(w) for w in ("5", "5", "5", "10", "20", "45", "10")]
    assert page.warnings == []
    assert page.unplaced == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ด้านที่ ๓ - มหานครสำหรับทุกคน : Bangkok as a City for All",
            ("3", "๓", "มหานครสำหรับทุกคน", "Bangkok as a City for All"),
        ),
        ("ด้านที่ ๑ – มหานครปลอดภัย : Bangkok as a Safe City", ("1", "๑", "มหานครปลอดภัย", "Bangkok as a Safe City")),
        ("๓.๒.๒ คนกรุงเทพฯมีโอกาส%", ("3.2.2", "๓.๒.๒", "คนกรุงเทพฯมีโอกาส", "")),
        ("3.2.1 ผู้ที่อยู่ในภาค : นอกระบบ", ("3.2.1", "3.2.1", "ผู้ที่อยู่ในภาค : นอกระบบ", "")),
    ],
)
def test_it_reads_a_plan_line(text, expected):
    plan_line = legacy.parse_plan_line(text, 1)
    assert (plan_line.code, plan_line.code_display, plan_line.title, plan_line.title_en) == expected


def test_it_is_not_a_plan_line():
    assert legacy.parse_plan_line("สนับสนุนการดำเนินงาน", 1) is None


def test_it_reads_crlf_line_endings_and_a_bom_the_same_as_the_seed():
    raw = SEED_000.read_bytes()
    variant = codecs.BOM_UTF8 + raw.replace(b"\n", b"\r\n")
    assert legacy.parse(legacy.decode(variant)) == legacy.parse(legacy.decode(raw))


def test_it_reads_a_page_that_starts_with_blank_lines():
    page = parse_text("\n\n  \n" + seed_text(SEED_000))
    assert (page.code, page.unplaced) == ("24000000-3029", [])
    assert page.reports[0].line == 46


def test_it_refuses_a_fiscal_year_that_is_not_buddhist_era():
    with pytest.raises(LegacyFormatError, match="fiscal year 2021 is not a Buddhist-era year") as exc:
        parse_text(seed_text(SEED_000).replace(": (2564)", ": (2021)"))
    assert exc.value.line == 8


def test_it_splits_off_a_phone_and_warns_when_the_thai_date_disagrees():
    page = read(DATA / "000_variants.txt")
    assert page.responsible_person == "นายอิทธิพล อิงประสาร"
    assert page.responsible_phone == "6822-3"
    assert page.reports[0].report_date == date(2021, 8, 30)  # the ISO date is kept
    assert page.warnings == [
        (47, "report (1): the Thai date 31/08/2564 is 2021-08-31, not the report date 2021-08-30; kept 2021-08-30")
    ]


OWNER_LINE = "\nผู้อำนวยการสำนักงานการส่งเสริมอาชีพ\n"  # seed 000, line 14


@pytest.mark.parametrize(
    ("printed", "person", "phone"),
    [
        ("นายอิทธิพล อิงประสาร (โทร. 6822-3 )", "นายอิทธิพล อิงประสาร", "6822-3"),
        ("นายอิทธิพล อิงประสาร (โทร.6822-3)", "นายอิทธิพล อิงประสาร", "6822-3"),
        ("นางสาวสุดา ใจงาม (3027)", "นางสาวสุดา ใจงาม", "3027"),
        ("นางสาวสุดา ใจงาม ( 02-224 1234 )", "นางสาวสุดา ใจงาม", "02-224 1234"),
        ("นายสมชาย รักงาน โทร. 5621", "นายสมชาย รักงาน", "5621"),
        ("นายสมชาย รักงาน โทร.5621", "นายสมชาย รักงาน", "5621"),
        ("นายสมชาย รักงาน โทรศัพท์ 0 2224 1234 ต่อ 12", "นายสมชาย รักงาน", "0 2224 1234 ต่อ 12"),
        ("นายสมชาย รักงาน (โทร. ๕๖๒๑)", "นายสมชาย รักงาน", "๕๖๒๑"),  # Thai digits, kept as printed
        # no phone: a plain name, a position, a word with โทร in it, a bracket of words
        ("นายอิทธิพล อิงประสาร", "นายอิทธิพล อิงประสาร", ""),
        ("ผู้อำนวยการสำนักงานการส่งเสริมอาชีพ", "ผู้อำนวยการสำนักงานการส่งเสริมอาชีพ", ""),
        ("ผู้อำนวยการกองโทรคมนาคม", "ผู้อำนวยการกองโทรคมนาคม", ""),
        ("หัวหน้าฝ่ายปกครอง (รักษาราชการแทน)", "หัวหน้าฝ่ายปกครอง (รักษาราชการแทน)", ""),
        ("นายสมชาย รักงาน (โทร. )", "นายสมชาย รักงาน (โทร. )", ""),
    ],
)
def test_it_splits_the_owner_line_into_the_person_and_the_phone_as_printed(printed, person, phone):
    page = parse_text(seed_text(SEED_000).replace(OWNER_LINE, f"\n{printed}\n", 1))
    assert (page.responsible_person, page.responsible_phone) == (person, phone)
    assert page.unplaced == []
    assert legacy.split_owner_line(printed) == (person, phone)


def test_it_reads_four_decimal_scores_and_targets_at_the_two_places_stored():
    text = (
        seed_text(SEED_000)
        .replace("ไตรมาสที่ 1 100\n", "ไตรมาสที่ 1 100.0000\n", 1)
        .replace("ค่าเป้าหมาย กลุ่ม : 3\n", "ค่าเป้าหมาย กลุ่ม : 3.0000\n", 1)
        .replace("ผลงานที่ทำได้ กลุ่ม : 0\n", "ผลงานที่ทำได้ กลุ่ม : 85.5000\n", 1)
        .replace("1\n0.00\n\n100 / 100\n", "1\n0.0000\n100.0000\n100.0000 / 85.5000\n", 1)
        .replace("ความคืบหน้าโครงการ ร้อยละ 100\n", "ความคืบหน้าโครงการ ร้อยละ 100.0000\n", 1)
    )
    page = parse_text(text)

    [evaluation] = page.evaluations
    values = page.indicators[0].values
    row = page.indicators[0].quarters[0]
    numbers = [page.headline_percent, evaluation.score, values["target"], values["achieved"], row.result]
    numbers += [row.audit_score, row.score_1, row.score_2]
    assert [str(number) for number in numbers] == [
        "100.00",
        "100.00",
        "3.00",
        "85.50",
        "0.00",
        "100.00",
        "100.00",
        "85.50",
    ]
    assert page.warnings == []  # the bare 100 above the headline is the same number


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("ไตรมาสที่ 1 100\n", "ไตรมาสที่ 1 99.9950\n", 18, "evaluation score 99.9950 has more than 2 significant"),
        ("ความคืบหน้าโครงการ ร้อยละ 100\n", "ความคืบหน้าโครงการ ร้อยละ 99.999\n", 12, "percent 99.999 has more"),
        ("ร้อยละ 55.00 (2021-07-29)", "ร้อยละ 55.005 (2021-07-29)", 55, "percent 55.005 has more than 2"),
        ("ค่าเป้าหมาย กลุ่ม : 3\n", "ค่าเป้าหมาย กลุ่ม : 3.3333\n", 191, "indicator target 3.3333 has more"),
        (":20%\n", ":20.125%\n", 167, "step weight 20.125 has more than 2 significant decimals"),
    ],
)
def test_it_refuses_a_value_that_needs_more_places_than_stored_instead_of_rounding_it(old, new, line, message):
    with pytest.raises(LegacyFormatError, match=message) as exc:
        parse_text(seed_text(SEED_000).replace(old, new, 1))
    assert exc.value.line == line
    assert str(exc.value).endswith("it is stored with 2 and is not rounded")


def test_it_reads_labels_typed_with_a_decomposed_sara_am():
    text = seed_text(SEED_000).replace("แผนการดำเนินงานฯ", "แผนการด\u0e4d\u0e32เนินงานฯ")
    text = text.replace("ผลงานที่ทำได้ กลุ่ม", "ผลงานที่ท\u0e4d\u0e32ได้ กลุ่ม")
    page = parse_text(text)
    assert len(page.steps) == 3
    assert page.indicators[0].values["achieved"] == Decimal("0")
    assert page.unplaced == []


def test_it_reads_a_multi_line_narrative():
    text = seed_text(SEED_000).replace(
        "30/03/2564 : ประสานหน่วยงานที่เกี่ยวข้อง\n", "30/03/2564 : ประสานหน่วยงานที่เกี่ยวข้อง\n\nบรรทัดที่สอง\n"
    )
    page = parse_text(text)
    assert page.reports[5].narrative == "ประสานหน่วยงานที่เกี่ยวข้อง\nบรรทัดที่สอง"
    assert page.unplaced == []


def test_it_reports_lines_it_cannot_place_with_their_numbers():
    page = read(DATA / "000_unplaced_lines.txt")
    assert [(line.number, line.text) for line in page.unplaced] == [
        (17, "บรรทัดที่ระบบไม่รู้จัก ABC-123"),
        (171, "หมายเหตุขั้นตอน: แทรกโดยผู้ทดสอบ"),
    ]
    assert len(page.steps) == 3  # the steps around the stray line are still read


def test_it_reports_lines_after_the_evaluation_heading_it_cannot_read():
    page = parse_text(seed_text(SEED_000) + "\nไตรมาสที่ 2 : 90\nคะแนนรวม ดีมาก\n")
    assert [(e.quarter, e.score) for e in page.evaluations] == [(1, Decimal("100")), (2, Decimal("90"))]
    assert [(line.number, line.text) for line in page.unplaced] == [(223, "คะแนนรวม ดีมาก")]


# --- indicator report, seed 002 --------------------------------------------------------------


def test_it_reads_every_field_of_the_indicator_report():
    report = read(SEED_002)
    assert report.kind == "indicator report"
    values = report.values
    assert values["name"] == "ร้อยละของแรงงานนอกระบบกลุ่มเป้าหมายรับทราบสวัสดิการและแหล่งเงินทุน"
    assert "level" not in values  # both choices printed, neither marked
    assert values["definitions"].startswith("1. แรงงานนอกระบบกลุ่มเป้าหมาย หมายถึง\nกลุ่มแรงงานนอกระบบที่สำนักพัฒนาสังคม")
    assert "\n2. การดำเนินการเพื่อให้แรงงานนอกระบบรับทราบสวัสดิการและแหล่งเงินทุน หมายถึง\n" in values["definitions"]
    assert "กองทุนพัฒนาชุมชนกรุงเทพมหานคร กองทุนหมู่บ้านและชุมชนเมือง" in values["definitions"]
    assert values["definitions"].endswith("\nการส่งเสริมเรื่องการบริหารจัดการรายได้")
    assert values["calculation"] == (
        "(จำนวนกลุ่มวินมอเตอร์ไซด์ที่เข้าร่วมกิจกรรมและได้รับทราบข้อมูล /จำนวนกลุ่มวินมอเตอร์ไซด์ที่ขึ้นทะเบียนกับสำนักงานเขตทั้งหมด) x 100"
    )
    assert (values["target"], values["measure"], values["achieved"]) == (Decimal("100"), "ร้อยละ", Decimal("0"))
    assert report.narratives == {
        1: "อยู่ระหว่างการศึกษาโครงการกำหนดดำเนินการ 3 กลุ่มเขต ดังนี้\n1.กลุ่มกรุงเทพใต้\n2.กลุ่มกรุงเทพตะวันออก\n3.กลุ่มกรุงธนใต้",
        2: "-",
        3: "-",
        4: "-",
    }
    assert (values["summary"], values["supporting_factors"], values["obstacles"], values["evidence"]) == (
        "-",
        "-",
        "----",
        "-",
    )
    assert (values["reporter_name"], values["reporter_position"]) == ("", "")
    assert [(p.level, p.code, p.title) for p in report.plan_lines] == [
        (1, "3", "มหานครสำหรับทุกคน"),
        (2, "3.2", "เมืองแห่งโอกาสทางเศรษฐกิจ"),
        (3, "3.2.1", "ผู้ที่อยู่ในภาคเศรษฐกิจนอกระบบและแรงงานนอกระบบเข้าถึงสวัสดิการและแหล่งเงินทุนอย่าง"),
    ]
    assert report.unplaced == []


@pytest.mark.parametrize(
    ("printed", "level"),
    [("ผลผลิต (Output)", "output"), ("ผลลัพธ์ (Outcome)", "outcome")],
)
def test_it_sets_the_level_when_the_report_shows_only_one(printed, level):
    text = seed_text(SEED_002).replace("ผลผลิต (Output) ผลลัพธ์ (Outcome)", printed)
    assert parse_text(text).values["level"] == level


def test_it_reads_a_filled_in_signature_block():
    text = (
        seed_text(SEED_002)
        .replace("(.....)", "(นางสาวสมใจ ใจดี)")
        .replace("\nตำแหน่ง\n", "\nตำแหน่ง นักวิเคราะห์นโยบายและแผน\n")
    )
    values = parse_text(text).values
    assert (values["reporter_name"], values["reporter_position"]) == ("นางสาวสมใจ ใจดี", "นักวิเคราะห์นโยบายและแผน")


# --- what is refused -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b" \n\r\n\t\n", "file is empty"),
        (codecs.BOM_UTF8, "file is empty"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x01\x02\x03" * 30, "not UTF-8"),
        (SEED_000.read_text(encoding="utf-8").encode("cp874"), "not UTF-8 text"),
        (SEED_000.read_text(encoding="utf-8").encode("utf-16"), "UTF-16"),
        (b"ok\x07\nbell", "control characters"),
        (b"x" * (legacy.MAX_BYTES + 1), "larger than 5 MB"),
    ],
)
def test_it_refuses_bytes_that_are_not_a_utf8_text(data, message):
    with pytest.raises(LegacyFormatError, match=message):
        legacy.parse(legacy.decode(data))


def test_it_refuses_an_unrelated_text():
    with pytest.raises(LegacyFormatError, match="not a legacy printout") as exc:
        parse_text("\n\nMeeting notes\nWe discussed the budget.\n")
    assert exc.value.line == 3


@pytest.mark.parametrize(
    ("keep_lines", "message"),
    [
        (5, "no 'PROJECT NAME : 24000000-3029' title line"),
        (7, "no 'UNIT : \\(2564\\)' line"),
        (11, "no 'ความคืบหน้าโครงการ ร้อยละ N' line"),
    ],
)
def test_it_refuses_a_truncated_header(keep_lines, message):
    text = "\n".join(seed_text(SEED_000).split("\n")[:keep_lines])
    with pytest.raises(LegacyFormatError, match=f"truncated header: {message}"):
        parse_text(text)


def test_it_refuses_an_indicator_report_without_its_name():
    text = "\n".join(seed_text(SEED_002).split("\n")[:6])
    with pytest.raises(LegacyFormatError, match="truncated header: no '1. ชื่อตัวชี้วัด"):
        parse_text(text)


def test_it_refuses_a_percent_over_100_with_its_line_number():
    with pytest.raises(LegacyFormatError, match="percent 150.00 is outside 0–100") as exc:
        read(DATA / "003_percent_150.txt")
    assert exc.value.line == 67
    assert str(exc.value).startswith("line 67: ")


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (":20%\n", ":120%\n", 167, "step weight 120 is outside"),
        ("เริ่มต้น :2020-10-01 00:00:00\n", "เริ่มต้น :2020-02-30 00:00:00\n", 168, "is not a date"),
        ("สิ้นสุด :2020-10-01 00:00:00\n", "", 165, "plan step 1 is incomplete: no end"),
        ("(2021-08-30)", "(2021-13-30)", 43, "report date '2021-13-30' is not a date"),
        ("ไตรมาสที่ 1 100", "ไตรมาสที่ 5 100", 18, "evaluation quarter 5 is not 1–4"),
        ("100 / 100\n2\n", "100 / 101\n2\n", 207, "score 2.2 101 is outside"),
    ],
)
def test_it_refuses_values_the_database_would_refuse(old, new, line, message):
    text = seed_text(SEED_000).replace(old, new, 1)
    assert text != seed_text(SEED_000)
    with pytest.raises(LegacyFormatError, match=message) as exc:
        parse_text(text)
    assert exc.value.line == line


def test_it_refuses_a_narrative_longer_than_the_limit():
    with pytest.raises(LegacyFormatError, match="narrative is longer than 100 characters") as exc:
        legacy.parse(seed_text(SEED_000), max_narrative_chars=100)
    assert exc.value.line == 43
