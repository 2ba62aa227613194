"""The monthly and quarterly reporting cycle (issue 20): month statuses, deadlines, the open
period a report may be dated in, closed quarters, and who waits for what.

The rules, in one place:
- the report of a calendar month is a live report dated in that month; it is due by
  ReportingCalendar.report_due_day of the following month;
- a project's month has one MonthStatus (month_status()): locked when its quarter is closed
  for the project's unit; else the status of the month's newest live report (draft, submitted,
  approved, returned); else not yet due (the month is not over), due (over, deadline not
  passed) or late;
- a report counts (progress summary, dashboards) when submitted or approved; when the year's
  calendar needs no approval, a submitted report is final;
- a closed quarter (QuarterLock) is read-only for everyone: check_open() refuses a write of a
  row in it with PeriodLocked (a ValidationError with a Thai message), and database triggers
  refuse whatever gets past the application (migration 0012).

The reminder mails (issue 20.4) read due_project_months() and reports_awaiting_approval().
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bma_tracker import thaidate
from bma_tracker.revision_triggers import CLOSED_QUARTER_MESSAGE
from projects.models import OrgUnit, ProgressReport, Project, QuarterLock, ReportingCalendar, User


class MonthStatus(models.TextChoices):
    NOT_YET_DUE = "not_yet_due", gettext_lazy("ยังไม่ถึงกำหนด")
    DUE = "due", gettext_lazy("ถึงกำหนดส่ง")
    DRAFT = "draft", gettext_lazy("ร่าง")
    SUBMITTED = "submitted", gettext_lazy("ส่งแล้ว")
    APPROVED = "approved", gettext_lazy("อนุมัติแล้ว")
    RETURNED = "returned", gettext_lazy("ส่งกลับให้แก้ไข")
    LATE = "late", gettext_lazy("ล่าช้า")
    LOCKED = "locked", gettext_lazy("ปิดไตรมาสแล้ว")

    @property
    def badge(self):
        """Bootstrap background class of the status badge."""
        return {
            "not_yet_due": "text-bg-light border",
            "due": "text-bg-warning",
            "draft": "text-bg-secondary",
            "submitted": "text-bg-info",
            "approved": "text-bg-success",
            "returned": "text-bg-danger",
            "late": "text-bg-danger",
            "locked": "text-bg-dark",
        }[self.value]

    @property
    def needs_work(self):
        """Whether staff still have something to do for the month."""
        return self in (MonthStatus.DUE, MonthStatus.DRAFT, MonthStatus.RETURNED, MonthStatus.LATE)


class PeriodLocked(ValidationError):
    """A write of a row in a closed quarter; the message says which quarter, in Thai."""


def month_bounds(year, month):
    first = date(year, month, 1)
    return first, (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def month_status(*, calendar, locked_quarters, year, month, report_status, today):
    """The MonthStatus of a project's calendar month (CE year, month): `report_status` is the
    status of the month's newest live report (None: no report), `locked_quarters` the closed
    quarters of the project's fiscal year for its unit (Locks.quarters_for())."""
    if thaidate.fiscal_quarter(date(year, month, 1)) in locked_quarters:
        return MonthStatus.LOCKED
    if report_status is not None:
        return MonthStatus(report_status)
    first, last = month_bounds(year, month)
    if today <= last:
        return MonthStatus.NOT_YET_DUE
    return MonthStatus.DUE if today <= calendar.due_date(year, month) else MonthStatus.LATE


def reporting_month(today, calendar):
    """The (CE year, month) whose report staff write now: the previous month while its report
    is still due (up to the calendar's due day), then the current month."""
    if today.day <= calendar.report_due_day:
        previous = today.replace(day=1) - timedelta(days=1)
        return previous.year, previous.month
    return today.year, today.month


def fiscal_months(fiscal_year):
    """The (CE year, month) of the twelve months of a fiscal year, October first."""
    first, _last = thaidate.fiscal_year_range(fiscal_year)
    return [(first.year + (first.month + n - 1) // 12, (first.month + n - 1) % 12 + 1) for n in range(12)]


def newest_report_status(year, month):
    """A subquery for Project rows: the status of the project's newest live report dated in a
    calendar month (None without one). Annotated on a list, one query answers every row."""
    first, last = month_bounds(year, month)
    return Subquery(
        ProgressReport.objects.live()
        .filter(project=OuterRef("pk"), report_date__gte=first, report_date__lte=last)
        .order_by("-report_date", "-pk")
        .values("status")[:1]
    )


def ancestor_ids(unit):
    """The unit's id and those of the units above it (at most three deep); no query when the
    unit came with its parent (select_related("unit__parent")) or is a top-level one."""
    ids = [unit.pk]
    if unit.parent_id:
        ids.append(unit.parent_id)
        if OrgUnit.parent.is_cached(unit):
            grandparent = unit.parent.parent_id
        else:
            grandparent = OrgUnit.objects.filter(pk=unit.parent_id).values_list("parent_id", flat=True).first()
        if grandparent:
            ids.append(grandparent)
    return ids


class Locks:
    """The active quarter locks of one fiscal year, read in one query: which quarters are closed
    for a unit (a lock for every unit, for the unit, or for a unit above it)."""

    def __init__(self, fiscal_year, rows):
        self.fiscal_year = fiscal_year
        self.by_unit = {}
        for unit_id, quarter in rows:
            self.by_unit.setdefault(unit_id, set()).add(quarter)

    @classmethod
    def load(cls, fiscal_year):
        return cls(
            fiscal_year, QuarterLock.objects.active().filter(fiscal_year=fiscal_year).values_list("unit_id", "quarter")
        )

    def quarters_for(self, unit):
        """The closed quarters (a set of 1–4) for a unit (None: only the locks for every unit)."""
        quarters = set(self.by_unit.get(None, ()))
        if unit is not None:
            for unit_id in ancestor_ids(unit):
                quarters |= self.by_unit.get(unit_id, set())
        return quarters


def project_months(project, *, today, calendar=None, locks=None, reports=None):
    """[(CE year, month, MonthStatus)] of the twelve months of the project's fiscal year, from
    its live reports (`reports`: when already at hand, newest first)."""
    calendar = calendar or ReportingCalendar.for_year(project.fiscal_year)
    locks = locks or Locks.load(project.fiscal_year)
    reports = project.reports.live().newest_first() if reports is None else reports
    newest = {}
    for report in reports:  # newest first: the first of a month is its newest
        newest.setdefault((report.report_date.year, report.report_date.month), report.status)
    locked = locks.quarters_for(project.unit)
    return [
        (year, month, month_status(calendar=calendar, locked_quarters=locked, year=year, month=month,
                                   report_status=newest.get((year, month)), today=today))
        for year, month in fiscal_months(project.fiscal_year)
    ]  # fmt: skip


def open_report_day(project, *, today, locks=None):
    """(day, note): the date the progress form offers for a new report — today, or the last day
    of the fiscal year when it is over, moved back out of closed quarters — with a note saying
    why it is not today; (None, reason) when no period of the project's year is open."""
    first, last = thaidate.fiscal_year_range(project.fiscal_year)
    if today < first:
        return None, _("ปีงบประมาณ %(fy)s ยังไม่เริ่ม (เริ่ม %(first)s) จึงยังรายงานความคืบหน้าไม่ได้") % {
            "fy": project.fiscal_year,
            "first": thaidate.format_short(first),
        }
    locked = (locks or Locks.load(project.fiscal_year)).quarters_for(project.unit)
    day, note = min(today, last), None
    if today > last:
        note = _("ปีงบประมาณ %(fy)s สิ้นสุดแล้ว วันที่รายงานตั้งไว้เป็นวันสุดท้ายของปี (%(last)s)") % {
            "fy": project.fiscal_year,
            "last": thaidate.format_short(last),
        }
    while thaidate.fiscal_quarter(day) in locked:
        day = thaidate.quarter_range(project.fiscal_year, thaidate.fiscal_quarter(day))[0] - timedelta(days=1)
        if day < first:
            return None, _("ไม่มีช่วงที่เปิดรับรายงาน: ทุกไตรมาสของปีงบประมาณ %(fy)s ปิดแล้ว") % {"fy": project.fiscal_year}
        note = _("ไตรมาสที่ปิดแล้วรับรายงานไม่ได้ วันที่รายงานตั้งไว้เป็นวันสุดท้ายของไตรมาสที่ยังเปิดอยู่ (%(day)s)") % {
            "day": thaidate.format_short(day)
        }
    return day, note


def locked_message(fiscal_year, quarter):
    return _(
        "ไตรมาสที่ %(quarter)s ปีงบประมาณ %(fy)s ปิดแล้ว ข้อมูลของไตรมาสนี้แก้ไขไม่ได้ (สำนักยุทธศาสตร์และประเมินผลเปิดอีกครั้งได้เมื่อมีเหตุผล)"
    ) % {"quarter": quarter, "fy": fiscal_year}


def closed_period(periods):
    """The first (fiscal year, quarter) of `periods` — (fiscal year, quarter, unit or None)
    triples — that an active lock covers, or None. One query."""
    periods = list(periods)
    if not periods:
        return None
    condition = Q()
    for fiscal_year, quarter, unit in periods:
        scope = Q(unit__isnull=True)
        if unit is not None:
            scope |= Q(unit_id__in=ancestor_ids(unit))
        condition |= Q(fiscal_year=fiscal_year, quarter=quarter) & scope
    lock = QuarterLock.objects.active().filter(condition).order_by("fiscal_year", "quarter").first()
    return (lock.fiscal_year, lock.quarter) if lock else None


def check_open(obj, *, as_stored=False):
    """Raise PeriodLocked when a row (a report, plan step, evaluation or indicator quarter: any
    model with periods()) lies in a closed quarter, as it is now or as it is stored
    (as_stored=True: the caller just read it, so the stored row is not read again)."""
    periods = list(obj.periods())
    if obj.pk and not as_stored:
        stored = type(obj).objects.filter(pk=obj.pk).first()
        if stored is not None:
            periods += stored.periods()
    closed = closed_period(periods)
    if closed:
        raise PeriodLocked(locked_message(*closed), code="closed_quarter")


def is_closed_quarter_error(exc):
    """Whether a database error is the closed-quarter triggers' refusal."""
    return isinstance(exc, IntegrityError) and CLOSED_QUARTER_MESSAGE.split(":")[0] in str(exc)


def steps_window_message(calendar):
    return _("วันที่ของขั้นตอนต้องอยู่ระหว่าง %(first)s ถึง %(last)s (ช่วงที่กำหนดสำหรับปีงบประมาณ %(fy)s)") % {
        "first": thaidate.format_short(calendar.steps_window_start),
        "last": thaidate.format_short(calendar.steps_window_end),
        "fy": calendar.fiscal_year,
    }


# What the reminders (issue 20.4) and the home page's to-do list ask.


def due_project_months(*, today, units=None):
    """[(project, (CE year, month), MonthStatus)] of the current fiscal year's projects (of
    `units`, a queryset; None: all) whose reporting month (reporting_month()) still needs
    work: due, late, a draft, or returned. Two queries plus one for the locks."""
    fiscal_year = thaidate.fiscal_year(today)
    calendar = ReportingCalendar.for_year(fiscal_year)
    year, month = reporting_month(today, calendar)
    if thaidate.fiscal_year(date(year, month, 1)) != fiscal_year:
        year, month = today.year, today.month
    projects = Project.objects.in_fiscal_year(fiscal_year).select_related("unit__parent")
    if units is not None:
        projects = projects.filter(unit__in=units)
    projects = projects.annotate(month_report_status=newest_report_status(year, month)).order_by("code")
    locks = Locks.load(fiscal_year)
    due = []
    for project in projects:
        status = month_status(
            calendar=calendar,
            locked_quarters=locks.quarters_for(project.unit),
            year=year,
            month=month,
            report_status=project.month_report_status,
            today=today,
        )
        if status.needs_work:
            due.append((project, (year, month), status))
    return due


def reviewable_units(user):
    """The units whose reports a user may approve: none for staff; a director's unit and the
    units below it; every unit for the planning office and admins (a queryset, or None: all)."""
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    if user.is_planner:
        return None
    if user.role != User.Role.DIRECTOR or user.unit_id is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.subtree_of(user.unit)


def reports_awaiting_approval(user):
    """The submitted reports waiting for this user's approval (not those they entered
    themselves), oldest first, with their projects."""
    units = reviewable_units(user)
    reports = ProgressReport.objects.awaiting_approval().select_related("project", "entered_by")
    if units is not None:
        reports = reports.filter(project__unit__in=units)
    return reports.exclude(entered_by=user).order_by("submitted_at", "report_date", "pk")


def returned_reports(user):
    """The reports returned to be fixed that this user may fix: of their unit and the units
    below it (staff and directors), newest review first."""
    if not user.is_authenticated or user.unit_id is None or user.role not in (User.Role.STAFF, User.Role.DIRECTOR):
        return ProgressReport.objects.none()
    return (
        ProgressReport.objects.returned()
        .filter(project__unit__in=OrgUnit.objects.subtree_of(user.unit))
        .select_related("project", "reviewed_by")
        .order_by("-reviewed_at", "-pk")
    )
