"""The triggers that keep the revisions (bma_tracker.revision_triggers) are all in the database
after every migration: SQLite rebuilds a table for most column changes and the rebuilt table has
none, so a migration that changes such a table must put them back (reinstall_operation)."""

import importlib
import re

import pytest
from django.db import connection

MIGRATIONS_WITH_TRIGGERS = [
    "projects.migrations.0010_revisions_kept_by_the_database",
    "indicators.migrations.0005_revision_kept_by_the_database",
    "projects.migrations.0014_evidence_files",
    "indicators.migrations.0008_evidence_files",
    "projects.migrations.0017_reporting_cycle",
    "indicators.migrations.0009_reporting_cycle",
]


def expected_triggers():
    names = set()
    for module in MIGRATIONS_WITH_TRIGGERS:
        for create, _drop in importlib.import_module(module)._parts(connection.vendor):
            for statement in create:
                names.update(re.findall(r"CREATE TRIGGER (\w+)", statement))
    if connection.vendor == "postgresql":  # which keeps the first 63 bytes of a name
        names = {name[:63] for name in names}
    return names


def installed_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_every_revision_trigger_is_installed_after_all_migrations():
    expected = expected_triggers()
    assert len(expected) > 20
    assert expected - installed_triggers() == set()
