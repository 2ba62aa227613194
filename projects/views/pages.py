from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from projects import access
from projects.caching import cached_project_part, print_page_html, project_plan_html
from projects.filters import ProjectFilterForm
from projects.models import Project, ScheduleStatus
from projects.progress import LIVE, project_page_context

PROJECTS_PER_PAGE = 50


LIST_COLUMNS = (
    "code",
    "name",
    "fiscal_year",
    "latest_percent",
    "latest_report_date",
    "planned_percent_at_latest",
    "unit__code",
    "unit__name",
)


@login_required
def project_list(request):
    form = ProjectFilterForm(request.GET)
    # Only the columns a row shows: the long texts (rationale, objectives…) stay in the database.
    projects = form.filter(Project.objects.select_related("unit").only(*LIST_COLUMNS))
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    for project in page:
        project.status = ScheduleStatus(project.schedule_status)
    return render(
        request,
        "projects/list.html",
        {"form": form, "page": page, "fiscal_year": form.value("fiscal_year"), "sort": form.value("sort") or "code"},
    )


@login_required
def project_detail(request, code):
    project = access.project_for_view(request.user, code)
    may_edit, may_evaluate = access.can_edit_unit(request.user, project.unit), access.can_evaluate(request.user)

    def render_body():
        # The PLAN part has its own cache entry, which a progress report leaves in place.
        intro, plan, plan_rows = project_plan_html(project)
        context = {
            **project_page_context(project, parts=(LIVE,), plan_rows=plan_rows),
            "may_edit": may_edit,
            "may_evaluate": may_evaluate,
            "sections_intro": mark_safe(intro),  # noqa: S308 (our own rendered template)
            "sections_plan": mark_safe(plan),  # noqa: S308 (our own rendered template)
        }
        return render_to_string("projects/_detail_body.html", context)

    body = cached_project_part(project, "detail", render_body, variant=f"edit={may_edit:d},evaluate={may_evaluate:d}")
    return render(request, "projects/detail.html", {"project": project, "body": mark_safe(body)})  # noqa: S308 (our own rendered template)


@login_required
def project_print(request, code):
    project = access.project_for_view(request.user, code)
    return HttpResponse(print_page_html(project))
