"""Evidence files on progress reports and indicator quarters (issue 20, item 5).

The unit's staff attach PDFs, photos and Word/Excel files to a report; the type is read from the
bytes, never the name; the unit's staff and directors, directors and the planning office download
them, another unit's staff get 403; a refused file leaves nothing behind; additions and removals
are in the history; the project page, the indicator page, the print page and the PDF name them.
"""

import hashlib
import urllib.parse
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from indicators.models import IndicatorQuarter, QuarterEvidence
from projects import services
from projects.models import AuditEntry, ReportEvidence
from tests import factories
from tests.pdftools import pdftotext, squash

pytestmark = pytest.mark.django_db

PHOTO_NAME = "ภาพกิจกรรม อบรมอาชีพ.jpg"


@pytest.fixture
def report(project):
    return factories.make_report(project, report_date=date(2021, 3, 30))


def stored_files(media_root):
    root = Path(media_root)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def upload_url(report):
    return reverse("projects:progress_evidence", args=[report.project.code, report.pk])


def post_file(client, report, name, content):
    return client.post(upload_url(report), {"file": factories.upload(name, content)})


# --- The done-when: a PDF and a photo, who downloads them, an .exe called .pdf ----------------


def test_a_pdf_and_a_photo_attached_to_a_report_download_for_the_unit_and_the_planning_office(
    client, report, staff, director, planner, other_staff
):
    client.force_login(staff)
    pdf, photo = factories.pdf_bytes(), factories.image_bytes("JPEG")
    assert post_file(client, report, "หนังสือลงนาม.pdf", pdf).status_code == 302
    assert post_file(client, report, PHOTO_NAME, photo).status_code == 302
    files = {row.original_name: row for row in ReportEvidence.objects.filter(report=report)}
    assert set(files) == {"หนังสือลงนาม.pdf", PHOTO_NAME}
    assert files[PHOTO_NAME].content_type == "image/jpeg" and files[PHOTO_NAME].size == len(photo)
    assert files["หนังสือลงนาม.pdf"].sha256 == hashlib.sha256(pdf).hexdigest()

    for user in (staff, director, planner):
        client.force_login(user)
        for row, content in ((files["หนังสือลงนาม.pdf"], pdf), (files[PHOTO_NAME], photo)):
            response = client.get(reverse("projects:evidence_download", args=[report.project.code, row.pk]))
            assert response.status_code == 200, user.username
            assert b"".join(response.streaming_content) == content
            assert response["Content-Type"] == row.content_type
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "private" in response["Cache-Control"]
            assert response["Content-Disposition"].startswith("attachment;")
            assert (
                "filename*=UTF-8''" + urllib.parse.quote(row.original_name, safe="") in response["Content-Disposition"]
            )

    client.force_login(other_staff)
    for row in files.values():
        response = client.get(reverse("projects:evidence_download", args=[report.project.code, row.pk]))
        assert response.status_code == 403
        assert not hasattr(response, "streaming_content")


def test_a_file_renamed_from_exe_to_pdf_is_refused_and_nothing_is_stored(client, report, staff, media_root):
    client.force_login(staff)
    response = post_file(client, report, "รายงาน.pdf", factories.exe_bytes())
    assert response.status_code == 200
    assert "ชนิดของไฟล์ไม่อยู่ในรายการที่รับได้" in response.content.decode()
    assert not ReportEvidence.objects.exists()
    assert stored_files(media_root) == []
    assert not AuditEntry.objects.filter(changes__has_key="evidence").exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("chart.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
        ("run.pdf", b"#!/bin/sh\necho hi\n"),
        ("macro.docx", factories.docx_bytes(extra=["word/vbaProject.bin"])),
        ("archive.xlsx", b"PK\x03\x04" + b"\x00" * 100),
        ("half.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n"),  # no %%EOF: cut short or not a PDF
        ("broken.png", factories.image_bytes("PNG")[:30]),
    ],
)
def test_content_that_is_not_an_accepted_kind_is_refused_whatever_its_name(
    client, report, staff, media_root, name, content
):
    client.force_login(staff)
    response = post_file(client, report, name, content)
    assert "ชนิดของไฟล์ไม่อยู่ในรายการที่รับได้" in response.content.decode()
    assert not ReportEvidence.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.PDF", factories.pdf_bytes(), "application/pdf"),
        ("photo.png", factories.image_bytes("PNG"), "image/png"),
        ("photo-without-extension", factories.image_bytes("JPEG"), "image/jpeg"),
        ("photo.webp", factories.image_bytes("WEBP"), "image/webp"),
        (
            "minutes.docx",
            factories.docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("budget.xlsx", factories.xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("named-wrongly.docx", factories.pdf_bytes(), "application/pdf"),  # the bytes decide
    ],
)
def test_each_accepted_kind_is_stored_under_a_random_name_with_the_type_its_bytes_say(
    report, staff, media_root, name, content, content_type
):
    row = services.report_evidence_add(report=report, upload=factories.upload(name, content), user=staff)
    assert row.content_type == content_type
    assert row.original_name == name
    stored = Path(row.file.name)
    assert stored.parts[0] == "evidence" and Path(name).stem not in row.file.name
    assert (Path(media_root) / row.file.name).read_bytes() == content


def test_an_oversize_file_is_refused_with_a_thai_message_and_nothing_stored(
    client, report, staff, settings, media_root
):
    settings.EVIDENCE_MAX_MB = 1
    client.force_login(staff)
    big = factories.pdf_bytes() + b"%" + b"0" * (1024 * 1024) + b"\n%%EOF\n"  # just over: the file is measured
    response = post_file(client, report, "big.pdf", big)
    assert "เกินขนาดที่รับได้ 1 MB" in response.content.decode()
    assert not ReportEvidence.objects.exists() and stored_files(media_root) == []


def test_a_request_far_over_the_limit_is_refused_before_its_body_is_read(client, report, staff, settings, media_root):
    settings.EVIDENCE_MAX_MB = 1
    client.force_login(staff)
    response = post_file(client, report, "huge.pdf", factories.pdf_bytes() + b"0" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert "เกินขนาดที่รับได้ 1 MB" in response.content.decode()
    assert not ReportEvidence.objects.exists() and stored_files(media_root) == []


def test_an_empty_file_is_refused(client, report, staff, media_root):
    client.force_login(staff)
    response = post_file(client, report, "empty.pdf", b"")
    assert "ไฟล์ว่างเปล่า" in response.content.decode()
    assert not ReportEvidence.objects.exists() and stored_files(media_root) == []


def test_a_post_without_a_file_asks_for_one(client, report, staff):
    client.force_login(staff)
    response = client.post(upload_url(report), {})
    assert response.status_code == 200
    assert "กรุณาเลือกไฟล์ที่จะแนบ" in response.content.decode()


def test_the_message_is_english_for_a_user_who_chose_english(client, report, staff):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    response = post_file(client, report, "x.pdf", factories.exe_bytes())
    assert "judged from its content, not its name" in response.content.decode()


def test_a_report_holds_at_most_the_configured_number_of_files(report, staff, settings, media_root):
    settings.EVIDENCE_MAX_FILES = 2
    for n in range(2):
        services.report_evidence_add(
            report=report, upload=factories.upload(f"{n}.png", factories.image_bytes()), user=staff
        )
    with pytest.raises(ValidationError, match="ไม่เกิน 2 ไฟล์"):
        services.report_evidence_add(
            report=report, upload=factories.upload("3.png", factories.image_bytes()), user=staff
        )
    assert ReportEvidence.objects.count() == 2 and len(stored_files(media_root)) == 2


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("C:\\Users\\somchai\\Desktop\\รายงาน.pdf", "รายงาน.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("bad\x00name\x1f.pdf", "badname.pdf"),
        ("\u202egpj.exe.pdf", "gpj.exe.pdf"),  # no right-to-left override to disguise the name
        ("ก" * 300 + ".pdf", "ก" * 196 + ".pdf"),
        ("   ", "ไฟล์หลักฐาน"),
    ],
)
def test_the_name_kept_is_the_last_part_without_control_characters_and_at_most_200_characters(
    report, staff, given, shown
):
    row = services.report_evidence_add(report=report, upload=factories.upload(given, factories.pdf_bytes()), user=staff)
    assert row.original_name == shown
    assert len(row.original_name) <= 200


# --- Who may upload and remove ----------------------------------------------------------------


def test_only_those_who_edit_the_report_open_its_upload_page(client, report, staff, director, planner, other_staff):
    for user, status in ((staff, 200), (director, 200), (planner, 403), (other_staff, 403)):
        client.force_login(user)
        assert client.get(upload_url(report)).status_code == status, user.username
        assert post_file(client, report, "a.pdf", factories.pdf_bytes()).status_code in (302 if status == 200 else 403,)
    assert ReportEvidence.objects.count() == 2  # staff's and director's


def test_removal_asks_for_confirmation_then_removes_the_row_and_the_file_and_is_audited(
    client, report, staff, other_staff, media_root, django_capture_on_commit_callbacks
):
    row = services.report_evidence_add(
        report=report, upload=factories.upload("บันทึก.pdf", factories.pdf_bytes()), user=staff
    )
    url = reverse("projects:evidence_remove", args=[report.project.code, row.pk])
    client.force_login(other_staff)
    assert client.get(url).status_code == 403 and client.post(url, {"sha256": row.sha256}).status_code == 403
    client.force_login(staff)
    assert client.post(url).status_code == 409  # not confirmed
    page = client.get(url)
    assert page.status_code == 200 and "ยืนยันการลบ" in page.content.decode() and "บันทึก.pdf" in page.content.decode()
    assert ReportEvidence.objects.filter(pk=row.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"sha256": row.sha256})
    assert response.status_code == 302 and response.url == upload_url(report)
    assert not ReportEvidence.objects.exists()
    assert stored_files(media_root) == []
    entries = AuditEntry.objects.for_project(report.project).filter(changes__has_key="evidence").order_by("pk")
    assert [entry.changes["evidence"][1] is None for entry in entries] == [False, True]
    assert all(entry.user == staff for entry in entries)


def test_the_history_page_shows_the_file_added_and_removed(client, report, staff):
    row = services.report_evidence_add(
        report=report, upload=factories.upload("ภาพถ่าย.png", factories.image_bytes()), user=staff
    )
    services.report_evidence_remove(evidence_file=row, user=staff)
    client.force_login(staff)
    page = client.get(reverse("projects:history", args=[report.project.code])).content.decode()
    assert page.count("ภาพถ่าย.png") == 2
    assert "แนบไฟล์หลักฐาน" in page and "ลบไฟล์หลักฐาน" in page


@pytest.mark.parametrize(
    ("name", "content", "downloaded_as", "ascii_name"),
    [
        ("หนังสือ.pdf", factories.pdf_bytes(), "หนังสือ.pdf", "evidence-{pk}.pdf"),
        ("Minutes 2567.PDF", factories.pdf_bytes(), "Minutes 2567.PDF", "Minutes 2567.pdf"),
        ("photo.jpeg", factories.image_bytes("JPEG"), "photo.jpeg", "photo.jpg"),
        ("setup.exe", factories.pdf_bytes(), "setup.exe.pdf", "setup.exe.pdf"),  # named as what it is
        ('a"b;c.pdf', factories.pdf_bytes(), 'a"b;c.pdf', "abc.pdf"),
    ],
)
def test_the_download_is_named_as_uploaded_with_the_extension_of_what_it_is(
    client, report, staff, name, content, downloaded_as, ascii_name
):
    row = services.report_evidence_add(report=report, upload=factories.upload(name, content), user=staff)
    client.force_login(staff)
    response = client.get(reverse("projects:evidence_download", args=[report.project.code, row.pk]))
    disposition = response["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="{ascii_name.format(pk=row.pk)}"; '
        f"filename*=UTF-8''{urllib.parse.quote(downloaded_as, safe='')}"
    )


def test_a_file_of_a_deleted_report_is_not_served(client, report, staff):
    row = services.report_evidence_add(
        report=report, upload=factories.upload("a.pdf", factories.pdf_bytes()), user=staff
    )
    services.progress_report_delete(report=report, user=staff, version=report.version)
    client.force_login(staff)
    assert client.get(reverse("projects:evidence_download", args=[report.project.code, row.pk])).status_code == 404


def test_a_file_of_another_project_is_not_served_under_this_one(client, report, staff, social_dept):
    other = factories.make_report(factories.make_project(unit=social_dept))
    row = services.report_evidence_add(
        report=other, upload=factories.upload("a.pdf", factories.pdf_bytes()), user=staff
    )
    client.force_login(staff)
    assert client.get(reverse("projects:evidence_download", args=[report.project.code, row.pk])).status_code == 404


# --- Listed on the pages, by name in the print page and the PDF ---------------------------------


def test_the_project_page_lists_the_files_and_links_to_the_upload_page(client, report, staff):
    client.force_login(staff)
    detail = reverse("projects:detail", args=[report.project.code])
    page = client.get(detail).content.decode()
    assert f'href="progress/{report.pk}/evidence/"' in page  # reachable by a click
    services.report_evidence_add(
        report=report, upload=factories.upload("<img src=x onerror=alert(1)>ผล.pdf", factories.pdf_bytes()), user=staff
    )
    page = client.get(detail).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;ผล.pdf" in page and "<img src=x" not in page  # escaped
    row = ReportEvidence.objects.get()
    assert reverse("projects:evidence_download", args=[report.project.code, row.pk]) in page


def test_the_print_page_and_the_pdf_name_the_files(client, report, staff):
    services.report_evidence_add(
        report=report, upload=factories.upload("หนังสือสั่งการ.pdf", factories.pdf_bytes()), user=staff
    )
    client.force_login(staff)
    assert "หนังสือสั่งการ.pdf" in client.get(reverse("projects:print", args=[report.project.code])).content.decode()
    response = client.get(reverse("projects:print_pdf", args=[report.project.code]))
    assert "หนังสือสั่งการ.pdf" in squash(
        pdftotext(b"".join(response.streaming_content) if response.streaming else response.content)
    )


def test_the_project_page_keeps_its_query_count_with_files(client, report, staff, django_assert_num_queries, settings):
    settings.PAGE_CACHE_SECONDS = 0
    for n in range(3):
        services.report_evidence_add(
            report=report, upload=factories.upload(f"{n}.pdf", factories.pdf_bytes()), user=staff
        )
    other = factories.make_report(report.project, report_date=date(2021, 4, 30))
    services.report_evidence_add(report=other, upload=factories.upload("x.png", factories.image_bytes()), user=staff)
    client.force_login(staff)
    url = reverse("projects:detail", args=[report.project.code])
    client.get(url)
    with django_assert_num_queries(PROJECT_PAGE_QUERIES):
        assert client.get(url).status_code == 200


# Without indicators: the session, the user, the project; steps, evaluations, live reports, their
# evidence files (one query for every report's), plan nodes, indicators, the year's reporting
# calendar and closed quarters (tests/test_project_page.py pins the page with indicators and
# their quarters).
PROJECT_PAGE_QUERIES = 11


def test_the_upload_page_keeps_its_query_count(client, report, staff, django_assert_num_queries):
    for n in range(3):
        services.report_evidence_add(
            report=report, upload=factories.upload(f"{n}.pdf", factories.pdf_bytes()), user=staff
        )
    client.force_login(staff)
    client.get(upload_url(report))
    # session, user, the project with its unit, the report, its files with their uploaders
    with django_assert_num_queries(5):
        assert client.get(upload_url(report)).status_code == 200


# --- Indicator quarters -------------------------------------------------------------------------


@pytest.fixture
def indicator(social_dept):
    return factories.make_indicator(code="2400-1065", unit=social_dept)


def test_a_quarter_takes_files_from_its_unit_and_the_indicator_page_lists_them(
    client, indicator, staff, planner, other_staff, media_root
):
    url = reverse("indicators:quarter_evidence", args=[indicator.code, indicator.fiscal_year, 2])
    client.force_login(staff)
    assert url in client.get(indicator.get_absolute_url()).content.decode()  # reachable by a click
    assert (
        url
        in client.get(
            reverse("indicators:result_edit", args=[indicator.code, indicator.fiscal_year, 2])
        ).content.decode()
    )
    assert client.post(url, {"file": factories.upload("ภาพ.png", factories.image_bytes())}).status_code == 302
    row = QuarterEvidence.objects.get()
    assert row.quarter == IndicatorQuarter.objects.get(indicator=indicator, quarter=2)
    page = client.get(indicator.get_absolute_url()).content.decode()
    download = reverse("indicators:evidence_download", args=[indicator.code, indicator.fiscal_year, row.pk])
    assert "ภาพ.png" in page and download in page
    assert (
        "ภาพ.png"
        in client.get(reverse("indicators:history", args=[indicator.code, indicator.fiscal_year])).content.decode()
    )
    for user, status in ((staff, 200), (planner, 200), (other_staff, 403)):
        client.force_login(user)
        assert client.get(download).status_code == status
    client.force_login(other_staff)
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": factories.upload("x.png", factories.image_bytes())}).status_code == 403
    assert QuarterEvidence.objects.count() == 1


def test_a_quarter_refuses_an_html_file_called_jpg_and_stores_nothing(client, indicator, staff, media_root):
    client.force_login(staff)
    url = reverse("indicators:quarter_evidence", args=[indicator.code, indicator.fiscal_year, 1])
    response = client.post(url, {"file": factories.upload("photo.jpg", b"<html><body>x</body></html>")})
    assert "ชนิดของไฟล์ไม่อยู่ในรายการที่รับได้" in response.content.decode()
    assert not QuarterEvidence.objects.exists() and stored_files(media_root) == []


def test_a_quarter_file_is_removed_with_confirmation(
    client, indicator, staff, django_capture_on_commit_callbacks, media_root
):
    from indicators import services as indicator_services

    row = indicator_services.quarter_evidence_add(
        indicator=indicator, quarter=3, upload=factories.upload("a.pdf", factories.pdf_bytes()), user=staff
    )
    url = reverse("indicators:evidence_remove", args=[indicator.code, indicator.fiscal_year, row.pk])
    client.force_login(staff)
    assert "ยืนยันการลบ" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"sha256": row.sha256}).status_code == 302
    assert not QuarterEvidence.objects.exists() and stored_files(media_root) == []


def test_the_indicator_report_and_its_pdf_name_the_quarters_files(client, indicator, staff):
    from indicators import services as indicator_services

    indicator_services.quarter_evidence_add(
        indicator=indicator, quarter=1, upload=factories.upload("ภาพประกอบ.png", factories.image_bytes()), user=staff
    )
    client.force_login(staff)
    args = [indicator.code, indicator.fiscal_year, 2]
    assert "ภาพประกอบ.png" in client.get(reverse("reports:indicator_report", args=args)).content.decode()
    response = client.get(reverse("reports:indicator_report_pdf", args=args))
    assert "ภาพประกอบ.png" in squash(pdftotext(response.content))


def test_the_indicator_page_keeps_its_query_count_with_files(client, indicator, staff, django_assert_num_queries):
    from indicators import services as indicator_services

    for quarter in (1, 2):
        indicator_services.quarter_evidence_add(
            indicator=indicator, quarter=quarter, upload=factories.upload("a.pdf", factories.pdf_bytes()), user=staff
        )
    client.force_login(staff)
    client.get(indicator.get_absolute_url())
    with django_assert_num_queries(INDICATOR_PAGE_QUERIES):
        assert client.get(indicator.get_absolute_url()).status_code == 200


INDICATOR_PAGE_QUERIES = 7  # as without files (tests/test_indicator_page.py)


# --- backup / restore ---------------------------------------------------------------------------


def test_backup_and_restore_bring_the_files_back_and_restore_checks_their_sha256(
    report, staff, indicator, media_root, tmp_path
):
    import io
    import tarfile

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    from indicators import services as indicator_services

    pdf, photo = factories.pdf_bytes(), factories.image_bytes("JPEG")
    on_report = services.report_evidence_add(report=report, upload=factories.upload("ก.pdf", pdf), user=staff)
    on_quarter = indicator_services.quarter_evidence_add(
        indicator=indicator, quarter=1, upload=factories.upload(PHOTO_NAME, photo), user=staff
    )
    backup = tmp_path / "bma.tar.gz"
    call_command("backup", str(backup), stdout=io.StringIO())
    with tarfile.open(backup) as archive:
        assert {f"media/{on_report.file.name}", f"media/{on_quarter.file.name}"} <= set(archive.getnames())

    # Lose the files and the rows after the backup.
    for path in stored_files(media_root):
        path.unlink()
    ReportEvidence.objects.all().delete()
    connection.check_constraints()
    call_command("restore", str(backup), "--noinput", stdout=io.StringIO())
    assert (Path(media_root) / on_report.file.name).read_bytes() == pdf
    assert (Path(media_root) / on_quarter.file.name).read_bytes() == photo
    assert ReportEvidence.objects.get().sha256 == hashlib.sha256(pdf).hexdigest()
    assert QuarterEvidence.objects.get().original_name == PHOTO_NAME

    # A backup whose file was damaged is refused before anything is replaced.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(backup) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == f"media/{on_report.file.name}":
                data = data.replace(b"%PDF-1.4", b"%PDF-1.5")
            member.size = len(data) if data is not None else member.size
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    services.report_evidence_remove(evidence_file=ReportEvidence.objects.get(), user=staff)
    connection.check_constraints()
    with pytest.raises(CommandError, match="SHA-256 differs"):
        call_command("restore", str(damaged), "--noinput", stdout=io.StringIO())
    assert not ReportEvidence.objects.exists()  # the failed restore changed nothing


def test_files_in_another_store_are_backed_up_and_restored_through_the_storage_api(report, staff, settings, tmp_path):
    """An object store (MEDIA_STORAGE_BACKEND) holds nothing under MEDIA_ROOT: backup reads the
    files through the storage API and restore writes them back the same way. Django's in-memory
    storage stands in for S3."""
    import io

    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    pdf = factories.pdf_bytes()
    row = services.report_evidence_add(report=report, upload=factories.upload("ก.pdf", pdf), user=staff)
    assert stored_files(settings.MEDIA_ROOT) == [] and default_storage.exists(row.file.name)
    backup = tmp_path / "bma.tar.gz"
    call_command("backup", str(backup), stdout=io.StringIO())
    default_storage.delete(row.file.name)
    connection.check_constraints()
    call_command("restore", str(backup), "--noinput", stdout=io.StringIO())
    with default_storage.open(row.file.name) as restored:
        assert restored.read() == pdf
