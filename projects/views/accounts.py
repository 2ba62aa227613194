"""The signed-in home page ("My projects") and the user's own profile; login, logout and
password change are Django's own views with Thai templates under templates/registration/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from bma_tracker import thaidate
from bma_tracker.text import two_places
from projects import access, cycle
from projects.cycle import MonthStatus
from projects.forms import ProfileForm
from projects.models import Project, ReportingCalendar

# What a row of My projects shows: the long texts (rationale, objectives…) stay in the database.
HOME_COLUMNS = (
    "code",
    "name",
    "fiscal_year",
    "latest_percent",
    "latest_report_date",
    "report_months",
    "unit__name",
    "unit__parent_id",
    "unit__parent__parent_id",
)
# The to-do lists show this many entries each (and how many more there are).
TODO_LIMIT = 20


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

    calendar = ReportingCalendar.for_year(fiscal_year)
    year, month = cycle.reporting_month(today, calendar)
    if thaidate.fiscal_year(today.replace(year=year, month=month, day=1)) != fiscal_year:
        year, month = today.year, today.month  # the first days of a year: its own first month
    projects = []
    if user.unit_id:
        this_month = Project.report_month_bit(today)
        projects = list(
            Project.objects.for_unit(user.unit)
            .in_fiscal_year(fiscal_year)
            .select_related("unit__parent")
            .only(*HOME_COLUMNS)
            .annotate(month_report_status=cycle.newest_report_status(year, month))
            .order_by("code")
        )
        locks = cycle.Locks.load(fiscal_year)
        for project in projects:
            project.reported_this_month = bool(project.report_months & this_month)
            project.month_status = cycle.month_status(
                calendar=calendar,
                locked_quarters=locks.quarters_for(project.unit),
                year=year,
                month=month,
                report_status=project.month_report_status,
                today=today,
            )
        projects.sort(key=lambda project: project.reported_this_month)  # stable: by code within
    to_write = [p for p in projects if p.month_status.needs_work and p.month_status != MonthStatus.RETURNED]
    to_fix = list(cycle.returned_reports(user)[: TODO_LIMIT + 1]) if can_report else []
    to_approve = list(cycle.reports_awaiting_approval(user)[: TODO_LIMIT + 1]) if access.can_review_any(user) else []
    context = {
        "unit": user.unit,
        "projects": projects,
        "fiscal_year": fiscal_year,
        "month_name": thaidate.month_name(today.month),
        "be_year": thaidate.be_year(today.year),
        "missing": sum(1 for p in projects if not p.reported_this_month),
        "can_report": can_report,
        "can_roll_over": access.can_roll_over(user),
        "rows": home_rows(projects, can_report),
        "calendar": calendar,
        "reporting_month_name": thaidate.month_name(month),
        "reporting_due": calendar.due_date(year, month),
        "to_write": to_write[:TODO_LIMIT] if can_report else [],
        "to_write_more": max(0, len(to_write) - TODO_LIMIT) if can_report else 0,
        "to_fix": to_fix[:TODO_LIMIT],
        "to_fix_more": len(to_fix) > TODO_LIMIT,
        "to_approve": to_approve[:TODO_LIMIT],
        "to_approve_more": len(to_approve) > TODO_LIMIT,
        "is_planner": access.can_evaluate(user),
    }
    return render(request, "projects/home.html", context)


HOME_ROW = (
    '<tr class="{row_class}my-project" data-code="{code}">'
    '<td class="project-name"><a href="{detail_url}">{name}</a><div class="small text-muted">{code}</div></td>'
    '<td class="d-none d-md-table-cell small">{unit}</td>'
    '<td class="num">{percent}</td>'
    '<td class="small">{report_date}</td>'
    '<td><span class="badge month-status {month_badge}" data-status="{month_status}">{month_label}</span></td>'
    "<td>{status}</td></tr>"
)
# A unit has a few hundred projects at most, each a row: written here in one pass, at a fraction
# of what the template language costs per row (My projects is the most requested page at the
# month-end peak).
_CODE_PLACEHOLDER = "00000000-0"


def home_rows(projects, can_report):
    """My projects' table rows, every value escaped."""
    detail = reverse("projects:detail", args=[_CODE_PLACEHOLDER])
    report_now = reverse("projects:progress_new", args=[_CODE_PLACEHOLDER])
    reported = format_html('<span class="badge text-bg-success">{}</span>', _("รายงานแล้ว"))
    not_reported = format_html('<span class="badge text-bg-warning">{}</span>', _("ยังไม่รายงาน"))
    report_now_label = _("รายงานเดือนนี้")
    labels = {status: str(status.label) for status in MonthStatus}
    legacy_headline = _("ตามระบบเดิม")

    def report_date(project):
        if project.percent_is_legacy_headline:
            return legacy_headline  # the printed percent of an imported page, no report yet
        return thaidate.format_short(project.latest_report_date) if project.latest_report_date else "-"

    def status(project):
        if project.reported_this_month:
            return reported
        if not can_report:
            return not_reported
        url = report_now.replace(_CODE_PLACEHOLDER, project.code)  # codes are digits and a dash
        return format_html(
            '{} <a class="btn btn-sm btn-success ms-1 report-now" href="{}">{}</a>', not_reported, url, report_now_label
        )

    return format_html_join(
        "\n  ",
        HOME_ROW,
        (
            {
                "row_class": "" if project.reported_this_month else "table-warning ",
                "code": project.code,
                "detail_url": detail.replace(_CODE_PLACEHOLDER, project.code),
                "name": project.name,
                "unit": project.unit.name,
                "percent": "-" if project.latest_percent is None else two_places(project.latest_percent),
                "report_date": report_date(project),
                "status": status(project),
                "month_status": project.month_status.value,
                "month_badge": project.month_status.badge,
                "month_label": labels[project.month_status],
            }
            for project in projects
        ),
    )


@login_required
def profile(request):
    """The signed-in user's own settings: their address and the daily reminder mails."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("บันทึกการตั้งค่าแล้ว"))
        return redirect("profile")
    return render(request, "projects/profile.html", {"form": form})
