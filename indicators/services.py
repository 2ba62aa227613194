"""Writes of an indicator's quarterly results and scores, with their audit entries."""

from django.db import transaction
from django.utils import timezone

from indicators.models import IndicatorQuarter
from projects.audit import locked_save

RESULT_FIELDS = ["result", "narrative"]
SCORE_FIELDS = ["score_1", "score_2", "audit_score"]


@transaction.atomic
def indicator_quarter_save(*, indicator, user, quarter, values, version=None):
    """Record the unit's result or the planning office's scores for one quarter of an indicator.
    `version` is None when the form showed no row for that quarter yet (EditConflict if one
    appeared meanwhile, or if the row changed since the form was rendered: locked_save)."""
    return locked_save(
        IndicatorQuarter,
        key={"indicator": indicator, "quarter": quarter},
        version=version,
        values={**values, "updated_at": timezone.now()},
        fields=list(values),
        user=user,
    )
