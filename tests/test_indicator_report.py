"""The indicator report for one indicator and one quarter (issue 6, part 1): seed 002's sections
in its order and words, as an HTML preview and an A4 PDF whose Thai text extracts exactly."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from bma_tracker import thaidate
from indicators.models import Indicator
from reports.indicator_report import indicator_report_data
from tests import factories
from tests.conftest import login
from tests.paths import SEEDS
from tests.pdftools import inflated, page_size_points, pdffonts, pdfinfo, pdftotext, squash

SEED_002 = SEEDS / "002_b90a0f8adbbb71e4.txt"
PDF_URL = "/reports/indicators/2400-9001/2564/q4.pdf"
HTML_URL = "/reports/indicators/2400-9001/2564/q4/"
TITLE = "ผลการดำเนินงานส่วนที่ 2 ผลสัมฤทธิ์การปฏิบัติงานตามแผนปฏิบัติราชการประจำปี แยกรายตัวชี้วัด"
CERTIFICATION = "ขอรับรองว่า ข้อมูลที่ปรากฏในเอกสารฉบับนี้ หน่วยงานได้จัดพิมพ์จากระบบงานจริง เพื่อเป็นหลักฐานไว้ตรวจสอบ"


@pytest.fixture
def seed_indicator(db):
    call_command(
        "import_legacy", str(SEED_002), indicator_code="2400-9001", fy=2564, stdout=io.StringIO(), stderr=io.StringIO()
    )
    return Indicator.objects.get(code="2400-9001", fiscal_year=2564)


def seed_pieces():
    """Every text of seed 002, read from the printout itself (not through the importer), in
    order: each line cut at its " : " separators, without the printout's decorations (::, ****,
    -----) and without its running title, which the report prints once, as the brief words it."""
    pieces = []
    for line in SEED_002.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("**** ผลการดำเนินงานส่วนที่ 2"):
            continue
        line = re.sub(r"^(::|:|\*+|-{3,})\s*", "", line).rstrip("*").strip()
        for piece in re.split(r"\s+:\s*|\s*:\s+", line):
            piece = piece.strip(" :")
            if piece:
                pieces.append(piece)
    return pieces


def dots(text):
    """Dotted lines for handwriting are as long as the layout wants."""
    return re.sub(r"\.{3,}", "...", text)


def assert_in_order(pieces, text):
    text = dots(squash(text))
    position = 0
    for piece in pieces:
        found = text.find(dots(squash(piece)), position)
        assert found >= 0, f"missing or out of order: {piece!r}"
        position = found + len(dots(squash(piece)))


def body_text(pdf):
    """The PDF's text in physical layout without the page footers, which cut texts that run
    over a page. (In reading order pdftotext drops a "-" that ends a line, as a hyphen.)"""
    text = pdftotext(pdf, "-layout")
    return re.sub(r"^.*ตัวชี้วัด \S+ · ปีงบประมาณ .* หน้า \d+ / \d+\s*$", "", text, flags=re.MULTILINE)


def get_pdf(client, user, url=PDF_URL):
    response = login(client, user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def test_it_prints_every_text_of_the_seed_in_its_order(client, staff, seed_indicator):
    pdf = get_pdf(client, staff).content
    pieces = seed_pieces()
    assert len(pieces) > 30
    assert_in_order(pieces, body_text(pdf))


def test_it_prints_the_seeds_long_texts_exactly(client, staff, seed_indicator):
    text = squash(body_text(get_pdf(client, staff).content))
    for value in (
        seed_indicator.name,
        seed_indicator.definitions,
        seed_indicator.calculation,
        *(quarter.narrative for quarter in seed_indicator.quarters.all()),
    ):
        assert squash(value) in text


def test_it_prints_the_title_certification_and_signature_block(client, staff, seed_indicator):
    seed_indicator.reporter_name = "นางสาวสมใจ ใฝ่ดี"
    seed_indicator.reporter_position = "นักวิเคราะห์นโยบายและแผนชำนาญการ"
    seed_indicator.save()
    text = pdftotext(get_pdf(client, staff).content)
    assert_in_order(
        [TITLE, CERTIFICATION, "ลงชื่อ", "(ผู้รายงานข้อมูล)", "(นางสาวสมใจ ใฝ่ดี)", "ตำแหน่ง นักวิเคราะห์นโยบายและแผนชำนาญการ"],
        text,
    )


def test_it_puts_the_code_the_print_date_and_page_numbers_in_the_footer(client, staff, seed_indicator):
    text = pdftotext(get_pdf(client, staff).content)
    printed = thaidate.format_medium(date.today())
    assert f"ตัวชี้วัด 2400-9001 · ปีงบประมาณ 2564 ไตรมาสที่ 4 · พิมพ์เมื่อ {printed}" in text
    assert re.search(r"หน้า 1 / \d", text)


def test_it_is_an_a4_pdf_with_every_font_embedded(client, staff, seed_indicator):
    pdf = get_pdf(client, staff).content
    width, height = page_size_points(pdf)
    assert (round(width), round(height)) == (595, 842)
    fonts = pdffonts(pdf)
    assert fonts
    assert all(font["emb"] == "yes" for font in fonts)
    assert {font["name"].split("+")[1] for font in fonts} <= {"Laksaman", "Laksaman-Bold"}


def test_it_names_the_file_after_the_indicator_and_quarter(client, staff, seed_indicator):
    response = get_pdf(client, staff)
    assert response["Content-Disposition"] == 'inline; filename="indicator-2400-9001-2564-q4.pdf"'


@pytest.mark.parametrize("query", ["?variant=pdf/a-2b", "?pdfa=1"])
def test_it_offers_a_pdf_a_2b_variant(client, staff, seed_indicator, query):
    pdf = get_pdf(client, staff, PDF_URL + query).content
    xmp = pdfinfo(pdf, "-meta")["xmp"]
    assert 'pdfaid:part="2"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert b"/S /GTS_PDFA1" in inflated(pdf)  # the output intent
    # The exact-Thai fix survives: ActualText is allowed in PDF/A-2.
    assert b"/ActualText" in inflated(pdf)
    assert squash(seed_indicator.definitions) in squash(body_text(pdf))


def test_the_plain_pdf_is_not_pdf_a(client, staff, seed_indicator):
    assert "pdfaid" not in pdfinfo(get_pdf(client, staff).content, "-meta")["xmp"]


def test_it_reports_the_quarters_up_to_the_chosen_one(client, staff, seed_indicator):
    text = squash(pdftotext(get_pdf(client, staff, "/reports/indicators/2400-9001/2564/q2.pdf").content))
    assert squash("(6.1) ไตรมาสที่ 1") in text
    assert squash("(6.2) ไตรมาสที่ 2") in text
    assert squash("(6.3)") not in text
    assert squash("(6.5) สรุปผลการดำเนินงาน (ปลายปีงบประมาณ)") in text


def test_it_marks_the_level_of_the_indicator(client, staff, seed_indicator):
    seed_indicator.level = Indicator.Level.OUTCOME
    seed_indicator.save()
    html = login(client, staff).get(HTML_URL).content.decode()
    assert re.search(r'class="box"></span>ผลผลิต \(Output\)', html)
    assert re.search(r'class="box checked"></span>ผลลัพธ์ \(Outcome\)', html)


def test_it_walks_up_the_plan_from_the_indicators_node(client, staff):
    dimension = factories.make_plan_node(code="3", title="มหานครสำหรับทุกคน")
    sub = factories.make_plan_node(code="3.2", title="เมืองแห่งโอกาสทางเศรษฐกิจ", parent=dimension)
    goal = factories.make_plan_node(code="3.2.2", title="คนกรุงเทพฯมีโอกาสได้รับการฝึกอาชีพ", parent=sub)
    tactic = factories.make_plan_node(code="3.2.2.1", title="พัฒนาโรงเรียนฝึกอาชีพ", parent=goal)
    factories.make_indicator(code="2400-1065", plan_node=tactic)
    html = login(client, staff).get("/reports/indicators/2400-1065/2564/q1/").content.decode()
    assert_in_order(
        [
            "ประเด็นยุทธศาสตร์ :",
            "ด้านที่ ๓ - มหานครสำหรับทุกคน",
            "ย่อย :",
            "มิติที่ ๓.๒ - เมืองแห่งโอกาสทางเศรษฐกิจ",
            "เป้าประสงค์ที่ :",
            "เป้าหมายที่ ๓.๒.๒ คนกรุงเทพฯมีโอกาสได้รับการฝึกอาชีพ",
            "๓.๒.๒.๑ พัฒนาโรงเรียนฝึกอาชีพ",
        ],
        re.sub(r"<[^>]+>", "", html),
    )


def test_the_html_preview_shows_the_same_sections_and_links_the_pdfs(client, staff, seed_indicator):
    response = login(client, staff).get(HTML_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert_in_order(seed_pieces(), re.sub(r"<[^>]+>", "", html).replace("&#x27;", "'"))
    assert f'href="{PDF_URL}"' in html
    assert f'href="{PDF_URL}?variant=pdf/a-2b"' in html


def test_the_data_function_gives_quarters_up_to_the_chosen_one(seed_indicator):
    factories.make_indicator_quarter(factories.make_indicator(code="2400-1000"), quarter=1)
    seed_indicator.quarters.filter(quarter=2).delete()
    data = indicator_report_data(seed_indicator, 3)
    assert [(q.number, q.reported) for q in data["quarters"]] == [(1, True), (2, False), (3, True)]
    assert data["goal"].code == "3.2.1"
    assert data["sub_dimension"].code == "3.2"
    assert data["dimension"].code == "3"
    with pytest.raises(ValueError):
        indicator_report_data(seed_indicator, 5)


def test_it_shows_a_quarters_result_value(client, staff):
    indicator = factories.make_indicator(code="2400-1066", measure="กลุ่ม", target=Decimal("3"))
    factories.make_indicator_quarter(indicator, quarter=1, narrative="ดำเนินการครบ", result=Decimal("2.50"))
    text = squash(
        re.sub(r"<[^>]+>", "", login(client, staff).get("/reports/indicators/2400-1066/2564/q1/").content.decode())
    )
    assert squash("(6.1) ไตรมาสที่ 1 : ดำเนินการครบ ผลงาน : 2.50 (กลุ่ม)") in text
    assert squash("5. เป้าหมาย : 3 (กลุ่ม)") in text


@pytest.mark.parametrize(
    "url",
    [
        "/reports/indicators/2400-0000/2564/q4/",
        "/reports/indicators/2400-9001/2563/q4/",
        "/reports/indicators/2400-9001/2564/q0/",
        "/reports/indicators/2400-9001/2564/q5/",
        "/reports/indicators/2400-0000/2564/q4.pdf",
        "/reports/indicators/2400-9001/2564/q5.pdf",
    ],
)
def test_it_is_not_found_for_an_unknown_indicator_or_quarter(client, staff, seed_indicator, url):
    assert login(client, staff).get(url).status_code == 404


@pytest.mark.parametrize("url", [HTML_URL, PDF_URL])
def test_anonymous_users_are_sent_to_log_in(client, seed_indicator, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [HTML_URL, PDF_URL])
def test_every_signed_in_user_may_read_it(client, other_staff, seed_indicator, url):
    assert login(client, other_staff).get(url).status_code == 200


@pytest.mark.parametrize("url", [HTML_URL, PDF_URL])
def test_it_refuses_post(client, staff, seed_indicator, url):
    assert login(client, staff).post(url).status_code == 405


@pytest.mark.parametrize("url", [HTML_URL, PDF_URL])
def test_it_reads_the_report_in_few_queries(client, staff, seed_indicator, url, django_assert_max_num_queries):
    login(client, staff)
    # session, user, indicator with its plan path, quarters, their evidence files' names
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200
