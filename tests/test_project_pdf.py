"""The project page as a PDF: /projects/<code>/print.pdf renders the print page
(projects/print.html) to an A4 PDF whose Thai text extracts exactly."""

import io
import re

import pytest
from django.core.management import call_command

from projects.models import Project
from tests.conftest import login
from tests.paths import SEEDS
from tests.pdftools import inflated, page_size_points, pdffonts, pdfinfo, pdftotext, squash

SEED_000 = str(SEEDS / "000_ce21939e2f54dfaa.txt")
URL = "/projects/24000000-3029/print.pdf"


@pytest.fixture
def seed_project(db):
    call_command("import_legacy", SEED_000, stdout=io.StringIO(), stderr=io.StringIO())
    return Project.objects.get(code="24000000-3029")


def get_pdf(client, user, url=URL):
    response = login(client, user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def test_it_is_an_inline_pdf_named_after_the_project(client, staff, seed_project):
    response = get_pdf(client, staff)
    assert response["Content-Disposition"] == 'inline; filename="project-24000000-3029.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_it_is_a4_with_every_font_embedded(client, staff, seed_project):
    pdf = get_pdf(client, staff).content
    width, height = page_size_points(pdf)
    assert (round(width), round(height)) == (595, 842)
    fonts = pdffonts(pdf)
    assert fonts
    assert all(font["emb"] == "yes" for font in fonts)


def without_page_margins(text):
    """The text without the page foot's lines (print date, page number), which fall inside a
    section that runs across a page break."""
    foot = re.compile(r"พิมพ์เมื่อ .* · \d{8}-\d+|หน้า \d+ / \d+")
    return "\n".join(line for line in text.splitlines() if not foot.search(line))


def test_it_has_the_name_and_the_newest_narrative_exactly(client, staff, seed_project):
    text = squash(without_page_margins(pdftotext(get_pdf(client, staff).content, "-layout")))
    newest = seed_project.reports.live().newest_first().first()
    assert newest.narrative.startswith("ดำเนินการ ครบ 3 กลุ่มเป้าหมาย")
    assert squash(seed_project.name) in text
    assert squash(newest.narrative) in text
    assert squash(seed_project.rationale) in text


def test_it_offers_the_pdf_a_2b_variant(client, staff, seed_project):
    response = get_pdf(client, staff, URL + "?pdfa=1")
    assert 'pdfaid:part="2"' in pdfinfo(response.content, "-meta")["xmp"]
    assert b"/S /GTS_PDFA1" in inflated(response.content)
    assert response["Content-Disposition"] == 'inline; filename="project-24000000-3029-pdfa.pdf"'


def test_it_is_linked_from_the_project_page(client, staff, seed_project):
    assert "print.pdf" in login(client, staff).get("/projects/24000000-3029/").content.decode()


def test_any_signed_in_user_may_print_it(client, other_staff, seed_project):
    get_pdf(client, other_staff)


def test_anonymous_users_are_sent_to_log_in(client, seed_project):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_is_not_found_for_an_unknown_project(client, staff, seed_project):
    assert login(client, staff).get("/projects/24000000-0000/print.pdf").status_code == 404


def test_it_refuses_post(client, staff, seed_project):
    assert login(client, staff).post(URL).status_code == 405


def test_it_reads_the_project_in_few_queries(client, staff, seed_project, django_assert_max_num_queries):
    login(client, staff)
    # The same queries as the print page (tests/test_project_page.py PRINT_QUERIES); the PDF adds none.
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


def test_every_page_has_its_number_and_the_print_date_and_the_total_comes_once(client, staff, social_dept):
    """A plan long enough for three pages: each page says "หน้า n / N" and when it was printed;
    the steps table's header starts each page it runs onto; its total row is printed once, at
    its end (a table footer would be repeated at every page break)."""
    from bma_tracker import thaidate
    from tests import factories

    project = factories.make_project(code="24000000-7777", unit=social_dept, fiscal_year=2564)
    for number in range(1, 81):
        factories.make_step(project, number=number, name=f"ขั้นตอนที่ {number} ของแผนงาน", weight="1.25")
    project.refresh_progress_summary()

    pdf = get_pdf(client, staff, f"/projects/{project.code}/print.pdf").content
    pages = pdftotext(pdf, "-layout").split("\f")[:-1]
    assert len(pages) >= 3
    today = thaidate.format_long(thaidate.today())
    for n, page in enumerate(pages, start=1):
        assert f"หน้า {n} / {len(pages)}" in page
        assert f"พิมพ์เมื่อ {today}" in page
    text = "".join(pages)
    assert text.count("รวมน้ำหนัก") == 1
    assert text.rindex("รวมน้ำหนัก") > text.rindex("ขั้นตอนที่ 80 ของแผนงาน")
    continued = [page for page in pages if "ขั้นตอนที่ 40 ของแผนงาน" in page or "ขั้นตอนที่ 75 ของแผนงาน" in page]
    assert all("น้ำหนัก (%)" in page for page in continued)


def test_the_favicon_answers_for_pages_that_name_none(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/vnd.microsoft.icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
