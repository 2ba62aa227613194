"""Who may open which write URL: every write URL × every role × GET and POST.

The project and indicator belong to สำนักพัฒนาสังคม (24000000). Roles:
- staff of the unit, director of the unit: enter data (EDIT);
- staff of a sub-unit (a division under it), staff or director of another unit: 403 on the
  unit's records, but they may create projects for their own unit (CREATE);
- the planning office: evaluations and restoring deleted reports (EVALUATE), nothing else of
  the projects;
- an indicator's definition (DEFINE): the unit's staff and director, the planning office (any
  unit); creating indicators and copying them to the next year (DEFINE_ANY): anyone with a
  unit, and the planning office;
- user accounts (MANAGE_USERS): the planning office and admins;
- admins: everything; anonymous users: redirected to the login page.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators import services as indicator_services
from projects import access, services
from projects.models import OrgUnit, User
from tests import factories

EDIT, CREATE, EVALUATE, DEFINE, DEFINE_ANY, EVIDENCE = "edit", "create", "evaluate", "define", "define_any", "evidence"
ROLL_OVER = "roll_over"
MANAGE_USERS = "manage_users"
REVIEW, PLAN_OFFICE = "review", "plan_office"
ROLES = [
    "staff_unit",
    "staff_subunit",
    "staff_other",
    "director_unit",
    "director_other",
    "planner",
    "admin",
    "anonymous",
]
ALLOWED = {
    EDIT: {"staff_unit", "director_unit", "admin"},
    CREATE: {"staff_unit", "staff_subunit", "staff_other", "director_unit", "director_other", "admin"},
    EVALUATE: {"planner", "admin"},
    DEFINE: {"staff_unit", "director_unit", "planner", "admin"},
    DEFINE_ANY: {"staff_unit", "staff_subunit", "staff_other", "director_unit", "director_other", "planner", "admin"},
    ROLL_OVER: {"director_unit", "director_other", "planner", "admin"},
    MANAGE_USERS: {"planner", "admin"},
    # Downloading evidence files: closer than reading the project (any signed-in user).
    EVIDENCE: {"staff_unit", "director_unit", "director_other", "planner", "admin"},
    # Approving or returning a report: a director of the unit or a unit above it, the planning office.
    REVIEW: {"director_unit", "planner", "admin"},
    # The reporting calendar and closing quarters.
    PLAN_OFFICE: {"planner", "admin"},
}

# Every write URL: (URL name, args from the world, who may, status of an allowed empty POST).
# An empty POST re-shows a form with its errors (200); delete and restore need no input (302).
WRITE_URLS = [
    ("projects:new", lambda w: [], CREATE, 200),
    ("projects:edit", lambda w: [w.project.code], EDIT, 200),
    ("projects:steps", lambda w: [w.project.code], EDIT, 200),
    ("projects:progress_new", lambda w: [w.project.code], EDIT, 200),
    ("projects:progress_edit", lambda w: [w.project.code, w.report.pk], EDIT, 200),
    # Posted without the confirmation's version: the confirmation is shown again (409).
    ("projects:progress_delete", lambda w: [w.project.code, w.report.pk], EDIT, 409),
    ("projects:progress_restore", lambda w: [w.project.code, w.deleted.pk], EVALUATE, 409),
    ("projects:evaluate", lambda w: [w.project.code, 2], EVALUATE, 200),
    ("indicators:result_edit", lambda w: [w.indicator.code, w.indicator.fiscal_year, 3], EDIT, 200),
    ("indicators:evaluate", lambda w: [w.indicator.code, w.indicator.fiscal_year, 3], EVALUATE, 200),
    ("indicators:new", lambda w: [], DEFINE_ANY, 200),
    ("indicators:edit", lambda w: [w.indicator.code, w.indicator.fiscal_year], DEFINE, 200),
    ("indicators:copy", lambda w: [], DEFINE_ANY, 200),
    ("projects:rollover", lambda w: [], ROLL_OVER, 200),
    ("users:list", lambda w: [], MANAGE_USERS, 200),
    ("users:new", lambda w: [], MANAGE_USERS, 200),
    ("users:edit", lambda w: [w.users["staff_unit"].pk], MANAGE_USERS, 200),
    # Evidence files: an empty POST re-shows the upload form, or the removal's confirmation (409).
    ("projects:progress_evidence", lambda w: [w.project.code, w.report.pk], EDIT, 200),
    ("projects:evidence_remove", lambda w: [w.project.code, w.report_file.pk], EDIT, 409),
    ("indicators:quarter_evidence", lambda w: [w.indicator.code, w.indicator.fiscal_year, 3], EDIT, 200),
    ("indicators:evidence_remove", lambda w: [w.indicator.code, w.indicator.fiscal_year, w.quarter_file.pk], EDIT, 409),
    # Posted without the page's version: shown again (409).
    ("projects:progress_review", lambda w: [w.project.code, w.report.pk], REVIEW, 409),
    ("projects:calendar", lambda w: [], PLAN_OFFICE, 200),
    ("projects:calendar_edit", lambda w: [2564], PLAN_OFFICE, 200),
    ("projects:calendar_locks", lambda w: [2564], PLAN_OFFICE, 200),
    # An empty close is shown again with what is wrong; a GET shows the quarters' page.
    ("projects:quarter_close", lambda w: [2564], PLAN_OFFICE, 200),
    # No such closed quarter: 404.
    ("projects:quarter_reopen", lambda w: [2564, w.report.pk], PLAN_OFFICE, 404),
]

# The downloads of evidence files (GET only): who may, per ALLOWED[EVIDENCE].
EVIDENCE_DOWNLOADS = [
    ("projects:evidence_download", lambda w: [w.project.code, w.report_file.pk]),
    ("indicators:evidence_download", lambda w: [w.indicator.code, w.indicator.fiscal_year, w.quarter_file.pk]),
]


class World:
    def __init__(self, social_dept, social_division, district_office, planning_office):
        self.project = factories.make_project(code="24000000-1", unit=social_dept, fiscal_year=2564)
        self.report = factories.make_report(self.project, report_date=date(2021, 3, 1))
        self.deleted = factories.make_report(self.project, report_date=date(2021, 2, 1), deleted_at=timezone.now())
        self.indicator = factories.make_indicator(code="2400-1065", unit=social_dept)
        self.users = {
            "staff_unit": factories.make_user("m-staff", unit=social_dept),
            "staff_subunit": factories.make_user("m-sub", unit=social_division),
            "staff_other": factories.make_user("m-other", unit=district_office),
            "director_unit": factories.make_user("m-dir", unit=social_dept, role=User.Role.DIRECTOR),
            "director_other": factories.make_user("m-dir-other", unit=district_office, role=User.Role.DIRECTOR),
            "planner": factories.make_user("m-planner", unit=planning_office, role=User.Role.PLANNER),
            "admin": factories.make_user("m-admin", unit=planning_office, role=User.Role.ADMIN),
            "anonymous": None,
        }
        # One evidence file on the report and one on a quarter of the indicator.
        self.report_file = services.report_evidence_add(
            report=self.report, upload=factories.upload("a.pdf", factories.pdf_bytes()), user=None
        )
        self.quarter_file = indicator_services.quarter_evidence_add(
            indicator=self.indicator, quarter=3, upload=factories.upload("a.png", factories.image_bytes()), user=None
        )


@pytest.fixture
def world(social_dept, social_division, district_office, planning_office):
    return World(social_dept, social_division, district_office, planning_office)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "args"), EVIDENCE_DOWNLOADS, ids=[row[0] for row in EVIDENCE_DOWNLOADS])
def test_who_downloads_evidence_files(client, world, name, args, role):
    user = world.users[role]
    if user:
        client.force_login(user)
    response = client.get(reverse(name, args=args(world)))
    if user is None:
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in ALLOWED[EVIDENCE] else 403)
        assert client.post(reverse(name, args=args(world))).status_code == 405


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("name", "args", "kind", "post_status"), WRITE_URLS, ids=[row[0] for row in WRITE_URLS])
def test_the_permission_matrix(client, world, name, args, kind, post_status, method, role):
    user = world.users[role]
    if user:
        client.force_login(user)
    url = reverse(name, args=args(world))
    response = getattr(client, method)(url)
    if user is None:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")
    elif role in ALLOWED[kind]:
        assert response.status_code == (200 if method == "get" else post_status)
    else:
        assert response.status_code == 403
        assert b"<form" not in response.content or b'name="report_date"' not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_history_anonymous_users_log_in(client, world, role):
    user = world.users[role]
    if user:
        client.force_login(user)
    response = client.get(reverse("projects:history", args=[world.project.code]))
    assert response.status_code == (200 if user else 302)


def test_anonymous_users_see_only_the_login_page(client, world):
    assert client.get(reverse("home")).status_code == 302
    assert client.get(reverse("login")).status_code == 200


def test_staff_of_a_department_edit_the_projects_of_units_below_it(client, staff, social_dept):
    division = factories.make_unit(code="24040000", kind=OrgUnit.Kind.DIVISION, parent=social_dept)
    section = factories.make_unit(code="24040100", kind=OrgUnit.Kind.DIVISION, parent=division)
    for unit in (division, section):
        project = factories.make_project(unit=unit)
        assert access.project_for_edit(staff, project.code) == project
        client.force_login(staff)
        assert client.get(reverse("projects:progress_new", args=[project.code])).status_code == 200


def test_a_staff_member_without_a_unit_edits_nothing(client, project):
    user = factories.make_user("no-unit", unit=None)
    client.force_login(user)
    assert client.get(reverse("projects:progress_new", args=[project.code])).status_code == 403
    assert client.get(reverse("projects:new")).status_code == 403


def test_staff_can_only_choose_units_of_their_own_subtree(client, staff, social_dept, social_division, district_office):
    client.force_login(staff)
    choices = client.get(reverse("projects:new")).context["form"].fields["unit"].queryset
    assert set(choices) == {social_dept, social_division}
    response = client.post(
        reverse("projects:new"),
        {"code": "50240000-1", "name": "แอบสร้าง", "fiscal_year": "2564", "unit": district_office.pk},
    )
    assert response.status_code == 200
    assert "ค่าที่เลือกไม่ถูกต้อง กรุณาเลือกจากรายการ" in response.content.decode()
    assert not district_office.projects.exists()


def test_the_planning_office_group_manages_units_and_the_plan_not_users(db):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="planning office")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_orgunit", "change_orgunit", "change_planedition", "add_plannode", "view_user"} <= codenames
    assert "change_user" not in codenames


def test_a_planner_in_the_group_reaches_the_unit_admin_but_not_the_user_change_form(client, planner):
    from django.contrib.auth.models import Group

    planner.is_staff = True
    planner.save()
    planner.groups.add(Group.objects.get(name="planning office"))
    client.force_login(planner)
    assert client.get("/admin/projects/orgunit/add/").status_code == 200
    assert client.get("/admin/projects/plannode/").status_code == 200
    response = client.post(f"/admin/projects/user/{planner.pk}/change/", {"is_superuser": "on"})
    assert response.status_code == 403
    planner.refresh_from_db()
    assert not planner.is_superuser
