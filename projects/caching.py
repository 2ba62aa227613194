"""Rendered project pages, cached until something they show changes.

A project page (its print page, its PDF) is rendered once per project, language, day and kind of
reader, and served from the cache until one of its tokens moves on (bma_tracker.cache_versions):
- the project's own token: every writer of the project, its reports, plan steps, evaluations
  or linked indicators calls project_changed() (the services, the admin, the importer);
- the reference token: the names and texts every page shows of units, the plan and indicators,
  moved on by any save of those (signals below, connected in ProjectsConfig.ready) and by bulk
  loads (seed_demo, restore).
The project page's PLAN part (texts, alignment, plan steps, indicators, evaluations) is cached on
its own, on the project's plan token instead of its token: every writer moves both, except the
writers of progress reports, which change only the LIVE part (projects.progress). At the month's
end a report is posted every few seconds, and the page then renders only the header, the chart
and the reports again.
My projects is cached per unit the same way, on the unit dashboard's versions.
The project itself (with its unit), which every project URL looks up by code, comes from the cache
on the same two tokens (project_by_code).
Without a shared cache (REDIS_URL) pages are not cached at all (settings.PAGE_CACHE_SECONDS):
a per-process cache would show a stale page in every other worker process after a save.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from bma_tracker import cache_versions, thaidate
from projects.progress import PLAN, project_page_context
from reports.dashboard import invalidate_for_indicator, scope_version_keys, version_keys_counting

REFERENCE = "version:reference"


def project_token(pk):
    return f"version:project:{pk}"


def plan_token(pk):
    return f"version:project-plan:{pk}"


def user_token(pk):
    return f"version:user:{pk}"


def _user_saved(instance, **kwargs):
    """The cached signed-in user (projects/backends.py) is stale."""
    cache_versions.bump([user_token(instance.pk)])


def project_changed(project, *, reports_only=False):
    """Called by every writer after a project, its steps, reports, evaluations or linked
    indicators change: its cached pages and the dashboards that count it go stale. The writers of
    progress reports say reports_only: the PLAN part of the project page stays cached."""
    tokens = [project_token(project.pk)] if reports_only else [project_token(project.pk), plan_token(project.pk)]
    cache_versions.bump(tokens + version_keys_counting(project))  # the dashboards too, in one round trip


def projects_changed(pks):
    """Only the cached pages of these projects (a linked indicator changed)."""
    cache_versions.bump([token for pk in pks for token in (project_token(pk), plan_token(pk))])


def indicator_changed(indicator):
    """An indicator or its quarterly results changed: the pages of the projects it is linked to."""
    projects_changed(indicator.projects.values_list("pk", flat=True))


def reference_changed(**_signal_kwargs):
    """Units, the plan or indicators changed: every cached project page goes stale."""
    cache_versions.bump([REFERENCE])


# This process's hint of which pk a project code had: a rename, a delete or a new project with an
# old code only makes a hint lead to a project with another code (or none), which is then looked
# up again by code. Bounded: cleared when it grows past what the BMA could ever have.
_pk_by_code = {}
_PK_HINTS_MAX = 100_000


def forget_project_hints():
    """Drop this process's code → pk hints (tests: rows rolled back, pks taken by other codes)."""
    _pk_by_code.clear()


def _load_project(**lookup):
    from projects.models import Project

    # The unit's parent too: the writers' dashboard invalidation reads it (scopes_counting).
    return Project.objects.select_related("unit__parent").filter(**lookup).first()


def project_by_code(code):
    """The project with this code, its unit loaded with it, or None (access.project_for_view).
    With a shared cache it comes from there in one round trip, checked against the project's
    token and the reference token like its pages: no query, and never staler than they are."""
    if not settings.PAGE_CACHE_SECONDS:
        return _load_project(code=code)
    pk = _pk_by_code.get(code)
    if pk is not None:
        project = cache_versions.cached(
            f"project-row:{pk}",
            [project_token(pk), REFERENCE],
            lambda: _load_project(pk=pk),
            settings.PAGE_CACHE_SECONDS,
        )
        if project is not None and project.code == code:
            return project
    project = _load_project(code=code)
    if project is not None:
        if len(_pk_by_code) >= _PK_HINTS_MAX:
            _pk_by_code.clear()
        _pk_by_code[code] = project.pk
    return project


def _cached_part(name, token_keys, render):
    if not settings.PAGE_CACHE_SECONDS:
        return render()
    key = f"page:{name}:{translation.get_language()}:{thaidate.today().isoformat()}"
    return cache_versions.cached(key, token_keys, render, settings.PAGE_CACHE_SECONDS)


def cached_project_part(project, part, render, *, variant=""):
    """render() for one part of a project's page ("detail", "print"…), cached per language,
    day (the schedule status and notes are judged on today) and variant (what the reader may
    do), until the project or the reference data change."""
    return _cached_part(f"{part}:{project.pk}:{variant}", [project_token(project.pk), REFERENCE], render)


def cached_unit_part(unit_id, fiscal_year, part, render, *, variant=""):
    """render() for a page about a unit's projects of a fiscal year (My projects), cached until
    anything the unit or the units below it own in that year changes (the unit dashboard's
    versions) or the reference data change."""
    token_keys = [*scope_version_keys(fiscal_year, f"u:{unit_id}"), REFERENCE]
    return _cached_part(f"{part}:unit:{unit_id}:{fiscal_year}:{variant}", token_keys, render)


def project_plan_html(project):
    """The project page's PLAN part: (the HTML above its reports section, the HTML below it,
    the PlanRows it was rendered from). The LIVE part reuses those rows, which this entry's
    token keeps exactly as fresh as the HTML: every writer of steps or evaluations moves it."""

    def render():
        context = project_page_context(project, parts=(PLAN,))
        return (
            render_to_string("projects/_sections_intro.html", context),
            render_to_string("projects/_sections_plan.html", context),
            context["plan_rows"].detached(),
        )

    # A new name whenever the entry's shape changes: processes of the old and the new release
    # share the cache during a deployment, and neither may read the other's entries.
    return _cached_part(f"plan-and-rows:{project.pk}", [plan_token(project.pk), REFERENCE], render)


def print_page_html(project):
    """The print page of a project (also the source of its PDF)."""
    return cached_project_part(
        project, "print", lambda: render_to_string("projects/print.html", project_page_context(project))
    )


def _indicator_saved(instance, **kwargs):
    """An indicator or a quarter of it saved or deleted outside indicators.services (the admin,
    the shell): the pages of its projects and the dashboards that count it are stale."""
    indicator = getattr(instance, "indicator", instance)  # an IndicatorQuarter or the Indicator
    if indicator.pk:
        indicator_changed(indicator)
        invalidate_for_indicator(indicator)


def _indicator_links_changed(instance, action, reverse, pk_set, **kwargs):
    """indicator.projects / project.indicators add(), remove(), clear()."""
    if reverse:  # from the project's side: that project's page
        projects_changed([instance.pk])
    elif action == "pre_clear":
        indicator_changed(instance)
    elif pk_set:
        projects_changed(pk_set)


def connect_signals():
    """Saves that reach no service (the admin, the shell, imports of reference data)."""
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    from indicators.models import Indicator, IndicatorQuarter
    from projects.models import OrgUnit, PlanEdition, PlanNode, User

    for model in (OrgUnit, PlanEdition, PlanNode):
        post_save.connect(reference_changed, sender=model, dispatch_uid=f"reference-{model.__name__}")
        post_delete.connect(reference_changed, sender=model, dispatch_uid=f"reference-del-{model.__name__}")
    for model in (Indicator, IndicatorQuarter):
        post_save.connect(_indicator_saved, sender=model, dispatch_uid=f"indicator-{model.__name__}")
        # Before the delete: afterwards the indicator's links to projects are gone.
        pre_delete.connect(_indicator_saved, sender=model, dispatch_uid=f"indicator-del-{model.__name__}")
    post_save.connect(_user_saved, sender=User, dispatch_uid="user-saved")
    post_delete.connect(_user_saved, sender=User, dispatch_uid="user-deleted")
    m2m_changed.connect(_indicator_links_changed, sender=Indicator.projects.through, dispatch_uid="indicator-projects")
