"""Who may see and change an indicator: the rules of projects.access, applied to indicators.

- reading: any signed-in user reads every indicator (visible_indicators is the one place that
  says so: the list, its export, the page and the forms all start from it);
- quarterly results: the staff and directors of the indicator's unit (and the units above it);
- the 2.1 / 2.2 and audit scores: the planning office;
- the quarters' evidence files: those who may see the unit's evidence (projects.access);
- the definition (create, edit, copy to the next fiscal year): the planning office for any
  unit, a unit's staff and directors for their own unit and the units below it; admins always.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from indicators.agreement import FISCAL_YEARS
from indicators.models import CityIndicator, Indicator, QuarterEvidence
from projects.access import can_edit_unit, can_evaluate, can_see_evidence
from projects.models import OrgUnit, User


def visible_indicators(user):
    """The indicators a user may read: every one, for any signed-in user."""
    return Indicator.objects.all() if user.is_authenticated else Indicator.objects.none()


def indicator_for_view(user, code, fiscal_year, *, related=()):
    """An indicator the user may read, with its unit and the unit's parent (the permission
    checks read them) and the `related` a page reads joined in; 404 for an unknown one."""
    indicators = visible_indicators(user).select_related("unit__parent", *related)
    indicator = indicators.filter(code=code, fiscal_year=fiscal_year).first()
    if indicator is None:
        raise Http404("no indicator with this code in this fiscal year")
    return indicator


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


def can_define_indicators(user):
    """Whether the user may create indicators at all (for some unit)."""
    if not user.is_authenticated:
        return False
    if user.is_planner:  # the planning office and admins
        return True
    return user.role in (User.Role.STAFF, User.Role.DIRECTOR) and user.unit_id is not None


def can_define_for_unit(user, unit):
    """Whether the user may create, edit or copy the definition of an indicator of this unit
    (None: an indicator without a unit, which only the planning office may touch)."""
    return user.is_authenticated and (user.is_planner or can_edit_unit(user, unit))


def units_for_definitions(user):
    """The units a user may define indicators for (the form's choices, the copy page's rows)."""
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    if user.is_planner:
        return OrgUnit.objects.all()
    if not can_define_indicators(user):
        return OrgUnit.objects.none()
    return OrgUnit.objects.subtree_of(user.unit)


def definable_indicators(user):
    """The indicators whose definition the user may change or copy."""
    if user.is_authenticated and user.is_planner:
        return visible_indicators(user)
    return visible_indicators(user).filter(unit__in=units_for_definitions(user))


def require_indicator_create(user):
    if not can_define_indicators(user):
        raise PermissionDenied


def indicator_for_definition(user, code, fiscal_year):
    """An indicator whose definition the user may edit; 403 for the others."""
    indicator = indicator_for_view(user, code, fiscal_year)
    if not can_define_for_unit(user, indicator.unit):
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


def quarter_evidence_for_download(user, code, fiscal_year, pk):
    """An evidence file of one of the indicator's quarters (403 for those who may not see its
    unit's evidence)."""
    indicator = indicator_for_view(user, code, fiscal_year)
    if not can_see_evidence(user, indicator.unit):
        raise PermissionDenied
    return get_object_or_404(QuarterEvidence.objects.filter(quarter__indicator=indicator), pk=pk)


def quarter_evidence_for_remove(user, code, fiscal_year, pk):
    """An evidence file of a quarter of an indicator whose results the user enters."""
    indicator = indicator_for_edit(user, code, fiscal_year)
    row = get_object_or_404(
        QuarterEvidence.objects.select_related("quarter").filter(quarter__indicator=indicator), pk=pk
    )
    row.quarter.indicator = indicator
    return row
