"""python manage.py send_reminders [--days-ahead N] [--date DD/MM/YYYY(BE)]

The daily reminder mails (projects/reminders.py): run it once a day from a systemd timer or cron
(README, "Daily jobs"); running it again the same day sends nobody a second mail. Exits non-zero
when a mail could not be sent (that person is tried again on the next run).
"""

from django.core.management.base import BaseCommand, CommandError

from bma_tracker import thaidate
from projects.reminders import send_reminders


class Command(BaseCommand):
    help = "Mail each staff member and director the reports due soon or late (at most once a day)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days-ahead", type=int, default=None, help="tell staff this many days before the due date"
        )
        parser.add_argument("--date", default=None, help="the day to act as (dd/mm/yyyy, Buddhist era): for tests")

    def handle(self, *args, days_ahead=None, date=None, **options):
        if days_ahead is not None and not 0 <= days_ahead <= 31:
            raise CommandError("--days-ahead must be between 0 and 31.")
        today = None
        if date:
            try:
                today = thaidate.parse_thai_date(date)
            except thaidate.ThaiDateError as error:
                raise CommandError(f"--date {date!r}: {error}") from None
        result = send_reminders(today=today, days_ahead=days_ahead)
        self.stdout.write(
            f"sent {result.sent}, already sent today {result.already_sent}, "
            f"nothing to tell {result.nothing_to_say}, failed {result.failed}"
        )
        if result.failed:
            raise CommandError(f"{result.failed} reminder mail(s) could not be sent; they are retried on the next run.")
