"""The project list (the project page, its print page and PDF are the read side's: reports/views.py)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from projects import access
from projects.filters import ProjectFilterForm
from projects.models import Project, ScheduleStatus

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
        {
            "form": form,
            "page": page,
            "fiscal_year": form.value("fiscal_year"),
            "sort": form.value("sort") or "code",
            "can_roll_over": access.can_roll_over(request.user),
            "chosen_unit": form.value("unit"),
        },
    )
