"""`python manage.py bench`: server-side timings of the main operations on the database that
DATABASE_URL names, printed as `NAME: p50=… ms p95=… ms queries=…`.

Each operation goes through the full Django stack (middleware, session, auth, templates) with
the test client, warmed up first, then timed over many iterations. The first line is the
framework's floor on this machine: a view that renders base.html with no queries.
"""

import secrets
import statistics
import time
from dataclasses import dataclass
from datetime import date

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


def operations():
    """The operations to time, on the data that is there. Later features add theirs here."""
    from projects.models import OrgUnit, Project

    fy = thaidate.fiscal_year(date.today())
    social = OrgUnit.objects.get(code="24000000")
    busiest = Project.objects.filter(fiscal_year=fy).annotate(n=Count("reports")).order_by("-n", "code").first()
    ops = [
        Operation("floor (base.html, no queries)", "/__bench__/floor/", None),
        Operation("project page (seed 24000000-3029)", "/projects/24000000-3029/", "demo-staff"),
    ]
    if busiest:
        ops.append(Operation(f"project page (busiest, {busiest.n} reports)", busiest.get_absolute_url(), "demo-staff"))
    ops += [
        Operation("project list (unfiltered, current FY)", "/projects/", "demo-planner"),
        Operation(f"project list (unit {social.code} + sub-units)", f"/projects/?unit={social.code}", "demo-staff"),
        Operation("project PDF (seed 24000000-3029)", "/projects/24000000-3029/print.pdf", "demo-staff"),
        Operation("dashboard (whole BMA, uncached)", "/dashboard/", "demo-planner", clear_cache=True),
        Operation("dashboard (whole BMA, cached)", "/dashboard/", "demo-planner"),
        Operation(
            f"dashboard (unit {social.code}, uncached)", f"/dashboard/?unit={social.code}", "demo-director", True
        ),
    ]
    return ops


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
            self.stdout.write(f"dataset built in {time.perf_counter() - started:.0f} s")
        self.stdout.write(
            f"database: {connection.vendor}, projects: {Project.objects.count()}, "
            f"iterations: {options['iterations']} (PDF: {options['slow_iterations']})"
        )
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"], DEBUG=False):
            clients = {}
            for op in operations():
                if options["only"] and options["only"] not in op.name:
                    continue
                client = clients.get(op.username)
                if client is None:
                    client = clients[op.username] = Client()
                    if op.username:
                        from projects.models import User

                        client.force_login(User.objects.get(username=op.username))
                slow = ".pdf" in op.url
                iterations = options["slow_iterations"] if slow else options["iterations"]
                before = cache.clear if op.clear_cache else (lambda: None)
                p50, p95, queries = _time(client, op.url, iterations, warmup=2 if slow else 10, before=before)
                self.stdout.write(f"{op.name}: p50={p50:.1f} ms p95={p95:.1f} ms queries={queries}")
