"""The daily reminder mails: to each staff member, the projects of their unit whose monthly
report is due within a few days or late; to each director, a digest of what is missing under
their unit. Run by `manage.py send_reminders` once a day (a systemd timer or cron, README).

At most one mail per person per day however often it runs: a ReminderMail row (unique per user
and day) is inserted in the transaction that sends the mail. A send that fails rolls its row
back, so the next run tries that person again; a second run the same day finds the row and skips.

Everything is read in a few queries for the whole BMA (the units, the open months' reports and
projects, the recipients), then grouped in Python: no query per user.
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
from projects.models import OrgUnit, ProgressReport, Project, ReminderMail, User

logger = logging.getLogger(__name__)

# A director's digest lists this many late projects by name; the rest are counted.
DIGEST_LIST_LIMIT = 30


@dataclass(frozen=True)
class MonthDue:
    """One project's report for one month, not yet made."""

    project: Project
    month: datetime.date  # the first day of the report's month
    due: datetime.date
    late: bool  # today is after the due date


@dataclass
class Reminder:
    user: User
    due_soon: list = field(default_factory=list)  # [MonthDue], not yet late
    late: list = field(default_factory=list)  # [MonthDue]
    late_by_unit: list = field(default_factory=list)  # directors: [(unit, count)], most first

    def is_empty(self):
        return not (self.due_soon or self.late)

    def summary(self):
        return {
            "due_soon": [[m.project.code, m.month.isoformat()] for m in self.due_soon],
            "late": [[m.project.code, m.month.isoformat()] for m in self.late],
            "director": bool(self.late_by_unit),
        }


REPORT_DUE_DAY = 5


def report_due_date(month):
    """The day a month's report is due: the 5th of the following month."""
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following.replace(day=REPORT_DUE_DAY)


def months_to_remind(today, days_ahead):
    """The report months a reminder can speak of today, newest first: the current month when its
    due date is within days_ahead, and the previous month until its report is made (due, then
    late). Older gaps are the dashboards' business, not a daily mail's."""
    this_month = today.replace(day=1)
    previous = (this_month - datetime.timedelta(days=1)).replace(day=1)
    months = []
    if (report_due_date(this_month) - today).days <= days_ahead:
        months.append(this_month)
    if thaidate.fiscal_year(previous) == thaidate.fiscal_year(today) or report_due_date(previous) >= today:
        months.append(previous)
    return months


def open_months(today, days_ahead):
    """{fiscal_year: [(month, due date)]} of the months that can be reminded of today."""
    by_year = defaultdict(list)
    for month in months_to_remind(today, days_ahead):
        by_year[thaidate.fiscal_year(month)].append((month, report_due_date(month)))
    return by_year


def reported(month):
    """The ids of the projects with a live report dated in a month. Read from the reports
    themselves, not a summary, so that a report however written (form, import, script) counts."""
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    reports = ProgressReport.objects.live().filter(report_date__gte=month, report_date__lt=following)
    return set(reports.values_list("project_id", flat=True).distinct())


def missing_by_unit(today, days_ahead):
    """{unit_id: [MonthDue]}: every project of the open months' fiscal years without a report in
    a month that can be reminded of, by the project's unit."""
    missing = defaultdict(list)
    for fiscal_year, months in open_months(today, days_ahead).items():
        made = {month: reported(month) for month, _due in months}
        projects = Project.objects.in_fiscal_year(fiscal_year).only("code", "name", "unit_id").order_by("code")
        for project in projects:
            for month, due in months:
                if project.pk not in made[month]:
                    missing[project.unit_id].append(MonthDue(project, month, due, late=today > due))
    return missing


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
    below = subtrees(units)
    missing = missing_by_unit(today, days_ahead)
    result = []
    for user in recipients():
        items = [item for unit_id in below.get(user.unit_id, ()) for item in missing.get(unit_id, ())]
        items.sort(key=lambda item: (item.due, item.project.code))
        reminder = Reminder(
            user=user,
            due_soon=[item for item in items if not item.late],
            late=[item for item in items if item.late],
        )
        if user.role == User.Role.DIRECTOR:
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
        "home_url": absolute(reverse("home")),
        "profile_url": absolute(reverse("profile")),
    }
    subject = render_to_string("mail/reminder_subject.txt", context).strip()
    return subject, render_to_string("mail/reminder.txt", context), render_to_string("mail/reminder.html", context)


def _row(item):
    return {
        "code": item.project.code,
        "name": item.project.name,
        "month": f"{thaidate.month_name(item.month.month)} {thaidate.be_year(item.month.year)}",
        "due": thaidate.format_medium(item.due),
        "url": absolute(reverse("projects:progress_new", args=[item.project.code])),
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
