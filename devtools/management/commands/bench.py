"""`python manage.py bench`: server-side timings of the main operations on the database that
DATABASE_URL names, printed as `NAME: p50=… ms p95=… ms queries=…`.

Each operation goes through the full Django stack (middleware, session, auth, templates) with
the test client, warmed up first, then timed over many iterations. The first line is the
framework's floor on this machine: a view that renders base.html with no queries.
"""

import argparse
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.shortcuts import render
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from bma_tracker import thaidate

DATASET = {"projects": 5000, "years": 5}
BOOK_INDICATORS = 1000  # the yardstick: a book of 1,000 indicators


def _floor_view(request):
    return render(request, "base.html")


# The URL configuration used while benchmarking: the app's own, plus the floor view.
urlpatterns = [path("__bench__/floor/", _floor_view), path("", include("bma_tracker.urls"))]


@dataclass
class Operation:
    name: str
    url: str
    username: str | None  # None: anonymous
    clear_cache: bool = False  # empty Django's cache before each request (untimed): the uncached cost
    token: bool = False  # the REST API, with a personal token of the user (Authorization: Bearer)


def operations():
    """The operations to time, on the data that is there. Later features add theirs here."""
    from projects.models import OrgUnit, Project

    fy = thaidate.fiscal_year(thaidate.today())
    social = OrgUnit.objects.get(code="24000000")
    # The project with the most reports in last year (a whole year of them).
    busiest = Project.objects.filter(fiscal_year=fy - 1).annotate(n=Count("reports")).order_by("-n", "code").first()
    ops = [
        Operation("floor (base.html, no queries)", "/__bench__/floor/", None),
        Operation("project page (seed 24000000-3029)", "/projects/24000000-3029/", "demo-staff"),
    ]
    ops.append(Operation("project page (seed 24000000-3029, uncached)", "/projects/24000000-3029/", "demo-staff", True))
    if busiest:
        ops.append(Operation(f"project page (busiest, {busiest.n} reports)", busiest.get_absolute_url(), "demo-staff"))
        ops.append(
            Operation(
                f"project page (busiest, {busiest.n} reports, uncached)", busiest.get_absolute_url(), "demo-staff", True
            )
        )
    ops += [
        Operation("project list (unfiltered, current FY)", "/projects/", "demo-planner"),
        Operation(f"project list (unit {social.code} + sub-units)", f"/projects/?unit={social.code}", "demo-staff"),
        Operation("project PDF (seed 24000000-3029)", "/projects/24000000-3029/print.pdf", "demo-staff"),
        Operation("dashboard (whole BMA, uncached)", "/dashboard/", "demo-planner", clear_cache=True),
        Operation("dashboard (whole BMA, cached)", "/dashboard/", "demo-planner"),
        Operation(
            f"dashboard (whole BMA, FY {fy - 1} Q4: a full year, uncached)",
            f"/dashboard/?fy={fy - 1}&period=q4&group=",
            "demo-planner",
            clear_cache=True,
        ),
        Operation(
            f"dashboard (unit {social.code}, uncached)", f"/dashboard/?unit={social.code}", "demo-director", True
        ),
    ]
    from indicators.models import Indicator

    # The indicator list and an indicator's page (issue 18).
    ops += [
        Operation("indicator list (unfiltered, current FY)", "/indicators/", "demo-planner"),
        Operation(f"indicator list (unit {social.code} + sub-units)", f"/indicators/?unit={social.code}", "demo-staff"),
        Operation(
            f"indicator list (FY {fy - 1}, behind in Q4, search)",
            f"/indicators/?fiscal_year={fy - 1}&quarter=4&status=behind&q=%E0%B8%A3%E0%B9%89%E0%B8%AD%E0%B8%A2%E0%B8%A5%E0%B8%B0",
            "demo-planner",
        ),
        Operation(
            f"indicator list Excel (unit {social.code}, FY {fy - 1})",
            f"/reports/indicators/list.xlsx?fiscal_year={fy - 1}&unit={social.code}",
            "demo-staff",
        ),
    ]
    if Indicator.objects.filter(code="2400-1065", fiscal_year=2564).exists():
        ops.append(Operation("indicator page (seed 2400-1065 FY 2564)", "/indicators/2400-1065/2564/", "demo-staff"))
    # The indicator of last year with the most linked projects (a full year of quarters).
    linked = Indicator.objects.filter(fiscal_year=fy - 1).annotate(n=Count("projects")).order_by("-n", "code").first()
    if linked:
        ops.append(
            Operation(f"indicator page (FY {fy - 1}, {linked.n} projects)", linked.get_absolute_url(), "demo-staff")
        )
    if Indicator.objects.filter(code="2400-9001", fiscal_year=2564).exists():
        ops.append(
            Operation(
                "indicator report PDF (seed 2400-9001 FY 2564 q4)",
                "/reports/indicators/2400-9001/2564/q4.pdf",
                "demo-staff",
            )
        )
    # The annual performance agreement of the unit with the most agreement KPIs, and the city base.
    agreement = (
        Indicator.objects.in_agreement()
        .values("unit__code", "fiscal_year")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if agreement:
        unit_code, agreement_fy, n = agreement["unit__code"], agreement["fiscal_year"], agreement["n"]
        ops.append(
            Operation("performance agreements (index)", f"/indicators/performance/?fy={agreement_fy}", "demo-staff")
        )
        url = f"/indicators/performance/{unit_code}/{agreement_fy}/"
        ops.append(Operation(f"performance page ({unit_code} FY {agreement_fy}, {n} KPIs)", url, "demo-staff"))
    ops.append(Operation("city-development indicators (list)", "/indicators/city/", "demo-staff"))
    # The REST API (issue 22), with a token: the project list (a page of 50) and a project.
    ops += [
        Operation("API project list (current FY, a page of 50)", "/api/v1/projects/", "demo-planner", token=True),
        Operation(
            f"API project list (unit {social.code} + sub-units)",
            f"/api/v1/projects/?unit={social.code}",
            "demo-staff",
            token=True,
        ),
        Operation("API project (seed 24000000-3029)", "/api/v1/projects/24000000-3029/", "demo-staff", token=True),
    ]
    if busiest:
        ops.append(
            Operation(
                f"API project (busiest, {busiest.n} reports)",
                f"/api/v1/projects/{busiest.code}/",
                "demo-staff",
                token=True,
            )
        )
    ops.append(Operation("API dashboard figures (whole BMA, cached)", "/api/v1/dashboard/", "demo-planner", token=True))
    return ops


def _bench_token(user):
    """A personal API token of the user for the benchmark's API operations (revoked at the end)."""
    from datetime import timedelta

    from django.utils import timezone

    from projects import services

    return services.api_token_create(user=user, name="bench", expires_at=timezone.now() + timedelta(hours=2))


def _tree_rss_kb(pid):
    """Resident memory of a process and all its descendants (KB), from /proc."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def time_book(fiscal_year, quarter=4, limit=BOOK_INDICATORS):
    """Build a whole-BMA book of `limit` indicators with `manage.py quarterly_book` in a subprocess:
    (seconds, indicators line, peak MB of the largest process, peak MB of all its processes)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "manage.py", "quarterly_book", "--fy", str(fiscal_year), "--quarter", str(quarter)]
        command += ["--limit", str(limit)]
        command += ["-o", str(Path(tmp, "book.pdf"))]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        peak_tree = 0
        while process.poll() is None:
            peak_tree = max(peak_tree, _tree_rss_kb(process.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        output = process.stdout.read().strip()
        if process.returncode:
            raise CommandError(f"quarterly_book failed ({process.returncode})")
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, output, largest / 1024, peak_tree / 1024


def _time(client, url, iterations, warmup, before=lambda: None):
    for _ in range(warmup):
        before()
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(iterations):
        before()
        start = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    before()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
    return statistics.median(timings), p95, len(queries)


class Command(BaseCommand):
    help = "Time the main pages server-side and print p50/p95 and query counts."

    def add_arguments(self, parser):
        parser.add_argument("--ensure-dataset", action="store_true", help="Build the BMA-scale dataset if missing.")
        parser.add_argument("--iterations", type=int, default=100)
        parser.add_argument("--slow-iterations", type=int, default=10, help="Iterations for PDFs.")
        parser.add_argument("--only", help="Time only operations whose name contains this text.")
        parser.add_argument(
            "--book",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Also build the whole-BMA quarterly book of the year with the most indicators (subprocess).",
        )

    def handle(self, *args, **options):
        from projects.models import Project

        if options["ensure_dataset"] and Project.objects.count() < DATASET["projects"] * DATASET["years"]:
            self.stdout.write(f"Building the benchmark dataset (seed_demo {DATASET}) — once; later runs reuse it.")
            started = time.perf_counter()
            call_command(
                "seed_demo",
                projects=DATASET["projects"],
                years=DATASET["years"],
                seed=1,
                password=secrets.token_urlsafe(12),
            )
            if connection.vendor == "postgresql":
                # Fresh statistics and visibility map after a bulk load, as autovacuum would
                # give a database that has been running for a while.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            self.stdout.write(f"dataset built in {time.perf_counter() - started:.0f} s")
        self.stdout.write(
            f"database: {connection.vendor}, projects: {Project.objects.count()}, "
            f"iterations: {options['iterations']} (PDF: {options['slow_iterations']})"
        )
        # No throttle while timing: the API's per-token rate would refuse the iterations.
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], DEBUG=False, API_RATE_PER_MINUTE=10**9):
            clients, tokens = {}, []
            for op in operations():
                if options["only"] and options["only"] not in op.name:
                    continue
                client = clients.get((op.username, op.token))
                if client is None:
                    from projects.models import User

                    user = User.objects.get(username=op.username) if op.username else None
                    if op.token:
                        token, text = _bench_token(user)
                        tokens.append(token)
                        client = Client(HTTP_AUTHORIZATION=f"Bearer {text}")
                    else:
                        client = Client()
                        if user:
                            client.force_login(user)
                    clients[(op.username, op.token)] = client
                slow = ".pdf" in op.url
                iterations = options["slow_iterations"] if slow else options["iterations"]
                before = cache.clear if op.clear_cache else (lambda: None)
                p50, p95, queries = _time(client, op.url, iterations, warmup=2 if slow else 10, before=before)
                self.stdout.write(f"{op.name}: p50={p50:.1f} ms p95={p95:.1f} ms queries={queries}")
            from projects import services

            for token in tokens:  # the benchmark's tokens act no longer than it runs
                services.api_token_revoke(token=token, user=token.user)
        if options["book"] and not options["only"]:
            from indicators.models import Indicator

            busiest = Indicator.objects.values("fiscal_year").annotate(n=Count("id")).order_by("-n").first()
            if busiest:
                seconds, output, largest, tree = time_book(busiest["fiscal_year"])
                self.stdout.write(
                    f"quarterly book ({BOOK_INDICATORS} indicators of FY {busiest['fiscal_year']}): "
                    f"{seconds:.1f} s, peak memory {largest:.0f} MB (largest process, exact); "
                    f"{tree:.0f} MB (all its processes together, sampled every 0.2 s) — {output}"
                )
