"""/healthz for the load balancer, and `manage.py backup` / `restore` (issue 7)."""

import io
import json
import tarfile
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse

from bma_tracker import health
from projects import services
from projects.models import AuditEntry, ProgressReport, Project, User
from tests import factories

# --- /healthz ---------------------------------------------------------------------------


def test_it_answers_200_when_the_database_answers(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "local"}  # no REDIS_URL in tests
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_it_needs_no_login_and_is_reversed_by_name(client, db):
    assert reverse("healthz") == "/healthz"
    assert client.get(reverse("healthz")).status_code == 200


@pytest.fixture
def database_down(monkeypatch):
    """The view's "default" database replaced by a real PostgreSQL connection to a port nobody
    listens on: connecting fails as it does when the database server is down."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    down = DatabaseWrapper(
        {
            **connections["default"].settings_dict,
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "bma_tracker",
            "USER": "postgres",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": "1",  # tcpmux: closed on any sane machine
            "OPTIONS": {"connect_timeout": 2},
            "CONN_MAX_AGE": 0,
        },
        alias="down",
    )
    monkeypatch.setattr(health, "connections", {"default": down})
    yield
    down.close()


def test_it_answers_503_when_the_database_does_not(client, db, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "unavailable", "cache": "local"}
    assert "no-cache" in response["Cache-Control"]


def test_it_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True)
def test_the_https_redirect_spares_the_load_balancers_plain_http_probe(client, db):
    assert client.get("/healthz").status_code == 200
    response = client.get("/accounts/login/")
    assert response.status_code == 301 and response.url.startswith("https://")


# --- backup / restore -------------------------------------------------------------------


def snapshot():
    """Every row of every model, by primary key, as stored; not the `revision` the database moves
    on by itself for cache keys (the restore's own inserts move it on: projects.models.ChangeCounter)."""
    return {
        model._meta.label: sorted(
            (tuple(sorted((k, v) for k, v in row.items() if k != "revision")) for row in model._base_manager.values()),
            key=lambda row: repr(row),
        )
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture
def world(db, project, staff, director, planner, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "books").mkdir(parents=True)
    (settings.MEDIA_ROOT / "books" / "2564-q1.pdf").write_bytes(b"%PDF-1.7 a generated book")
    factories.make_step(project)
    factories.make_indicator(unit=project.unit)
    services.progress_report_submit(
        project=project,
        user=staff,
        values={
            "report_date": date(2021, 3, 30),
            "percent": 40,
            "narrative": "อบรมอาชีพ 'รุ่นที่ 1' \"ครบ\" 100% <ok>",
            "problems": "ไม่มี",
            "obstacles": "ไม่มี",
        },
        submission_key="backup-test",
    )
    return tmp_path


def test_a_restore_brings_back_every_row_of_every_model_exactly(world, staff):
    before = snapshot()
    assert before["projects.AuditEntry"] and before["projects.ProgressReport"] and before["auth.Permission"]
    hashes = dict(User.objects.values_list("username", "password"))
    backup = world / "bma.tar.gz"
    call_command("backup", str(backup), stdout=io.StringIO())

    # Lose and change things after the backup.
    ProgressReport.objects.all().delete()
    AuditEntry.objects.all().delete()
    Project.objects.update(name="เปลี่ยนหลังสำรอง")
    staff.set_password("changed-after-backup")
    staff.save()
    factories.make_project(code="99999999-1")
    (world / "media" / "books" / "2564-q1.pdf").write_bytes(b"overwritten")
    # The test runs inside one transaction: check its deferred foreign keys now, or PostgreSQL
    # refuses to TRUNCATE tables with pending checks (a real restore has a transaction of its own).
    connection.check_constraints()

    out = io.StringIO()
    call_command("restore", str(backup), "--noinput", stdout=out)
    assert "Restored" in out.getvalue()
    assert snapshot() == before
    assert dict(User.objects.values_list("username", "password")) == hashes
    assert User.objects.get(username="staff").check_password("pw-test-12345")
    assert (world / "media" / "books" / "2564-q1.pdf").read_bytes() == b"%PDF-1.7 a generated book"


def test_the_backup_is_a_versioned_tar_with_a_manifest(world):
    backup = world / "bma.tar.gz"
    call_command("backup", str(backup), stdout=io.StringIO())
    with tarfile.open(backup) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("manifest.json"))
    assert {"manifest.json", "data.exactjson", "media/books/2564-q1.pdf"} <= set(names)
    assert manifest["format"] == "bma_tracker-backup" and manifest["version"] == 1
    assert manifest["rows"]["projects.ProgressReport"] == 1
    assert "projects.0001_initial" in manifest["migrations"]


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(world, project):
    junk = world / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    with pytest.raises(CommandError, match="not a backup file"):
        call_command("restore", str(junk), "--noinput")
    assert Project.objects.filter(pk=project.pk).exists()


def test_restore_refuses_a_backup_of_another_schema(world, project):
    backup = world / "bma.tar.gz"
    call_command("backup", str(backup), stdout=io.StringIO())
    with tarfile.open(backup) as archive:
        members = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    manifest = json.loads(members["manifest.json"])
    manifest["migrations"].append("projects.9999_from_the_future")
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(backup, "w:gz") as archive:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    with pytest.raises(CommandError, match="projects.9999_from_the_future"):
        call_command("restore", str(backup), "--noinput")
    assert Project.objects.filter(pk=project.pk).exists()
