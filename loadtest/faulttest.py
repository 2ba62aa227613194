"""`make faulttest`: faults against the production stack on 127.0.0.1, while users post reports.

1. PostgreSQL: a throw-away cluster of its own (initdb on a free port, as the postgres user when
   run as root, Debian's /usr/lib/postgresql/*/bin or FAULTTEST_PG_BIN) so that it may restart
   it; without those binaries (FAULTTEST_OWN_CLUSTER=0 forces this) the database
   FAULTTEST_DATABASE_URL on the shared server, and the restart phase is skipped (it would cut
   every other user of that server off). Either way the database bma_faulttest is created afresh.
2. A redis-server of its own on a free loopback port (never the shared one, which it stops).
3. The demo data (seed_demo --projects 40), staff accounts, and gunicorn as in production
   (DEBUG=0, FAULTTEST_WORKERS sync workers, sessions cached_db in that Redis).
4. FAULTTEST_USERS users, each a thread with its own cookies: sign in, open the report form of
   one of their unit's projects, post it (a unique submission key and narrative), open the
   project page and My projects, sign out and in again every fifth report. A failed request (an
   error status, a refused or cut connection) is tried once more after RETRY_DELAY seconds, as
   a user presses reload or submits again: the same form, the same submission key.
5. Once every user is signed in, phases of a few seconds each: none (baseline), Redis stopped, Redis started again (with its
   data, as after a restart), a gunicorn worker killed (SIGKILL), every database connection of
   the app terminated (pg_terminate_backend), PostgreSQL restarted (pg_ctl restart -m fast),
   then calm. /healthz is polled throughout.
6. A table per phase: requests, posts, stored, errors users saw on the first try and after the
   retry, what /healthz said.
Exits non-zero if a report was lost or stored twice, a request failed after its retry,
/healthz did not say "degraded" while Redis was down, or the run took longer than
FAULTTEST_MAX_SECONDS.
"""

import contextlib
import glob
import json
import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests
import stack
from stack import HOST

USERS = int(os.environ.get("FAULTTEST_USERS", "6"))
WORKERS = int(os.environ.get("FAULTTEST_WORKERS", "3"))
PHASE_SECONDS = float(os.environ.get("FAULTTEST_PHASE_SECONDS", "8"))
MAX_SECONDS = int(os.environ.get("FAULTTEST_MAX_SECONDS", "300"))
# PostgreSQL's fast restart takes about a second; a user tries again a little later than that.
RETRY_DELAY = float(os.environ.get("FAULTTEST_RETRY_DELAY", "2"))
SHARED_DATABASE_URL = os.environ.get("FAULTTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bma_faulttest")
DATABASE = "bma_faulttest"
STARTED = time.monotonic()

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
_REPORT_DATE = re.compile(r'name="report_date" value="([^"]+)"')


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing answers on {HOST}:{port} after {seconds} s")


# --- The servers the test owns ------------------------------------------------------------


class OwnRedis:
    """redis-server on a free loopback port; stop() saves its data, start() loads it again."""

    def __init__(self, scratch):
        self.binary = shutil.which("redis-server") or sys.exit(
            "redis-server is not installed (apt-get install redis-server)"
        )
        self.port, self.dir, self.process = free_port(), scratch / "redis", None
        self.dir.mkdir()

    @property
    def url(self):
        return f"redis://{HOST}:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", HOST, "--dir", str(self.dir), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self):
        import redis

        with contextlib.suppress(redis.exceptions.ConnectionError):  # it may close the connection as it exits
            redis.Redis(host=HOST, port=self.port).shutdown(save=True)
        self.process.wait(timeout=30)
        self.process = None

    def kill(self):
        if self.process:
            self.process.kill()
            self.process.wait()


class OwnCluster:
    """A throw-away PostgreSQL cluster on a free loopback port: initdb, pg_ctl start/restart/stop,
    run as the postgres user when this runs as root (initdb refuses root)."""

    def __init__(self, bin_dir, scratch):
        self.bin, self.port = Path(bin_dir), free_port()
        self.dir = scratch / "pgdata"
        self.as_user = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            os.chmod(scratch, 0o755)  # noqa: S103 (postgres must reach its data directory inside)
            self.dir.mkdir(mode=0o700)
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)

    @classmethod
    def find(cls):
        """The newest Debian PostgreSQL binaries (or FAULTTEST_PG_BIN), if this may use them."""
        if os.environ.get("FAULTTEST_OWN_CLUSTER", "1") == "0":
            return None, "FAULTTEST_OWN_CLUSTER=0"
        candidates = [os.environ["FAULTTEST_PG_BIN"]] if os.environ.get("FAULTTEST_PG_BIN") else []
        candidates += sorted(
            glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
        )
        for candidate in candidates:
            if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
                if os.geteuid() == 0:
                    try:
                        pwd.getpwnam("postgres")
                    except KeyError:
                        return None, "running as root and there is no postgres user to run initdb as"
                    if not shutil.which("runuser"):
                        return None, "running as root and there is no runuser"
                return candidate, ""
        return None, "no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin"

    @property
    def url(self):
        return f"postgres://postgres@{HOST}:{self.port}/{DATABASE}"

    def pg_ctl(self, *args):
        subprocess.run(
            [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.dir), "-w", "-t", "60", "-l", str(self.dir / "log"), *args],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def create(self):
        subprocess.run(
            [*self.as_user, str(self.bin / "initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8"],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        options = f"-p {self.port} -c listen_addresses={HOST} -k {self.dir} -c fsync=off -c max_connections=50"
        self.pg_ctl("-o", options, "start")

    def restart(self):
        self.pg_ctl("-m", "fast", "restart")

    def destroy(self):
        if (self.dir / "postmaster.pid").exists():
            self.pg_ctl("-m", "immediate", "stop")


# --- The users ----------------------------------------------------------------------------


class Tally:
    """What the users saw, per phase: requests, first-try failures, failures after the retry."""

    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "signing in"
        self.requests = Counter()
        self.sign_ins = Counter()
        self.first_try = Counter()
        self.after_retry = Counter()
        self.examples = defaultdict(list)
        self.posts = defaultdict(list)  # phase: narratives whose POST was sent
        self.posted = []  # narratives the server said it stored (302 on the first try or the retry)
        self.healthz = defaultdict(Counter)

    def count(self, phase, counter, what=None):
        with self.lock:
            counter[phase] += 1
            if what and len(self.examples[phase]) < 5:
                self.examples[phase].append(what)


class GaveUp(Exception):
    """A request failed on its first try and on the retry: the user saw an error."""


class User(threading.Thread):
    def __init__(self, base, account, password, tally, stop, number):
        super().__init__(daemon=True)
        self.base, self.account, self.password = base, account, password
        self.tally, self.stop, self.number = tally, stop, number
        self.session = requests.Session()
        self.sequence = 0

    def request(self, method, path, expect, **kwargs):
        """The response, after one retry if the first try failed; GaveUp if both failed."""
        self.tally.count(self.tally.phase, self.tally.requests)
        for attempt in (1, 2):
            try:
                response = self.session.request(method, self.base + path, allow_redirects=False, timeout=30, **kwargs)
                if response.status_code == expect:
                    return response
                problem = f"{method} {path}: {response.status_code}"
            except requests.RequestException as exc:
                problem = f"{method} {path}: {type(exc).__name__}"
            # An error counts in the phase it is seen in (a request may outlive its phase).
            if attempt == 1:
                self.tally.count(self.tally.phase, self.tally.first_try, problem)
                time.sleep(RETRY_DELAY)
        self.tally.count(self.tally.phase, self.tally.after_retry, problem)
        raise GaveUp(problem)

    def log_in(self):
        form = self.request("GET", "/accounts/login/", 200)
        token = _CSRF.search(form.text).group(1)
        self.request(
            "POST",
            "/accounts/login/",
            302,
            data={"username": self.account["username"], "password": self.password, "csrfmiddlewaretoken": token},
        )
        self.tally.count(self.tally.phase, self.tally.sign_ins)

    def log_out(self):
        self.request(
            "POST", "/accounts/logout/", 302, data={"csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}
        )

    def report(self, run_id):
        code = random.choice(self.account["projects"])
        path = f"/projects/{code}/progress/new/"
        form = self.request("GET", path, 200).text
        token, key, day = _CSRF.search(form), _SUBMISSION_KEY.search(form), _REPORT_DATE.search(form)
        if not (token and key and day):
            self.tally.count(self.tally.phase, self.tally.after_retry, f"GET {path}: no form")
            return
        self.sequence += 1
        narrative = f"FT-{run_id}-{self.number:02d}-{self.sequence:05d} ดำเนินการตามแผนประจำเดือน"
        with self.tally.lock:
            self.tally.posts[self.tally.phase].append(narrative)
        self.request(
            "POST",
            path,
            302,
            data={
                "csrfmiddlewaretoken": token.group(1),
                "submission_key": key.group(1),  # the same on the retry: stored once
                "version": "",
                "report_date": day.group(1),
                "percent": "100",
                "narrative": narrative,
                "problems": "ไม่มี",
                "obstacles": "ไม่มี",
            },
            headers={"Referer": self.base + path},
        )
        with self.tally.lock:
            self.tally.posted.append(narrative)
        self.request("GET", f"/projects/{code}/", 200)

    def run(self):
        run_id = self.tally.run_id
        signed_in = False
        rounds = 0
        while not self.stop.is_set():
            try:
                if not signed_in:
                    self.log_in()
                    signed_in = True
                self.report(run_id)
                rounds += 1
                if rounds % 4 == 0:
                    self.request("GET", "/", 200)
                if rounds % 5 == 0:
                    self.log_out()
                    signed_in = False
            except GaveUp:
                signed_in = False  # start again from the login page, as a user would
            time.sleep(random.uniform(0.05, 0.3))


def poll_healthz(base, tally, stop):
    while not stop.is_set():
        try:
            response = requests.get(base + "/healthz", timeout=5)
            seen = f"{response.status_code} {response.json()['status']}"
        except (requests.RequestException, ValueError, KeyError) as exc:
            seen = type(exc).__name__
        with tally.lock:
            tally.healthz[tally.phase][seen] += 1
        stop.wait(0.5)


# --- The faults ---------------------------------------------------------------------------


def terminate_connections(database_url):
    admin = stack.admin_connection(database_url)
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [stack.database_name(database_url)],
        )
        terminated = cursor.fetchone()[0]
    admin.close()
    return terminated


def run_phases(tally, faults):
    """Each phase PHASE_SECONDS long, its fault at the start: one fault per phase, so that a
    request retried after a fault (RETRY_DELAY later) does not meet the next one."""
    for name, fault in faults:
        if fault == "skipped":
            continue
        with tally.lock:
            tally.phase = name
        started = time.monotonic()
        note = fault() if fault else ""
        time.sleep(max(0.0, PHASE_SECONDS - (time.monotonic() - started)))
        print(f"  {name:<26} {note}", flush=True)


def main():
    scratch = Path(tempfile.mkdtemp(prefix="bma-faulttest-"))
    bin_dir, why_not = OwnCluster.find()
    cluster = OwnCluster(bin_dir, scratch) if bin_dir else None
    redis_server = OwnRedis(scratch)
    gunicorn = None
    try:
        if cluster:
            print(f"PostgreSQL: a cluster of the test's own ({bin_dir}) on {HOST}:{cluster.port}")
            cluster.create()
            database_url = cluster.url
        else:
            database_url = SHARED_DATABASE_URL
            print(f"PostgreSQL: the shared server ({database_url}); the restart phase is skipped: {why_not}")
        redis_server.start()
        print(f"Redis: redis-server of the test's own on {redis_server.url}")
        port = free_port()
        stack.configure(database_url=database_url, port=port, redis_url=redis_server.url, workers=WORKERS)
        stack.recreate_database(database_url, "faulttest")
        stack.install(projects=40)
        plan = stack.create_accounts(staff_count=USERS)
        run_id = time.strftime("%Y%m%d%H%M%S")
        log = open(scratch / "gunicorn.log", "w")  # noqa: SIM115 (open while gunicorn runs)
        gunicorn = stack.start_gunicorn(stdout=log, stderr=subprocess.STDOUT)
        base = f"http://{HOST}:{port}"
        stack.wait_for(base + "/healthz")

        def kill_worker():
            pid = random.choice(stack.gunicorn_worker_pids(gunicorn.pid))
            os.kill(pid, signal.SIGKILL)
            return f"worker {pid} killed"

        def restart_postgresql():
            cluster.restart()
            return "restarted (pg_ctl restart -m fast)"

        faults = [
            ("baseline", None),
            ("redis stopped", lambda: redis_server.stop() or "redis-server shut down"),
            ("redis started again", lambda: redis_server.start() or "redis-server started with its data"),
            ("gunicorn worker killed", kill_worker),
            ("db connections terminated", lambda: f"{terminate_connections(database_url)} terminated"),
        ]
        faults.append(("postgresql restarted", restart_postgresql if cluster else "skipped"))
        faults.append(("after", None))

        tally, stop = Tally(), threading.Event()
        tally.run_id = run_id
        users = [
            User(base, account, plan["password"], tally, stop, number)
            for number, account in enumerate(plan["staff"], start=1)
        ]
        print(f"\ngunicorn: {WORKERS} workers on {HOST}:{port}; {USERS} users posting reports; run id {run_id}")
        print(f"Phases of {PHASE_SECONDS:.0f} s, a failed request retried once after {RETRY_DELAY:.0f} s:")
        poller = threading.Thread(target=poll_healthz, args=(base, tally, stop), daemon=True)
        poller.start()
        for user in users:
            user.start()
        deadline = time.monotonic() + 120
        while sum(tally.sign_ins.values()) < USERS and time.monotonic() < deadline:
            time.sleep(0.2)  # the faults start once every user is signed in
        run_phases(tally, faults)
        stop.set()
        for user in users:
            user.join(timeout=RETRY_DELAY + 35)
        poller.join(timeout=10)
        stored = stack.stored_reports(f"FT-{run_id}-")
    finally:
        if gunicorn:
            stack.stop_gunicorn(gunicorn)
        redis_server.kill()
        if cluster:
            cluster.destroy()
    return report(tally, stored, ["signing in", *(name for name, _ in faults)], cluster, why_not, scratch)


def report(tally, stored, phases, cluster, why_not, scratch):
    header = (
        f"{'fault':<27}{'requests':>9}{'sign-ins':>9}{'posts':>7}{'stored':>8}{'errors 1st try':>16}"
        f"{'after retry':>13}  healthz seen"
    )
    print("\n" + header + "\n" + "-" * (len(header) + 20))
    for phase in phases:
        if phase == "postgresql restarted" and not cluster:
            print(f"{phase:<27}  skipped: the test does not own the PostgreSQL cluster ({why_not})")
            continue
        posts = tally.posts.get(phase, [])
        kept = sum(stored.get(narrative, 0) for narrative in posts)
        seen = ", ".join(f"{what} ×{n}" for what, n in sorted(tally.healthz.get(phase, {}).items()))
        print(
            f"{phase:<27}{tally.requests[phase]:>9}{tally.sign_ins[phase]:>9}{len(posts):>7}{kept:>8}{tally.first_try[phase]:>16}"
            f"{tally.after_retry[phase]:>13}  {seen}"
        )
    all_posts = [narrative for posts in tally.posts.values() for narrative in posts]
    print(
        f"{'ALL':<27}{sum(tally.requests.values()):>9}{sum(tally.sign_ins.values()):>9}{len(all_posts):>7}{sum(stored.values()):>8}"
        f"{sum(tally.first_try.values()):>16}{sum(tally.after_retry.values()):>13}"
    )
    for phase in phases:
        if tally.examples.get(phase):
            print(f"  first-try errors in {phase}: {', '.join(tally.examples[phase])}")
    lost, duplicated, unexpected = stack.check_exactly_once(tally.posted, stored)
    # A POST whose retry failed too may or may not have been stored: the user saw an error
    # (counted above) and, like a browser's user, does not know. Stored or not, it is not a loss.
    unexpected = [narrative for narrative in unexpected if narrative not in set(all_posts)]
    log = (scratch / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    print(
        f"\nReports: {len(tally.posted)} confirmed by the server, {sum(stored.values())} stored: {len(lost)} lost, "
        f"{len(duplicated)} duplicated, {len(unexpected)} stored that no user posted"
    )
    print(
        f"gunicorn log ({scratch / 'gunicorn.log'}): {log.count('does not answer (')} 'Redis does not answer' "
        f"lines, {log.count('answers again')} 'answers again', {log.count('Traceback')} tracebacks"
    )
    problems = []
    if lost or duplicated or unexpected:
        problems.append("reports lost or duplicated")
    if sum(tally.after_retry.values()):
        problems.append(f"{sum(tally.after_retry.values())} requests failed after their retry")
    if not any(seen.endswith("degraded") for seen in tally.healthz.get("redis stopped", {})):
        problems.append("/healthz never said degraded while Redis was down")
    # A probe that timed out on a busy machine is shown in the table; an answer other than 200
    # outside the faults is a failure.
    if any(
        seen[:1].isdigit() and not seen.startswith("200 ok")
        for phase in ("baseline", "after")
        for seen in tally.healthz.get(phase, {})
    ):
        problems.append("/healthz did not answer 200 ok outside the faults")
    if not tally.posted:
        problems.append("no report was posted")
    elapsed = time.monotonic() - STARTED
    if elapsed > MAX_SECONDS:
        problems.append(f"the run took {elapsed:.0f} s (over FAULTTEST_MAX_SECONDS={MAX_SECONDS})")
    summary = json.dumps({"seconds": round(elapsed), "problems": problems}, ensure_ascii=False)
    print(f"\nRESULT: {'FAILED ' + summary if problems else 'passed'} in {elapsed:.0f} s")
    for data in ("pgdata", "redis"):
        shutil.rmtree(scratch / data, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
