"""The quarterly book as a background job, on django-tasks (DEP 14; the database backend by
default, settings.TASKS): book_job_request() records a BookJob and enqueues build_book_job;
any `manage.py db_worker` process, on any machine sharing the database, runs it.

At most one job per book is queued or running: the BookJob table's partial unique constraint
(one_active_book_job) refuses a second one, and the request returns the job already under way.
"""

from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from reports.book import build_book
from reports.models import BookJob
from reports.scopes import Scope

BOOKS_DIR = "books"
PROGRESS_EVERY_SECONDS = 1.0


def book_job_request(*, scope, fiscal_year, quarter, unit=None, district_group="", user=None):
    """The active job for this book, or a new queued one (enqueued). Returns (job, created)."""
    covered = Scope.of(scope, unit=unit, group=district_group)
    key = covered.key
    try:
        with transaction.atomic():
            job = BookJob.objects.create(
                scope=covered.kind,
                unit=covered.unit,
                district_group=covered.group,
                scope_key=key,
                fiscal_year=fiscal_year,
                quarter=quarter,
                requested_by=user,
            )
    except IntegrityError:
        active = BookJob.objects.active().filter(scope_key=key, fiscal_year=fiscal_year, quarter=quarter).first()
        if active is None:  # finished between the insert and this read: ask again
            return book_job_request(
                scope=scope,
                fiscal_year=fiscal_year,
                quarter=quarter,
                unit=unit,
                district_group=district_group,
                user=user,
            )
        return active, False
    _enqueue(job)
    return job, True


def book_job_retry(*, job):
    """Queue a failed job again (a new task for the same BookJob). Returns the job that will
    build the book: this one, or another already active for the same book."""
    if job.status != BookJob.Status.FAILED:
        return job
    try:
        with transaction.atomic():
            updated = BookJob.objects.filter(pk=job.pk, status=BookJob.Status.FAILED).update(
                status=BookJob.Status.QUEUED, error="", progress_done=0, started_at=None, finished_at=None
            )
    except IntegrityError:
        return BookJob.objects.active().get(scope_key=job.scope_key, fiscal_year=job.fiscal_year, quarter=job.quarter)
    job.refresh_from_db()
    if updated:
        _enqueue(job)
    return job


def _enqueue(job):
    result = build_book_job.enqueue(job.pk)
    BookJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.task_id = str(result.id)[:64]


def book_path(job):
    """Where the job's PDF goes, relative to MEDIA_ROOT."""
    return f"{BOOKS_DIR}/book-{job.covered.slug}-{job.fiscal_year}-q{job.quarter}-{job.pk}.pdf"


@task()
def build_book_job(job_id):
    """Build the job's book; progress, the file or the reason it failed go on the BookJob."""
    job = BookJob.objects.select_related("unit").get(pk=job_id)
    if job.status not in BookJob.ACTIVE:
        return  # retried or finished meanwhile
    BookJob.objects.filter(pk=job.pk).update(
        status=BookJob.Status.RUNNING, started_at=timezone.now(), attempts=job.attempts + 1
    )
    last_write = [0.0]

    def progress(done, total):
        now = timezone.now().timestamp()
        if done in (0, total) or now - last_write[0] >= PROGRESS_EVERY_SECONDS:
            last_write[0] = now
            BookJob.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

    relative = book_path(job)
    try:
        build_book(job.covered, job.fiscal_year, job.quarter, Path(settings.MEDIA_ROOT, relative), progress=progress)
    except Exception as exc:
        BookJob.objects.filter(pk=job.pk).update(
            status=BookJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:5000], finished_at=timezone.now()
        )
        raise  # the task runner records the failure (and its traceback) too
    BookJob.objects.filter(pk=job.pk).update(status=BookJob.Status.DONE, file_path=relative, finished_at=timezone.now())
