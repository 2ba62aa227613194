"""python manage.py import_legacy on the indicator pages beyond the seeds (DOMAIN.md): the KPI
detail page, the unit annual performance page and the city-development indicator page, written
in their layouts (fixtures/legacy/README.md). Each stored field by field, re-imports that change
nothing, a printout cut off mid-sentence, refused pages that leave the database as it was, and
the legacy pages of a type the importer does not read."""

from decimal import Decimal

import pytest

from indicators.models import CityIndicator, EvaluationDimension, Indicator
from projects.models import AuditEntry, OrgUnit
from tests import factories
from tests.paths import SEEDS
from tests.test_import_legacy import database_rows, import_ok, run

KPI_PAGE = SEEDS / "kpi_detail_written_5012-0456.txt"
UNIT_PAGE = SEEDS / "unit_performance_written_50120000_dim1.txt"
CITY_PAGE = SEEDS / "city_indicator_written_123.txt"

pytestmark = pytest.mark.django_db


def text_of(path):
    return path.read_text(encoding="utf-8")


def line_of(path, start):
    """The number of the first line of a page that starts with `start`."""
    return next(n for n, line in enumerate(text_of(path).split("\n"), start=1) if line.startswith(start))


def written(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def district(db):
    return factories.make_unit(code="50120000", name="สำนักงานเขตทดสอบ", kind=OrgUnit.Kind.DISTRICT)


@pytest.fixture
def plan(db):
    """The plan nodes the written pages point at, except 7.4 and 7.4.1 (no plan has them)."""
    edition = factories.make_edition(2561)
    nodes = {}
    for code, title in [
        ("1", "มหานครปลอดภัย"),
        ("1.1", "ปลอดมลพิษ"),
        ("1.1.2", "ปริมาณมูลฝอยลดลงและได้รับการจัดการอย่างถูกหลักสุขาภิบาล"),
        ("5", "มหานครแห่งประชาธิปไตย"),
        ("5.1", "เมืองแห่งการมีส่วนร่วม"),
        ("5.1.1", "ประชาชนและชุมชนมีส่วนร่วมในการพัฒนาเมือง"),
    ]:
        parent = nodes.get(code.rpartition(".")[0])
        nodes[code] = factories.make_plan_node(code=code, title=title, edition=edition, parent=parent)
    return nodes


def quarters(indicator):
    return list(
        indicator.quarters.order_by("quarter").values_list("quarter", "result", "audit_score", "score_1", "score_2")
    )


# --- the KPI detail page -------------------------------------------------------------------


def test_it_stores_every_field_of_the_kpi_detail_page(district):
    out = import_ok(KPI_PAGE, fy=2564)

    indicator = Indicator.objects.get(code="5012-0456", fiscal_year=2564)
    assert indicator.name == "ร้อยละของชุมชนที่จัดทำแผนพัฒนาชุมชน"
    assert indicator.ordinal_display == "7."
    assert indicator.unit == district  # from the code's prefix 5012
    assert (indicator.measure, indicator.lower_is_better) == ("ร้อยละ", False)
    assert (indicator.target, indicator.target_text, indicator.base_year) == (Decimal("80.00"), "", None)
    assert indicator.achieved == Decimal("87.50")
    assert indicator.is_met() is True  # achieved above the target, stored as printed
    assert (indicator.type, indicator.level) == ("routine", "outcome")
    assert indicator.legacy_counter == 0
    assert indicator.dimension is None
    assert (indicator.agreement_number, indicator.category_tag) == ("", "")
    assert quarters(indicator) == [
        (1, Decimal("20.00"), Decimal("100.00"), Decimal("100.00"), Decimal("100.00")),
        (2, Decimal("45.00"), None, Decimal("100.00"), Decimal("100.00")),  # empty audit cell
        # no audit column in the row: the audit line (ไตรมาสที่ 3: 100.0000) gives it; 100 / 50 as printed
        (3, Decimal("72.50"), Decimal("100.00"), Decimal("100.00"), Decimal("50.00")),
        (4, Decimal("87.50"), None, None, None),  # "- / -"
    ]
    narratives = dict(indicator.quarters.values_list("quarter", "narrative"))
    assert narratives[1].startswith("ฝ่ายพัฒนาชุมชนและสวัสดิการสังคมประชุมชี้แจงประธานกรรมการชุมชน 40 ชุมชน")
    assert "กท 5012/1875" in narratives[1]
    assert narratives[2] == (
        "จัดเวทีประชาคมร่วมกับคณะกรรมการชุมชน 10 ครั้ง ระหว่างวันที่ 4/1/2564 - 26/2/2564 "
        "ชุมชนจัดทำแผนพัฒนาชุมชนเพิ่มขึ้นเป็น 18 ชุมชน คิดเป็นร้อยละ 45.00\n"
        "เจ้าหน้าที่ลงพื้นที่ให้คำแนะนำการทำางานของคณะกรรมการชุมชน และรวบรวมโครงการในแผนพัฒนาชุมชน"
        "เสนอขอรับงบประมาณ รวม 14 ,892,956.80 บาท"
    )  # the doubled vowel and the stray space kept
    assert narratives[4].endswith("เมื่อวันที่ 20/9/2564")
    assert Indicator.objects.search("แผนพัฒนาชุมชน").get() == indicator
    assert f"{KPI_PAGE}: KPI detail page, indicator 5012-0456 (FY 2564)" in out
    assert "created: indicator 1, indicator quarter 4" in out
    assert "unplaced" not in out and "warning" not in out
    entry = AuditEntry.objects.get(model_label="indicators.indicator", action="create")
    assert (entry.user, entry.note) == (None, "import_legacy kpi_detail_written_5012-0456.txt")


def test_it_stores_a_kpi_detail_page_without_a_unit_when_the_unit_is_missing_and_sets_it_later(db):
    out = import_ok(KPI_PAGE, fy=2564)
    assert f"{KPI_PAGE}:5: note: no unit 50120000: indicator stored without a unit" in out
    assert Indicator.objects.get(code="5012-0456").unit is None

    unit = factories.make_unit(code="50120000", kind=OrgUnit.Kind.DISTRICT)
    out = import_ok(KPI_PAGE, fy=2564)

    assert Indicator.objects.get(code="5012-0456").unit == unit
    assert "updated: indicator 1" in out


def test_it_reads_the_fiscal_year_from_the_command_line_only():
    before = database_rows()

    for page in (KPI_PAGE, UNIT_PAGE):
        _out, _err, error = run(CITY_PAGE, page)
        assert f"{page} is a " in str(error)
        assert "which prints no fiscal year: give it with --fy YEAR" in str(error)
        assert "Nothing was imported" in str(error)

    assert database_rows() == before
    _out, _err, error = run(KPI_PAGE, fy=2021)
    assert "--fy 2021 is not a Buddhist-era fiscal year" in str(error)
    import_ok(KPI_PAGE, fy=2565)
    assert Indicator.objects.get(code="5012-0456").fiscal_year == 2565


# --- the unit performance page -------------------------------------------------------------


def test_it_stores_every_kpi_of_the_unit_performance_page(district, plan):
    out = import_ok(UNIT_PAGE, fy=2564)

    first, second = Indicator.objects.filter(fiscal_year=2564).order_by("code")
    assert (first.code, second.code) == ("50120000-D1-1.1", "50120000-D1-1.2")
    assert first.name == (
        "ร้อยละความสำเร็จของการจัดทำแผนพัฒนาชุมชนและการนำแผนไปปฏิบัติ\n"
        "- ชุมชนที่จัดตั้งตามระเบียบกรุงเทพมหานครว่าด้วยชุมชน จัดทำแผนพัฒนาชุมชน\n"
        "- โครงการตามแผนพัฒนาชุมชนได้รับการบรรจุในแผนปฏิบัติราชการประจำปีของสำนักงานเขต"
    )
    assert (first.ordinal_display, first.agreement_number, first.category_tag) == ("(1)", "1.1", "ตัวชี้วัดเจรจา")
    assert (first.dimension.number, first.dimension.name) == (1, "ด้านประสิทธิผลตามพันธกิจ")
    assert first.unit == district
    assert first.type == Indicator.Type.NEGOTIATED
    assert (first.measure, first.lower_is_better, first.target, first.achieved) == (
        "ร้อยละ",
        False,
        Decimal("100.00"),
        Decimal("56.37"),
    )
    assert first.plan_node == plan["5.1.1"]  # the deepest of the line, found by its Thai-digit code
    assert first.plan_alignment_text == ""
    assert quarters(first) == [
        (1, Decimal("10.00"), None, Decimal("100.00"), Decimal("100.00")),
        (2, Decimal("25.50"), None, Decimal("100.00"), Decimal("50.00")),
        (3, Decimal("41.25"), None, Decimal("100.00"), Decimal("100.00")),
        (4, Decimal("56.37"), None, None, None),
    ]
    assert first.quarters.get(quarter=2).narrative == "ชุมชนส่งแผนพัฒนาชุมชนแล้ว 12 ชุมชน ตรวจสอบความถูกต้องแล้ว 10 ชุมชน"

    assert second.name == "ร้อยละของเรื่องร้องเรียนด้านความสะอาดและการจัดเก็บมูลฝอยที่ดำเนินการไม่แล้วเสร็จภายในเวลาที่กำหนด"
    assert (second.ordinal_display, second.agreement_number, second.category_tag) == ("(2)", "1.2", "")
    assert second.dimension == first.dimension
    assert (second.measure, second.lower_is_better) == ("ร้อยละ (ลดลง)", True)
    assert (second.target, second.achieved) == (Decimal("10.00"), Decimal("12.50"))
    assert second.is_met() is False  # 12.5 % of complaints late against at most 10 %
    assert second.plan_node is None
    assert second.plan_alignment_text == (
        "มิติที่ ๗.๔ - การบริหารจัดการเรื่องร้องเรียน เป้าหมายที่ ๗.๔.๑ เรื่องร้องเรียนของประชาชนได้รับการแก้ไขอย่างรวดเร็วและแจ้งผลให้ผู้ร้องทร"
    )
    assert quarters(second) == [
        (1, Decimal("15.00"), None, Decimal("100.00"), Decimal("0.00")),
        (2, Decimal("12.50"), None, Decimal("100.00"), Decimal("50.00")),
        (3, None, None, Decimal("0.00"), Decimal("0.00")),
        (4, None, None, Decimal("0.00"), Decimal("0.00")),
    ]
    assert second.quarters.get(quarter=3).narrative == "-"

    assert f"{UNIT_PAGE}: unit performance page, unit 50120000 (FY 2564), 2 KPI(s) of มิติที่ 1" in out
    assert "created: evaluation dimension 1, indicator 2, indicator quarter 8" in out
    assert (
        f"{UNIT_PAGE}:{line_of(UNIT_PAGE, 'มิติที่ ๗.๔')}: note: indicator 50120000-D1-1.2: plan node(s) 7.4, 7.4.1 "
        "not stored; the line is kept as text"
    ) in out
    assert "unplaced" not in out and "warning" not in out


def test_it_puts_the_kpis_in_a_stored_dimension_and_keeps_its_name(district):
    stored = EvaluationDimension.objects.create(number=1, name="ด้านประสิทธิผล", name_en="Effectiveness")

    out = import_ok(UNIT_PAGE, fy=2564)

    assert set(Indicator.objects.values_list("dimension", flat=True)) == {stored.pk}
    assert EvaluationDimension.objects.get().name == "ด้านประสิทธิผล"
    assert (f"{UNIT_PAGE}:5: note: มิติที่ 1 is stored as 'ด้านประสิทธิผล', the page says 'ด้านประสิทธิผลตามพันธกิจ'; kept") in out


def test_it_reads_the_header_without_the_variant_and_the_kpis_of_another_dimension(tmp_path, district):
    text = (
        text_of(UNIT_PAGE)
        .replace("ผลการปฏิบัติราชการประจำปี : ของหน่วยงาน : 50120000", "ผลการปฏิบัติราชการประจำปีของหน่วยงาน : 50120000")
        .replace("มิติที่ 1 ด้านประสิทธิผลตามพันธกิจ", "มิติที่ 2 ด้านประสิทธิภาพของการปฏิบัติราชการ")
        .replace("[มิติที่ 1 :", "[มิติที่ 2 :")
        .replace("(1) 1.1 ", "(1) 2.1 ")
        .replace("\n1.1  ", "\n2.1  ")
        .replace("(2) 1.2 ", "(2) 2.2 ")
        .replace("\n1.2  ", "\n2.2  ")
    )
    page = written(tmp_path, "index102.txt", text)

    out = import_ok(page, fy=2564)

    assert sorted(Indicator.objects.values_list("code", "dimension__number", "agreement_number")) == [
        ("50120000-D2-2.1", 2, "2.1"),
        ("50120000-D2-2.2", 2, "2.2"),
    ]
    assert EvaluationDimension.objects.get().name == "ด้านประสิทธิภาพของการปฏิบัติราชการ"
    assert "warning" not in out


def test_it_stores_the_kpis_of_a_unit_not_stored_yet_without_a_unit(db):
    out = import_ok(UNIT_PAGE, fy=2564)

    assert f"{UNIT_PAGE}:1: note: no unit 50120000: its KPIs stored without a unit" in out
    assert set(Indicator.objects.values_list("unit", flat=True)) == {None}
    assert "5.1, 5.1.1 not stored" in out  # no plan at all: the lines are kept as text
    assert Indicator.objects.get(code="50120000-D1-1.1").plan_alignment_text.startswith("มิติที่ ๕.๑ - ")


# --- the city-development indicator page ---------------------------------------------------


def test_it_stores_every_field_of_the_city_indicator_page(plan):
    out = import_ok(CITY_PAGE)  # no --fy: the base has no fiscal year

    city = CityIndicator.objects.get()
    assert (city.number, city.ordinal_display) == (123, "๒.")
    assert city.name == "ร้อยละของปริมาณมูลฝอยที่ต้องนำไปกำจัดลดลง"
    assert (city.measure, city.lower_is_better) == ("ลดลงร้อยละ", True)
    assert (city.target_text, city.target, city.base_year) == ("5 จากปีที่ผ่านมา พ.ศ. 2563", Decimal("5.00"), 2563)
    assert city.data_characteristic == "ตัวชี้วัดเป้าประสงค์"
    assert set(city.plan_nodes.all()) == {plan["1"], plan["1.1"], plan["1.1.2"]}
    assert city.plan_alignment_text == ""
    assert city.definitions == (
        "1.1 มูลฝอย หมายถึง เศษกระดาษ เศษผ้า เศษอาหาร เศษสินค้า ถุงพลาสติก ภาชนะที่ใส่อาหาร "
        "และสิ่งอื่นใดที่เก็บกวาดจากถนน ตลาด ที่เลี้ยงสัตว์ หรือที่อื่น\n"
        "1.2 ปริมาณมูลฝอยที่ต้องนำไปกำจัด หมายถึง ปริมาณมูลฝอยที่กรุงเทพมหานครเก็บขนไปยังศูนย์กำจัดมูลฝอยอ่อนนุช "
        "หนองแขม และสายไหม (ตันต่อวัน)"
    )
    assert city.sections == [
        {
            "number": "2",
            "title": "วิธีการคำนวณ",
            "text": "((ปริมาณมูลฝอยปีที่ผ่านมา - ปริมาณมูลฝอยปีปัจจุบัน) / ปริมาณมูลฝอยปีที่ผ่านมา) x 100",
        },
        {"number": "3", "title": "แหล่งข้อมูล", "text": "สำนักสิ่งแวดล้อม : รายงานปริมาณมูลฝอยที่เก็บขนได้รายเดือน"},
        {"number": "4", "title": "ความถี่ในการจัดเก็บข้อมูล", "text": "รายเดือน และสรุปรายปี"},
        {"number": "5", "title": "หน่วยงานที่รับผิดชอบ", "text": "สำนักสิ่งแวดล้อม ร่วมกับสำนักงานเขต 50 เขต"},
    ]
    assert CityIndicator.objects.search("มูลฝอย").get() == city
    assert f"{CITY_PAGE}: city-development indicator page, city indicator 123" in out
    assert "created: city indicator 1, plan node link 3" in out
    assert AuditEntry.objects.filter(model_label="indicators.cityindicator", action="create", user=None).count() == 1


def test_it_keeps_the_alignment_lines_it_cannot_find_as_printed(db):
    import_ok(CITY_PAGE)

    city = CityIndicator.objects.get()
    assert not city.plan_nodes.exists()
    assert city.plan_alignment_text == (
        ":ด้านที่ ๑ - มหานครปลอดภัย : Bangkok as a Safe City\n"
        ":มิติที่ ๑.๑ – ปลอดมลพิษ\n"
        ":เป้าหมายที่ ๑.๑.๒ ปริมาณมูลฝอยลดลงและได้รับการจัดการอย่างถูกหลักสุขาภิบาล%"
    )


# --- re-imports ----------------------------------------------------------------------------


def test_it_changes_nothing_when_the_same_pages_are_imported_again(district, plan):
    import_ok(KPI_PAGE, UNIT_PAGE, CITY_PAGE, fy=2564)
    before = database_rows()

    out = import_ok(KPI_PAGE, UNIT_PAGE, CITY_PAGE, fy=2564)

    assert database_rows() == before
    assert out.count("nothing changed") == 3
    assert "created:" not in out and "updated:" not in out
    assert "unchanged: indicator 2, indicator quarter 8" in out


def test_it_re_imports_an_unchanged_unit_page_in_few_queries(district, plan, django_assert_max_num_queries):
    import_ok(UNIT_PAGE, fy=2564)
    with django_assert_max_num_queries(14):
        import_ok(UNIT_PAGE, fy=2564)


def test_it_updates_from_a_newer_printout_and_audits_the_change(tmp_path, district):
    import_ok(KPI_PAGE, fy=2564)
    indicator = Indicator.objects.get(code="5012-0456")
    newer = written(
        tmp_path, "newer.txt", text_of(KPI_PAGE).replace("ผลงานที่ทำได้ ร้อยละ : 87.5000", "ผลงานที่ทำได้ ร้อยละ : 90.0000")
    )

    out = import_ok(newer, fy=2564)

    indicator.refresh_from_db()
    assert (indicator.achieved, indicator.version) == (Decimal("90.00"), 2)
    assert "updated: indicator 1" in out
    update = AuditEntry.objects.get(model_label="indicators.indicator", action="update")
    assert update.changes == {"achieved": ["87.50", "90.00"]}


# --- printouts cut off mid-sentence --------------------------------------------------------


def cut(path, tmp_path, after):
    """A copy of a page cut off in the middle of a line, just after the text `after`."""
    text = text_of(path)
    return written(tmp_path, f"cut_{path.name}", text[: text.index(after) + len(after)])


def test_it_imports_a_kpi_page_cut_off_mid_sentence_and_says_where_it_stops(tmp_path, district):
    page = cut(KPI_PAGE, tmp_path, "ให้คำแนะนำการทำางาน")

    out = import_ok(page, fy=2564)

    indicator = Indicator.objects.get(code="5012-0456")
    assert indicator.achieved == Decimal("87.50")
    assert [q[0] for q in quarters(indicator)] == [1, 2, 3, 4]  # the table comes before the narratives
    narratives = dict(indicator.quarters.values_list("quarter", "narrative"))
    assert narratives[2].endswith("\nเจ้าหน้าที่ลงพื้นที่ให้คำแนะนำการทำางาน")
    assert (narratives[3], narratives[4]) == ("", "")
    assert (
        f"{page}:{line_of(KPI_PAGE, 'เจ้าหน้าที่ลงพื้นที่')}: cut off: the printout stops here, in indicator 5012-0456: "
        "the narrative of quarter 2, mid-line (the last line has no line end); not on the page: narrative 3, "
        "narrative 4; imported what it holds"
    ) in out

    out = import_ok(KPI_PAGE, fy=2564)  # the whole page afterwards completes it
    assert "updated: indicator quarter 3" in out
    assert indicator.quarters.get(quarter=2).narrative.endswith("รวม 14 ,892,956.80 บาท")


def test_a_cut_off_printout_does_not_shorten_what_is_stored(tmp_path, district):
    import_ok(KPI_PAGE, fy=2564)
    before = database_rows()
    page = cut(KPI_PAGE, tmp_path, "ให้คำแนะนำการทำางาน")

    out = import_ok(page, fy=2564)

    assert database_rows() == before
    assert "narrative: the cut-off printout shows the beginning of the stored text; kept" in out
    assert "nothing changed" in out


def test_it_imports_a_unit_page_cut_off_inside_its_second_kpi(tmp_path, district, plan):
    page = cut(UNIT_PAGE, tmp_path, "รับเรื่องร้องเรียนสะสม 96 เรื่อง")

    out = import_ok(page, fy=2564)

    first = Indicator.objects.get(code="50120000-D1-1.1")
    assert first.quarters.get(quarter=4).narrative.endswith("คิดเป็นร้อยละ 56.37")
    second = Indicator.objects.get(code="50120000-D1-1.2")
    assert second.quarters.get(quarter=2).narrative == "รับเรื่องร้องเรียนสะสม 96 เรื่อง"
    assert not second.quarters.filter(quarter=3).exclude(narrative="").exists()
    assert (
        f"{page}:{line_of(UNIT_PAGE, 'รับเรื่องร้องเรียนสะสม')}: cut off: the printout stops here, in indicator "
        "50120000-D1-1.2: the narrative of quarter 2, mid-line (the last line has no line end); not on the page: "
        "narrative 3, narrative 4; imported what it holds"
    ) in out


def test_it_imports_a_unit_page_cut_off_in_a_quarter_row(tmp_path, district):
    text = text_of(UNIT_PAGE)
    end = text.index("2\n25.50\n\n100 / 50\n")
    result_line = text[:end].count("\n") + 2
    in_the_result = written(tmp_path, "cut_result.txt", text[: end + len("2\n25.5")])
    after_the_result = written(tmp_path, "cut_row.txt", text[: end + len("2\n25.50\n\n100 /")])

    out = import_ok(in_the_result, fy=2564)

    first = Indicator.objects.get(code="50120000-D1-1.1")
    # "25.5" may be the beginning of 25.50 or of 25.55: a value on the cut-off line is not read
    assert quarters(first) == [(1, Decimal("10.00"), None, Decimal("100.00"), Decimal("100.00"))]
    assert not Indicator.objects.filter(code="50120000-D1-1.2").exists()
    assert (
        f"{in_the_result}:{result_line}: cut off: the printout stops here, in indicator 50120000-D1-1.1: the quarter "
        "table, quarter 2, mid-line (the last line has no line end); the value on that line, cut off, is not read; "
        "not on the page: quarter 3, quarter 4, narrative 1, narrative 2, narrative 3, narrative 4; imported what "
        "it holds"
    ) in out

    import_ok(after_the_result, fy=2564)

    assert quarters(first)[1] == (2, Decimal("25.50"), None, None, None)  # the cells the page shows


def test_it_imports_a_city_page_cut_off_in_a_section_and_keeps_the_stored_rest(tmp_path, plan):
    page = cut(CITY_PAGE, tmp_path, "สำนักสิ่งแวดล้อม : รายงานปริมาณ")

    out = import_ok(page)

    city = CityIndicator.objects.get()
    assert [(s["number"], s["text"]) for s in city.sections] == [
        ("2", "((ปริมาณมูลฝอยปีที่ผ่านมา - ปริมาณมูลฝอยปีปัจจุบัน) / ปริมาณมูลฝอยปีที่ผ่านมา) x 100"),
        ("3", "สำนักสิ่งแวดล้อม : รายงานปริมาณ"),
    ]
    assert (
        f"{page}:{line_of(CITY_PAGE, 'สำนักสิ่งแวดล้อม : ')}: cut off: the printout stops here, in city indicator 123"
        in out
    )

    import_ok(CITY_PAGE)
    before = database_rows()
    out = import_ok(page)

    assert database_rows() == before  # section 3 whole and sections 4 and 5 kept
    assert "nothing changed" in out


def test_it_refuses_a_page_cut_off_before_its_key_and_stores_nothing(tmp_path):
    before = database_rows()
    pages = [  # the code 5012-0456 cut to 5012-04, the id 123 to 12, the unit code to 5012
        cut(KPI_PAGE, tmp_path, ": 5012-04"),
        cut(CITY_PAGE, tmp_path, "ลดลง : 12"),
        written(tmp_path, "unit.txt", "ผลการปฏิบัติราชการประจำปีของหน่วยงาน : 5012"),
    ]

    _out, err, error = run(*pages, fy=2564)

    assert f"{pages[0]}: refused: truncated header: no 'NAME : CODE' line" in err
    assert f"{pages[1]}: refused: truncated header: no 'NAME : ID' line" in err
    assert f"{pages[2]}:1: refused: the title line names no 8-digit unit code" in err
    assert str(error).startswith("3 of 3 file(s) not imported")
    assert database_rows() == before


def test_it_does_not_read_a_number_cut_off_in_the_header(tmp_path, district):
    page = cut(KPI_PAGE, tmp_path, "ค่าเป้าหมาย ร้อยละ : 80.0")

    out = import_ok(page, fy=2564)

    indicator = Indicator.objects.get(code="5012-0456")
    assert (indicator.name, indicator.target, indicator.measure) == ("ร้อยละของชุมชนที่จัดทำแผนพัฒนาชุมชน", None, "")
    assert f"{page}:7: cut off: the printout stops here, in indicator 5012-0456: the header, mid-line" in out
    assert "not on the page: measure, target, achieved, table, quarter 1" in out


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "printed", "replacement", "line", "message"),
    [
        (
            KPI_PAGE,
            "100 / 100\n2\n",
            "100 / 150\n2\n",
            32,
            "indicator 5012-0456 quarter 1 score 2.2 150.00 is outside 0–100",
        ),
        (KPI_PAGE, ": 80.0000", ": 80.1234", 7, "target '80.1234' has more than 2 decimals that are not zero"),
        (KPI_PAGE, "ไตรมาสที่ 3: 100.0000", "ไตรมาสที่ 3: เต็ม", 19, "audit score 'เต็ม' is not a number"),
        (
            KPI_PAGE,
            "72.5000\n100 / 50",
            "72.5000\n\n\n4",
            37,
            "indicator 5012-0456 quarter 3: no 'score 2.1 / score 2.2'",
        ),
        (UNIT_PAGE, "มิติที่ 1 ด้าน", "มิติที่ 5 ด้าน", 5, "evaluation dimension 5 is not 1–4"),
        (UNIT_PAGE, "ผลงาน :12.5000", "ผลงาน :สิบสอง", 78, "indicator 50120000-D1-1.2 result 'สิบสอง' is not a number"),
        # a value the database refuses, in the second KPI (its first line): the first is not stored either
        (
            UNIT_PAGE,
            "หน่วยนับ :ร้อยละ (ลดลง)",
            "หน่วยนับ :" + "ร" * 60,
            66,
            "ตัวชี้วัด refused: measure: ข้อความยาวเกินกำหนด: ไม่เกิน 50 ตัวอักษร",
        ),
        (CITY_PAGE, ": 5 จากปี", ": 5.555 จากปี", 7, "target '5.555' has more than 2 decimals"),
    ],
)
def test_it_refuses_a_bad_value_with_file_and_line_and_stores_nothing(
    tmp_path, district, page, printed, replacement, line, message
):
    text = text_of(page)
    assert printed in text
    bad = written(tmp_path, page.name, text.replace(printed, replacement, 1))
    before = database_rows()

    _out, err, error = run(bad, fy=2564)

    assert error is not None
    assert f"{bad}:{line}: refused: {message}" in err, err
    assert "Traceback" not in err
    assert database_rows() == before


def test_it_refuses_a_narrative_over_the_size_limit(tmp_path, district, settings):
    settings.MAX_NARRATIVE_CHARS = 100
    before = database_rows()

    _out, err, error = run(KPI_PAGE, fy=2564)

    assert (
        f"{KPI_PAGE}:{line_of(KPI_PAGE, 'รายงานผลฯ ไตรมาสที่ 1')}: refused: indicator 5012-0456: the narrative of " in err
    )
    assert "is longer than 100 characters" in err
    assert database_rows() == before


def test_it_imports_the_good_pages_of_a_run_with_a_bad_one(tmp_path, district):
    bad = written(tmp_path, "bad.txt", text_of(KPI_PAGE).replace("100 / 100\n2\n", "100 / 150\n2\n", 1))

    _out, _err, error = run(bad, UNIT_PAGE, CITY_PAGE, fy=2564)

    assert str(error).startswith("1 of 3 file(s) not imported")
    assert not Indicator.objects.filter(code="5012-0456").exists()
    assert Indicator.objects.filter(code__startswith="50120000-D1-").count() == 2
    assert CityIndicator.objects.filter(number=123).exists()


def test_it_prints_the_lines_it_cannot_place_with_file_and_line(tmp_path, district):
    text = text_of(KPI_PAGE).replace("0\n\nรายละเอียดตัวชี้วัดฯ", "0\n\nหมายเหตุ: บรรทัดที่ไม่รู้จัก\n\nรายละเอียดตัวชี้วัดฯ")
    page = written(tmp_path, "extra.txt", text)

    out = import_ok(page, fy=2564)

    assert f"{page}:17: unplaced line: หมายเหตุ: บรรทัดที่ไม่รู้จัก" in out
    assert out.count("unplaced line") == 1


# --- page types the importer does not read ---------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Checked List : รายงานที่ผู้ตรวจสอบเลือกแล้ว", "checked list"),
        ("สรุปผลการดำเนินงาน SED รายไตรมาส", "SED (สยป.) summary"),
        ("คัดลอกตัวชี้วัดไปปีงบประมาณถัดไป", "KPI copy screen"),
        ("แสดงขั้นตอนการดำเนินงานโครงการ : 24000000-3029", "plan steps page"),
        ("**** ผลการดำเนินงานส่วนที่ 1 ผลการเบิกจ่ายงบประมาณ ****", "results report (ผลการดำเนินงานส่วนที่ …)"),
        ("รายงานสรุปโครงการตามแผนปฏิบัติราชการ", "legacy page of a type the importer does not know"),
    ],
)
def test_it_refuses_a_legacy_page_of_an_unsupported_type_naming_the_type(tmp_path, title, kind):
    page = written(tmp_path, "other.txt", f"\n{title}\n\nBack Home\n\nรายการที่ 1\n")
    before = database_rows()

    _out, err, error = run(page)

    assert f"{page}:2: refused: unsupported page type: the title line {title!r} is that of a {kind}" in err
    assert "this page type is not supported yet" in err
    assert "not a legacy printout" not in err
    assert error is not None
    assert database_rows() == before


def test_it_still_calls_an_unrelated_text_not_a_legacy_printout(tmp_path):
    page = written(tmp_path, "minutes.txt", "รายงานการประชุม\nวาระที่ 1 เรื่องแจ้งเพื่อทราบ\n")

    _out, err, _error = run(page)

    assert f"{page}:1: refused: not a legacy printout: the first line is 'รายงานการประชุม'" in err
