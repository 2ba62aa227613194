"""The quarterly indicator book (issue 6): a unit's indicators (with its sub-units) in one PDF,
cover, contents whose page numbers are right, one bookmark per unit and per indicator, each
indicator as its own report, Thai text that extracts exactly, every font embedded."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from bma_tracker import thaidate
from reports.book import build_book
from reports.scopes import Scope
from tests import factories
from tests.pdftools import pdffonts, pdftotext, squash

NAMES = [
    "ร้อยละของผู้สูงอายุที่ได้รับการดูแลตามมาตรฐานที่กำหนด",
    "ระดับความสำเร็จของการพัฒนาศูนย์บริการคนไร้บ้านแบบบูรณาการ ซึ่งมีชื่อยาวพอที่จะขึ้นบรรทัดใหม่ในสารบัญ",
    "จำนวนชุมชนที่ได้รับการพัฒนาศักยภาพด้านอาชีพและน้ำดื่มสะอาด",
    "ร้อยละของคนพิการที่ได้รับเบี้ยยังชีพภายในกำหนด",
    "จำนวนสตรีและครอบครัวที่ได้รับการฝึกอาชีพ",
]


@pytest.fixture
def book_indicators(social_dept, social_division, district_office):
    indicators = []
    for n, name in enumerate(NAMES):
        unit = social_dept if n < 2 else social_division
        indicator = factories.make_indicator(
            code=f"2400-{n + 1:04d}",
            fiscal_year=2564,
            unit=unit,
            name=name,
            definitions="คำนิยามของตัวชี้วัด " * (60 if n == 1 else 3),  # the second runs over pages
        )
        factories.make_indicator_quarter(indicator, 1, result=10 + n, narrative="ดำเนินการแล้ว")
        indicators.append(indicator)
    # Another unit's and another year's indicators stay out of the book.
    factories.make_indicator(code="5024-0001", fiscal_year=2564, unit=district_office, name="ตัวชี้วัดของเขตราษฎร์บูรณะ")
    factories.make_indicator(code="2400-0001", fiscal_year=2563, unit=social_dept, name="ตัวชี้วัดปีก่อน")
    return indicators


@pytest.fixture
def book(tmp_path, book_indicators, social_dept):
    out = tmp_path / "book.pdf"
    result = build_book(Scope.for_unit(social_dept), 2564, 4, out, processes=1, today=date(2021, 8, 30))
    return out.read_bytes(), result


def page_text(pdf, number):
    return pdftotext(pdf, "-f", str(number), "-l", str(number))


def outline(pdf):
    """[(depth, title, page number)] of the PDF's bookmarks."""
    reader = PdfReader(io.BytesIO(pdf))
    items = []

    def walk(entries, depth):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            else:
                items.append((depth, entry.title, reader.get_destination_page_number(entry) + 1))

    walk(reader.outline, 0)
    return items


def test_it_starts_with_a_cover_naming_scope_year_quarter_and_print_date(book):
    pdf, _result = book
    cover = squash(page_text(pdf, 1))
    assert squash("รายงานผลการดำเนินงานตามตัวชี้วัด") in cover
    assert squash("สำนักพัฒนาสังคม และหน่วยงานในสังกัด") in cover
    assert squash("ปีงบประมาณ พ.ศ. 2564") in cover
    assert squash("ไตรมาสที่ 4") in cover
    assert squash(f"พิมพ์เมื่อ {thaidate.format_long(date(2021, 8, 30))}") in cover
    assert "หน้า" not in cover  # no page number on the cover


def test_it_lists_units_and_indicators_with_the_pages_they_really_start_on(book):
    pdf, result = book
    toc = squash(page_text(pdf, 2))
    assert squash("สารบัญ") in toc
    assert [code for level, code, page in result.toc if level == 1] == ["24000000", "24040000"]
    assert len([entry for entry in result.toc if entry[0] == 2]) == 5
    pages = [page for level, code, page in result.toc if level == 2]
    assert pages == sorted(set(pages)) and pages[2] - pages[1] >= 2  # the long one takes 2+ pages
    for level, code, page in result.toc:
        # The contents line reads "<code> <name> <page>"; the page it names starts that indicator.
        if level == 2:
            assert re.search(rf"{code}.*?{page}", toc)
            starts = squash(page_text(pdf, page))
            assert squash("ผลการดำเนินงานส่วนที่ 2") in starts[:60]
            assert code in starts
            assert code not in squash(page_text(pdf, page - 1)) or page - 1 == 2


def test_it_has_one_bookmark_per_unit_and_one_per_indicator_pointing_at_their_start(book):
    pdf, result = book
    marks = outline(pdf)
    assert [(depth, title.split()[0]) for depth, title, _page in marks] == [
        (0, "สำนักพัฒนาสังคม"),
        (1, "2400-0001"),
        (1, "2400-0002"),
        (0, "สำนักงานการส่งเสริมอาชีพ"),
        (1, "2400-0003"),
        (1, "2400-0004"),
        (1, "2400-0005"),
    ]
    assert [page for _d, _t, page in marks] == [page for _l, _c, page in result.toc]


def test_it_prints_each_indicator_as_its_own_report_with_book_page_numbers_in_the_footer(book):
    pdf, result = book
    first = {code: page for level, code, page in result.toc if level == 2}["2400-0003"]
    text = page_text(pdf, first)
    assert "ตัวชี้วัด 2400-0003 · ปีงบประมาณ 2564 ไตรมาสที่ 4" in text
    assert f"หน้า {first} / {result.pages}" in text
    assert squash("(6.1) ไตรมาสที่ 1 : ดำเนินการแล้ว") in squash(text)


def test_it_extracts_the_thai_names_exactly_and_embeds_every_font(book):
    pdf, _result = book
    text = squash(pdftotext(pdf))
    for name in NAMES:
        assert squash(name) in text
    assert "ตัวชี้วัดของเขตราษฎร์บูรณะ" not in pdftotext(pdf) and "ตัวชี้วัดปีก่อน" not in pdftotext(pdf)
    fonts = pdffonts(pdf)
    assert fonts and all(font["emb"] == "yes" for font in fonts)


def test_it_renders_parts_in_worker_processes_with_the_same_result(tmp_path, book_indicators, social_dept, monkeypatch):
    monkeypatch.setattr("reports.book.PART_SIZE", 2)
    out = tmp_path / "book.pdf"
    result = build_book(Scope.for_unit(social_dept), 2564, 4, out, processes=2)
    pdf = out.read_bytes()
    assert len(outline(pdf)) == 7
    for level, code, page in result.toc:
        if level == 2:
            assert code in page_text(pdf, page)


def test_the_command_writes_the_book_and_shows_progress(tmp_path, book_indicators, social_dept):
    out = tmp_path / "cli.pdf"
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(
        "quarterly_book",
        fy=2564,
        quarter=4,
        unit="24000000",
        output=str(out),
        processes=1,
        stdout=stdout,
        stderr=stderr,
    )
    assert out.read_bytes().startswith(b"%PDF")
    assert "5 indicators" in stdout.getvalue()
    assert "[##############################]     5/5  100%" in stderr.getvalue()


def test_a_district_group_book_holds_the_groups_district_offices(tmp_path, book_indicators, district_office):
    out = tmp_path / "group.pdf"
    result = build_book(Scope.for_group(district_office.district_group), 2564, 4, out, processes=1)
    assert [code for level, code, _p in result.toc] == [district_office.code, "5024-0001"]
