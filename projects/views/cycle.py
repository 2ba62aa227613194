"""The reporting cycle's pages (issue 20): the planning office's calendar of each fiscal year
and its closing of quarters, and the review (approve / return) of a submitted report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bma_tracker import thaidate
from projects import access, services
from projects.audit import EditConflict
from projects.cycle import PeriodLocked
from projects.forms import QuarterCloseForm, ReasonForm, ReportingCalendarForm
from projects.models import AuditEntry, QuarterLock, ReportingCalendar

# Years a calendar can be set up for: a reporting office plans at most a few years ahead.
YEARS_AHEAD = 2


def _year_or_404(year):
    current = thaidate.fiscal_year(timezone.localdate())
    if not 2500 <= year <= current + YEARS_AHEAD:
        raise Http404("no such fiscal year")
    return year


@login_required
def calendar_list(request):
    """Every fiscal year with a calendar, and the current and next ones, with their closed
    quarters."""
    access.require_planner(request.user)
    current = thaidate.fiscal_year(timezone.localdate())
    stored = {calendar.fiscal_year: calendar for calendar in ReportingCalendar.objects.all()}
    years = sorted(set(stored) | {current, current + 1}, reverse=True)
    locks = {}
    for lock in QuarterLock.objects.active().select_related("unit").order_by("quarter", "unit__code"):
        locks.setdefault(lock.fiscal_year, []).append(lock)
    rows = [
        {
            "fiscal_year": year,
            "calendar": stored.get(year) or ReportingCalendar.default_for(year),
            "stored": year in stored,
            "locks": locks.get(year, []),
        }
        for year in years
    ]
    return render(request, "projects/calendar_list.html", {"rows": rows, "current": current})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request, fiscal_year):
    year = fiscal_year
    access.require_planner(request.user)
    _year_or_404(year)
    calendar = ReportingCalendar.for_year(year)
    conflict = False
    if request.method == "POST":
        form = ReportingCalendarForm(request.POST, calendar=calendar)
        if form.is_valid():
            try:
                services.reporting_calendar_save(
                    user=request.user,
                    fiscal_year=year,
                    values=form.calendar_values(),
                    version=form.cleaned_data["version"],
                )
            except EditConflict:
                conflict = True
                form = ReportingCalendarForm(calendar=ReportingCalendar.for_year(year))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("บันทึกปฏิทินการรายงานปีงบประมาณ %(fy)s เรียบร้อยแล้ว") % {"fy": year})
                return redirect("projects:calendar_locks", fiscal_year=year)
    else:
        form = ReportingCalendarForm(calendar=calendar)
    return render(
        request,
        "projects/calendar_edit.html",
        {"form": form, "calendar": calendar, "fiscal_year": year, "conflict": conflict},
    )


@login_required
def calendar_locks(request, fiscal_year, *, close_form=None, reason_form=None):
    """A fiscal year's quarters: which are closed for whom, the close and reopen forms, and the
    history of closing and reopening."""
    year = fiscal_year
    access.require_planner(request.user)
    _year_or_404(year)
    calendar = ReportingCalendar.for_year(year)
    locks = list(QuarterLock.objects.filter(fiscal_year=year).select_related("unit", "locked_by", "reopened_by"))
    quarters = [
        {
            "number": quarter,
            "range": thaidate.quarter_range(year, quarter),
            "closes": calendar.closes_on(quarter),
            "active": [lock for lock in locks if lock.quarter == quarter and lock.reopened_at is None],
        }
        for quarter in (1, 2, 3, 4)
    ]
    history = list(
        AuditEntry.objects.about("projects.quarterlock", [lock.pk for lock in locks])
        .select_related("user")
        .newest_first()
    )
    return render(
        request,
        "projects/calendar_locks.html",
        {
            "fiscal_year": year,
            "calendar": calendar,
            "quarters": quarters,
            "close_form": close_form or QuarterCloseForm(),
            "reason_form": reason_form or ReasonForm(),
            "history": history,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def quarter_close(request, fiscal_year):
    year = fiscal_year
    access.require_planner(request.user)
    _year_or_404(year)
    if request.method == "GET":  # the form lives on the quarters' page
        return calendar_locks(request, fiscal_year)
    form = QuarterCloseForm(request.POST)
    if not form.is_valid():  # shown again with what is wrong
        return calendar_locks(request, fiscal_year, close_form=form)
    quarter, unit = form.cleaned_data["quarter"], form.cleaned_data["unit"]
    try:
        services.quarter_close(user=request.user, fiscal_year=year, quarter=quarter, unit=unit)
    except services.QuarterAlreadyClosed:
        messages.info(request, _("ไตรมาสนี้ปิดสำหรับหน่วยงานนี้อยู่แล้ว"))
    else:
        scope = unit.name if unit else _("ทุกหน่วยงาน")
        messages.success(
            request,
            _("ปิดไตรมาสที่ %(quarter)s ปีงบประมาณ %(fy)s สำหรับ %(scope)s แล้ว")
            % {"quarter": quarter, "fy": year, "scope": scope},
        )
    return redirect("projects:calendar_locks", fiscal_year=year)


@login_required
@require_http_methods(["GET", "POST"])
def quarter_reopen(request, fiscal_year, pk):
    year = fiscal_year
    access.require_planner(request.user)
    if request.method == "GET":  # the form lives on the quarters' page
        return calendar_locks(request, fiscal_year)
    lock = get_object_or_404(QuarterLock.objects.active().select_related("unit"), fiscal_year=year, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("การเปิดไตรมาสอีกครั้งต้องระบุเหตุผล"))
        return calendar_locks(request, fiscal_year, reason_form=form)
    try:
        services.quarter_reopen(user=request.user, lock=lock, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("เปิดไตรมาสที่ %(quarter)s อีกครั้งแล้ว") % {"quarter": lock.quarter})
    return redirect("projects:calendar_locks", fiscal_year=year)


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request, code, pk):
    """A submitted report, with approve and return (a comment required)."""
    report = access.report_for_review(request.user, code, pk)
    project = report.project
    form = ReasonForm()
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            if version is None:
                raise EditConflict(report)
            if action == "approve":
                services.progress_report_approve(report=report, user=request.user, version=version)
                messages.success(request, _("อนุมัติรายงานแล้ว"))
                return redirect(_next(request))
            if action == "return":
                form = ReasonForm(request.POST)
                if form.is_valid():
                    services.progress_report_return(
                        report=report, user=request.user, version=version, comment=form.cleaned_data["reason"]
                    )
                    messages.success(request, _("ส่งรายงานกลับให้หน่วยงานแก้ไขแล้ว"))
                    return redirect(_next(request))
            else:
                error = _("กรุณาเลือกอนุมัติหรือส่งกลับ")
        except PeriodLocked as exc:
            messages.error(request, exc.message)
            return redirect(project)
        except EditConflict:
            report.refresh_from_db()
            error = _("รายงานนี้เพิ่งถูกแก้ไขโดยผู้อื่นหลังจากที่คุณเปิดหน้านี้ กรุณาตรวจสอบข้อมูลด้านล่างแล้วยืนยันอีกครั้ง")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    status = 409 if error else 200
    context = {"project": project, "report": report, "form": form, "error": error}
    return render(request, "projects/report_review.html", context, status=status)


def _next(request):
    return reverse("home")
