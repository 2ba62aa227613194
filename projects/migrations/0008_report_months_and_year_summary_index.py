"""Project.report_months (which months of its fiscal year a project has live reports in) and a
covering index for the dashboard's scans of a fiscal year."""

from datetime import date

from django.db import migrations, models

BATCH = 2000


def fill_report_months(apps, schema_editor):
    """The same rule as Project.summarise(), over every live report, one pass ordered by project."""
    Project = apps.get_model("projects", "Project")
    ProgressReport = apps.get_model("projects", "ProgressReport")
    masks = {}
    reports = (
        ProgressReport.objects.filter(deleted_at__isnull=True)
        .order_by()
        .values_list("project_id", "project__fiscal_year", "report_date")
    )
    for project_id, fiscal_year, day in reports.iterator(chunk_size=BATCH):
        ce = fiscal_year - 543
        if date(ce - 1, 10, 1) <= day <= date(ce, 9, 30):
            masks[project_id] = masks.get(project_id, 0) | 1 << (day.month - 10) % 12
    changed = [Project(pk=pk, report_months=mask) for pk, mask in masks.items()]
    Project.objects.bulk_update(changed, ["report_months"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0007_live_reports_by_project"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="report_months",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill_report_months, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=[
                    "fiscal_year",
                    "unit",
                    "latest_report_date",
                    "latest_percent",
                    "planned_percent_at_latest",
                    "report_months",
                    "code",
                    "id",
                ],
                name="project_year_summary",
            ),
        ),
    ]
