"""The production stack on the loopback, as `make loadtest` (run.py) and `make faulttest`
(faulttest.py) start it: a database of their own created afresh, the demo data and test
accounts, gunicorn over plain HTTP with DEBUG off, and the check that every posted report is
stored exactly once."""

import os
import runpy
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
PASSWORD = "loadtest-" + "pw-2568"  # only on the loopback test databases
LOOPBACK = ("127.0.0.1", "localhost", "::1")

sys.path.insert(0, str(ROOT))


def configure(*, database_url, port, redis_url, workers=None):
    """The environment of the production settings (bma_tracker/settings.py) for this process,
    its manage.py children and gunicorn: call before django.setup()."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bma_tracker.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("LOADTEST_SECRET_KEY") or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            # Plain HTTP on the loopback: no HTTPS redirect, cookies not marked Secure.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "STATIC_MANIFEST": "1",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_BIND": f"{HOST}:{port}",
            "GUNICORN_ACCESSLOG": os.environ.get("GUNICORN_ACCESSLOG", ""),  # off (GUNICORN_ACCESSLOG=file to keep one)
            "GUNICORN_LOGLEVEL": "warning",
            # Several worker processes: sessions and the dashboard cache in Redis, as in
            # production with more than one app server ("" to run without).
            "REDIS_URL": redis_url,
        }
    )
    if workers:
        os.environ["GUNICORN_WORKERS"] = str(workers)


def admin_connection(database_url):
    """An autocommit psycopg2 connection to the server's `postgres` database."""
    import psycopg2

    url = urlparse(database_url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=url.username or "postgres",
        password=url.password or "",
        host=url.hostname,
        port=url.port or 5432,
    )
    admin.autocommit = True
    return admin


def database_name(database_url):
    return urlparse(database_url).path.lstrip("/")


def recreate_database(database_url, marker):
    """The test owns its database: dropped and created again at each run. Only on the loopback,
    and only a database whose name says it is a test's (contains `marker`)."""
    url = urlparse(database_url)
    if url.hostname not in LOOPBACK:
        sys.exit(f"the test runs on the loopback only; {database_url} is not local")
    name = database_name(database_url)
    if marker not in name:
        sys.exit(f"the test drops and recreates its database; {name!r} does not look like one (no {marker!r})")
    admin = admin_connection(database_url)
    with admin.cursor() as cursor:
        print(f"Creating database {name} afresh")
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def install(*, projects):
    """Migrate, collect static files and load the demo data (seed_demo --projects N --years 1)."""
    manage("migrate", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    print(f"Loading demo data (seed_demo --projects {projects} --years 1)…")
    call_command("seed_demo", projects=projects, years=1, seed=7, password=PASSWORD, verbosity=0)
    cache.clear()  # the test's own Redis database: nothing cached from an earlier run's data


def create_accounts(*, staff_count, director_count=0, planner_count=0):
    """Staff spread over the units with projects this fiscal year (lt-staff-001…, each with the
    codes of its unit's projects), directors and planning-office users, all with PASSWORD."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection

    from bma_tracker import thaidate
    from projects.models import Project, User

    fiscal_year = thaidate.fiscal_year(thaidate.today())
    by_unit = {}
    for code, unit_id in Project.objects.in_fiscal_year(fiscal_year).order_by("code").values_list("code", "unit_id"):
        by_unit.setdefault(unit_id, []).append(code)
    units = sorted(by_unit)
    if not units:
        sys.exit(f"no projects in fiscal year {fiscal_year}: cannot post reports")
    password = make_password(PASSWORD)  # one hash for all: creating many accounts stays fast
    staff, directors, planners = [], [], []
    planning_unit = User.objects.filter(username="demo-planner").values_list("unit_id", flat=True).first()
    for number in range(1, staff_count + 1):
        unit_id = units[number % len(units)]
        username = f"lt-staff-{number:03d}"
        User.objects.update_or_create(
            username=username,
            defaults={
                "unit_id": unit_id,
                "role": User.Role.STAFF,
                "password": password,
                "email": f"{username}@example.invalid",  # the reminder run mails them (run.py)
            },
        )
        staff.append({"username": username, "projects": by_unit[unit_id]})
    for number in range(1, director_count + 1):
        username = f"lt-director-{number:02d}"
        User.objects.update_or_create(
            username=username,
            defaults={
                "unit_id": units[number % len(units)],
                "role": User.Role.DIRECTOR,
                "password": password,
                "email": f"{username}@example.invalid",
            },
        )
        directors.append(username)
    for number in range(1, planner_count + 1):
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


def start_gunicorn(**popen):
    return subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "bma_tracker.wsgi"], cwd=ROOT, **popen
    )


def stop_gunicorn(gunicorn):
    gunicorn.send_signal(signal.SIGTERM)
    gunicorn.wait(timeout=60)


def gunicorn_worker_pids(master_pid):
    """The live workers of a gunicorn master (Linux /proc)."""
    pids = []
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        pids += [int(pid) for pid in (task / "children").read_text().split()]
    return pids


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own http://127.0.0.1 URL)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url} within {seconds} s")


def stored_reports(prefix):
    """{narrative: number of stored reports} for the reports whose narrative starts with prefix."""
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from projects.models import ProgressReport

    stored = dict(
        ProgressReport.objects.filter(narrative__startswith=prefix)
        .values_list("narrative")
        .annotate(n=Count("id"))
        .values_list("narrative", "n")
    )
    connection.close()
    return stored


def check_exactly_once(posted, stored):
    """(lost, duplicated, unexpected): posted narratives not stored, stored more than once, and
    stored without a successful POST."""
    lost = [narrative for narrative in posted if narrative not in stored]
    duplicated = {narrative: n for narrative, n in stored.items() if n > 1}
    unexpected = sorted(set(stored) - set(posted))
    return lost, duplicated, unexpected
