"""The daily reminder mails: to each staff member, the projects of their unit whose monthly
report is due within a few days, late, still a draft or returned to be fixed; to each director,
a digest of what is missing under their unit and the reports waiting for their approval. The
due dates are the planning office's (ReportingCalendar, projects/cycle.py); a month of a closed
quarter is nobody's to-do. Run by `manage.py send_reminders` once a day (a systemd timer or
cron, README).

At most one mail per person per day however often it runs: a ReminderMail row (unique per user
and day) is inserted in the transaction that sends the mail. A send that fails rolls its row
back, so the next run tries that person again; a second run the same day finds the row and skips.

Everything is read in a few queries for the whole BMA (the units, the calendars and closed
quarters, the open months' reports and projects, the reports awaiting approval, the
recipients), then grouped in Python: no query per user.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from bma_tracker import thaidate
from projects.cycle import Locks, month_bounds
from projects.models import OrgUnit, ProgressReport, Project, ReminderMail, ReportingCalendar, User

logger = logging.getLogger(__name__)

# A director's digest lists this many late projects by name; the rest are counted.
DIGEST_LIST_LIMIT = 30


@dataclass(frozen=True)
class MonthDue:
    """One project's report for one month that still needs its unit: not made yet (due, or
    late after the due date), a draft not submitted, or returned to be fixed."""

    project: Project
    month: datetime.date  # the first day of the report's month
    due: datetime.date
    kind: str  # "due", "late", "draft" or "returned"
    report_id: int | None = None  # the draft's or the returned report's

    @property
    def late(self):
        return self.kind == "late"


@dataclass
class Reminder:
    user: User
    due_soon: list = field(default_factory=list)  # [MonthDue] not yet late
    late: list = field(default_factory=list)  # [MonthDue]
    to_fix: list = field(default_factory=list)  # [MonthDue] drafts and returned reports
    to_approve: list = field(default_factory=list)  # directors: [ProgressReport] awaiting approval
    late_by_unit: list = field(default_factory=list)  # directors: [(unit, count)], most first

    def is_empty(self):
        return not (self.due_soon or self.late or self.to_fix or self.to_approve)

    def summary(self):
        return {
            "due_soon": [[m.project.code, m.month.isoformat()] for m in self.due_soon],
            "late": [[m.project.code, m.month.isoformat()] for m in self.late],
            "to_fix": [[m.project.code, m.month.isoformat(), m.kind] for m in self.to_fix],
            "to_approve": [report.pk for report in self.to_approve],
            "director": self.user.role == User.Role.DIRECTOR,
        }


class Calendars(dict):
    """{fiscal year: ReportingCalendar}, read once per year asked for."""

    def __missing__(self, fiscal_year):
        self[fiscal_year] = ReportingCalendar.for_year(fiscal_year)
        return self[fiscal_year]

    def due_date(self, month):
        return self[thaidate.fiscal_year(month)].due_date(month.year, month.month)


def months_to_remind(today, days_ahead, calendars):
    """The report months a reminder can speak of today: the current month when its due date is
    within days_ahead, and the previous month until its report is made (due, then late) while it
    belongs to the current fiscal year or is still before its due date. Older gaps are the
    dashboards' business, not a daily mail's."""
    this_month = today.replace(day=1)
    previous = (this_month - datetime.timedelta(days=1)).replace(day=1)
    months = []
    if (calendars.due_date(this_month) - today).days <= days_ahead:
        months.append(this_month)
    if thaidate.fiscal_year(previous) == thaidate.fiscal_year(today) or calendars.due_date(previous) >= today:
        months.append(previous)
    return months


def open_months(today, days_ahead, calendars):
    """{fiscal_year: [(month, due date)]} of the months that can be reminded of today."""
    by_year = defaultdict(list)
    for month in months_to_remind(today, days_ahead, calendars):
        by_year[thaidate.fiscal_year(month)].append((month, calendars.due_date(month)))
    return by_year


def newest_reports(month):
    """{project id: (status, report id)} of each project's newest live report dated in a month.
    Read from the reports themselves, not a summary, so that a report however written (form,
    import, script) counts."""
    first, last = month_bounds(month.year, month.month)
    reports = (
        ProgressReport.objects.live()
        .filter(report_date__gte=first, report_date__lte=last)
        .order_by("report_date", "pk")
        .values_list("project_id", "status", "pk")
    )
    return {project_id: (status, pk) for project_id, status, pk in reports}  # the newest last, so it wins


def missing_by_unit(today, days_ahead, unit_by_id, calendars=None):
    """{unit_id: [MonthDue]}: each project of the open months' fiscal years whose report for a
    month that can be reminded of still needs its unit, by the project's unit."""
    calendars = calendars if calendars is not None else Calendars()
    counted = set(ProgressReport.COUNTED_STATUSES)
    missing = defaultdict(list)
    for fiscal_year, months in open_months(today, days_ahead, calendars).items():
        locks = Locks.load(fiscal_year)
        newest = {month: newest_reports(month) for month, _due in months}
        projects = Project.objects.in_fiscal_year(fiscal_year).only("code", "name", "unit_id").order_by("code")
        for project in projects:
            closed = locks.quarters_for(unit_by_id.get(project.unit_id))
            for month, due in months:
                if thaidate.fiscal_quarter(month) in closed:
                    continue
                status, report_id = newest[month].get(project.pk, (None, None))
                if status in counted:
                    continue
                kind = status if status else ("late" if today > due else "due")
                missing[project.unit_id].append(MonthDue(project, month, due, kind, report_id))
    return missing


def awaiting_by_unit():
    """{unit_id: [ProgressReport]} of the reports waiting for approval, oldest first (one query)."""
    waiting = defaultdict(list)
    reports = (
        ProgressReport.objects.awaiting_approval()
        .select_related("project")
        .only("pk", "report_date", "percent", "entered_by_id", "project__code", "project__name", "project__unit_id")
        .order_by("submitted_at", "report_date", "pk")
    )
    for report in reports:
        waiting[report.project.unit_id].append(report)
    return waiting


def subtrees(units):
    """{unit_id: [unit_id of the unit and every unit below it]} (units nest at most three deep)."""
    children = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit.pk)
    below = {}
    for unit in units:
        ids, frontier = [unit.pk], [unit.pk]
        while frontier:
            frontier = [child for pk in frontier for child in children.get(pk, ())]
            ids.extend(frontier)
        below[unit.pk] = ids
    return below


def recipients():
    """Active users who take reminders, have an address and belong to a unit: staff and directors."""
    return (
        User.objects.filter(is_active=True, reminder_mails=True, unit__isnull=False)
        .filter(role__in=[User.Role.STAFF, User.Role.DIRECTOR])
        .exclude(email="")
        .select_related("unit")
        .order_by("pk")
    )


def reminders(today, days_ahead):
    """A Reminder for every recipient with something to be told today (empty ones left out)."""
    units = list(OrgUnit.objects.only("pk", "parent_id", "name", "code"))
    unit_by_id = {unit.pk: unit for unit in units}
    for unit in units:  # each with its parent at hand: Locks.quarters_for() then reads no unit
        OrgUnit.parent.field.set_cached_value(unit, unit_by_id.get(unit.parent_id))
    below = subtrees(units)
    missing = missing_by_unit(today, days_ahead, unit_by_id)
    waiting = awaiting_by_unit()
    result = []
    for user in recipients():
        subtree = below.get(user.unit_id, ())
        items = [item for unit_id in subtree for item in missing.get(unit_id, ())]
        items.sort(key=lambda item: (item.due, item.project.code))
        reminder = Reminder(
            user=user,
            due_soon=[item for item in items if item.kind == "due"],
            late=[item for item in items if item.kind == "late"],
            to_fix=[item for item in items if item.kind in ("draft", "returned")],
        )
        if user.role == User.Role.DIRECTOR:
            reminder.to_approve = [
                report
                for unit_id in subtree
                for report in waiting.get(unit_id, ())
                if report.entered_by_id != user.pk  # nobody approves their own
            ]
            counts = defaultdict(int)
            for item in reminder.late:
                counts[item.project.unit_id] += 1
            reminder.late_by_unit = sorted(
                ((unit_by_id[pk], count) for pk, count in counts.items()), key=lambda pair: (-pair[1], pair[0].code)
            )
        if not reminder.is_empty():
            result.append(reminder)
    return result


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def render_mail(reminder, today):
    """(subject, text body, HTML body) of a reminder, in the site's language (Thai)."""
    user = reminder.user
    director = user.role == User.Role.DIRECTOR
    context = {
        "user": user,
        "today": today,
        "director": director,
        "due_soon": [_row(item) for item in reminder.due_soon],
        "late": [_row(item) for item in reminder.late[: DIGEST_LIST_LIMIT if director else None]],
        "late_count": len(reminder.late),
        "late_not_listed": max(0, len(reminder.late) - DIGEST_LIST_LIMIT) if director else 0,
        "late_by_unit": reminder.late_by_unit,
        "to_fix": [_row(item) for item in reminder.to_fix],
        "to_approve": [_approval_row(report) for report in reminder.to_approve[:DIGEST_LIST_LIMIT]],
        "to_approve_count": len(reminder.to_approve),
        "home_url": absolute(reverse("home")),
        "profile_url": absolute(reverse("profile")),
    }
    subject = render_to_string("mail/reminder_subject.txt", context).strip()
    return subject, render_to_string("mail/reminder.txt", context), render_to_string("mail/reminder.html", context)


def _row(item):
    code = item.project.code
    if item.report_id is not None:  # a draft to submit, a returned report to fix: its form
        url = reverse("projects:progress_edit", args=[code, item.report_id])
    else:
        url = reverse("projects:progress_new", args=[code])
    return {
        "code": code,
        "name": item.project.name,
        "month": f"{thaidate.month_name(item.month.month)} {thaidate.be_year(item.month.year)}",
        "due": thaidate.format_medium(item.due),
        "kind": item.kind,
        "url": absolute(url),
    }


def _approval_row(report):
    return {
        "code": report.project.code,
        "name": report.project.name,
        "date": thaidate.format_medium(report.report_date),
        "percent": report.percent,
        "url": absolute(reverse("projects:progress_review", args=[report.project.code, report.pk])),
    }


@dataclass
class RunResult:
    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    nothing_to_say: int = 0


def send_reminders(*, today=None, days_ahead=None, connection=None):
    """Mail today's reminders; returns the counts. Safe to run any number of times a day."""
    today = today or thaidate.today()
    days_ahead = settings.REMINDER_DAYS_AHEAD if days_ahead is None else days_ahead
    result = RunResult()
    with translation.override(settings.LANGUAGE_CODE):
        todo = reminders(today, days_ahead)
        result.nothing_to_say = recipients().count() - len(todo)
        if not todo:
            return result
        connection = connection or get_connection()
        try:
            connection.open()
        except Exception:  # noqa: BLE001 — the relay is down: nobody is marked as mailed
            logger.exception("The mail relay cannot be reached; %s reminder mails wait for the next run", len(todo))
            result.failed = len(todo)
            return result
        try:
            for reminder in todo:
                outcome = _send_one(reminder, today, connection)
                setattr(result, outcome, getattr(result, outcome) + 1)
        finally:
            connection.close()
    return result


def _send_one(reminder, today, connection):
    subject, text, html = render_mail(reminder, today)
    message = EmailMultiAlternatives(subject, text, to=[reminder.user.email], connection=connection)
    message.attach_alternative(html, "text/html")
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ReminderMail.objects.create(user=reminder.user, day=today, summary=reminder.summary())
            except IntegrityError:
                return "already_sent"
            message.send()
    except Exception:  # noqa: BLE001 — one address or a flaky relay must not stop everyone's mail
        logger.exception("Reminder mail to user %s failed; it is retried on the next run", reminder.user.pk)
        return "failed"
    return "sent"
