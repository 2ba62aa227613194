"""Project.revision and the change counters, moved on by triggers (bma_tracker.revision_triggers)."""

import secrets

from django.db import migrations, models

from bma_tracker import revision_triggers as t


def _parts(vendor):
    return [
        t.counter_table(vendor, reference_start=secrets.randbits(48)),
        # The project's own revision, and the counters of the unit and year it is in (and was in).
        t.own_revision(vendor, "projects_project"),
        t.counts(vendor, "projects_project"),
        # What a project page shows of the records under it.
        t.touches(vendor, "projects_progressreport", "project_id", "projects_project"),
        t.touches(vendor, "projects_planstep", "project_id", "projects_project"),
        t.touches(vendor, "projects_projectevaluation", "project_id", "projects_project"),
        t.touches(vendor, "projects_project_plan_nodes", "project_id", "projects_project"),
        # The reference data every page shows.
        t.reference(vendor, "projects_orgunit"),
        t.reference(vendor, "projects_planedition"),
        t.reference(vendor, "projects_plannode"),
        *(
            t.truncate_moves_reference(vendor, table)
            for table in (
                "projects_project",
                "projects_progressreport",
                "projects_planstep",
                "projects_projectevaluation",
                "projects_project_plan_nodes",
            )
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_steps_and_evaluations_ordered_by_project_id"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeCounter",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "fiscal_year", "unit_id", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("fiscal_year", models.PositiveIntegerField()),
                ("unit_id", models.IntegerField()),
                ("value", models.BigIntegerField()),
            ],
            options={
                "db_table": "projects_changecounter",
                "managed": False,
            },
        ),
        migrations.AddField(
            model_name="project",
            name="revision",
            field=models.PositiveBigIntegerField(default=1, editable=False),
        ),
        t.migration_operation(_parts),
    ]
