"""Who may see and change what: one helper per object kind, used by every view.

The rules (issue 4):
- staff edit the projects, plan steps, progress reports and indicator results of their own
  unit and the units below it;
- directors read everything and edit what their unit's staff can;
- the planning office reads everything, records evaluations and restores deleted reports;
- admins do everything;
- continuing projects into the next fiscal year (issue 20): the planning office for any unit, a
  director for their unit and the units below it; not staff, since choosing which projects go
  on is the unit's plan for the year, which its director signs (staff still create a single
  project of the new year with the project form).
- evidence files (photos of people, signed letters, minutes) are closer than the rest: the
  owning unit's staff and directors (and those of the units above it), directors, the planning
  office and admins download them; another unit's staff get 403.

A helper returns the object or raises Http404 (no such object) / PermissionDenied (403): a user
who opens another unit's edit URL gets 403, never the form.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from projects.models import OrgUnit, ProgressReport, Project, ReportEvidence, User, fetch_with_unit


def can_edit_unit(user, unit):
    """Whether the user may enter data for a unit: admins always; staff and directors for
    their own unit and the units below it."""
    if not user.is_authenticated:
        return False
    if user.is_admin_role:
        return True
    if user.role not in (User.Role.STAFF, User.Role.DIRECTOR) or user.unit_id is None or unit is None:
        return False
    return unit.pk == user.unit_id or unit.parent_id == user.unit_id or _grandparent_id(unit) == user.unit_id


def _grandparent_id(unit):
    # Units nest at most three deep (OrgUnitQuerySet.subtree_of): no query when the unit came
    # with its parent (project_for_view) or is a top-level one, else one.
    if unit.parent_id is None:
        return None
    if OrgUnit.parent.is_cached(unit):
        return unit.parent.parent_id
    return OrgUnit.objects.filter(pk=unit.parent_id).values_list("parent_id", flat=True).first()


def can_create_projects(user):
    return user.is_authenticated and (
        user.is_admin_role or (user.role in (User.Role.STAFF, User.Role.DIRECTOR) and user.unit_id is not None)
    )


def can_evaluate(user):
    """Evaluations (project scores, indicator 2.1 / 2.2 and audit scores) and restoring deleted
    reports belong to the planning office and admins."""
    return user.is_authenticated and user.is_planner


def units_for_edit(user):
    """The units a user may own projects for (choices of the project form)."""
    if user.is_admin_role:
        return OrgUnit.objects.all()
    if not can_create_projects(user):
        return OrgUnit.objects.none()
    return OrgUnit.objects.subtree_of(user.unit)


def project_for_view(user, code):
    """Any signed-in user reads every project. One query, from the database every time: the
    project, its unit and the unit's parent as far as the permission checks read it, and
    `reference_revision`, which a cache key of its pages needs with `revision`."""
    project = fetch_with_unit(Project, "code", code, reference_revision=True)
    if project is None:
        raise Http404("no project with this code")
    return project


def project_for_edit(user, code):
    project = project_for_view(user, code)
    if not can_edit_unit(user, project.unit):
        raise PermissionDenied
    return project


def project_for_evaluation(user, code):
    project = project_for_view(user, code)
    if not can_evaluate(user):
        raise PermissionDenied
    return project


def require_project_create(user):
    if not can_create_projects(user):
        raise PermissionDenied


def report_for_edit(user, code, pk):
    """A live report of a project the user may edit (also used for deleting it)."""
    project = project_for_edit(user, code)
    report = get_object_or_404(ProgressReport.objects.live(), project=project, pk=pk)
    report.project = project
    return report


def report_for_restore(user, code, pk):
    """A deleted report; only the planning office and admins restore."""
    project = project_for_view(user, code)
    if not can_evaluate(user):
        raise PermissionDenied
    report = get_object_or_404(ProgressReport.objects.filter(deleted_at__isnull=False), project=project, pk=pk)
    report.project = project
    return report


def can_roll_over(user, unit=None):
    """Whether the user may copy a unit's projects into the next fiscal year (unit None: any
    unit at all, e.g. to offer the page's link)."""
    if not user.is_authenticated:
        return False
    if user.is_planner:
        return True
    if user.role != User.Role.DIRECTOR or user.unit_id is None:
        return False
    return unit is None or can_edit_unit(user, unit)


def units_for_rollover(user):
    """The units whose projects the user may copy into the next fiscal year."""
    if user.is_authenticated and user.is_planner:
        return OrgUnit.objects.all()
    if not can_roll_over(user):
        return OrgUnit.objects.none()
    return OrgUnit.objects.subtree_of(user.unit)


# --- User accounts (the planning office's user management) ------------------------------------


def can_manage_users(user):
    """The planning office and admins manage accounts without the Django admin."""
    return user.is_authenticated and user.is_active and user.is_planner


def require_user_management(user):
    if not can_manage_users(user):
        raise PermissionDenied


def roles_assignable_by(user):
    """The roles a manager may give: only administrators make administrators."""
    roles = [User.Role.STAFF, User.Role.DIRECTOR, User.Role.PLANNER]
    if user.is_admin_role:
        roles.append(User.Role.ADMIN)
    return roles


def user_for_management(manager, pk):
    """An account the manager may change: not an administrator's unless the manager is one."""
    require_user_management(manager)
    account = get_object_or_404(User.objects.select_related("unit"), pk=pk)
    if (account.role == User.Role.ADMIN or account.is_superuser) and not manager.is_admin_role:
        raise PermissionDenied
    return account


def can_see_evidence(user, unit):
    """Whether the user may download the evidence files of a unit's records."""
    return user.is_authenticated and (can_edit_unit(user, unit) or user.is_planner or user.role == User.Role.DIRECTOR)


def evidence_for_download(user, code, pk):
    """An evidence file of a live report of the project, for a user who may see the unit's
    evidence (403 before anything about the file is read)."""
    project = project_for_view(user, code)
    if not can_see_evidence(user, project.unit):
        raise PermissionDenied
    row = get_object_or_404(
        ReportEvidence.objects.filter(report__project=project, report__deleted_at__isnull=True), pk=pk
    )
    return row


def evidence_for_remove(user, code, pk):
    """An evidence file of a live report of a project the user may edit."""
    project = project_for_edit(user, code)
    row = get_object_or_404(
        ReportEvidence.objects.select_related("report").filter(
            report__project=project, report__deleted_at__isnull=True
        ),
        pk=pk,
    )
    row.report.project = project
    return row


def can_review(user, unit):
    """Approving or returning a unit's reports: the planning office and admins for every unit; a
    director for their unit and the units below it. Staff never (issue 20)."""
    if not user.is_authenticated:
        return False
    if user.is_planner:
        return True
    return user.role == User.Role.DIRECTOR and can_edit_unit(user, unit)


def can_review_any(user):
    """Whether the user approves anyone's reports (a director or the planning office)."""
    return user.is_authenticated and (user.is_planner or (user.role == User.Role.DIRECTOR and user.unit_id is not None))


def report_for_review(user, code, pk):
    """A live report the user may approve or return: 403 for staff, another unit's director,
    and for the person who entered the report (nobody approves their own)."""
    project = project_for_view(user, code)
    if not can_review(user, project.unit):
        raise PermissionDenied
    report = get_object_or_404(ProgressReport.objects.live().select_related("entered_by"), project=project, pk=pk)
    if report.entered_by_id is not None and report.entered_by_id == user.pk:
        raise PermissionDenied
    report.project = project
    return report


def require_planner(user):
    """The reporting calendar and closing quarters belong to the planning office and admins."""
    if not can_evaluate(user):
        raise PermissionDenied
