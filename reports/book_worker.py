"""What a book-rendering worker process runs (reports/book.py). Kept apart from reports.book,
which imports the models: a spawned worker unpickles its function by importing this module,
before its initializer has set Django up."""

import django
import weasyprint

from reports.pdf import StaticFilesOnly, font_config

BASE_URL = "http://localhost/"  # templates link /static/…; StaticFilesOnly reads them from disk


def init_worker():
    django.setup()


def render(html):
    """The laid-out WeasyPrint document of an HTML page, with this process's fonts."""
    return weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).render(
        font_config=font_config()
    )


def render_part(html):
    """(PDF bytes, {anchor: index of the page it is on}, page count) of one part of a book."""
    document = render(html)
    starts = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            starts.setdefault(anchor, number)
    return document.write_pdf(), starts, len(document.pages)
