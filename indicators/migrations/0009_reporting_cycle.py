"""The last layer of a closed quarter (projects.QuarterLock) for indicator results: the database
refuses any INSERT, UPDATE or DELETE of an indicator quarter in a closed quarter of its
indicator's fiscal year and unit (bma_tracker.revision_triggers.refuses_in_closed_quarter)."""

from django.db import migrations

from bma_tracker import revision_triggers as t


def _parts(vendor):
    return [t.refuses_in_closed_quarter(vendor, "indicators_indicatorquarter", "indicator")]


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0008_evidence_files"),
        ("projects", "0017_reporting_cycle"),
    ]

    operations = [t.migration_operation(_parts)]
