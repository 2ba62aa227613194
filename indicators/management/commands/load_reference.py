"""python manage.py load_reference [--dir fixtures/reference]

Creates or updates the reference data (indicators/reference.py): the BMA's departments and
district offices, the 20-year development plan, the four evaluation dimensions. Safe to run
any number of times: a second run changes nothing. A broken file is refused and nothing is
stored. `make run`, `make serve`, `make import-seeds` and `seed_demo` run it first.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from indicators.reference import FILES, ONE, REFERENCE_DIR, ReferenceFileError, display_path, reference_load


class Command(BaseCommand):
    help = (
        "Create or update the reference data in fixtures/reference/ (units, the 20-year plan, the evaluation "
        "dimensions), matched by unit code, edition and node code, dimension number. Never deletes; "
        "a broken file is refused and nothing is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(REFERENCE_DIR), help="directory of the CSV files")

    def handle(self, *args, **options):
        try:
            outcome = reference_load(directory=options["dir"])
        except ReferenceFileError as exc:
            problems = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(f"Reference data refused, nothing was stored:\n{problems}") from None
        except DatabaseError as exc:
            raise CommandError(f"Reference data refused by the database, nothing was stored: {exc}") from None

        verbosity = options["verbosity"]
        if verbosity >= 2:
            for kind, key in outcome.new_rows:
                self.stdout.write(f"  created {ONE[kind]} {key}")
        if verbosity >= 1:
            for kind, key, changes in outcome.changes:
                for name, (old, new) in changes.items():
                    self.stdout.write(f"  updated {ONE[kind]} {key}: {name} {old!r} -> {new!r}")
            self.stdout.write(f"Reference data ({display_path(outcome.directory)}):")
            for kind in FILES:
                self.stdout.write(
                    f"  {kind}: {outcome.created[kind]} created, {outcome.updated[kind]} updated, "
                    f"{outcome.unchanged[kind]} unchanged"
                )
