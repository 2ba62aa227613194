"""The project page as a PDF: /projects/<code>/print.pdf renders the print page
(projects/print.html) to an A4 PDF whose Thai text extracts exactly."""

import io

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


def test_it_has_the_name_and_the_newest_narrative_exactly(client, staff, seed_project):
    text = squash(pdftotext(get_pdf(client, staff).content, "-layout"))
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
    # The same queries as the print page (the year's calendar and closed quarters included); the PDF adds none.
    with django_assert_max_num_queries(11):
        assert client.get(URL).status_code == 200
