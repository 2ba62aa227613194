import secrets
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bma_tracker import thaidate
from devtools import demo
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Fill the database with realistic, deterministic demo data on the reference data (load_reference, run "
        "first: the BMA departments, the 50 district offices, the 20-year plan): divisions, the plan's fourth "
        "level and a revised edition, N projects per fiscal year over the last K fiscal years "
        "(ending with the current one) with plan steps, monthly progress reports, quarterly evaluations "
        "and indicators, one user per role, the three legacy seed pages and the pages written in the other "
        "legacy layouts (fixtures/legacy, through import_legacy). "
        "The demo's own units and plan nodes are get-or-created, so existing ones are kept. Demo projects have serials "
        "90001-99999 (e.g. 24000000-90001); if any exist the command stops unless --reset is given, "
        "which first deletes the demo projects (with their steps, reports, evaluations) and the "
        "indicators linked to them. The same --seed (and the same day) gives the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=60, help="projects per fiscal year (default 60)")
        parser.add_argument(
            "--years", type=int, default=2, help="fiscal years, ending with the current one (default 2)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--password", help="password of the demo users (default: a random one, printed)")
        parser.add_argument("--reset", action="store_true", help="delete existing demo projects and indicators first")
        parser.add_argument(
            "--users-only",
            action="store_true",
            help="only (re)create the demo users and set their password; leave the data as it is",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="build the data only if the database has no projects yet; otherwise act as --users-only (make run)",
        )
        parser.add_argument(
            "--seeds-dir",
            default=str(settings.BASE_DIR / "fixtures" / "legacy"),
            help="directory of the legacy seed pages (skipped with a notice when missing)",
        )
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="pretend today is this date (YYYY-MM-DD)"
        )

    def handle(self, *args, **options):
        if options["projects"] < 0 or options["years"] < 1:
            raise CommandError("--projects must be 0 or more and --years 1 or more")
        today = options["today"] or thaidate.today()
        password = options["password"] or secrets.token_urlsafe(9)
        fiscal_years = demo.demo_fiscal_years(years=options["years"], today=today)
        started = time.monotonic()

        if options["if_empty"] and Project.objects.exists():
            self.stdout.write("The database already has projects: demo data left as it is, demo users refreshed.")
            options["users_only"] = True
        if options["users_only"]:
            with transaction.atomic():
                self.load_reference(options["verbosity"])
                users = demo.users_ensure(password=password, units=demo.units_ensure())
            self.print_logins(users, password)
            return

        with transaction.atomic():
            if demo.demo_projects().exists():
                if not options["reset"]:
                    raise CommandError(
                        "Demo projects already exist (codes UNITCODE-9NNNN). Run again with --reset to replace them."
                    )
                deleted = demo.demo_delete()
                self.stdout.write(f"Deleted {deleted} demo projects and their indicators.")
            self.load_reference(options["verbosity"])
            units = demo.units_ensure()
            plan = demo.plan_ensure()
            users = demo.users_ensure(password=password, units=units)
            planner = next(user for user, _unit in users if user.role == user.Role.PLANNER)
            self.import_seeds(options["seeds_dir"])

            generator = demo.DemoGenerator(seed=options["seed"], today=today, units=units, plan=plan, evaluator=planner)
            for fy in fiscal_years:
                year_started = time.monotonic()
                counts = generator.generate_year(fy, options["projects"])
                self.stdout.write(
                    f"FY {fy}: {counts['projects']} projects, {counts['steps']} steps, {counts['reports']} reports, "
                    f"{counts['evaluations']} evaluations, {counts['indicators']} indicators, "
                    f"{counts['indicator_quarters']} indicator quarters ({time.monotonic() - year_started:.1f}s)"
                )
            # The performance agreements (some of those indicators) and the city-development base.
            agreements = demo.agreements_assign(fiscal_years, seed=options["seed"])
            cities = demo.city_indicators_ensure(plan)
            self.stdout.write(f"Performance agreements: {agreements} indicators; city-development base: {cities} new.")
            cycle = demo.cycle_ensure(fiscal_years, today=today, users=users)
            self.stdout.write(
                f"Reporting cycle: {cycle['approved']} reports approved, {cycle['returned']} returned,"
                f" {cycle['draft']} drafts; Q1 of FY {fiscal_years[-1] - 1} closed."
                if fiscal_years[-1] - 1 in fiscal_years
                else f"Reporting cycle: {cycle['approved']} reports approved, {cycle['returned']} returned."
            )

        c = generator.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.1f}s: fiscal years {fiscal_years[0]}–{fiscal_years[-1]}, "
                f"{len(units)} units, {sum(len(nodes) for _e, nodes in plan)} plan nodes, {c.projects} projects, "
                f"{c.steps} steps, {c.reports} reports, {c.evaluations} evaluations, {c.indicators} indicators, "
                f"{c.indicator_quarters} indicator quarters."
            )
        )
        self.print_logins(users, password)

    def load_reference(self, verbosity):
        # The demo builds on the reference data; a real unit code keeps its real name.
        call_command("load_reference", verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)

    def print_logins(self, users, password):
        self.stdout.write(f"Logins (password: {password}):")
        for user, unit in users:
            self.stdout.write(f"  {user.username:<14} {user.get_role_display()} — {unit.name} ({unit.code})")

    def import_seeds(self, seeds_dir):
        directory = Path(seeds_dir)
        if not directory.is_dir():
            self.stdout.write(self.style.WARNING(f"No seeds directory at {directory}: legacy seed pages skipped."))
            return
        if "import_legacy" not in get_commands():
            self.stdout.write(self.style.WARNING("The import_legacy command is not available: seed pages skipped."))
            return
        found = {prefix: sorted(directory.glob(f"{prefix}_*.txt")) for prefix in ("000", "002", "003")}
        missing = [prefix for prefix, paths in found.items() if not paths]
        if missing:
            self.stdout.write(self.style.WARNING(f"Seed pages {', '.join(missing)} not in {directory}: skipped."))
            return
        seed_000, seed_002, seed_003 = (str(found[p][0]) for p in ("000", "002", "003"))
        try:
            with transaction.atomic():
                call_command("import_legacy", seed_000, seed_003, stdout=self.stdout, stderr=self.stderr)
                call_command(
                    "import_legacy",
                    seed_002,
                    indicator_code="2400-9001",
                    fy=2564,
                    stdout=self.stdout,
                    stderr=self.stderr,
                )
        except CommandError as exc:
            self.stdout.write(self.style.WARNING(f"Importing the seed pages failed, skipped: {exc}"))
            return
        # Pages written in the legacy layouts the seeds do not show (fixtures/legacy/README.md),
        # all of FY 2564, which they do not print.
        written = sorted(str(path) for path in directory.glob("*_written_*.txt"))
        if not written:
            return
        try:
            with transaction.atomic():
                call_command("import_legacy", *written, fy=2564, stdout=self.stdout, stderr=self.stderr)
        except CommandError as exc:
            self.stdout.write(self.style.WARNING(f"Importing the written legacy pages failed, skipped: {exc}"))
