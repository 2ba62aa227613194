"""Who may see and change an indicator: the rules of projects.access, applied to indicators."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from indicators.agreement import FISCAL_YEARS
from indicators.models import CityIndicator, Indicator
from projects.access import can_edit_unit, can_evaluate
from projects.models import OrgUnit


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


# The annual performance agreement and the city-development indicator base: read by any
# signed-in user, like every indicator (the views require a login).


def unit_for_agreement_view(user, unit_code, fiscal_year):
    """The unit whose performance agreement of the year the user reads; 404 for an unknown unit
    or a fiscal year outside the range a URL may name."""
    if fiscal_year not in FISCAL_YEARS:
        raise Http404("no such fiscal year")
    return get_object_or_404(OrgUnit, code=unit_code)


def city_indicator_for_view(user, number):
    """A city-development indicator with its plan nodes; 404 for an unknown number."""
    return get_object_or_404(CityIndicator.objects.prefetch_related("plan_nodes"), number=number)
