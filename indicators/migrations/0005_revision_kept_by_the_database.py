"""Indicator.revision and its triggers (bma_tracker.revision_triggers): an indicator's quarters
move the indicator on; an indicator moves on the counters of its unit and year and the
revisions of the projects it is linked to (their pages show it)."""

from django.db import migrations, models

from bma_tracker import revision_triggers as t


def _parts(vendor):
    return [
        t.own_revision(vendor, "indicators_indicator"),
        t.counts(vendor, "indicators_indicator"),
        t.touches(
            vendor,
            "indicators_indicator",
            "id",
            "projects_project",
            through=("indicators_indicator_projects", "indicator_id", "project_id"),
        ),
        t.touches(vendor, "indicators_indicatorquarter", "indicator_id", "indicators_indicator"),
        t.touches(vendor, "indicators_indicator_projects", "project_id", "projects_project"),
        *(
            t.truncate_moves_reference(vendor, table)
            for table in ("indicators_indicator", "indicators_indicatorquarter", "indicators_indicator_projects")
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0004_quarters_ordered_by_indicator_id"),
        ("projects", "0010_revisions_kept_by_the_database"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="revision",
            field=models.PositiveBigIntegerField(default=1, editable=False),
        ),
        t.migration_operation(_parts),
    ]
