"""The month-end peak: staff log in, open their projects and post this month's report;
directors load dashboards and approve the reports waiting on their home page; the planning
office (five people) prints projects, now and then as a PDF. run.py runs the daily reminder
mails in the middle of the measured time.

Run by loadtest/run.py, which prepares the users (LOADTEST_USERS: a JSON file of usernames and
the project codes each may report on) and afterwards checks that every report posted here
(LOADTEST_POSTED: the narratives of the successful POSTs) is stored exactly once."""

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
import gevent.ssl
from locust import FastHttpUser, between, events, task

RUN_ID = os.environ["LOADTEST_RUN_ID"]
PLAN = json.loads(Path(os.environ["LOADTEST_USERS"]).read_text(encoding="utf-8"))
PASSWORD = PLAN["password"]
_staff = itertools.cycle(PLAN["staff"])
_directors = itertools.cycle(PLAN["directors"])
_planners = itertools.cycle(PLAN["planners"])
_sequence = itertools.count(1)
USER_COUNT = int(os.environ["LOADTEST_USER_COUNT"])
MEASURE_SECONDS = int(os.environ["LOADTEST_MEASURE_SECONDS"])
POSTED = []  # narratives of the reports the server said it stored (302 after the POST)
# Logins happen during the ramp-up, whose figures are reset once every user is signed in: kept
# here (ms) for the report.
LOGINS = {"ms": [], "failures": 0, "done": 0}
# CPU seconds the gunicorn processes (GUNICORN_PID and its workers) and, through TLS, nginx's
# (LOADTEST_NGINX_PID and its workers) have used, read from /proc when the measured time starts
# and when it ends: what one request costs the server.
SERVER_CPU = {}
SERVER_PIDS = {"gunicorn": os.environ.get("GUNICORN_PID", ""), "nginx": os.environ.get("LOADTEST_NGINX_PID", "")}
# Through TLS (run.py, LOADTEST_TLS=1): the throw-away certificate nginx shows, trusted as the
# only CA, so the handshake is verified as a browser's would be.
CA_FILE = os.environ.get("LOADTEST_CA_FILE", "")


def trusting_the_loopback_certificate(**kwargs):
    return gevent.ssl.create_default_context(cafile=CA_FILE)


def cpu_seconds(pid):
    """User + system CPU time of a master process and its live workers (Linux /proc)."""
    pids, total = [pid], 0
    try:
        for task in Path(f"/proc/{pids[0]}/task").iterdir():
            pids += (task / "children").read_text().split()
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    except (OSError, ValueError, IndexError):
        return None
    return total / os.sysconf("SC_CLK_TCK")


def server_cpu(moment):
    """{"start": gunicorn's seconds (as before), "gunicorn_start": …, "nginx_start": …}."""
    seconds = {f"{name}_{moment}": cpu_seconds(pid) for name, pid in SERVER_PIDS.items() if pid}
    return {moment: seconds.get(f"gunicorn_{moment}"), **seconds}


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
_REPORT_DATE = re.compile(r'name="report_date" value="([^"]+)"')
_REVIEW_LINK = re.compile(r'href="(/projects/[^/"]+/progress/\d+/review/)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')
APPROVED = []  # how many approvals the server took (302)


class SignedIn(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    if CA_FILE:
        insecure = False
        ssl_context_factory = staticmethod(trusting_the_loopback_certificate)

    def log_in(self, username):
        page = self.client.get("/accounts/login/", name="login form")
        token = _CSRF.search(page.text).group(1)
        started = time.perf_counter()
        with self.client.post(
            "/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            # As a browser sends it; over HTTPS Django's CSRF check refuses a POST without it.
            headers={"Referer": self.host + "/accounts/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            LOGINS["ms"].append((time.perf_counter() - started) * 1000)
            if response.status_code != 302:
                LOGINS["failures"] += 1
                response.failure(f"login as {username} gave {response.status_code}")
        LOGINS["done"] += 1
        if LOGINS["done"] == USER_COUNT:
            # Everyone is in: the month-end peak of signed-in work starts now, and is measured.
            self.environment.runner.stats.reset_all()
            SERVER_CPU.update(started=time.monotonic(), **server_cpu("start"))
            gevent.spawn_later(MEASURE_SECONDS, self.stop_measuring)

    def stop_measuring(self):
        SERVER_CPU.update(ended=time.monotonic(), **server_cpu("end"))
        self.environment.runner.quit()


class Staff(SignedIn):
    weight = 8

    def on_start(self):
        me = next(_staff)
        self.projects = me["projects"]
        self.log_in(me["username"])

    @task(3)
    def my_projects(self):
        self.client.get("/", name="home (my projects)")

    @task(4)
    def project_page(self):
        self.client.get(f"/projects/{random.choice(self.projects)}/", name="project page")

    @task(2)
    def report_progress(self):
        code = random.choice(self.projects)
        form = self.client.get(f"/projects/{code}/progress/new/", name="progress form")
        html = form.text or ""
        token, key, day = _CSRF.search(html), _SUBMISSION_KEY.search(html), _REPORT_DATE.search(html)
        if not (token and key and day):
            return  # the GET itself already counts as a failure
        narrative = f"LT-{RUN_ID}-{next(_sequence):06d} ดำเนินการตามแผนประจำเดือน"
        with self.client.post(
            f"/projects/{code}/progress/new/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "submission_key": key.group(1),
                "version": "",
                "report_date": day.group(1),
                "percent": "100",  # never below an earlier report: no confirmation step
                "narrative": narrative,
                "problems": "ไม่มี",
                "obstacles": "ไม่มี",
            },
            headers={"Referer": self.host + f"/projects/{code}/progress/new/"},
            allow_redirects=False,
            name="progress POST",
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                POSTED.append(narrative)
                response.success()
            else:
                response.failure(f"progress POST gave {response.status_code}")


class Director(SignedIn):
    weight = 2

    def on_start(self):
        self.log_in(next(_directors))

    @task(3)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")

    @task(2)
    def approve_a_report(self):
        """The first report on the home page's "to approve" list, approved from its review page."""
        home = self.client.get("/", name="home (director's to-do)")
        link = _REVIEW_LINK.search(home.text or "")
        if not link:
            return  # nothing waits (yet)
        page = self.client.get(link.group(1), name="review page")
        html = page.text or ""
        token, version = _CSRF.search(html), _VERSION.search(html)
        if not (token and version):
            return
        with self.client.post(
            link.group(1),
            data={"csrfmiddlewaretoken": token.group(1), "version": version.group(1), "action": "approve"},
            headers={"Referer": self.host + link.group(1)},
            allow_redirects=False,
            name="approve POST",
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                APPROVED.append(1)
                response.success()
            elif response.status_code == 409:
                response.success()  # another director approved it first: the page says so
            else:
                response.failure(f"approve POST gave {response.status_code}")


class PlanningOffice(SignedIn):
    # One office of a fixed size, whatever the number of staff reporting: its five accounts
    # (run.py) signed in at once, each opening a print page about every second and a PDF about
    # every eleven (some 1,600 PDFs an hour). A weight would grow the office with LOADTEST_USERS
    # (22 of 240 users, printing 2 PDFs a second, until 2026-11-21). LOADTEST_PLANNERS sets it.
    fixed_count = int(os.environ.get("LOADTEST_PLANNERS", "5"))

    def on_start(self):
        self.log_in(next(_planners))
        self.codes = PLAN["print_projects"]

    @task(10)
    def print_page(self):
        self.client.get(f"/projects/{random.choice(self.codes)}/print/", name="project print page")

    @task(1)
    def print_pdf(self):
        self.client.get(f"/projects/{random.choice(self.codes)}/print.pdf", name="project PDF")


@events.test_stop.add_listener
def _write_posted(environment, **kwargs):
    with open(os.environ["LOADTEST_POSTED"], "w", encoding="utf-8") as out:
        json.dump(
            {"posted": POSTED, "approved": len(APPROVED), "logins": LOGINS, "server_cpu": SERVER_CPU},
            out,
            ensure_ascii=False,
        )
