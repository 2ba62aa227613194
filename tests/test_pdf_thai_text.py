"""Thai text in our PDFs extracts exactly as it was typed: copy, search and pdftotext give back
every character (reports/pdf_thai.py explains why WeasyPrint alone does not)."""

import pytest
from weasyprint.draw import text as weasyprint_text

from reports.pdf import StaticFilesOnly, render_pdf, static_path
from tests.paths import ROOT, SEEDS
from tests.pdftools import inflated, one_line, pdffonts, pdftotext, squash

# Words with SARA AM (also after a tone mark), stacked marks, tone marks over upper vowels,
# marks moved left over tall letters (ป ฟ), and SARA AM typed decomposed (ํ + า).
THAI_SAMPLES = [
    "สำนักพัฒนาสังคม",
    "ผู้อำนวยการสำนักงานการส่งเสริมอาชีพ",
    "ปัญหาของโครงการ",
    "กรุงเทพมหานคร",
    "ที่ได้รับ",
    "น้ำ",
    "กำหนด",
    "ผู้ขับขี่รถจักรยานยนต์รับจ้าง",
    "นี้ ที่ ผู้ ชั่ว",
    "สํานัก",
    "ปี่ ป่า ฟ้า ฝั่ง ฟื้นฟู",
    "ญาติ ฐาน กตัญญู ฎีกา",
    "ด้านที่ ๓ - มหานครสำหรับทุกคน : Bangkok as a City for All",
    "ร้อยละ 100.00 (2021-08-30) 30/08/2564 :ดำเนินการ",
]

PAGE = """<!doctype html><html lang="th"><head><meta charset="utf-8"><style>
@font-face {{ font-family: Laksaman; src: url(/static/fonts/Laksaman.ttf); }}
@font-face {{ font-family: Laksaman; src: url(/static/fonts/Laksaman-Bold.ttf); font-weight: bold; }}
@page {{ size: A4; margin: 15mm; }}
body {{ font-family: Laksaman; font-size: 16pt; }}
p {{ margin: 0 0 4pt; }}
{css}
</style></head><body>{body}</body></html>"""


def render(body, css=""):
    return render_pdf(PAGE.format(body=body, css=css), base_url="http://testserver/")


def paragraphs(*texts):
    return "".join(f"<p>{text}</p>" for text in texts)


def seed_lines():
    """Every line of Thai in the legacy printouts."""
    lines = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if any("\u0e00" <= char <= "\u0e7f" for char in line):
                lines.append(line.strip())
    return lines


def extracted_lines(pdf):
    return [one_line(line) for line in pdftotext(pdf).splitlines() if line.strip()]


def test_it_gives_back_every_sample_exactly():
    assert extracted_lines(render(paragraphs(*THAI_SAMPLES))) == THAI_SAMPLES


def test_it_gives_back_bold_text_exactly():
    pdf = render(paragraphs(*THAI_SAMPLES), css="p { font-weight: bold; }")
    assert extracted_lines(pdf) == THAI_SAMPLES


@pytest.mark.parametrize("css", ["", "p { text-align: justify; }", "p { text-align: justify; font-size: 14pt; }"])
def test_it_gives_back_every_line_of_the_legacy_printouts(css):
    lines = seed_lines()
    assert len(lines) > 100
    pdf = render(paragraphs(*lines), css=css)
    # Long lines wrap between Thai words, where there is no space to give back: compare the
    # letters; the one-line samples above pin down the spaces. Physical layout, as in reading
    # order pdftotext drops a "-" that ends a line (the legacy placeholder) as a hyphen.
    assert squash(pdftotext(pdf, "-layout")) == squash("".join(lines))


def test_it_keeps_the_text_exact_in_the_pdf_a_variant():
    html = PAGE.format(body=paragraphs(*THAI_SAMPLES), css="")
    pdf = render_pdf(html, base_url="http://testserver/", pdf_variant="pdf/a-2b")
    assert extracted_lines(pdf) == THAI_SAMPLES
    assert b"/ActualText" in inflated(pdf)


def test_it_is_still_needed_with_weasyprint_70(monkeypatch):
    """WeasyPrint's own mapping loses letters; when this fails, upstream fixed it: drop the patch."""
    monkeypatch.setattr(weasyprint_text, "draw_first_line", weasyprint_text.draw_first_line.original)
    extracted = extracted_lines(render(paragraphs(*THAI_SAMPLES)))
    assert extracted != THAI_SAMPLES
    assert "น้ำ" not in extracted


def test_it_embeds_the_thai_fonts():
    fonts = pdffonts(render(paragraphs("ตัวชี้วัด", "<b>ตัวชี้วัด</b>")))
    assert len(fonts) == 2
    assert all(font["emb"] == "yes" and font["uni"] == "yes" for font in fonts)


def test_it_serves_static_files_to_weasyprint():
    response = StaticFilesOnly().fetch("http://testserver/static/fonts/Laksaman.ttf")
    assert response.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://testserver/media/upload.png",
        "file:///etc/passwd",
        (ROOT / "static" / "fonts" / "Laksaman.ttf").as_uri(),  # our own font, by a file URL
        "http://testserver/static/../bma_tracker/settings.py",
        "http://testserver/static/%2e%2e/bma_tracker/settings.py",
        "http://testserver/static/fonts/missing.ttf",
        "ftp://testserver/static/fonts/Laksaman.ttf",
        "data:text/plain,hello",
    ],
)
def test_it_refuses_anything_but_our_static_files(url):
    assert static_path(url) is None
    with pytest.raises(ValueError, match="refused"):
        StaticFilesOnly().fetch(url)


def test_a_page_linking_elsewhere_still_renders_without_fetching_it():
    pdf = render('<p>กำหนด</p><img src="http://example.com/x.png"><link rel="stylesheet" href="file:///etc/x.css">')
    assert extracted_lines(pdf) == ["กำหนด"]
