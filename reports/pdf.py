"""HTML → PDF with WeasyPrint (pinned 70.0): A4, the Thai font Laksaman embedded, Thai text that
copies and searches exactly (reports/pdf_thai.py), resources from our static files only.

Templates link the fonts and CSS with {% static %}; render_pdf() resolves those URLs to files on
disk and refuses every other URL, so a rendered page can never make WeasyPrint fetch from the
network or read a file outside the static directories.
"""

import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports import pdf_thai

pdf_thai.install()

#: The variants offered on every PDF link (?variant=pdf/a-2b): archival PDF/A-2b.
PDF_VARIANTS = ("pdf/a-2b",)


class StaticFilesOnly(URLFetcher):
    """Serve /static/… URLs from the static files on disk; refuse anything else."""

    def __init__(self):
        super().__init__(allowed_protocols=())

    def fetch(self, url, headers=None):
        path = static_path(url)
        if path is None:
            raise ValueError(f"not a static file, refused: {url[:200]}")
        mime_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type or "application/octet-stream"})


def static_path(url):
    """The file a /static/… URL names, when it is one of our static files, else None."""
    if url.startswith("data:"):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.query:
        return None
    path = unquote(parts.path)
    if not path.startswith(settings.STATIC_URL) or "\x00" in path:
        return None
    relative = path.removeprefix(settings.STATIC_URL)
    if not relative or any(part in ("", ".", "..") for part in relative.split("/")):
        return None
    found = finders.find(relative)
    if found is None and settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT, relative)
        found = str(candidate) if candidate.is_file() else None
    return Path(found) if found else None


_threads = threading.local()


def font_config():
    """This thread's FontConfiguration, reused by every render: the @font-face fonts go into
    fontconfig once and Pango keeps its font and shaping caches, instead of a fresh fontconfig
    set-up per PDF (the first render pays it). Per thread: Pango's font map is not thread-safe."""
    config = getattr(_threads, "font_config", None)
    if config is None:
        config = _threads.font_config = FontConfiguration()
    return config


def render_pdf(html: str, *, base_url: str, pdf_variant: str | None = None) -> bytes:
    """The PDF of an HTML page; base_url resolves its relative URLs (use the site root)."""
    if pdf_variant is not None and pdf_variant not in PDF_VARIANTS:
        raise ValueError(f"unknown PDF variant {pdf_variant!r}")
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=StaticFilesOnly())
    return document.write_pdf(pdf_variant=pdf_variant, font_config=font_config())


def requested_variant(request):
    """The PDF variant asked for in the query string: ?variant=pdf/a-2b or ?pdfa=1."""
    variant = request.GET.get("variant", "").lower()
    if variant in PDF_VARIANTS:
        return variant
    if request.GET.get("pdfa") in ("1", "true", "yes"):
        return "pdf/a-2b"
    return None


def pdf_response(request, html, *, filename):
    """An inline PDF response of the page; the variant comes from the query string."""
    variant = requested_variant(request)
    body = render_pdf(html, base_url=request.build_absolute_uri("/"), pdf_variant=variant)
    return pdf_file_response(body, filename=filename, variant=variant)


def pdf_file_response(body, *, filename, variant=None):
    """An inline PDF response of rendered PDF bytes."""
    response = HttpResponse(body, content_type="application/pdf")
    if variant:
        filename = filename.removesuffix(".pdf") + "-pdfa.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
