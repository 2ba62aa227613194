"""Write a portable backup of the whole application to one file.

    python manage.py backup /var/backups/bma-2025-03-31.tar.gz

The file is a gzip'd tar holding:
- manifest.json: the format version, when and from which schema (every applied migration) it
  was made, and how many rows of each model it holds;
- data.exactjson: every row of every model (Django's dumpdata as JSON, times to the microsecond: users with their password hashes,
  groups, permissions, content types, the audit trail, sessions, login attempts, …) with
  primary keys kept, so that `restore` brings back exactly the same records;
- media/…: every file under MEDIA_ROOT (generated PDF books, evidence files), and the evidence
  files kept in another store (MEDIA_STORAGE_BACKEND), read through Django's storage API.

It reads through one transaction-consistent snapshot on PostgreSQL (REPEATABLE READ) so that a
backup taken while people work is still one moment of the database. For very large databases
pg_dump/pg_restore are faster (README, Backups); this format survives a move between database
engines and versions.
"""

import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import FileField
from django.utils import timezone

from bma_tracker import backup_format

FORMAT = "bma_tracker-backup"
FORMAT_VERSION = 1
DATA_FILE = f"data.{backup_format.FORMAT}"


def applied_migrations():
    """Every applied migration as "app.name", sorted: the schema a backup belongs to."""
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def file_models():
    """The models whose rows name a stored file (evidence files): FileField models."""
    return [
        model
        for model in apps.get_models()
        if model._meta.managed and any(isinstance(field, FileField) for field in model._meta.concrete_fields)
    ]


def stored_file_names():
    """The storage names every file row holds, sorted."""
    names = set()
    for model in file_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FileField):
                names.update(model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True))
    return sorted(names)


def row_counts():
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


class Command(BaseCommand):
    help = "Write every row of every model and the files under MEDIA_ROOT to one .tar.gz file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write (.tar.gz)")

    def handle(self, *args, file, **options):
        target = Path(file)
        if target.exists() and target.is_dir():
            raise CommandError(f"{target} is a directory; give a file name such as {target / 'bma.tar.gz'}")
        with tempfile.TemporaryDirectory() as scratch:
            backup_format.register()
            data = Path(scratch) / DATA_FILE
            # One snapshot for every table (unless a caller's transaction is already running).
            snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
            with transaction.atomic():
                if snapshot:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                call_command("dumpdata", output=str(data), format=backup_format.FORMAT, verbosity=0)
                manifest = {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "created_at": timezone.now().isoformat(),
                    "database_vendor": connection.vendor,
                    "migrations": applied_migrations(),
                    "rows": row_counts(),
                }
            partial = target.with_name(target.name + ".partial")
            media_files = 0
            with tarfile.open(partial, "w:gz") as archive:
                _add_bytes(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                archive.add(data, arcname=DATA_FILE)
                media_root = Path(settings.MEDIA_ROOT)
                added = set()
                if media_root.is_dir():
                    for path in sorted(media_root.rglob("*")):
                        if path.is_file() and not path.is_symlink():
                            name = path.relative_to(media_root).as_posix()
                            archive.add(path, arcname=f"media/{name}")
                            added.add(name)
                            media_files += 1
                # Evidence files kept in another store (an object store: MEDIA_STORAGE_BACKEND),
                # read through the storage API under the names their rows hold.
                for name in stored_file_names():
                    if name not in added:
                        with default_storage.open(name, "rb") as stored:
                            info = tarfile.TarInfo(f"media/{name}")
                            info.size = default_storage.size(name)
                            info.mtime = int(timezone.now().timestamp())
                            archive.addfile(info, stored)
                        media_files += 1
            partial.replace(target)  # never leave a half-written file under the real name
        total = sum(manifest["rows"].values())
        self.stdout.write(
            f"Backed up {total} rows of {len(manifest['rows'])} models and {media_files} files to {target}"
        )


def _add_bytes(archive, name, payload):
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(payload))
