"""python manage.py import_legacy FILE... [--indicator-code 2400-9001] [--fy 2564]

Imports printouts of the legacy system, told apart by their title line (DOMAIN.md):
- project progress pages (seeds 000, 003);
- indicator reports (seed 002), which print neither the indicator's code nor its fiscal year:
  give them with --indicator-code and --fy;
- KPI detail pages (mykpi.php, รายละเอียดตัวชี้วัด), which print no fiscal year: --fy;
- unit annual performance pages (index101–104.php, ผลการปฏิบัติราชการประจำปีของหน่วยงาน :
  UNITCODE), which print no fiscal year (--fy) and no KPI codes: each KPI is stored under the
  code UNITCODE-D<dimension>-<its number inside the dimension>, e.g. 50120000-D1-1.3, the same
  at every import of the page;
- city-development indicator pages (mykpi2563.php), keyed by the numeric id they print.
A legacy page of another type is refused naming the type its title shows.

Each file is read whole before anything is stored and stored in its own transaction: a file
that cannot be read or whose values the database would refuse changes nothing, and the others
still import. A printout cut off before its end imports what it holds and says where it stops.
The exit status is non-zero when any file failed.
"""

import os
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from indicators import legacy
from indicators.importing import legacy_page_import


def read_page(path):
    """The parsed page in a file, or LegacyFormatError."""
    try:
        if os.path.getsize(path) > legacy.MAX_BYTES:
            raise legacy.LegacyFormatError(
                f"file is larger than {legacy.MAX_BYTES // (1024 * 1024)} MB; not a printout page"
            )
        with open(path, "rb") as handle:
            data = handle.read(legacy.MAX_BYTES + 1)
    except OSError as exc:
        raise legacy.LegacyFormatError(f"cannot read the file: {exc.strerror}") from None
    return legacy.parse(
        legacy.decode(data),
        max_text_chars=settings.MAX_LONG_TEXT_CHARS,
        max_narrative_chars=settings.MAX_NARRATIVE_CHARS,
    )


def _counts(counter):
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counter.items()))


class Command(BaseCommand):
    help = (
        "Import legacy printouts: project progress pages, indicator reports, KPI detail pages, unit annual "
        "performance pages and city-development indicator pages. The KPIs of a unit performance page, which "
        "prints no codes, are stored as UNITCODE-D<dimension>-<number>, e.g. 50120000-D1-1.3."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--indicator-code", help="code of the indicator an indicator report is about, e.g. 2400-9001"
        )
        parser.add_argument(
            "--fy",
            type=int,
            help="fiscal year (Buddhist era) of the pages that print none: an indicator report, KPI detail pages "
            "and unit performance pages, e.g. 2564",
        )

    def handle(self, *args, files, indicator_code=None, fy=None, **options):
        if indicator_code is not None and not re.fullmatch(r"[0-9]{4}-[0-9]{1,10}", indicator_code):
            raise CommandError(f"--indicator-code {indicator_code!r} is not an indicator code like 2400-9001")
        if fy is not None and not 2400 <= fy <= 2700:
            raise CommandError(f"--fy {fy} is not a Buddhist-era fiscal year like 2564")

        failed = []
        pages = []
        for path in files:
            try:
                pages.append((path, read_page(path)))
            except legacy.LegacyFormatError as exc:
                self._refuse(path, exc, failed)
            except Exception as exc:  # a bug must not stop the other files; say what happened
                self._refuse(path, f"unexpected error while reading: {type(exc).__name__}: {exc}", failed)

        reports = [path for path, page in pages if page.kind == "indicator report"]
        if reports and (not indicator_code or fy is None):
            raise CommandError(
                f"{reports[0]} is an indicator report, which prints neither the indicator's code nor its fiscal "
                "year: give both with --indicator-code CODE --fy YEAR. Nothing was imported."
            )
        if len(reports) > 1:
            raise CommandError(
                f"{len(reports)} indicator reports given ({', '.join(reports)}) but one --indicator-code: "
                "import one indicator report per run. Nothing was imported."
            )
        undated = [(path, page) for path, page in pages if getattr(page, "needs_fiscal_year", False)]
        if undated and fy is None:
            path, page = undated[0]
            raise CommandError(
                f"{path} is a {page.kind}, which prints no fiscal year: give it with --fy YEAR (e.g. --fy 2564). "
                "Nothing was imported."
            )
        if (indicator_code or fy is not None) and not reports and not undated:
            self.stdout.write(
                "--indicator-code and --fy apply to indicator reports, --fy also to KPI detail and unit performance "
                "pages; none given, ignored"
            )
        elif indicator_code and not reports:
            self.stdout.write("--indicator-code applies to indicator reports only; none given, ignored")

        for path, page in pages:
            try:
                with transaction.atomic():
                    outcome = legacy_page_import(
                        page=page, source_name=os.path.basename(path), indicator_code=indicator_code, fiscal_year=fy
                    )
            except (legacy.LegacyFormatError, ValidationError, DatabaseError) as exc:
                self._refuse(path, exc, failed)
                continue
            except Exception as exc:  # rolled back like any other failure; the other files go on
                self._refuse(path, f"unexpected error while storing: {type(exc).__name__}: {exc}", failed)
                continue
            self._report(path, page, outcome)

        if failed:
            raise CommandError(
                f"{len(failed)} of {len(files)} file(s) not imported, the database is unchanged for them: "
                + ", ".join(failed)
            )

    def _refuse(self, path, exc, failed):
        failed.append(path)
        line = getattr(exc, "line", None)
        where = f"{path}:{line}" if line else path
        message = getattr(exc, "message", None) or "; ".join(getattr(exc, "messages", [])) or str(exc)
        self.stderr.write(f"{where}: refused: {message}")

    def _report(self, path, page, outcome):
        self.stdout.write(f"{path}: {page.kind}, {outcome.label}")
        if outcome.created:
            self.stdout.write(f"  created: {_counts(outcome.created)}")
        if outcome.updated:
            self.stdout.write(f"  updated: {_counts(outcome.updated)}")
        if not outcome.created and not outcome.updated:
            self.stdout.write("  nothing changed")
        if outcome.unchanged:
            self.stdout.write(f"  unchanged: {_counts(outcome.unchanged)}")
        lines = [(line, "warning", text) for line, text in page.warnings]
        lines += [(line, "note", text) for line, text in outcome.notes]
        lines += [(item.number, "unplaced line", item.raw.strip()) for item in page.unplaced]
        if stopped := getattr(page, "stopped", None):
            lines.append((stopped.line, "cut off", stopped.text))
        for line, kind, text in sorted(lines, key=lambda item: item[0] or 0):
            where = f"{path}:{line}" if line else path
            self.stdout.write(f"  {where}: {kind}: {text}")
