"""`make loadtest`: the month-end peak against gunicorn on PostgreSQL, on 127.0.0.1 only.

1. creates the database bma_loadtest (LOADTEST_DATABASE_URL) afresh, migrates it, collects
   static files and loads the demo data (seed_demo --projects 300 --years 1): every run starts
   from the same state, so runs compare (the reports an earlier run posted would otherwise make
   every project page longer each time);
2. creates the load-test users (lt-staff-001…, lt-director-…, lt-planner-… for each of the
   LOADTEST_PLANNERS planning-office users) with one password;
3. starts gunicorn (gunicorn.conf.py) over plain HTTP on 127.0.0.1:LOADTEST_PORT; with
   LOADTEST_TLS=1 (`make loadtest TLS=1`) also Debian's nginx with the deployed site
   (deploy/nginx/bma_tracker.conf) and a throw-away self-signed certificate on a free port of
   127.0.0.1 in front of it, and the app with its production HTTPS settings behind a proxy;
4. runs locust headless for LOADTEST_RUN_TIME with LOADTEST_USERS users (loadtest/locustfile.py),
   against gunicorn directly or, with LOADTEST_TLS=1, against https:// through nginx;
5. prints requests/s, p50/p95/p99 and failures per request kind and overall;
6. checks that every report locust posted successfully is stored exactly once, and nothing else.
Exits non-zero when a request failed or a report was lost or duplicated.
"""

import csv
import json
import os
import runpy
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST, PORT = "127.0.0.1", int(os.environ.get("LOADTEST_PORT", "8765"))
DATABASE_URL = os.environ.get("LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bma_loadtest")
# Through nginx with TLS, as deployed (deploy/), instead of straight to gunicorn.
TLS = os.environ.get("LOADTEST_TLS", "").lower() in ("1", "true", "yes", "on")
# Each user waits 0.5–1.5 s between requests, so N users ask for at most ~N requests/s.
USERS = int(os.environ.get("LOADTEST_USERS", "240"))
# The planning office: a fixed number of those users (one account each), the rest are staff and
# directors 8 : 2 (loadtest/locustfile.py).
PLANNERS = int(os.environ.get("LOADTEST_PLANNERS", "5"))
# Logging in costs ~0.3 s of CPU (PBKDF2, 1,000,000 rounds: Django's default, kept): users sign
# in at LOADTEST_SPAWN_RATE per second, and the figures are reset once all are in, so they
# describe the peak of signed-in work (the login requests are reported from the ramp-up).
SPAWN_RATE = os.environ.get("LOADTEST_SPAWN_RATE", "4")
# The measured time, from the moment every user has signed in (the locustfile then resets the
# figures and stops locust this many seconds later).
RUN_SECONDS = int(os.environ.get("LOADTEST_RUN_TIME", "90s").removesuffix("s"))
STAFF_ACCOUNTS = 200
PASSWORD = "loadtest-" + "pw-2568"  # only on the loopback load-test database

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "bma_tracker.settings",
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("LOADTEST_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "STATIC_MANIFEST": "1",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"{HOST}:{PORT}",
        "GUNICORN_ACCESSLOG": os.environ.get("GUNICORN_ACCESSLOG", ""),  # off (GUNICORN_ACCESSLOG=file to keep one)
        "GUNICORN_LOGLEVEL": "warning",
        # Several worker processes: sessions and the dashboard cache in Redis, as in production
        # with more than one app server (LOADTEST_REDIS_URL= to run without).
        "REDIS_URL": os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/14"),
    }
)
if TLS:
    # Behind the TLS proxy, as in production: HTTPS redirect, Secure cookies, HSTS; the scheme
    # from X-Forwarded-Proto and the client's address from X-Forwarded-For (one proxy).
    os.environ.update(
        {
            "SECURE_SSL_REDIRECT": "1",
            "SECURE_COOKIES": "1",
            "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
            "TRUSTED_PROXY_COUNT": "1",
        }
    )
else:
    # Plain HTTP on the loopback: no HTTPS redirect, cookies not marked Secure.
    os.environ.update({"SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"})
sys.path.insert(0, str(ROOT))


def recreate_database():
    """The load test owns its database: dropped and created again at each run."""
    import psycopg2

    url = urlparse(DATABASE_URL)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit(f"the load test runs on the loopback only; {DATABASE_URL} is not local")
    name = url.path.lstrip("/")
    if "loadtest" not in name:
        sys.exit(f"the load test drops and recreates its database; {name!r} does not look like one (no 'loadtest')")
    admin = psycopg2.connect(
        dbname="postgres",
        user=url.username or "postgres",
        password=url.password or "",
        host=url.hostname,
        port=url.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        print(f"Creating database {name} afresh")
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def prepare():
    """Demo data once, then the load-test accounts; returns the plan locust reads."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    from bma_tracker import thaidate
    from projects.models import Project, User

    fiscal_year = thaidate.fiscal_year(thaidate.today())
    print("Loading demo data (seed_demo --projects 300 --years 1)…")
    call_command("seed_demo", projects=300, years=1, seed=7, password=PASSWORD, verbosity=0)
    cache.clear()  # the load test's own Redis database: nothing cached from an earlier run's data
    by_unit = {}
    for code, unit_id in Project.objects.in_fiscal_year(fiscal_year).order_by("code").values_list("code", "unit_id"):
        by_unit.setdefault(unit_id, []).append(code)
    units = sorted(by_unit)
    if not units:
        sys.exit(f"no projects in fiscal year {fiscal_year}: cannot post reports")
    password = make_password(PASSWORD)  # one hash for all: creating 200 accounts stays fast
    staff, directors, planners = [], [], []
    planning_unit = User.objects.filter(username="demo-planner").values_list("unit_id", flat=True).first()
    for number in range(1, STAFF_ACCOUNTS + 1):
        unit_id = units[number % len(units)]
        username = f"lt-staff-{number:03d}"
        User.objects.update_or_create(
            username=username, defaults={"unit_id": unit_id, "role": User.Role.STAFF, "password": password}
        )
        staff.append({"username": username, "projects": by_unit[unit_id]})
    for number in range(1, 11):
        username = f"lt-director-{number:02d}"
        User.objects.update_or_create(
            username=username,
            defaults={"unit_id": units[number % len(units)], "role": User.Role.DIRECTOR, "password": password},
        )
        directors.append(username)
    for number in range(1, PLANNERS + 1):
        username = f"lt-planner-{number}"
        User.objects.update_or_create(
            username=username, defaults={"unit_id": planning_unit, "role": User.Role.PLANNER, "password": password}
        )
        planners.append(username)
    # No lockout left from an earlier, interrupted run.
    call_command("axes_reset", verbosity=0)
    codes = [code for unit in units for code in by_unit[unit]]
    connection.close()
    return {
        "password": PASSWORD,
        "staff": staff,
        "directors": directors,
        "planners": planners,
        "print_projects": codes[:: max(1, len(codes) // 40)],
    }


def gunicorn_workers():
    """The number of workers gunicorn.conf.py gives (GUNICORN_WORKERS, else 2×cores+1)."""
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]


def ramp_up_seconds():
    """Spawning every user at SPAWN_RATE."""
    return int(USERS / float(SPAWN_RATE))


def wait_for(url, seconds=60, cafile=None):
    context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as response:  # noqa: S310 (our own 127.0.0.1 URL)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer within {seconds} s")


def print_stats(stats_csv):
    with open(stats_csv, encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    header = f"{'request':<26}{'count':>8}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>8}  (ms)"
    print("\n" + header + "\n" + "-" * len(header))
    aggregated = None
    for row in rows:
        line = (
            f"{(row['Name'] if row['Name'] != 'Aggregated' else 'ALL'):<26}{row['Request Count']:>8}"
            f"{row['Failure Count']:>6}{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}"
            f"{row['99%']:>7}{float(row['Max Response Time']):>8.0f}"
        )
        if row["Name"] == "Aggregated":
            aggregated = row
            print("-" * len(header))
        print(line)
    return aggregated


def verify(run_id, posted_file):
    import django

    django.setup()
    from django.db.models import Count

    from projects.models import ProgressReport

    outcome = json.loads(Path(posted_file).read_text(encoding="utf-8"))
    posted, logins = outcome["posted"], sorted(outcome["logins"]["ms"])
    if logins:

        def pct(q):
            return logins[min(len(logins) - 1, int(q * len(logins)))]

        print(
            f"\nLogins during the ramp-up: {len(logins)}, {outcome['logins']['failures']} failed, "
            f"p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, max {logins[-1]:.0f} ms"
        )
    stored = dict(
        ProgressReport.objects.filter(narrative__startswith=f"LT-{run_id}-")
        .values_list("narrative")
        .annotate(n=Count("id"))
        .values_list("narrative", "n")
    )
    lost = [narrative for narrative in posted if narrative not in stored]
    duplicated = {narrative: n for narrative, n in stored.items() if n > 1}
    unexpected = sorted(set(stored) - set(posted))
    print(
        f"\nReports: {len(posted)} successful POSTs, {sum(stored.values())} stored rows for run {run_id}: "
        f"{len(lost)} lost, {len(duplicated)} duplicated, {len(unexpected)} stored without a successful POST"
    )
    return (
        not (lost or duplicated or unexpected or len(posted) != sum(stored.values())),
        outcome["logins"]["failures"],
        outcome.get("server_cpu", {}),
    )


def print_server_cpu(server_cpu, request_count):
    """How busy gunicorn (and nginx, through TLS) was during the measured time, and the CPU
    each spent per request."""
    if server_cpu.get("start") is None or server_cpu.get("end") is None or not request_count:
        print("\nServer CPU: not measured (no /proc, or the measured time did not end normally)")
        return
    wall = server_cpu["ended"] - server_cpu["started"]
    print(f"\nServer CPU in the measured {wall:.0f} s ({os.cpu_count()} cores):")
    for name in ("gunicorn", "nginx"):
        start, end = server_cpu.get(f"{name}_start"), server_cpu.get(f"{name}_end")
        if start is None or end is None:
            continue
        seconds = end - start
        print(
            f"  {name:<9}{seconds:>6.0f} CPU s ({seconds / wall:.2f} cores), "
            f"{1000 * seconds / request_count:.1f} ms per request"
        )


def main():
    if not 0 < PLANNERS < USERS:
        sys.exit(f"LOADTEST_PLANNERS ({PLANNERS}) must be at least 1 and fewer than LOADTEST_USERS ({USERS})")
    recreate_database()
    manage("migrate", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    plan = prepare()
    run_id = time.strftime("%Y%m%d%H%M%S")
    scratch = Path(tempfile.mkdtemp(prefix="bma-loadtest-"))
    plan_file, posted_file = scratch / "users.json", scratch / "posted.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")

    gunicorn = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "bma_tracker.wsgi"], cwd=ROOT
    )
    nginx = None
    try:
        wait_for(f"http://{HOST}:{PORT}/healthz")
        target, cafile = f"http://{HOST}:{PORT}", None
        if TLS:
            from deploy.nginx_site import LoopbackNginx

            nginx = LoopbackNginx(scratch / "nginx", upstream=f"{HOST}:{PORT}", static_root=ROOT / "staticfiles")
            nginx.start()
            target, cafile = nginx.url, nginx.certificate
            wait_for(f"{target}/healthz", cafile=cafile)
            print(
                f"\nnginx: the deployed site (deploy/nginx/bma_tracker.conf) on {target}, a throw-away "
                f"certificate; locust speaks HTTP/1.1 over TLS (its client has no HTTP/2)"
            )
        print(
            f"\ngunicorn: {gunicorn_workers()} workers on {HOST}:{PORT}; locust: {USERS} users ({PLANNERS} of them "
            f"the planning office), "
            f"spawn {SPAWN_RATE}/s ({ramp_up_seconds()} s), {RUN_SECONDS} s measured once all are signed in, "
            f"run id {run_id}"
        )
        env = {
            **os.environ,
            "LOADTEST_RUN_ID": run_id,
            "LOADTEST_USERS": str(plan_file),
            "LOADTEST_POSTED": str(posted_file),
            "LOADTEST_USER_COUNT": str(USERS),
            "LOADTEST_PLANNERS": str(PLANNERS),
            "LOADTEST_MEASURE_SECONDS": str(RUN_SECONDS),
            "GUNICORN_PID": str(gunicorn.pid),
            "LOADTEST_NGINX_PID": str(nginx.process.pid) if nginx else "",
            "LOADTEST_CA_FILE": str(cafile or ""),
        }
        with open(scratch / "locust.log", "w") as log:
            subprocess.run(
                [
                    str(VENV_BIN / "locust"),
                    "-f",
                    str(ROOT / "loadtest" / "locustfile.py"),
                    "--headless",
                    "--host",
                    target,
                    "--users",
                    str(USERS),
                    "--spawn-rate",
                    SPAWN_RATE,
                    "--run-time",  # a bound only: the locustfile stops locust after the measured time
                    f"{3 * ramp_up_seconds() + RUN_SECONDS + 60}s",
                    "--stop-timeout",
                    "10",
                    "--csv",
                    str(scratch / "locust"),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],  # fmt: skip
                cwd=ROOT,
                env=env,
                check=False,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        print(f"(locust's own output: {scratch / 'locust.log'})")
    finally:
        if nginx:
            nginx.stop()
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=60)
    aggregated = print_stats(scratch / "locust_stats.csv")
    intact, login_failures, server_cpu = verify(run_id, posted_file)
    print_server_cpu(server_cpu, int(aggregated["Request Count"]) if aggregated else 0)
    failures = (int(aggregated["Failure Count"]) if aggregated else 0) + login_failures
    print(
        f"\nRESULT{' (through nginx, TLS)' if TLS else ' (direct to gunicorn)'}: "
        f"{float(aggregated['Requests/s']):.1f} requests/s, p50 {aggregated['50%']} ms, "
        f"p95 {aggregated['95%']} ms, p99 {aggregated['99%']} ms, {failures} errors, "
        f"reports {'intact' if intact else 'LOST OR DUPLICATED'}"
    )
    sys.exit(0 if failures == 0 and intact else 1)


if __name__ == "__main__":
    main()
