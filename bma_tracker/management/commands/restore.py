"""Put a backup written by `manage.py backup` back: every row of every model, exactly as it was
(same primary keys, password hashes, audit trail), and the files under MEDIA_ROOT.

    python manage.py restore /var/backups/bma-2025-03-31.tar.gz

The database must be migrated to the same schema as the backup (`manage.py migrate` on the same
version of the code); every existing row is replaced, in one transaction: a restore that fails
leaves the database as it was. Asks for confirmation unless --noinput.
"""

import hashlib
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from bma_tracker import backup_format, revision_triggers
from bma_tracker.management.commands.backup import (
    DATA_FILE,
    FORMAT,
    FORMAT_VERSION,
    applied_migrations,
    file_models,
    row_counts,
    stored_file_names,
)


class Command(BaseCommand):
    help = "Replace every row of the database (and the files under MEDIA_ROOT) with a backup's."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by `manage.py backup`")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")

    def handle(self, *args, file, interactive, **options):
        source = Path(file)
        if not source.is_file():
            raise CommandError(f"{source}: no such file")
        with tempfile.TemporaryDirectory() as scratch:
            scratch = Path(scratch)
            manifest = self._unpack(source, scratch)
            missing = sorted(set(manifest["migrations"]) - set(applied_migrations()))
            extra = sorted(set(applied_migrations()) - set(manifest["migrations"]))
            if missing or extra:
                raise CommandError(
                    "The database schema differs from the backup's; run the code version the backup was made "
                    "with and `manage.py migrate` first, then migrate forward after the restore.\n"
                    + (f"  not applied here: {', '.join(missing)}\n" if missing else "")
                    + (f"  applied here, not in the backup: {', '.join(extra)}\n" if extra else "")
                )
            database = connection.settings_dict["NAME"]
            if interactive:
                answer = input(f"Every row in the database {database!r} will be replaced by the backup. Type 'yes': ")
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled.")
            with transaction.atomic():
                # Closed quarters go first and come back last: the database refuses to delete or
                # insert a row of a closed quarter (revision_triggers.refuses_in_closed_quarter),
                # and flush and loaddata follow the models' order, not that rule's.
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {revision_triggers.LOCKS}")  # noqa: S608 (a constant)
                    if connection.vendor == "postgresql":
                        # Run the checks that delete queued now: TRUNCATE refuses a table with
                        # pending trigger events. loaddata defers them again for its own rows.
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                # No post_migrate: it would recreate content types and permissions under new
                # primary keys, and the backup's own rows would then collide with them.
                call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
                backup_format.register()
                for part in _locks_last(scratch / DATA_FILE):
                    call_command("loaddata", str(part), verbosity=0)
                counts = row_counts()
                wrong = {
                    label: (n, counts.get(label)) for label, n in manifest["rows"].items() if counts.get(label) != n
                }
                if wrong:
                    raise CommandError(f"Restored row counts differ from the backup's (expected, found): {wrong}")
                self._verify_evidence(scratch / "media")
            ContentType.objects.clear_cache()
            # Sessions cached in Redis (cached_db) belong to the replaced session table. Pages and
            # dashboards need nothing: the restore's own inserts moved the revisions their keys hold.
            cache.clear()
            media_files = self._restore_media(scratch / "media")
        total = sum(manifest["rows"].values())
        self.stdout.write(
            f"Restored {total} rows of {len(manifest['rows'])} models and {media_files} files from {source}"
        )

    def _unpack(self, source, scratch):
        try:
            with tarfile.open(source, "r:gz") as archive:
                archive.extractall(scratch, filter="data")  # no absolute paths, no "..", no devices
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise CommandError(f"{source} is not a backup file I can read: {exc}") from None
        try:
            manifest = json.loads((scratch / "manifest.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            raise CommandError(f"{source} has no readable manifest.json: not a bma_tracker backup") from None
        if manifest.get("format") != FORMAT:
            raise CommandError(f"{source} is not a bma_tracker backup")
        if manifest.get("version") != FORMAT_VERSION:
            raise CommandError(
                f"{source} is backup format {manifest.get('version')}; this version reads {FORMAT_VERSION}"
            )
        if not (scratch / DATA_FILE).is_file():
            raise CommandError(f"{source} has no {DATA_FILE}")
        return manifest

    def _verify_evidence(self, media):
        """Every evidence row's file is in the backup with the SHA-256 the row holds; otherwise
        the restore stops (inside its transaction: nothing is replaced)."""
        bad = []
        for model in file_models():
            for name, sha256 in model._base_manager.values_list("file", "sha256"):
                path = media / name
                if not path.is_file():
                    bad.append(f"{name}: missing")
                elif _sha256(path) != sha256:
                    bad.append(f"{name}: SHA-256 differs")
        if bad:
            raise CommandError("Evidence files of the backup are missing or damaged:\n  " + "\n  ".join(bad[:20]))

    def _restore_media(self, media):
        if not media.is_dir():
            return 0
        media_root = Path(settings.MEDIA_ROOT)
        # Files the rows name go through the storage API when it is not the file system under
        # MEDIA_ROOT (an object store); everything else (generated books) under MEDIA_ROOT.
        through_storage = set(stored_file_names()) if not _storage_is_media_root() else set()
        count = 0
        for path in sorted(media.rglob("*")):
            if path.is_file():
                name = path.relative_to(media).as_posix()
                if name in through_storage:
                    default_storage.delete(name)
                    with path.open("rb") as source:
                        default_storage.save(name, File(source))
                else:
                    target = media_root / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
                count += 1
        return count


def _storage_is_media_root():
    return isinstance(default_storage, FileSystemStorage) and Path(default_storage.location) == Path(
        settings.MEDIA_ROOT
    )


def _sha256(path):
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


LOCK_MODEL = "projects.quarterlock"


def _locks_last(data_file):
    """The backup's data as two files to load in turn: every row but the closed quarters, then
    the closed quarters (see handle())."""
    rows = json.loads(data_file.read_text(encoding="utf-8"))
    locks = [row for row in rows if row.get("model") == LOCK_MODEL]
    if not locks:
        return [data_file]
    rest = data_file.with_name(f"rest.{backup_format.FORMAT}")
    last = data_file.with_name(f"locks.{backup_format.FORMAT}")
    rest.write_text(json.dumps([row for row in rows if row.get("model") != LOCK_MODEL], ensure_ascii=False), "utf-8")
    last.write_text(json.dumps(locks, ensure_ascii=False), "utf-8")
    return [rest, last]
