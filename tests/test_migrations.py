from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


@pytest.mark.django_db
def test_models_and_migrations_are_in_step():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"Missing migrations:\n{out.getvalue()}") if exc.code else None


@pytest.mark.django_db(transaction=True)
def test_0008_fills_report_months_from_each_projects_live_reports():
    """Existing data gets the month bits Project.refresh_progress_summary() would give it."""
    before, after = (
        ("projects", "0007_live_reports_by_project"),
        ("projects", "0008_report_months_and_year_summary_index"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    unit = old.get_model("projects", "OrgUnit").objects.create(code="24000000", name="สำนักพัฒนาสังคม", kind="department")
    Project = old.get_model("projects", "Project")
    reported = Project.objects.create(code="24000000-1", name="ก", fiscal_year=2564, unit=unit)
    silent = Project.objects.create(code="24000000-2", name="ข", fiscal_year=2564, unit=unit)
    Report = old.get_model("projects", "ProgressReport")
    for day, deleted in [
        (date(2020, 10, 5), None),  # October: bit 0
        (date(2021, 9, 30), None),  # September: bit 11
        (date(2021, 2, 1), timezone.now()),  # deleted: no bit
        (date(2021, 10, 1), None),  # the next fiscal year: no bit
    ]:
        Report.objects.create(project=reported, report_date=day, percent=10, deleted_at=deleted)

    executor = MigrationExecutor(connection)
    executor.migrate([after])
    Migrated = executor.loader.project_state([after]).apps.get_model("projects", "Project")
    assert Migrated.objects.get(pk=reported.pk).report_months == 1 << 0 | 1 << 11
    assert Migrated.objects.get(pk=silent.pk).report_months == 0

    # Back to the latest schema, where the model's own rule gives the same bits.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    project = stored_project(reported.pk)
    project.refresh_progress_summary(save=False)
    assert project.report_months == 1 << 0 | 1 << 11


def stored_project(pk):
    from projects.models import Project

    return Project.objects.get(pk=pk)
