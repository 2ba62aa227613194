"""A unit's annual performance agreement (คำรับรองการปฏิบัติราชการ, legacy index101–104): the
units' index, the page per unit and fiscal year, its print page and PDF."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from bma_tracker import thaidate
from indicators.agreement import dotted_number_key
from tests import factories
from tests.conftest import login
from tests.pdftools import page_size_points, pdffonts, pdftotext, squash

FY = 2566


def page_url(unit_code="24000000", fy=FY):
    return reverse("indicators:performance", args=[unit_code, fy])


def print_url(unit_code="24000000", fy=FY):
    return reverse("reports:performance_print", args=[unit_code, fy])


def pdf_url(unit_code="24000000", fy=FY):
    return reverse("reports:performance_pdf", args=[unit_code, fy])


INDEX_URL = reverse("indicators:performance_index")


@pytest.fixture
def dimensions(db):
    return factories.make_dimensions()


@pytest.fixture
def agreement(social_dept, dimensions):
    """สำนักพัฒนาสังคม's agreement of FY 2566: three KPIs in dimension 1 (entered out of order),
    one in dimension 2 (a target in words, lower is better), none in 3, one in 4."""
    dimension_node = factories.make_plan_node("3", "มหานครสำหรับทุกคน")
    sub = factories.make_plan_node("3.2", "สังคมแห่งโอกาส", edition=dimension_node.edition, parent=dimension_node)
    goal = factories.make_plan_node("3.2.2", "ประชาชนมีอาชีพ", edition=dimension_node.edition, parent=sub)
    ten = factories.make_agreement_kpi(
        social_dept, dimensions[1], "1.10", code="2400-0110", name="ร้อยละของผู้สูงอายุที่ได้รับการดูแล"
    )
    two = factories.make_agreement_kpi(
        social_dept,
        dimensions[1],
        "1.2",
        code="2400-0102",
        name="ร้อยละความสำเร็จของการฝึกอาชีพ",
        category_tag="ตัวชี้วัดเจรจา",
        plan_node=goal,
        achieved=Decimal("56.37"),
    )
    one = factories.make_agreement_kpi(
        social_dept,
        dimensions[1],
        "1.1",
        code="2400-0101",
        name="จำนวนกลุ่มอาชีพที่จัดตั้ง",
        measure="กลุ่ม",
        target=Decimal("3"),
        plan_alignment_text="มิติที่ ๗.๔ - การพัฒนาบุคลากร เป้าหมายที่ ๗.๔.๑ บุคลากรมีความรู้",
    )
    budget = factories.make_agreement_kpi(
        social_dept,
        dimensions[2],
        "2.1",
        code="2400-0201",
        name="ร้อยละของเรื่องร้องเรียนที่ค้างดำเนินการลดลง",
        measure="ร้อยละ (ลดลง)",
        lower_is_better=True,
        target=Decimal("5"),
        target_text="5 จากปีที่ผ่านมา พ.ศ. 2565",
        base_year=2565,
    )
    people = factories.make_agreement_kpi(
        social_dept, dimensions[4], "4.1", code="2400-0401", name="ระดับความสำเร็จของการพัฒนาบุคลากร"
    )
    factories.make_indicator_quarter(
        two,
        1,
        result=Decimal("20"),
        score_1=Decimal("100"),
        score_2=Decimal("50"),
        narrative="จัดฝึกอบรม 2 รุ่น\nรวม 60 คน",
    )
    factories.make_indicator_quarter(two, 2, result=Decimal("56.37"), narrative="")
    # Not on the page: another year, another unit, an indicator outside the agreement.
    factories.make_agreement_kpi(social_dept, dimensions[1], "1.3", fiscal_year=FY - 1, name="ตัวชี้วัดปีก่อน")
    factories.make_agreement_kpi(factories.make_unit(), dimensions[1], "1.1", name="ตัวชี้วัดหน่วยงานอื่น")
    factories.make_indicator(unit=social_dept, fiscal_year=FY, name="ตัวชี้วัดที่ไม่อยู่ในคำรับรอง")
    return {"one": one, "two": two, "ten": ten, "budget": budget, "people": people}


def section(html, number):
    """The HTML of one dimension's section."""
    match = re.search(
        rf'<section class="agreement-dimension"[^>]*data-dimension="{number}">(.*?)</section>', html, re.S
    )
    assert match, f"no section for dimension {number}"
    return match[1]


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [INDEX_URL, page_url(), print_url(), pdf_url()])
def test_anonymous_visitors_are_sent_to_login(client, agreement, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("reader", ["staff", "other_staff", "director", "planner"])
def test_every_signed_in_user_reads_any_units_agreement(client, agreement, reader, request):
    login(client, request.getfixturevalue(reader))
    for url in (INDEX_URL, page_url(), print_url()):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "url",
    [
        page_url("99999999"),
        "/indicators/performance/24000000/99999/",
        print_url("99999999"),
        pdf_url("99999999"),
        pdf_url(fy=1999),
    ],
)
def test_an_unknown_unit_or_fiscal_year_is_404(client, staff, agreement, url):
    assert login(client, staff).get(url).status_code == 404


def test_a_fiscal_year_too_big_for_the_database_is_404_not_500(client, staff, agreement):
    assert login(client, staff).get(f"/indicators/performance/24000000/{'9' * 30}/").status_code == 404


def test_the_page_only_answers_get(client, staff, agreement):
    assert login(client, staff).post(page_url()).status_code == 405


# --- what the page shows ------------------------------------------------------------------------


def test_it_has_one_section_per_dimension_in_order(client, staff, agreement):
    html = login(client, staff).get(page_url()).content.decode()
    assert re.findall(r'data-dimension="(\d)"', html) == ["1", "2", "3", "4"]
    assert "มิติที่ 1 ด้านประสิทธิผลตามพันธกิจ" in text(html)
    assert "มิติที่ 2 ด้านประสิทธิภาพของการปฏิบัติราชการ" in text(html)
    assert "ผลการปฏิบัติราชการประจำปีของหน่วยงาน : 24000000" in text(html)


def test_kpis_are_ordered_by_their_number_read_as_numbers(client, staff, agreement):
    first = section(login(client, staff).get(page_url()).content.decode(), 1)
    assert re.findall(r'data-number="([^"]+)"', first) == ["1.1", "1.2", "1.10"]
    assert re.findall(r'<span class="kpi-ordinal">\((\d+)\)</span>', first) == ["1", "2", "3"]


def test_it_lists_only_the_units_agreement_kpis_of_the_year(client, staff, agreement):
    html = login(client, staff).get(page_url()).content.decode()
    assert re.findall(r'class="agreement-kpi"[^>]*data-code="([^"]+)"', html) == [
        "2400-0101",
        "2400-0102",
        "2400-0110",
        "2400-0201",
        "2400-0401",
    ]
    for absent in ("ตัวชี้วัดปีก่อน", "ตัวชี้วัดหน่วยงานอื่น", "ตัวชี้วัดที่ไม่อยู่ในคำรับรอง"):
        assert absent not in html


def test_an_empty_dimension_says_so(client, staff, agreement):
    html = login(client, staff).get(page_url()).content.decode()
    assert "หน่วยงานไม่มีตัวชี้วัดในมิตินี้ในปีงบประมาณนี้" in section(html, 3)
    assert "หน่วยงานไม่มีตัวชี้วัดในมิตินี้" not in section(html, 1)


def test_a_kpi_shows_number_name_tag_plan_path_measure_target_and_achieved(client, staff, agreement):
    kpi = text(section(login(client, staff).get(page_url()).content.decode(), 1))
    assert "(2) 1.2 ร้อยละความสำเร็จของการฝึกอาชีพ" in kpi
    assert "[มิติที่ 1 : ตัวชี้วัดเจรจา]" in kpi
    assert "ด้านที่ ๓ - มหานครสำหรับทุกคน › มิติที่ ๓.๒ - สังคมแห่งโอกาส › เป้าหมายที่ ๓.๒.๒ - ประชาชนมีอาชีพ" in kpi
    assert "หน่วยนับ : ร้อยละ" in kpi
    assert "เป้าหมาย : 100" in kpi
    assert "ผลงาน : 56.37" in kpi


def test_without_a_plan_node_the_alignment_text_is_shown(client, staff, agreement):
    kpi = text(section(login(client, staff).get(page_url()).content.decode(), 1))
    assert "มิติที่ ๗.๔ - การพัฒนาบุคลากร เป้าหมายที่ ๗.๔.๑ บุคลากรมีความรู้" in kpi
    assert "ไม่ระบุความสอดคล้องกับแผนพัฒนากรุงเทพมหานคร" in kpi  # 1.10 has neither


def test_a_target_in_words_its_base_year_and_lower_is_better_are_shown(client, staff, agreement):
    kpi = text(section(login(client, staff).get(page_url()).content.decode(), 2))
    assert "เป้าหมาย : 5 จากปีที่ผ่านมา พ.ศ. 2565 (ปีฐาน พ.ศ. 2565)" in kpi
    assert "หน่วยนับ : ร้อยละ (ลดลง) ค่าน้อยดีกว่า" in kpi
    assert "ค่าน้อยดีกว่า" not in section(login(client, staff).get(page_url()).content.decode(), 1)


def test_the_quarter_table_and_the_narratives(client, staff, agreement):
    html = login(client, staff).get(page_url()).content.decode()
    kpi = re.search(r'data-code="2400-0102".*?</article>', html, re.S)[0]
    rows = re.findall(
        r'data-quarter="(\d)">\s*<th scope="row">\d</th>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>', kpi
    )
    assert rows == [("1", "20", "100 / 50"), ("2", "56.37", "- / -"), ("3", "-", "- / -"), ("4", "-", "- / -")]
    narratives = text(kpi)
    assert "รายงานผลฯ ไตรมาสที่ 1 จัดฝึกอบรม 2 รุ่น รวม 60 คน" in narratives
    assert "รายงานผลฯ ไตรมาสที่ 2 -" in narratives  # reported, no words
    assert "รายงานผลฯ ไตรมาสที่ 3" not in narratives  # nothing reported
    # The code links to the indicator's report at its latest reported quarter.
    assert reverse("reports:indicator_report", args=["2400-0102", FY, 2]) in kpi


def test_it_links_to_its_print_page_pdf_and_the_other_years(client, staff, agreement):
    html = login(client, staff).get(page_url()).content.decode()
    assert f'href="{print_url()}"' in html
    assert f'href="{pdf_url()}"' in html
    assert f'href="{page_url(fy=FY - 1)}"' in html  # the unit has an agreement in FY 2565 too


def test_a_unit_without_an_agreement_that_year_gets_a_page_of_empty_dimensions(
    client, staff, district_office, dimensions
):
    html = login(client, staff).get(page_url("50240000")).content.decode()
    assert html.count("หน่วยงานไม่มีตัวชี้วัดในมิตินี้ในปีงบประมาณนี้") == 4


def test_english_ui_shows_english_labels(client, staff, agreement):
    login(client, staff)
    client.cookies["django_language"] = "en"
    page = text(client.get(page_url()).content.decode())
    assert "Dimension 1 Effectiveness" in page
    assert "Annual performance of the unit : 24000000" in page
    assert "Measure : ร้อยละ (ลดลง) Lower is better" in page
    assert "Target : 5 จากปีที่ผ่านมา พ.ศ. 2565 (base year 2565 BE)" in page
    assert "The unit has no indicators in this dimension this fiscal year" in page
    assert "หน่วยนับ" not in page and "ค่าน้อยดีกว่า" not in page
    index = text(client.get(INDEX_URL).content.decode())
    assert "Performance agreements, fiscal year 2566" in index


# --- pinned query counts -------------------------------------------------------------------------

# session, the user with their unit, the unit, its agreement KPIs with their plan path, their
# quarters, the dimensions, the unit's years.
PAGE_QUERIES = 7


@pytest.mark.parametrize("extra", [0, 30])
def test_the_page_query_count_does_not_grow_with_the_kpis(
    client, staff, agreement, dimensions, extra, django_assert_num_queries
):
    for n in range(extra):
        kpi = factories.make_agreement_kpi(agreement["one"].unit, dimensions[1 + n % 4], f"{1 + n % 4}.{20 + n}")
        factories.make_indicator_quarter(kpi, 1, result=Decimal(n), narrative=f"รายงาน {n}")
    login(client, staff)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(page_url())
    assert response.context["kpi_count"] == 5 + extra


# The same less the years (the print page has no year links).
PRINT_QUERIES = 6


@pytest.mark.parametrize("extra", [0, 30])
def test_the_print_page_query_count_does_not_grow_with_the_kpis(
    client, staff, agreement, dimensions, extra, django_assert_num_queries
):
    for n in range(extra):
        factories.make_agreement_kpi(agreement["one"].unit, dimensions[1 + n % 4], f"{1 + n % 4}.{20 + n}")
    login(client, staff)
    with django_assert_num_queries(PRINT_QUERIES):
        assert client.get(print_url()).status_code == 200


# session, the user with their unit, the years with agreements, the units of the year.
INDEX_QUERIES = 4


@pytest.mark.parametrize("units", [1, 20])
def test_the_index_query_count_does_not_grow_with_the_units(
    client, staff, dimensions, units, django_assert_num_queries
):
    for _ in range(units):
        factories.make_agreement_kpi(factories.make_unit(), dimensions[1], "1.1")
    login(client, staff)
    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(INDEX_URL, {"fy": FY})
    assert len(response.context["units"]) == units


# --- the print page and the PDF --------------------------------------------------------------


def test_the_print_page_holds_the_same_sections_on_an_a4_sheet(client, staff, agreement):
    html = login(client, staff).get(print_url()).content.decode()
    assert "size: A4 portrait" in html
    assert re.findall(r'data-dimension="(\d)"', html) == ["1", "2", "3", "4"]
    assert re.findall(r'class="agreement-kpi"[^>]*data-number="([^"]+)"', html) == ["1.1", "1.2", "1.10", "2.1", "4.1"]
    assert "หน่วยงานไม่มีตัวชี้วัดในมิตินี้ในปีงบประมาณนี้" in section(html, 3)
    assert f'href="{pdf_url()}"' in html
    assert thaidate.format_medium(thaidate.today()) in html


def test_the_pdf_is_a4_with_its_thai_text_extractable_and_fonts_embedded(client, staff, agreement):
    response = login(client, staff).get(pdf_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="performance-24000000-2566.pdf"' in response["Content-Disposition"]
    pdf = response.content
    width, height = page_size_points(pdf)
    assert (round(width), round(height)) == (595, 842)
    extracted = squash(pdftotext(pdf))
    for piece in (
        "ผลการปฏิบัติราชการประจำปีของหน่วยงาน : 24000000",
        "มิติที่ 1 ด้านประสิทธิผลตามพันธกิจ",
        "(2) 1.2 ร้อยละความสำเร็จของการฝึกอาชีพ",
        "[มิติที่ 1 : ตัวชี้วัดเจรจา]",
        "5 จากปีที่ผ่านมา พ.ศ. 2565",
        "จัดฝึกอบรม 2 รุ่น",
        "หน่วยงานไม่มีตัวชี้วัดในมิตินี้ในปีงบประมาณนี้",
    ):
        assert squash(piece) in extracted, piece
    fonts = pdffonts(pdf)
    assert fonts and all(font["emb"] == "yes" for font in fonts)
    assert any("Laksaman" in font["name"] for font in fonts)


# --- the index ------------------------------------------------------------------------------


def test_the_index_lists_the_units_with_an_agreement_that_year_the_readers_first(client, staff, dimensions):
    social = staff.unit
    earlier = factories.make_unit(code="10000000", name="สำนักปลัดกรุงเทพมหานคร")
    later = factories.make_unit(code="90000099", name="หน่วยงานท้ายสุด")
    factories.make_unit(code="30000000", name="หน่วยงานไม่มีคำรับรอง")
    for unit in (earlier, later, social):
        factories.make_agreement_kpi(unit, dimensions[1], "1.1")
    factories.make_agreement_kpi(social, dimensions[2], "2.1")
    factories.make_agreement_kpi(factories.make_unit(code="40000000"), dimensions[1], "1.1", fiscal_year=FY - 1)
    factories.make_indicator(unit=factories.make_unit(code="60000000"), fiscal_year=FY)  # not an agreement KPI

    response = login(client, staff).get(INDEX_URL, {"fy": FY})
    units = [(unit.code, unit.kpi_count) for unit in response.context["units"]]
    assert units == [("24000000", 2), ("10000000", 1), ("90000099", 1)]
    html = response.content.decode()
    assert f'href="{page_url("24000000")}"' in html
    assert "หน่วยงานของท่าน" in html


def test_the_index_shows_the_newest_year_with_agreements_by_default(client, staff, dimensions):
    factories.make_agreement_kpi(staff.unit, dimensions[1], "1.1", fiscal_year=2563)
    factories.make_agreement_kpi(staff.unit, dimensions[1], "1.1", fiscal_year=2564)
    response = login(client, staff).get(INDEX_URL)
    assert response.context["fiscal_year"] == 2564
    html = response.content.decode()
    assert '<option value="2563">' in html and '<option value="2564" selected>' in html


def test_a_bad_year_gets_a_message_and_the_default_year(client, staff, dimensions):
    factories.make_agreement_kpi(staff.unit, dimensions[1], "1.1", fiscal_year=2564)
    for value in ("2400", "abc", "9" * 40):
        response = login(client, staff).get(INDEX_URL, {"fy": value})
        assert response.status_code == 200
        assert response.context["fiscal_year"] == 2564
        assert "ไม่มีคำรับรองการปฏิบัติราชการในปีงบประมาณที่เลือก" in response.content.decode()


def test_the_index_says_when_the_readers_unit_has_no_agreement(client, other_staff, dimensions):
    factories.make_agreement_kpi(factories.make_unit(), dimensions[1], "1.1", fiscal_year=FY)
    html = login(client, other_staff).get(INDEX_URL, {"fy": FY}).content.decode()
    assert "หน่วยงานของท่าน (สำนักงานเขตราษฎร์บูรณะ) ยังไม่มีตัวชี้วัดตามคำรับรองการปฏิบัติราชการในปีงบประมาณนี้" in text(html)
    assert f'href="{page_url("50240000")}"' in html


# --- reachable by clicking --------------------------------------------------------------------


def test_the_navigation_links_to_the_index_and_the_city_base(client, staff, agreement):
    html = login(client, staff).get(reverse("projects:list")).content.decode()
    assert f'href="{INDEX_URL}"' in html and "คำรับรองการปฏิบัติราชการ" in html
    assert f'href="{reverse("indicators:city_list")}"' in html


def test_a_units_dashboard_links_to_its_performance_page_of_the_year(client, staff, agreement):
    html = login(client, staff).get(reverse("dashboard:index"), {"unit": "24000000", "fy": FY}).content.decode()
    assert f'href="{page_url()}"' in html and "ผลการปฏิบัติราชการประจำปี" in html
    whole_bma = login(client, staff).get(reverse("dashboard:index"), {"group": "", "fy": FY}).content.decode()
    assert "/indicators/performance/24000000/" not in whole_bma


# --- the ordering rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numbers",
    [
        ["1.1", "1.2", "1.10"],
        ["2", "2.1", "2.1.1", "2.2", "10"],
        ["๑.๒", "1.3", "๑.๑๐"],
        ["1.2", "1.2a", "ก"],
        ["3.1", ""],
    ],
)
def test_dotted_numbers_sort_as_numbers(numbers):
    rotated = [*numbers[1:], numbers[0]]  # the first one last: out of order
    assert sorted(rotated, key=dotted_number_key) == numbers


def test_these_pages_have_no_inline_script_or_event_handler(client, staff, agreement):
    """The Content-Security-Policy allows scripts from our static files only."""
    number = factories.make_city_indicator().number
    login(client, staff)
    for url in (
        INDEX_URL,
        page_url(),
        print_url(),
        reverse("indicators:city_list"),
        reverse("indicators:city_detail", args=[number]),
    ):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"{url}: inline {tag}"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url
