"""The quarterly indicator book (issue 6): every indicator of a unit (with its sub-units), a
district group or the whole BMA for one fiscal year and quarter, in one PDF.

The book is a cover, a table of contents (units, and each indicator with its start page),
then each indicator's report exactly as the one-indicator report prints it (the same
templates, reports/_indicator_report_body.html, and the same data, indicator_report_data()),
with the book's page number and the indicator code in the footer, and a PDF outline with one
bookmark per unit and one per indicator.

How, at a thousand indicators: the indicators are cut into parts of PART_SIZE, and the parts
are rendered by WeasyPrint in parallel (BOOK_PROCESSES worker processes; each part reports on
which of its pages each indicator starts). Only then are the page numbers known, so the
front matter (cover + contents, with the numbers as plain text) is rendered last, and the
page numbers "หน้า n / N" are drawn as one small stamp document merged onto the pages. pypdf
joins the parts and writes the outline. Memory stays at a part's worth per process.
"""

import io
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter

from bma_tracker import thaidate
from reports.book_worker import init_worker, render, render_part
from reports.indicator_report import indicator_report_data, indicators_for_report
from reports.scopes import Scope

PART_SIZE = 25  # indicators per rendered part: ~50 pages, ~150 MB in a worker
NO_UNIT = "—"


def book_indicators(scope, fiscal_year):
    """The book's indicators, in book order: by unit code, then indicator code."""
    return scope.owned(indicators_for_report().filter(fiscal_year=fiscal_year)).order_by("unit__code", "code")


@dataclass
class BookResult:
    pages: int
    indicators: int
    seconds: float
    toc: list = field(default_factory=list)  # [(level, label, page number)], page 1 = cover
    phases: dict = field(default_factory=dict)  # phase → seconds, for `quarterly_book -v 2`


def _part_html(indicators, quarter, today):
    """One part of the book: the one-indicator report of each indicator, a page break between."""
    sections = []
    for indicator in indicators:
        context = indicator_report_data(indicator, quarter, today=today)
        body = render_to_string("reports/_indicator_report_body.html", {**context, "for_pdf": True})
        sections.append((indicator.pk, mark_safe(body)))  # noqa: S308 — our own rendered template
    return render_to_string("reports/book_part.html", {"sections": sections})


def _render_parts(parts, html_for, processes, on_part_done):
    """Render the parts, in worker processes when there are several parts and processes. Each
    part's HTML is made here (where the database is) and handed over as soon as it is ready."""
    results = [None] * len(parts)
    if processes <= 1 or len(parts) <= 1:
        for index, part in enumerate(parts):
            results[index] = render_part(html_for(part))
            on_part_done(index)
        return results
    # spawn, not fork: a forked child would share this process's database connection and
    # GLib/fontconfig state. Each worker sets Django up once and keeps its font caches.
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=init_worker) as pool:
        futures = {pool.submit(render_part, html_for(part)): index for index, part in enumerate(parts)}
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            on_part_done(index)
    return results


def _front_html(scope, fiscal_year, quarter, entries, today):
    return render_to_string(
        "reports/book_front.html",
        {
            "scope": scope,
            "fiscal_year": fiscal_year,
            "quarter": quarter,
            "entries": entries,
            "printed_on": today,
            "printed_on_text": thaidate.format_long(today),
        },
    )


def _stamp_pdf(pages):
    """A document of `pages` blank A4 pages carrying only the page number "หน้า n / N" where the
    one-indicator report prints it (page 1, the cover, carries none)."""
    html = render_to_string("reports/book_stamp.html", {"pages": range(pages), "total": pages})
    return render(html).write_pdf()


def build_book(
    scope: Scope,
    fiscal_year: int,
    quarter: int,
    out: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    processes: int | None = None,
    today: date | None = None,
    limit: int | None = None,
) -> BookResult:
    """Write the book's PDF to `out`; progress(done, total) is called as indicators are rendered.
    `limit` keeps the first N indicators of the scope (a trial print; the benchmark's 1,000)."""
    started = time.perf_counter()
    today = today or thaidate.today()
    progress = progress or (lambda done, total: None)
    processes = processes or settings.BOOK_PROCESSES
    indicators = book_indicators(scope, fiscal_year)
    indicators = list(indicators[:limit] if limit else indicators)
    total = len(indicators)
    progress(0, total)

    parts = [indicators[i : i + PART_SIZE] for i in range(0, total, PART_SIZE)]
    done = [0]

    def on_part_done(index):
        done[0] += len(parts[index])
        progress(done[0], total)

    phases = {"query": time.perf_counter() - started}
    rendered = _render_parts(parts, lambda part: _part_html(part, quarter, today), processes, on_part_done)
    phases["parts"] = time.perf_counter() - started - sum(phases.values())

    # Where each indicator starts, counting from the first content page (0).
    content_starts = {}
    offset = 0
    for (_pdf, starts, pages), part in zip(rendered, parts, strict=True):
        for indicator in part:
            content_starts[indicator.pk] = offset + starts[f"ind-{indicator.pk}"]
        offset += pages
    content_pages = offset

    def entries_for(front_pages):
        """Contents entries with page numbers (1 = the cover) for a front matter of front_pages."""
        entries = []
        for unit_code, unit_indicators in groupby(indicators, key=lambda i: i.unit.code if i.unit else NO_UNIT):
            unit_indicators = list(unit_indicators)
            unit = unit_indicators[0].unit
            first = front_pages + 1 + content_starts[unit_indicators[0].pk]
            entries.append(
                {"level": 1, "code": unit_code, "label": unit.name if unit else _("ไม่ระบุหน่วยงาน"), "page": first}
            )
            for indicator in unit_indicators:
                entries.append(
                    {
                        "level": 2,
                        "code": indicator.code,
                        "label": indicator.name,
                        "page": front_pages + 1 + content_starts[indicator.pk],
                    }
                )
        return entries

    # The front matter's length depends on the contents, whose numbers depend on that length:
    # render until the assumed length is the rendered one (twice, nearly always).
    front_pages = 2
    for _attempt in range(4):
        front = render(_front_html(scope, fiscal_year, quarter, entries_for(front_pages), today))
        if len(front.pages) == front_pages:
            break
        front_pages = len(front.pages)
    entries = entries_for(front_pages)
    front_pdf = front.write_pdf()
    total_pages = front_pages + content_pages
    phases["front"] = time.perf_counter() - started - sum(phases.values())

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front_pdf)), import_outline=False)
    for part_pdf, _starts, _pages in rendered:
        writer.append(PdfReader(io.BytesIO(part_pdf)), import_outline=False)
    phases["append"] = time.perf_counter() - started - sum(phases.values())
    stamp = PdfReader(io.BytesIO(_stamp_pdf(total_pages)))
    phases["stamp"] = time.perf_counter() - started - sum(phases.values())
    for page, stamp_page in zip(writer.pages[1:], stamp.pages[1:], strict=True):
        page.merge_page(stamp_page)
    phases["merge"] = time.perf_counter() - started - sum(phases.values())
    parent = None
    for entry in entries:
        label = f"{entry['code']} {entry['label']}" if entry["level"] == 2 else entry["label"]
        item = writer.add_outline_item(
            title=label, page_number=entry["page"] - 1, parent=parent if entry["level"] == 2 else None
        )
        if entry["level"] == 1:
            parent = item
    writer.page_mode = "/UseOutlines"
    writer.add_metadata(
        {
            "/Title": _("รายงานผลการดำเนินงานตามตัวชี้วัด %(scope)s ปีงบประมาณ %(fy)s ไตรมาสที่ %(q)s")
            % {"scope": scope.title, "fy": fiscal_year, "q": quarter},
            "/Producer": "bma_tracker (WeasyPrint, pypdf)",
        }
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    with partial.open("wb") as handle:
        writer.write(handle)
    partial.replace(out)  # readers never see half a file
    phases["write"] = time.perf_counter() - started - sum(phases.values())
    return BookResult(
        pages=total_pages,
        indicators=total,
        seconds=time.perf_counter() - started,
        toc=[(e["level"], e["code"], e["page"]) for e in entries],
        phases=phases,
    )
