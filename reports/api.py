"""The dashboard's figures in the REST API (/api/v1/dashboard/): the very figures the directors'
dashboard page, its charts and its exports show (reports.dashboard.dashboard_data, cached
under figures_key, whose revisions are also this answer's ETag)."""

import dataclasses
from datetime import date
from decimal import Decimal

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from bma_tracker import thaidate
from bma_tracker.api import InvalidInput, error_responses, etag, etag_reads, not_modified
from projects.models import DistrictGroup
from reports.dashboard import Period, dashboard_data, figures_key
from reports.dashboard_views import DashboardForm
from reports.scopes import Scope


def _plain(value):
    """The figures as JSON values: decimals as strings (as every decimal of the API), dates in ISO."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def selection(request):
    """(scope, fiscal year, period) of the query string, validated by the dashboard page's form;
    the defaults are the page's: the current fiscal year and month, the user's own unit (the
    whole BMA for the planning office and users without a unit)."""
    form = DashboardForm(request.query_params)
    if not form.is_valid():
        raise InvalidInput.from_form(form)
    data = form.cleaned_data
    fiscal_year = data.get("fy") or thaidate.fiscal_year(thaidate.today())
    period = Period.default(fiscal_year)
    if value := data.get("period"):
        period = Period(fiscal_year, "quarter" if value[0] == "q" else "month", int(value[1:]))
    if unit := data.get("unit"):
        scope = Scope.for_unit(unit)
    elif group := data.get("group"):
        scope = Scope.for_group(group)
    elif (
        "unit" in request.query_params
        or "group" in request.query_params
        or request.user.is_planner
        or not request.user.unit_id
    ):
        scope = Scope.bma()
    else:
        scope = Scope.for_unit(request.user.unit)
    return scope, fiscal_year, period


ROWS = serializers.ListField(child=serializers.DictField())
FIGURES = inline_serializer(
    "DashboardFigures",
    {
        "scope": serializers.CharField(help_text='"bma", "group:central" or "unit:24000000"'),
        "fiscal_year": serializers.IntegerField(),
        "period": serializers.CharField(help_text='"m3" (March) or "q2"'),
        "ref_date": serializers.DateField(help_text="The day schedule statuses are judged on."),
        "headline": serializers.DictField(help_text="Projects by schedule status, the average percent, the bands."),
        "histogram": ROWS,
        "by_child": ROWS,
        "monthly": ROWS,
        "indicators": serializers.DictField(),
        "indicators_by_dimension": ROWS,
        "behind_projects": ROWS,
        "units_trailing": ROWS,
        "unreported_units": ROWS,
        "districts": serializers.DictField(allow_null=True),
    },
)


@extend_schema(
    operation_id="dashboard_figures",
    summary="Dashboard figures",
    description="The figures of the directors' dashboard for a scope (a unit with the units under it, a district "
    "group, or the whole BMA), a fiscal year and a month or quarter.",
    parameters=[
        OpenApiParameter("fy", int, description="Fiscal year (BE); default: the current one."),
        OpenApiParameter("period", str, description="m1–m12 (a month) or q1–q4; default: this month."),
        OpenApiParameter("unit", str, description="A unit's code (default: your unit)."),
        OpenApiParameter(
            "group", str, enum=DistrictGroup.values, description="A district group; empty: the whole BMA."
        ),
    ],
    responses={200: FIGURES, **error_responses(400)},
    tags=["dashboard"],
)
@etag_reads
@api_view(["GET"])
def dashboard_figures(request):
    scope, fiscal_year, period = selection(request)
    key = figures_key(scope, fiscal_year, period)
    tag = etag("dashboard", key)
    if (response := not_modified(request, tag)) is not None:
        return response
    data = dashboard_data(scope, fiscal_year, period, key=key)
    figures = _plain(dataclasses.asdict(data))
    figures["scope"] = figures.pop("scope_key")
    figures["period"] = figures.pop("period_value")
    response = Response(figures)
    response["ETag"] = tag
    return response
