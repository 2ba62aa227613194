"""Who may see and change an indicator: the rules of projects.access, applied to indicators."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from indicators.models import Indicator
from projects.access import can_edit_unit, can_evaluate


def indicator_for_view(user, code, fiscal_year):
    """Any signed-in user reads every indicator (with its unit and the unit's parent)."""
    return get_object_or_404(Indicator.objects.select_related("unit__parent"), code=code, fiscal_year=fiscal_year)


def indicator_for_edit(user, code, fiscal_year):
    """An indicator whose quarterly results the user may enter (its unit's staff and directors)."""
    indicator = indicator_for_view(user, code, fiscal_year)
    if not can_edit_unit(user, indicator.unit):
        raise PermissionDenied
    return indicator


def indicator_for_evaluation(user, code, fiscal_year):
    indicator = indicator_for_view(user, code, fiscal_year)
    if not can_evaluate(user):
        raise PermissionDenied
    return indicator
