"""Writes of an indicator's quarterly results and scores, with their audit entries."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from indicators.models import IndicatorQuarter
from projects.audit import EditConflict, audit_log, diff, locked_update, snapshot
from projects.models import AuditEntry

RESULT_FIELDS = ["result", "narrative"]
SCORE_FIELDS = ["score_1", "score_2", "audit_score"]


@transaction.atomic
def indicator_quarter_save(*, indicator, user, quarter, values, version=None):
    """Record the unit's result or the planning office's scores for one quarter of an indicator.
    `version` is None when the form showed no row for that quarter yet (EditConflict if one
    appeared meanwhile, or if the row changed since the form was rendered)."""
    fields = list(values)
    row = IndicatorQuarter.objects.filter(indicator=indicator, quarter=quarter).first()
    if row is None:
        if version is not None:
            raise EditConflict(None)
        try:
            with transaction.atomic():
                row = IndicatorQuarter.objects.create(indicator=indicator, quarter=quarter, **values)
        except IntegrityError:
            raise EditConflict(IndicatorQuarter.objects.get(indicator=indicator, quarter=quarter)) from None
        audit_log(user=user, action=AuditEntry.Action.CREATE, obj=row, changes=diff({}, snapshot(row, fields)))
        return row
    if version is None:
        raise EditConflict(row)
    before = snapshot(row, fields)
    locked_update(row, version=version, values={**values, "updated_at": timezone.now()})
    audit_log(user=user, action=AuditEntry.Action.UPDATE, obj=row, changes=diff(before, snapshot(row, fields)))
    return row
