"""The quarterly book as a background job (issue 6): planners request it from the UI, a
django-tasks worker builds it, the page polls its progress, the PDF downloads; one job per
book at a time; a failure says why and can be retried. Everyone else gets 403."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings

from reports.models import BookJob
from reports.tasks import book_job_request
from tests import factories
from tests.conftest import login

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
REQUEST = {"scope": "unit", "unit": "", "fiscal_year": 2564, "quarter": 4}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def indicators(social_dept, social_division):
    factories.make_indicator(code="2400-0001", fiscal_year=2564, unit=social_dept, name="ร้อยละของผู้สูงอายุที่ได้รับการดูแล")
    factories.make_indicator(code="2404-0001", fiscal_year=2564, unit=social_division, name="จำนวนสตรีที่ได้รับการฝึกอาชีพ")


def request_book(client, social_dept, **extra):
    return client.post("/reports/books/", {**REQUEST, "unit": social_dept.pk, **extra})


@override_settings(TASKS=IMMEDIATE)
def test_a_planner_requests_a_book_and_downloads_it(client, planner, social_dept, indicators, media):
    response = request_book(login(client, planner), social_dept)
    job = BookJob.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/books/{job.pk}/"
    assert job.status == BookJob.Status.DONE and job.requested_by == planner
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert Path(media, job.file_path).is_file() and job.file_path.startswith("books/")
    status = client.get(f"/reports/books/{job.pk}/status.json").json()
    assert status["status"] == "done" and status["percent"] == 100
    assert status["download_url"] == f"/reports/books/{job.pk}/download/"
    download = client.get(status["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    page = client.get(f"/reports/books/{job.pk}/")
    assert "js/book_progress.js" in page.content.decode() and "<script>" not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_real_db_worker_runs_the_enqueued_job(client, planner, social_dept, indicators, media):
    """The default backend stores the job in our database; `db_worker --batch` runs it."""
    request_book(login(client, planner), social_dept)
    job = BookJob.objects.get()
    assert job.status == BookJob.Status.QUEUED and job.task_id
    assert client.get(f"/reports/books/{job.pk}/status.json").json()["download_url"] is None
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == BookJob.Status.DONE, job.error
    assert Path(media, job.file_path).read_bytes().startswith(b"%PDF")
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"


@override_settings(TASKS=DUMMY)
def test_a_second_request_for_the_same_book_while_active_joins_the_first(client, planner, social_dept, indicators):
    login(client, planner)
    first = request_book(client, social_dept)
    second = request_book(client, social_dept)
    assert first.url == second.url
    assert BookJob.objects.count() == 1
    # Another quarter is another book.
    request_book(client, social_dept, quarter=3)
    assert BookJob.objects.count() == 2


@override_settings(TASKS=DUMMY)
def test_the_database_refuses_two_active_jobs_for_one_book(planner, social_dept):
    job, created = book_job_request(scope="unit", unit=social_dept, fiscal_year=2564, quarter=4, user=planner)
    assert created
    with pytest.raises(IntegrityError), transaction.atomic():
        BookJob.objects.create(scope="unit", unit=social_dept, scope_key=job.scope_key, fiscal_year=2564, quarter=4)
    again, created = book_job_request(scope="unit", unit=social_dept, fiscal_year=2564, quarter=4, user=planner)
    assert (again, created) == (job, False)
    # Once it is done, a new request makes a new job.
    BookJob.objects.filter(pk=job.pk).update(status=BookJob.Status.DONE)
    _new, created = book_job_request(scope="unit", unit=social_dept, fiscal_year=2564, quarter=4, user=planner)
    assert created
    # The whole-BMA book is guarded too (its unit is NULL).
    book_job_request(scope="bma", fiscal_year=2564, quarter=4)
    assert book_job_request(scope="bma", fiscal_year=2564, quarter=4)[1] is False


@override_settings(TASKS=IMMEDIATE)
def test_a_failed_job_shows_why_and_a_retry_builds_it(client, planner, social_dept, indicators, monkeypatch, media):
    def broken(*args, **kwargs):
        raise ValueError("ตัวชี้วัด 2400-0001: แม่แบบอ้างถึงค่าที่ไม่มี")

    monkeypatch.setattr("reports.tasks.build_book", broken)
    login(client, planner)
    request_book(client, social_dept)
    job = BookJob.objects.get()
    assert job.status == BookJob.Status.FAILED
    assert job.error == "ValueError: ตัวชี้วัด 2400-0001: แม่แบบอ้างถึงค่าที่ไม่มี"
    page = client.get(f"/reports/books/{job.pk}/").content.decode()
    assert "แม่แบบอ้างถึงค่าที่ไม่มี" in page and f"/reports/books/{job.pk}/retry/" in page
    assert client.get(f"/reports/books/{job.pk}/download/").status_code == 404

    monkeypatch.undo()
    response = client.post(f"/reports/books/{job.pk}/retry/")
    assert response.url == f"/reports/books/{job.pk}/"
    job.refresh_from_db()
    assert job.status == BookJob.Status.DONE and job.error == "" and job.attempts == 2
    assert client.get(f"/reports/books/{job.pk}/download/").status_code == 200


@override_settings(TASKS=IMMEDIATE)
def test_only_the_planning_office_uses_books(client, staff, director, planner, admin_user, social_dept, indicators):
    request_book(login(client, planner), social_dept)
    job = BookJob.objects.get()
    urls = ["/reports/books/", f"/reports/books/{job.pk}/", f"/reports/books/{job.pk}/status.json"]
    urls.append(f"/reports/books/{job.pk}/download/")
    for user in (staff, director):
        login(client, user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert request_book(client, social_dept).status_code == 403
        assert client.post(f"/reports/books/{job.pk}/retry/").status_code == 403
    client.logout()
    assert client.get(urls[-1]).status_code == 302  # to the login page
    assert login(client, admin_user).get(urls[-1]).status_code == 200


def test_the_request_form_asks_for_the_unit_of_a_unit_book(client, planner):
    response = login(client, planner).post("/reports/books/", REQUEST)
    assert response.status_code == 200
    assert "เลือกหน่วยงาน" in response.content.decode()
    assert not BookJob.objects.exists()
