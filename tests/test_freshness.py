"""Readers see fresh data at once, whoever changed it and however: the Django admin, a script's
QuerySet.update() or raw SQL, another process (a shell, a service called from a script,
import_legacy, restore), a reader in another language.

These are tests of the writers, not of the mechanism: each one views a page first (so that any
cache would fill), changes the data the way that writer does, then reads as the reader and looks
only at what the reader gets (status codes, page content, dashboard figures, export files). None
of them knows how, or whether, anything is cached. The in-process ones run with each cache
backend production can have: a per-process local-memory cache (no REDIS_URL) and Redis.
"""

import csv
import functools
import io
import json
import os
import re
import runpy
import subprocess
import sys
import textwrap
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from bma_tracker import thaidate
from indicators.models import IndicatorQuarter
from projects import services
from projects.models import OrgUnit, PlanStep, ProgressReport, Project, ProjectEvaluation, User
from tests import factories
from tests.paths import SEEDS
from tests.pdftools import pdftotext, squash
from tests.servers import redis_reachable

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/15"
SEED_000 = SEEDS / "000_ce21939e2f54dfaa.txt"


# --- The cache backends ---------------------------------------------------------------------


@functools.cache
def production_settings(redis_url):
    """The cache and session settings bma_tracker/settings.py builds for this REDIS_URL ("": none)."""
    with mock.patch.dict(os.environ, {"REDIS_URL": redis_url}):
        built = runpy.run_path(str(ROOT / "bma_tracker" / "settings.py"))
    return {"CACHES": built["CACHES"], "SESSION_ENGINE": built["SESSION_ENGINE"]}


@pytest.fixture(autouse=True, params=["locmem", "redis"])
def cache_backend(request, settings):
    """Each test runs once per backend, with the settings production has for it: no REDIS_URL
    (Django's LocMemCache, each process its own) and Redis (db 15, emptied before and after the
    test). The conftest's empty_cache has set PAGE_CACHE_SECONDS = 3600 (pages cached as in
    production) before this runs."""
    if request.param == "redis" and not redis_reachable():
        pytest.skip("Redis is not running on 127.0.0.1:6379 (apt-get install redis-server)")
    for name, value in production_settings(REDIS_URL if request.param == "redis" else "").items():
        setattr(settings, name, value)
    cache.clear()  # Redis db 15: nothing left by an earlier run or test
    yield request.param
    cache.clear()


# --- Readers and writers ----------------------------------------------------------------------


def browser(user):
    """A signed-in browser of its own (its own cookies: its own session and language)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_browser(admin_user):
    return browser(admin_user)


def get(client, url, *, status=200, **query):
    """GET as the reader; the page's text (status 200) or the response (any other status asked for)."""
    response = client.get(url, query)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode() if status == 200 else response


def page(client, project, name="projects:detail"):
    return get(client, reverse(name, args=[project.code]))


def home(client):
    return get(client, reverse("home"))


def dashboard(client, **query):
    return get(client, reverse("dashboard:index"), **query)


def project_list(client, fiscal_year):
    return get(client, reverse("projects:list"), fiscal_year=fiscal_year)


def pdf_text(client, project):
    response = client.get(reverse("projects:print_pdf", args=[project.code]))
    assert response.status_code == 200
    return squash(pdftotext(response.content, "-layout"))


def figure(html, name):
    """A dashboard headline figure (data-figure="total", "average", "behind", "ind-met"…), as shown."""
    match = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert match, f"no {name} figure on the page"
    return match[1].split()[-1]


def breadcrumbs(html):
    trail = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', html, re.S)
    assert trail, "no breadcrumbs on the page"
    return [text.strip() for text in re.findall(r'<li class="breadcrumb-item[^>]*>(?:<a [^>]*>)?([^<]*)<', trail[1])]


def header_percent(html):
    """The project header's progress: 'ความคืบหน้าโครงการ ร้อยละ 40', or None without a report."""
    match = re.search(r"ความคืบหน้าโครงการ ร้อยละ ([\d.]+)", html)
    if match is None:
        assert "ความคืบหน้าโครงการ: ยังไม่มีรายงาน" in html
        return None
    return match[1]


def planned_at_latest(html):
    match = re.search(r"ตามแผน ณ วันรายงาน ร้อยละ ([\d.]+)", html)
    assert match, "no planned percent in the project header"
    return match[1]


def row_percent(html, code):
    """The percent cell of a project's row in My projects or the project list ('-' without a report)."""
    match = re.search(rf'data-code="{re.escape(code)}".*?<td class="num">([^<]*)</td>', html, re.S)
    assert match, f"{code} is not listed"
    return match[1].strip()


def lists(html, code):
    """Whether a list page (My projects, the project list) has a row for the project."""
    return f'data-code="{code}"' in html


def report_percents(html):
    return re.findall(r'<span class="report-percent">([^<]*)</span>', html)


def export(client, table, fmt, **query):
    response = client.get(reverse("dashboard:export"), {**query, "table": table, "format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]  # the header row, then the rows


class _FormFields(HTMLParser):
    """The name/value pairs a browser submits from the form with this id."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.pairs = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value") or "on"))
                return
            self.pairs.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value") or ""
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"]
            if not chosen and not self.select["multiple"] and self.select["first"] is not None:
                chosen = [self.select["first"]]  # a browser submits a single select's first option
            self.pairs += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.pairs.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None


def admin_save(client, url, changes):
    """Submit an admin add or change form (with its inlines and their management forms) as a
    browser would after an administrator typed `changes` ({field name: value}) into it."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = _FormFields(f"{response.context['opts'].model_name}_form")
    parser.feed(response.content.decode())
    data = {}
    for name, value in parser.pairs:
        data.setdefault(name, []).append(value)
    assert data, f"no admin form found at {url}"
    for name, value in changes.items():
        assert name in data, f"the admin form at {url} has no field {name!r}"
        data[name] = [str(value)]
    response = client.post(url, data)
    errors = list(response.context["errors"]) if response.context and "errors" in response.context else None
    assert response.status_code == 302, (url, response.status_code, errors)


def admin_change(client, obj, changes):
    opts = obj._meta
    admin_save(client, reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]), changes)


def report(project, user, percent, day=None, narrative="ดำเนินการตามแผน"):
    """A monthly report, posted as staff post it (set-up, before anything is viewed)."""
    values = {
        "report_date": day or thaidate.today(),
        "percent": Decimal(percent),
        "narrative": narrative,
        "problems": "ไม่มี",
        "obstacles": "ไม่มี",
    }
    return services.progress_report_submit(project=project, user=user, values=values)[0]


@pytest.fixture
def fy():
    """The current fiscal year: My projects and the dashboards open on it."""
    return thaidate.fiscal_year(thaidate.today())


@pytest.fixture
def current(social_division, staff, fy):
    """A project of this fiscal year owned by สำนักงานการส่งเสริมอาชีพ (under สำนักพัฒนาสังคม),
    reported today at 40 %."""
    project = factories.make_project(
        code="24040000-7001", unit=social_division, fiscal_year=fy, name="โครงการฝึกอาชีพระยะสั้น"
    )
    report(project, staff, "40")
    return project


@pytest.fixture
def education_dept(db):
    return factories.make_unit(code="21000000", name="สำนักการศึกษา")


def behind_plan(project, user):
    """Give the project, through the service staff use, a plan step of weight 100 due on the first
    day of its fiscal year: it is planned at 100 % on any report date since, and so trails its plan."""
    first_day, _last = thaidate.fiscal_year_range(project.fiscal_year)
    step = {"number": 1, "name": "จัดฝึกอบรม", "weight": Decimal("100"), "start": first_day, "end": first_day}
    services.plan_steps_save(
        project=project, user=user, version=project.version, changed=[], created=[step], deleted=[]
    )
    return project.steps.get()


# --- 1. Another process writes; a long-lived reader process had cached the pages -------------

# The reader "server": one process that migrates its own database, builds the data, views the
# pages (its own per-process cache fills), then has each writer run in a process of its own
# and views the pages again after each. It prints what it saw each time.
READER = """
import io, json, os, re, subprocess, sys
import django

django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from bma_tracker import thaidate
from projects import services
from projects.models import User
from tests import factories

call_command("migrate", verbosity=0)
today = thaidate.today()
unit = factories.make_unit(code="24000000", name="สำนักพัฒนาสังคม")
director = factories.make_user("reader-director", unit=unit, role=User.Role.DIRECTOR)
project = factories.make_project(code="24000000-0001", unit=unit, fiscal_year=thaidate.fiscal_year(today))


def report(percent):
    services.progress_report_submit(
        project=project, user=director,
        values=dict(report_date=today, percent=percent, narrative="รายงาน", problems="ไม่มี", obstacles="ไม่มี"),
    )


report(40)
reader = Client()
reader.force_login(director)
call_command("backup", os.environ["BACKUP_FILE"], stdout=io.StringIO())  # what `restore` puts back: 40 %
report(50)


def seen():
    dash = reader.get("/dashboard/").content.decode()  # the director's own unit, this fiscal year
    legacy = reader.get("/dashboard/", {"fy": "2564", "group": ""}).content.decode()
    detail = reader.get("/projects/24000000-0001/").content.decode()
    mine = reader.get("/").content.decode()
    return {
        "dashboard average": re.search(r'data-figure="average">([^<]*)<', dash)[1],
        "project page": re.search(r"ความคืบหน้าโครงการ ร้อยละ ([0-9.]+)", detail)[1],
        "my projects": re.search(r'data-code="24000000-0001".*?<td class="num">([^<]*)</td>', mine, re.S)[1],
        "projects of 2564": re.search(r'data-figure="total">([^<]*)<', legacy)[1],
    }


views = [{"cache": settings.CACHES["default"]["BACKEND"], "seen": seen()}]
for writer in json.loads(os.environ["WRITERS"]):
    done = subprocess.run([sys.executable, *writer], env=os.environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    views.append({"writer": writer[:2], "seen": seen()})
print(json.dumps(views))
"""

WRITE_WITH_A_SERVICE = """
import django

django.setup()
from bma_tracker import thaidate
from projects import services
from projects.models import Project, User

services.progress_report_submit(
    project=Project.objects.get(code="24000000-0001"),
    user=User.objects.get(username="reader-director"),
    values=dict(report_date=thaidate.today(), percent=60, narrative="จากสคริปต์", problems="ไม่มี", obstacles="ไม่มี"),
)
"""

WRITE_IN_A_SHELL = """
from bma_tracker import thaidate
from projects.models import ProgressReport, Project

project = Project.objects.get(code="24000000-0001")
ProgressReport.objects.create(
    project=project, report_date=thaidate.today(), percent=80, narrative="จาก shell", problems="ไม่มี", obstacles="ไม่มี"
)
Project.objects.filter(pk=project.pk).update(latest_percent=80, latest_report_date=thaidate.today())
"""


@pytest.mark.parametrize("cache_backend", ["locmem"], indirect=True)  # the processes below choose their own
def test_a_report_written_by_another_process_shows_at_once_in_a_reader_process_that_had_cached_the_pages(tmp_path):
    writers = [
        ["-c", textwrap.dedent(WRITE_WITH_A_SERVICE)],  # a script calling the services: 60 %
        ["manage.py", "shell", "-c", textwrap.dedent(WRITE_IN_A_SHELL)],  # the ORM in a shell: 80 %
        ["manage.py", "import_legacy", str(SEED_000)],  # one more project of FY 2564
        ["manage.py", "restore", "--noinput", str(tmp_path / "backup.tar.gz")],  # as before the 50 %: 40 %
    ]
    env = {
        **{name: value for name, value in os.environ.items() if name != "DATABASE_REPLICA_URL"},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'server.sqlite3'}",
        "REDIS_URL": "",  # each process its own local-memory cache
        "PAGE_CACHE_SECONDS": "3600",  # pages cached as with Redis (a new design may ignore it)
        "SECURE_SSL_REDIRECT": "0",
        "BACKUP_FILE": str(tmp_path / "backup.tar.gz"),
        "WRITERS": json.dumps(writers),
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(READER)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    views = json.loads(done.stdout.strip().splitlines()[-1])
    assert views[0]["cache"] == "django.core.cache.backends.locmem.LocMemCache"

    def everywhere(percent, legacy_projects):
        return {
            "dashboard average": f"{percent}.00",
            "project page": str(percent),
            "my projects": f"{percent}.00",
            "projects of 2564": str(legacy_projects),
        }

    expected = [
        ("the first views (which a cache would keep)", everywhere(50, 0)),
        ("a service called by a script", everywhere(60, 0)),
        ("ORM writes in manage.py shell", everywhere(80, 0)),
        ("import_legacy", everywhere(80, 1)),
        ("restore", everywhere(40, 0)),
    ]
    wrong = [
        f"after {label}: the reader saw {view['seen']}, expected {want}"
        for (label, want), view in zip(expected, views, strict=True)
        if view["seen"] != want
    ]
    assert not wrong, "\n".join(wrong)


# --- 2. Readers in two languages --------------------------------------------------------------


@pytest.fixture
def departments_and_districts(social_dept, district_office, fy):
    """A department owning a project not yet reported (listed with its kind among the units not
    reporting and the units by delay) and a district office without projects (listed too)."""
    factories.make_project(code="24000000-7101", unit=social_dept, fiscal_year=fy)


def english_browser(user):
    client = browser(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("dashboard:index")})
    assert response.status_code == 302 and client.cookies["django_language"].value == "en"
    return client


def test_a_thai_reader_after_an_english_one_sees_thai_unit_kinds_on_the_dashboard(
    planner, director, departments_and_districts
):
    english = dashboard(english_browser(planner), group="")
    assert '<div class="text-muted">District office · ' in english
    assert '<div class="text-muted">Department</div>' in english
    thai = dashboard(browser(director), group="")
    assert '<div class="text-muted">สำนักงานเขต · กลุ่มกรุงธนใต้</div>' in thai
    assert '<div class="text-muted">สำนัก</div>' in thai
    assert "District office" not in thai and ">Department<" not in thai
    # And the other way round: an English reader after a Thai one reads English.
    assert '<div class="text-muted">District office · ' in dashboard(english_browser(director), group="")


def test_a_thai_reader_after_an_english_one_downloads_thai_unit_kinds_in_csv_and_excel(
    planner, director, departments_and_districts
):
    english_reader = english_browser(planner)
    dashboard(english_reader, group="")
    english_csv = export(english_reader, "units-not-reported", "csv", group="")
    assert {row[2] for row in english_csv[1:]} == {"Department", "District office"}
    thai_reader = browser(director)
    unreported = export(thai_reader, "units-not-reported", "csv", group="")
    assert unreported[0][2] == "ประเภท"
    assert {row[0]: row[2] for row in unreported[1:]} == {"24000000": "สำนัก", "50240000": "สำนักงานเขต"}
    trailing = export(thai_reader, "units-trailing", "xlsx", group="")
    assert trailing[0][2] == "ประเภท"
    assert {row[0]: row[2] for row in trailing[1:]} == {"24000000": "สำนัก"}
    unreported_xlsx = export(thai_reader, "units-not-reported", "xlsx", group="")
    assert {row[0]: row[2] for row in unreported_xlsx[1:]} == {"24000000": "สำนัก", "50240000": "สำนักงานเขต"}


# --- 3. A unit renamed or moved in the admin -------------------------------------------------


def test_a_unit_renamed_in_the_admin_shows_its_new_name_at_once_on_dashboards_breadcrumbs_and_project_pages(
    admin_browser, director, staff, social_division, current, fy
):
    reader = browser(director)
    assert "สำนักงานการส่งเสริมอาชีพ" in dashboard(reader, unit="24000000")
    assert breadcrumbs(dashboard(reader, unit="24040000"))[-2:] == ["สำนักพัฒนาสังคม", "สำนักงานการส่งเสริมอาชีพ"]
    assert f"สำนักงานการส่งเสริมอาชีพ : ({fy})" in page(reader, current)
    staff_browser = browser(staff)
    assert "สำนักงานการส่งเสริมอาชีพ" in home(staff_browser)

    admin_change(admin_browser, social_division, {"name": "ศูนย์ฝึกอาชีพกรุงเทพมหานคร"})

    parent = dashboard(reader, unit="24000000")
    assert "ศูนย์ฝึกอาชีพกรุงเทพมหานคร" in parent and "สำนักงานการส่งเสริมอาชีพ" not in parent
    assert breadcrumbs(dashboard(reader, unit="24040000"))[-2:] == ["สำนักพัฒนาสังคม", "ศูนย์ฝึกอาชีพกรุงเทพมหานคร"]
    assert "ศูนย์ฝึกอาชีพกรุงเทพมหานคร" in dashboard(reader, group="")
    assert f"ศูนย์ฝึกอาชีพกรุงเทพมหานคร : ({fy})" in page(reader, current)
    assert "ศูนย์ฝึกอาชีพกรุงเทพมหานคร" in page(reader, current, "projects:print")
    mine = home(staff_browser)
    assert "ศูนย์ฝึกอาชีพกรุงเทพมหานคร" in mine and "สำนักงานการส่งเสริมอาชีพ" not in mine


def test_a_unit_moved_to_another_parent_in_the_admin_shows_in_its_new_place_at_once(
    admin_browser, director, staff, social_division, education_dept, current
):
    education_staff = browser(factories.make_user("education-staff", unit=education_dept, role=User.Role.STAFF))
    reader, social_staff = browser(director), browser(staff)
    edit_url = reverse("projects:edit", args=[current.code])
    assert figure(dashboard(reader, unit="24000000"), "total") == "1"
    assert figure(dashboard(reader, unit="21000000"), "total") == "0"
    assert breadcrumbs(dashboard(reader, unit="24040000"))[1:] == ["สำนักพัฒนาสังคม", "สำนักงานการส่งเสริมอาชีพ"]
    assert lists(home(social_staff), current.code) and not lists(home(education_staff), current.code)
    get(social_staff, edit_url)
    get(education_staff, edit_url, status=403)

    admin_change(admin_browser, social_division, {"parent": education_dept.pk})

    assert figure(dashboard(reader, unit="24000000"), "total") == "0"
    assert figure(dashboard(reader, unit="21000000"), "total") == "1"
    assert breadcrumbs(dashboard(reader, unit="24040000"))[1:] == ["สำนักการศึกษา", "สำนักงานการส่งเสริมอาชีพ"]
    assert not lists(home(social_staff), current.code) and lists(home(education_staff), current.code)
    get(social_staff, edit_url, status=403)
    get(education_staff, edit_url)


# --- 4. An evaluation saved in the admin -----------------------------------------------------


def test_an_evaluation_added_in_the_admin_shows_on_the_project_page_at_once(admin_browser, planner, current):
    reader = browser(planner)
    assert "สยป. ประเมินโครงการ" not in page(reader, current)

    admin_save(
        admin_browser,
        reverse("admin:projects_projectevaluation_add"),
        {"project": current.pk, "quarter": 2, "score": "77.25"},
    )

    after = page(reader, current)
    assert "สยป. ประเมินโครงการ : ไตรมาสที่ 2 77.25" in after
    assert '<tr><td>2</td><td class="num">77.25</td>' in after
    assert "สยป. ประเมินโครงการ : ไตรมาสที่ 2 77.25" in page(reader, current, "projects:print")


def test_an_evaluation_changed_in_the_admin_shows_on_the_project_page_and_print_page_at_once(
    admin_browser, planner, current
):
    evaluation = ProjectEvaluation.objects.create(project=current, quarter=1, score=Decimal("60"))
    reader = browser(planner)
    assert "สยป. ประเมินโครงการ : ไตรมาสที่ 1 60" in page(reader, current)
    assert "สยป. ประเมินโครงการ : ไตรมาสที่ 1 60" in page(reader, current, "projects:print")

    admin_change(admin_browser, evaluation, {"score": "88.5"})

    assert "สยป. ประเมินโครงการ : ไตรมาสที่ 1 88.5" in page(reader, current)
    assert "สยป. ประเมินโครงการ : ไตรมาสที่ 1 88.5" in page(reader, current, "projects:print")


def test_an_evaluation_saved_in_the_project_admins_inline_shows_on_the_project_page_at_once(
    admin_browser, planner, current
):
    ProjectEvaluation.objects.create(project=current, quarter=1, score=Decimal("60"))
    reader = browser(planner)
    assert "สยป. ประเมินโครงการ : ไตรมาสที่ 1 60" in page(reader, current)

    admin_change(admin_browser, current, {"evaluations-0-score": "91.75"})

    assert "สยป. ประเมินโครงการ : ไตรมาสที่ 1 91.75" in page(reader, current)


# --- 5. A project deleted in the admin -------------------------------------------------------


def _deleted_project_readers(director, planner, staff, project):
    readers = {"director": browser(director), "planner": browser(planner), "staff": browser(staff)}
    for reader in readers.values():
        page(reader, project)
        page(reader, project, "projects:print")
    assert figure(dashboard(readers["director"]), "total") == "1"
    assert figure(dashboard(readers["planner"]), "total") == "1"
    assert lists(home(readers["staff"]), project.code)
    return readers


def _assert_gone(readers, project):
    for reader in readers.values():
        get(reader, reverse("projects:detail", args=[project.code]), status=404)
        get(reader, reverse("projects:print", args=[project.code]), status=404)
    assert figure(dashboard(readers["director"]), "total") == "0"
    assert figure(dashboard(readers["planner"]), "total") == "0"
    mine = home(readers["staff"])
    assert not lists(mine, project.code) and "หน่วยงานของคุณยังไม่มีโครงการในปีงบประมาณนี้" in mine


def test_a_project_deleted_in_the_admin_answers_404_and_leaves_the_dashboards_and_my_projects_at_once(
    admin_browser, director, planner, staff, current
):
    readers = _deleted_project_readers(director, planner, staff, current)

    response = admin_browser.post(reverse("admin:projects_project_delete", args=[current.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Project.objects.filter(pk=current.pk).exists()

    _assert_gone(readers, current)


def test_a_project_deleted_with_the_admin_list_action_answers_404_and_leaves_the_dashboards_at_once(
    admin_browser, director, planner, staff, current
):
    readers = _deleted_project_readers(director, planner, staff, current)

    response = admin_browser.post(
        reverse("admin:projects_project_changelist"),
        {"action": "delete_selected", "_selected_action": [current.pk], "post": "yes"},
    )
    assert response.status_code == 302 and not Project.objects.filter(pk=current.pk).exists()

    _assert_gone(readers, current)


# --- 6. A project moved to another unit or fiscal year in the admin --------------------------


def test_a_project_moved_to_another_unit_in_the_admin_leaves_the_old_units_pages_and_joins_the_new_ones_at_once(
    admin_browser, director, staff, other_staff, district_office, current
):
    reader, old_staff, new_staff = browser(director), browser(staff), browser(other_staff)
    assert figure(dashboard(reader, unit="24000000"), "total") == "1"
    assert figure(dashboard(reader, unit="24040000"), "total") == "1"
    assert figure(dashboard(reader, unit="50240000"), "total") == "0"
    assert lists(home(old_staff), current.code) and not lists(home(new_staff), current.code)

    admin_change(admin_browser, current, {"unit": district_office.pk})

    assert figure(dashboard(reader, unit="24000000"), "total") == "0"
    assert figure(dashboard(reader, unit="24040000"), "total") == "0"
    assert figure(dashboard(reader, unit="50240000"), "total") == "1"
    assert not lists(home(old_staff), current.code)
    assert lists(home(new_staff), current.code)
    assert "สำนักงานเขตราษฎร์บูรณะ" in page(reader, current)


def test_a_project_moved_to_another_fiscal_year_in_the_admin_leaves_this_years_pages_and_joins_the_other_years_at_once(
    admin_browser, director, staff, current, fy
):
    reader, staff_browser = browser(director), browser(staff)
    assert figure(dashboard(reader, fy=fy), "total") == "1"
    assert figure(dashboard(reader, fy=fy - 1), "total") == "0"
    assert lists(home(staff_browser), current.code)
    assert f"สำนักงานการส่งเสริมอาชีพ : ({fy})" in page(reader, current)

    admin_change(admin_browser, current, {"fiscal_year": fy - 1})

    assert figure(dashboard(reader, fy=fy), "total") == "0"
    assert figure(dashboard(reader, fy=fy - 1), "total") == "1"
    assert not lists(home(staff_browser), current.code)
    assert f"สำนักงานการส่งเสริมอาชีพ : ({fy - 1})" in page(reader, current)


# --- 7. QuerySet.update() in a script --------------------------------------------------------


def test_a_project_renamed_with_update_shows_at_once_on_its_page_print_page_pdf_my_projects_and_the_dashboard(
    director, staff, current
):
    behind_plan(current, staff)
    reader, staff_browser = browser(director), browser(staff)
    for html in (
        page(reader, current),
        page(reader, current, "projects:print"),
        home(staff_browser),
        dashboard(reader),  # among the projects most behind their plan
    ):
        assert "โครงการฝึกอาชีพระยะสั้น" in html
    assert squash("โครงการฝึกอาชีพระยะสั้น") in pdf_text(reader, current)

    Project.objects.filter(pk=current.pk).update(name="โครงการฝึกทักษะอาชีพใหม่")

    for html in (
        page(reader, current),
        page(reader, current, "projects:print"),
        home(staff_browser),
        dashboard(reader),
    ):
        assert "โครงการฝึกทักษะอาชีพใหม่" in html and "โครงการฝึกอาชีพระยะสั้น" not in html
    assert squash("โครงการฝึกทักษะอาชีพใหม่") in pdf_text(reader, current)


def test_a_budget_and_a_disbursement_changed_with_update_show_at_once_on_the_project_page_and_the_dashboard(
    director, current
):
    """A script sets a budget, then a disbursement (in the report and its project's summary):
    the project page's rate, the dashboard's headline rate and the per-unit export follow."""
    reader = browser(director)
    assert 'id="budget"' not in page(reader, current)
    assert figure(dashboard(reader), "disbursement") == "–"

    Project.objects.filter(pk=current.pk).update(budget=Decimal("1000000"))

    assert 'data-rate="0.00"' in page(reader, current)
    assert figure(dashboard(reader), "disbursement") == "0.00"

    ProgressReport.objects.filter(project=current).update(disbursed_to_date=Decimal("250000"))
    Project.objects.filter(pk=current.pk).update(disbursed_to_date=Decimal("250000"))

    assert 'data-rate="25.00"' in page(reader, current)
    assert figure(dashboard(reader), "disbursement") == "25.00"
    rows = export(reader, "disbursement", "xlsx")
    assert rows[1][3:6] == [1000000, 250000, 25]

    Project.objects.filter(pk=current.pk).update(budget_after_transfer=Decimal("500000"))

    assert 'data-rate="50.00"' in page(reader, current)
    assert figure(dashboard(reader), "disbursement") == "50.00"


def test_a_report_corrected_with_update_shows_at_once_on_the_project_page_print_page_and_the_dashboard(
    director, staff, current
):
    """A script corrects a mistyped percent, in the report and in its project's summary."""
    reader, staff_browser = browser(director), browser(staff)
    assert report_percents(page(reader, current)) == ["40.00"]
    assert report_percents(page(reader, current, "projects:print")) == ["40.00"]
    assert figure(dashboard(reader), "average") == "40.00"
    assert row_percent(home(staff_browser), current.code) == "40.00"

    ProgressReport.objects.filter(project=current).update(percent=Decimal("55"))
    Project.objects.filter(pk=current.pk).update(latest_percent=Decimal("55"))

    after = page(reader, current)
    assert report_percents(after) == ["55.00"] and header_percent(after) == "55"
    assert report_percents(page(reader, current, "projects:print")) == ["55.00"]
    assert figure(dashboard(reader), "average") == "55.00"
    assert figure(dashboard(reader, group=""), "average") == "55.00"
    assert row_percent(home(staff_browser), current.code) == "55.00"


def test_a_plan_step_renamed_with_update_shows_at_once_on_the_project_page_and_print_page(director, staff, current):
    step = behind_plan(current, staff)
    reader = browser(director)
    assert '<td class="step-name">จัดฝึกอบรม</td>' in page(reader, current)
    assert "จัดฝึกอบรม" in page(reader, current, "projects:print")

    PlanStep.objects.filter(pk=step.pk).update(name="จัดฝึกอบรมเชิงปฏิบัติการ")

    assert '<td class="step-name">จัดฝึกอบรมเชิงปฏิบัติการ</td>' in page(reader, current)
    assert "จัดฝึกอบรมเชิงปฏิบัติการ" in page(reader, current, "projects:print")


def test_an_indicator_result_changed_with_update_shows_at_once_on_the_project_page_the_dashboard_and_its_export(
    director, social_division, current, fy
):
    quarter = thaidate.fiscal_quarter(thaidate.today())
    # The quarter's own target, so that 40 is behind in any quarter (against the year's target
    # alone it would be "in progress" before the fourth).
    indicator = factories.make_indicator(
        fiscal_year=fy, unit=social_division, target=Decimal("100"), **{f"target_q{quarter}": Decimal("100")}
    )
    indicator.projects.add(current)
    result = factories.make_indicator_quarter(indicator, quarter=quarter, result=Decimal("40"))
    reader = browser(director)

    def shown_result():
        html = page(reader, current)
        return re.search(rf'data-quarter="{quarter}">.*?<td class="num quarter-result">([^<]*)</td>', html, re.S)[1]

    def met_in_export():
        rows = export(reader, "indicators-by-dimension", "csv")
        return {row[0]: row[1] for row in rows[1:]}["ไม่ระบุด้าน"]  # its column "บรรลุ" (met)

    assert shown_result() == "40.00"
    assert (figure(dashboard(reader), "ind-met"), figure(dashboard(reader), "ind-not-met")) == ("0", "1")
    assert met_in_export() == "0"

    IndicatorQuarter.objects.filter(pk=result.pk).update(result=Decimal("100"))

    assert shown_result() == "100.00"
    assert (figure(dashboard(reader), "ind-met"), figure(dashboard(reader), "ind-not-met")) == ("1", "0")
    assert met_in_export() == "1"


def test_a_unit_renamed_with_update_shows_at_once_on_project_pages_my_projects_the_navigation_bar_and_dashboards(
    director, staff, social_division, current, fy
):
    division_staff = browser(factories.make_user("division-staff", unit=social_division, role=User.Role.STAFF))
    reader, staff_browser = browser(director), browser(staff)
    assert f"สำนักงานการส่งเสริมอาชีพ : ({fy})" in page(reader, current)
    assert "สำนักงานการส่งเสริมอาชีพ" in home(staff_browser)
    assert "· สำนักงานการส่งเสริมอาชีพ</a>" in home(division_staff)  # the navigation bar: the reader's unit
    assert "สำนักงานการส่งเสริมอาชีพ" in dashboard(reader, unit="24000000")
    assert breadcrumbs(dashboard(reader, unit="24040000"))[-1] == "สำนักงานการส่งเสริมอาชีพ"

    OrgUnit.objects.filter(pk=social_division.pk).update(name="ศูนย์ฝึกอาชีพกรุงเทพมหานคร")

    assert f"ศูนย์ฝึกอาชีพกรุงเทพมหานคร : ({fy})" in page(reader, current)
    assert "ศูนย์ฝึกอาชีพกรุงเทพมหานคร" in page(reader, current, "projects:print")
    mine = home(staff_browser)
    assert "ศูนย์ฝึกอาชีพกรุงเทพมหานคร" in mine and "สำนักงานการส่งเสริมอาชีพ" not in mine
    assert "· ศูนย์ฝึกอาชีพกรุงเทพมหานคร</a>" in home(division_staff)
    parent = dashboard(reader, unit="24000000")
    assert "ศูนย์ฝึกอาชีพกรุงเทพมหานคร" in parent and "สำนักงานการส่งเสริมอาชีพ" not in parent
    assert breadcrumbs(dashboard(reader, unit="24040000"))[-1] == "ศูนย์ฝึกอาชีพกรุงเทพมหานคร"


# --- 8. Permission checks read the database --------------------------------------------------


def _signed_in_and_browsing(user, project):
    reader = browser(user)
    home(reader)
    page(reader, project)
    dashboard(reader)
    return reader


def _assert_signed_out(reader, project):
    login_url = reverse("login")
    for url in (reverse("home"), reverse("projects:detail", args=[project.code]), reverse("dashboard:index")):
        response = reader.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login_url), (url, response.status_code)


def test_a_user_deactivated_with_update_is_signed_out_on_their_very_next_request(staff, current):
    reader = _signed_in_and_browsing(staff, current)

    User.objects.filter(pk=staff.pk).update(is_active=False)

    _assert_signed_out(reader, current)


def test_a_user_deactivated_with_raw_sql_is_signed_out_on_their_very_next_request(staff, current):
    reader = _signed_in_and_browsing(staff, current)

    with connection.cursor() as cursor:
        table, active = User._meta.db_table, connection.ops.quote_name("is_active")
        cursor.execute(f"UPDATE {table} SET {active} = %s WHERE id = %s", [False, staff.pk])  # noqa: S608

    _assert_signed_out(reader, current)


def test_staff_moved_to_another_unit_with_update_get_403_on_their_old_units_edit_forms_at_once(
    staff, district_office, current
):
    reader = _signed_in_and_browsing(staff, current)
    urls = [reverse("projects:edit", args=[current.code]), reverse("projects:progress_new", args=[current.code])]
    for url in urls:
        get(reader, url)

    User.objects.filter(pk=staff.pk).update(unit=district_office)

    for url in urls:
        get(reader, url, status=403)


def test_a_project_moved_to_another_unit_with_update_is_no_longer_editable_by_its_old_units_staff_at_once(
    staff, other_staff, district_office, current
):
    old_staff, new_staff = _signed_in_and_browsing(staff, current), _signed_in_and_browsing(other_staff, current)
    urls = [reverse("projects:edit", args=[current.code]), reverse("projects:progress_new", args=[current.code])]
    for url in urls:
        get(old_staff, url)
        get(new_staff, url, status=403)

    Project.objects.filter(pk=current.pk).update(unit=district_office)

    for url in urls:
        get(old_staff, url, status=403)
        get(new_staff, url)


# --- 9. A report or a plan step moved to another project in the admin ------------------------
# Projects of FY 2564, whose dashboards judge the schedule on 30/09/2564: fixed dates, whatever
# the day the tests run.


@pytest.fixture
def district_project(district_office, other_staff, project, staff):
    """The conftest's project (สำนักงานการส่งเสริมอาชีพ) reported on 20/09/2564 at 40 %, and a
    project of สำนักงานเขตราษฎร์บูรณะ reported on 10/09/2564 at 30 %."""
    report(project, staff, "40", day=date(2021, 9, 20))
    district = factories.make_project(
        code="50240000-7002", unit=district_office, fiscal_year=2564, name="โครงการของเขต"
    )
    report(district, other_staff, "30", day=date(2021, 9, 10))
    return district


def test_a_report_moved_to_another_project_in_the_admin_leaves_both_projects_summaries_right(
    admin_browser, director, planner, project, district_project
):
    moved = project.reports.get()  # 40 % on 20/09/2564, newer than the district project's report
    reader, bma = browser(director), browser(planner)
    assert header_percent(page(reader, project)) == "40"
    assert header_percent(page(reader, district_project)) == "30"
    listed = project_list(reader, 2564)
    assert (row_percent(listed, project.code), row_percent(listed, district_project.code)) == ("40", "30")
    assert figure(dashboard(reader, fy=2564, unit="24000000"), "average") == "40.00"
    assert figure(dashboard(reader, fy=2564, unit="50240000"), "average") == "30.00"
    assert figure(dashboard(bma, fy=2564, group=""), "average") == "35.00"

    admin_change(admin_browser, moved, {"project": district_project.pk})

    left, joined = page(reader, project), page(reader, district_project)
    assert header_percent(left) is None and report_percents(left) == []
    assert header_percent(joined) == "40" and report_percents(joined) == ["40.00", "30.00"]
    listed = project_list(reader, 2564)
    assert (row_percent(listed, project.code), row_percent(listed, district_project.code)) == ("-", "40")
    assert figure(dashboard(reader, fy=2564, unit="24000000"), "average") == "0.00"
    assert figure(dashboard(reader, fy=2564, unit="50240000"), "average") == "40.00"
    assert figure(dashboard(bma, fy=2564, group=""), "average") == "20.00"


def test_a_plan_step_moved_to_another_project_in_the_admin_leaves_both_planned_percents_right(
    admin_browser, director, staff, project, district_project
):
    """The step is due on the first day of the year: the project that has it is planned at 100 %
    on its report date, and is behind (40 or 30 % reported)."""
    step = behind_plan(project, staff)
    reader = browser(director)
    assert planned_at_latest(page(reader, project)) == "100"
    assert planned_at_latest(page(reader, district_project)) == "0"
    assert figure(dashboard(reader, fy=2564, unit="24000000"), "behind") == "1"
    assert figure(dashboard(reader, fy=2564, unit="50240000"), "behind") == "0"

    admin_change(admin_browser, step, {"project": district_project.pk})

    assert planned_at_latest(page(reader, project)) == "0"
    assert planned_at_latest(page(reader, district_project)) == "100"
    assert figure(dashboard(reader, fy=2564, unit="24000000"), "behind") == "0"
    assert figure(dashboard(reader, fy=2564, unit="50240000"), "behind") == "1"


# --- Evidence files (issue 20, item 5) ----------------------------------------------------------


def test_an_evidence_file_attached_by_a_script_shows_at_once_on_the_project_page_print_page_and_pdf(
    director, staff, current
):
    """A script calls the service (as a bulk attach of scanned letters would): the cached pages
    name the new file on the reader's next view."""
    reader = browser(director)
    assert "หนังสือรับรองผล.pdf" not in page(reader, current)
    assert "หนังสือรับรองผล.pdf" not in page(reader, current, "projects:print")
    assert squash("หนังสือรับรองผล.pdf") not in pdf_text(reader, current)

    services.report_evidence_add(
        report=current.reports.get(),
        upload=factories.upload("หนังสือรับรองผล.pdf", factories.pdf_bytes()),
        user=staff,
    )

    assert "หนังสือรับรองผล.pdf" in page(reader, current)
    assert "หนังสือรับรองผล.pdf" in page(reader, current, "projects:print")
    assert squash("หนังสือรับรองผล.pdf") in pdf_text(reader, current)


def test_an_evidence_file_renamed_or_deleted_with_update_leaves_the_cached_pages_at_once(director, staff, current):
    from projects.models import ReportEvidence

    reader = browser(director)
    services.report_evidence_add(
        report=current.reports.get(), upload=factories.upload("ภาพ.png", factories.image_bytes()), user=staff
    )
    assert "ภาพ.png" in page(reader, current)

    ReportEvidence.objects.update(original_name="ภาพกิจกรรม.png")
    assert "ภาพกิจกรรม.png" in page(reader, current)

    ReportEvidence.objects.all().delete()
    assert "ภาพกิจกรรม.png" not in page(reader, current)
