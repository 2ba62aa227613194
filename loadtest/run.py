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
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import stack
from stack import HOST, ROOT, VENV_BIN

PORT = int(os.environ.get("LOADTEST_PORT", "8765"))
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

# Several worker processes: sessions and the dashboard cache in Redis, as in production with
# more than one app server (LOADTEST_REDIS_URL= to run without).
stack.configure(
    database_url=DATABASE_URL, port=PORT, redis_url=os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/14")
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
sys.path.insert(0, str(ROOT))


def prepare():
    """Demo data once, then the load-test accounts; returns the plan locust reads."""
    stack.install(projects=300)
    return stack.create_accounts(staff_count=STAFF_ACCOUNTS, director_count=10, planner_count=PLANNERS)


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
    outcome = json.loads(Path(posted_file).read_text(encoding="utf-8"))
    posted, logins = outcome["posted"], sorted(outcome["logins"]["ms"])
    if logins:

        def pct(q):
            return logins[min(len(logins) - 1, int(q * len(logins)))]

        print(
            f"\nLogins during the ramp-up: {len(logins)}, {outcome['logins']['failures']} failed, "
            f"p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, max {logins[-1]:.0f} ms"
        )
    print(f"\nApprovals: {outcome.get('approved', 0)} reports approved by the directors")
    stored = stack.stored_reports(f"LT-{run_id}-")
    lost, duplicated, unexpected = stack.check_exactly_once(posted, stored)
    print(
        f"\nReports: {len(posted)} successful POSTs, {sum(stored.values())} stored rows for run {run_id}: "
        f"{len(lost)} lost, {len(duplicated)} duplicated, {len(unexpected)} stored without a successful POST"
    )
    return (
        not (lost or duplicated or unexpected or len(posted) != sum(stored.values())),
        outcome["logins"]["failures"],
        outcome.get("server_cpu", {}),
    )


def run_reminders(outcome, log_path):
    """The daily reminder mails (manage.py send_reminders), run while the users work: the mails
    go to the console backend (no EMAIL_HOST here), into log_path; outcome gets its summary."""
    started = time.monotonic()
    with open(log_path, "w") as log:
        done = subprocess.run(
            [sys.executable, "manage.py", "send_reminders"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    lines = Path(log_path).read_text(encoding="utf-8", errors="replace").strip().splitlines()
    outcome.update(seconds=time.monotonic() - started, status=done.returncode, summary=lines[-1] if lines else "")


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
    stack.recreate_database(DATABASE_URL, "loadtest")
    plan = prepare()
    run_id = time.strftime("%Y%m%d%H%M%S")
    scratch = Path(tempfile.mkdtemp(prefix="bma-loadtest-"))
    plan_file, posted_file = scratch / "users.json", scratch / "posted.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")

    gunicorn = stack.start_gunicorn()
    nginx = None
    try:
        stack.wait_for(f"http://{HOST}:{PORT}/healthz")
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
            f"\ngunicorn: {stack.gunicorn_workers()} workers on {HOST}:{PORT}; locust: {USERS} users ({PLANNERS} of them "
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
        reminders = {}
        # Halfway through the measured time, once everyone is signed in.
        reminder_run = threading.Timer(
            ramp_up_seconds() + RUN_SECONDS / 2, run_reminders, args=(reminders, scratch / "reminders.log")
        )
        reminder_run.daemon = True
        reminder_run.start()
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
        reminder_run.join(timeout=120)
    finally:
        if nginx:
            nginx.stop()
        stack.stop_gunicorn(gunicorn)
    aggregated = print_stats(scratch / "locust_stats.csv")
    intact, login_failures, server_cpu = verify(run_id, posted_file)
    if reminders:
        print(
            f"\nReminder run during the measured time: {reminders['seconds']:.1f} s, exit {reminders['status']}: "
            f"{reminders['summary']}"
        )
    else:
        print("\nReminder run: did not finish during the test")
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
