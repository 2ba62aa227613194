"""`python manage.py quarterly_book --fy 2564 --quarter 4 [--unit CODE | --group GROUP] -o FILE`:
the quarterly indicator book as one PDF (reports/book.py), with a progress bar on stderr."""

import sys
import time

from django.core.management import BaseCommand, CommandError

from projects.models import DistrictGroup, OrgUnit
from reports.book import build_book
from reports.scopes import Scope

BAR_WIDTH = 30


def progress_bar(done, total, started):
    """[#########---------]  12/40  30%  4 s"""
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    percent = 100 * done // total if total else 100
    elapsed = time.perf_counter() - started
    return f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done:>5}/{total}  {percent:>3}%  {elapsed:.0f} s"


class Command(BaseCommand):
    help = "Write the quarterly indicator book (a unit with its sub-units, a district group, or the whole BMA)."

    def add_arguments(self, parser):
        parser.add_argument("--fy", type=int, required=True, help="fiscal year, Buddhist era (2564)")
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4])
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--unit", help="unit code (8 digits); the book includes its sub-units")
        scope.add_argument("--group", choices=DistrictGroup.values, help="district group")
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")
        parser.add_argument("--processes", type=int, help="render processes (default: settings.BOOK_PROCESSES)")
        parser.add_argument("--limit", type=int, help="only the first N indicators (a trial print)")

    def handle(self, *args, **options):
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit with code {options['unit']!r}")
            scope = Scope.for_unit(unit)
        elif options["group"]:
            scope = Scope.for_group(options["group"])
        else:
            scope = Scope.bma()
        started = time.perf_counter()
        err = self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr

        def progress(done, total):
            err.write(progress_bar(done, total, started))
            err.flush()

        result = build_book(
            scope,
            options["fy"],
            options["quarter"],
            options["output"],
            progress=progress,
            processes=options["processes"],
            limit=options["limit"],
        )
        err.write("\n")
        if not result.indicators:
            self.stderr.write(f"no indicators for {scope.title} in {options['fy']}: the book has only its cover")
        if options["verbosity"] >= 2:
            self.stdout.write(" ".join(f"{name}={seconds:.1f}s" for name, seconds in result.phases.items()))
        self.stdout.write(
            f"{options['output']}: {result.indicators} indicators, {result.pages} pages, {result.seconds:.1f} s"
        )
