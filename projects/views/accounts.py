"""The signed-in home page ("My projects"); login, logout and password change are Django's own
views with Thai templates under templates/registration/."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from bma_tracker import thaidate
from projects import access
from projects.models import Project

# What a row of My projects shows: the long texts (rationale, objectives…) stay in the database.
HOME_COLUMNS = ("code", "name", "latest_percent", "latest_report_date", "report_months", "unit__name")


@login_required
def home(request):
    """The unit's (and its sub-units') projects of the current fiscal year, those without a
    report this month first, each with a one-click button to this month's report. "Reported this
    month" means a live report dated in this calendar month: Project.report_months, the bits the
    dashboard counts reporting by, kept by every writer of reports."""
    user = request.user
    today = timezone.localdate()
    fiscal_year = thaidate.fiscal_year(today)
    # Staff and directors edit every project of their subtree; planners only read.
    can_report = access.can_create_projects(user)

    projects = []
    if user.unit_id:
        this_month = Project.report_month_bit(today)
        projects = list(
            Project.objects.for_unit(user.unit)
            .in_fiscal_year(fiscal_year)
            .select_related("unit")
            .only(*HOME_COLUMNS)
            .order_by("code")
        )
        for project in projects:
            project.reported_this_month = bool(project.report_months & this_month)
        projects.sort(key=lambda project: project.reported_this_month)  # stable: by code within
    context = {
        "unit": user.unit,
        "projects": projects,
        "fiscal_year": fiscal_year,
        "month_name": thaidate.month_name(today.month),
        "be_year": thaidate.be_year(today.year),
        "missing": sum(1 for p in projects if not p.reported_this_month),
        "can_report": can_report,
    }
    return render(request, "projects/home.html", context)
