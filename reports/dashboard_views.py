"""The directors' dashboard pages: the HTML page and its CSV / Excel exports, all rendered from
reports.dashboard.dashboard_data()."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Min
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from bma_tracker import thaidate
from bma_tracker.caching import cache_key, cached
from indicators.models import QuarterStatus
from projects import access
from projects.models import DistrictGroup, OrgUnit, Project, ScheduleStatus
from reports import exports
from reports.dashboard import (
    AVERAGE_RULE,
    DISBURSEMENT_RULE,
    INDICATOR_RULE,
    PLANNED_RULE,
    Period,
    dashboard_data,
    figures_key,
)
from reports.dashboard_tables import dashboard_charts, dashboard_tables
from reports.scopes import Scope

CHART_NOTES = {
    "progress-distribution": AVERAGE_RULE,
    "planned-actual": PLANNED_RULE,
    "indicators-by-dimension": INDICATOR_RULE,
}

# The dashboard's indicator figures and the indicator list's status that shows their indicators.
INDICATOR_FIGURES = {
    "met": QuarterStatus.MET,
    "not_met": QuarterStatus.BEHIND,
    "in_progress": QuarterStatus.IN_PROGRESS,
    "not_reported": QuarterStatus.NO_RESULT,
    "no_target": QuarterStatus.NO_TARGET,
}

# Fiscal years a user may ask for; anything outside is refused with a message, never a 500.
FY_MIN, FY_MAX = 2540, 2700


class DashboardForm(forms.Form):
    fy = forms.IntegerField(
        label=_("ปีงบประมาณ"),
        required=False,
        min_value=FY_MIN,
        max_value=FY_MAX,
        error_messages={
            "invalid": _("ปีงบประมาณต้องเป็นตัวเลข พ.ศ. 4 หลัก เช่น 2568"),
            "min_value": _("ปีงบประมาณต้องไม่ต่ำกว่า %(limit_value)s"),
            "max_value": _("ปีงบประมาณต้องไม่เกิน %(limit_value)s"),
        },
    )
    period = forms.RegexField(
        label=_("เดือน/ไตรมาส"),
        regex=r"^(m([1-9]|1[0-2])|q[1-4])$",
        required=False,
        error_messages={"invalid": _("เดือนหรือไตรมาสที่เลือกไม่ถูกต้อง กรุณาเลือกจากรายการ")},
    )
    unit = forms.ModelChoiceField(
        label=_("หน่วยงาน"),
        queryset=OrgUnit.objects.select_related("parent__parent"),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": _("ไม่พบหน่วยงานที่เลือก")},
    )
    group = forms.ChoiceField(
        label=_("กลุ่มเขต"),
        choices=[("", ""), *DistrictGroup.choices],
        required=False,
        error_messages={"invalid_choice": _("กลุ่มเขตที่เลือกไม่ถูกต้อง")},
    )

    def clean(self):
        data = super().clean()
        if data.get("unit") and data.get("group"):
            raise forms.ValidationError(_("เลือกได้ทีละหนึ่งขอบเขต: หน่วยงาน หรือ กลุ่มเขต"))
        return data

    def choice(self, name):
        """A field's valid value, or None when missing or invalid (the page then uses its default)."""
        if name in self.errors or "__all__" in self.errors and name in ("unit", "group"):
            return None
        return self.cleaned_data.get(name) or None


def _selection(request):
    """(scope, fiscal year, period, errors) from the GET parameters; invalid values fall back
    to the defaults: the current fiscal year, its current month, the user's own unit (the whole
    BMA for the planning office, admins and users without a unit)."""
    form = None
    if request.GET:  # the plain /dashboard/ link has nothing to validate
        form = DashboardForm(request.GET)
        form.is_valid()

    def choice(name):
        return form.choice(name) if form else None

    fiscal_year = choice("fy") or thaidate.fiscal_year(thaidate.today())
    period = Period.default(fiscal_year)
    if value := choice("period"):
        period = Period(fiscal_year, "quarter" if value[0] == "q" else "month", int(value[1:]))
    if unit := choice("unit"):
        scope = Scope.for_unit(unit)
    elif group := choice("group"):
        scope = Scope.for_group(group)
    elif "unit" in request.GET or "group" in request.GET or request.user.is_planner or not request.user.unit_id:
        scope = Scope.bma()  # an explicit empty choice means the whole BMA
    else:
        scope = Scope.for_unit(request.user.unit)
    errors = [error for field_errors in form.errors.values() for error in field_errors] if form else []
    return scope, fiscal_year, period, errors


def _breadcrumbs(scope):
    """BMA → department or district group → … → the unit, each a link to its dashboard."""
    crumbs = [(Scope.bma().label, Scope.bma().query)]
    if scope.kind == "group":
        crumbs.append((scope.label, scope.query))
    elif scope.kind == "unit":
        chain, unit = [], scope.unit
        while unit is not None:
            chain.insert(0, unit)
            unit = unit.parent
        if chain[0].district_group:
            crumbs.append((DistrictGroup(chain[0].district_group).label, {"group": chain[0].district_group}))
        crumbs += [(unit.name, {"unit": unit.code}) for unit in chain]
    return crumbs


def _url(name, query):
    return _with_query(reverse(name), query)


def _with_query(base, query):
    query = {key: value for key, value in query.items() if value is not None}
    return base + ("?" + urlencode(query) if query else "")


# Rows shown on the page; the Excel and CSV downloads have them all.
PAGE_ROWS = 30


@login_required
@require_GET
def dashboard(request):
    scope, fiscal_year, period, errors = _selection(request)
    years = _years_on_offer(fiscal_year)
    # The content is the same for everyone who asks for this selection in a language: cached
    # under the figures' key (the revisions they count), the language and the years on offer.
    # The reader's name, CSRF token and messages stay outside it, in base.html.
    key = figures_key(scope, fiscal_year, period)
    body = cached(
        cache_key("dashboard-page", key, get_language(), years[0], years[-1]),
        lambda: render_to_string("reports/_dash_body.html", _body_context(scope, fiscal_year, period, key, years)),
    )
    context = {
        "scope": scope,
        "fiscal_year": fiscal_year,
        "period": period,
        "errors": errors,
        "body": mark_safe(body),  # noqa: S308 (our own rendered template)
        # Outside the cached body: whether this reader may continue the unit's projects.
        "can_roll_over": scope.kind == "unit" and access.can_roll_over(request.user),
    }
    return render(request, "reports/dashboard.html", context)


def _years_on_offer(fiscal_year):
    """From the first to the last year with projects (Min/Max read the index), this year and the
    one asked for; newest first."""
    span = Project.objects.aggregate(first=Min("fiscal_year"), last=Max("fiscal_year"))
    this_year = thaidate.fiscal_year(thaidate.today())
    years = set(range(span["first"] or this_year, (span["last"] or this_year) + 1)) | {this_year, fiscal_year}
    return sorted(years, reverse=True)


def _body_context(scope, fiscal_year, period, key, years):
    data = dashboard_data(scope, fiscal_year, period, key=key)
    selection = {"fy": fiscal_year, "period": period.value}
    list_base = {"fiscal_year": fiscal_year, **scope.list_query}
    tables = dashboard_tables(data, scope=scope, period=period)
    export_url, dashboard_url, list_url, indicator_list_url = (
        reverse("dashboard:export"),
        reverse("dashboard:index"),
        reverse("projects:list"),
        reverse("indicators:list"),
    )
    for table in tables.values():
        query = {**selection, **scope.query, "table": table.slug}
        table.csv_url = _with_query(export_url, {**query, "format": "csv"})
        table.xlsx_url = _with_query(export_url, {**query, "format": "xlsx"})

    def unit_links(code):
        return {
            "dashboard_url": _with_query(dashboard_url, {**selection, "unit": code}),
            "list_url": _with_query(list_url, {"fiscal_year": fiscal_year, "unit": code}),
        }

    return {
        "data": data,
        "scope": scope,
        "period": period,
        "fiscal_year": fiscal_year,
        "years": years,
        "periods": Period.choices(fiscal_year),
        "groups": DistrictGroup.choices,
        "breadcrumbs": [
            (label, _with_query(dashboard_url, {**selection, **query})) for label, query in _breadcrumbs(scope)
        ],
        "scope_query": scope.query,
        "children": [
            {
                **row,
                "dashboard_url": _with_query(dashboard_url, {**selection, **row["query"]}) if row["query"] else None,
                "list_url": _with_query(list_url, {"fiscal_year": fiscal_year, **row["list_query"]}),
            }
            for row in data.by_child
        ],
        "list_url": _with_query(list_url, list_base),
        "disbursement_rule": DISBURSEMENT_RULE,
        # The indicator figures open the indicator list of the same scope, year, quarter and status.
        "indicator_urls": {
            figure: _with_query(indicator_list_url, {**list_base, "quarter": period.quarter, "status": status})
            for figure, status in INDICATOR_FIGURES.items()
        },
        "tables": {slug.replace("-", "_"): table for slug, table in tables.items()},
        "charts": [
            {
                "slug": slug,
                "spec": spec,
                "table": tables[slug],
                "script_id": f"chart-{slug}-data",
                "note": CHART_NOTES.get(slug),
                "wide": slug == "planned-actual",
                # Its table is the drill-down: one linked row per unit or group one level down.
                "drilldown": slug == "planned-actual",
            }
            for slug, spec in dashboard_charts(data, tables).items()
        ],
        "statuses": [
            {
                "value": status.value,
                "label": status.label,
                "badge": status.badge,
                "count": data.headline[status.value],
                "url": _with_query(list_url, {**list_base, "status": status.value}),
            }
            for status in (
                ScheduleStatus.ON_TRACK,
                ScheduleStatus.BEHIND,
                ScheduleStatus.COMPLETE,
                ScheduleStatus.NO_REPORT,
            )
        ],
        "units_trailing": [{**row, **unit_links(row["code"])} for row in data.units_trailing[:PAGE_ROWS]],
        "units_trailing_more": max(0, len(data.units_trailing) - PAGE_ROWS),
        "unreported": [{**row, **unit_links(row["code"])} for row in data.unreported_units[: PAGE_ROWS * 2]],
        "unreported_more": max(0, len(data.unreported_units) - PAGE_ROWS * 2),
    }


@login_required
@require_GET
def dashboard_export(request):
    """One dashboard table as CSV or Excel (?table=<slug>&format=csv|xlsx and the page's selection)."""
    scope, fiscal_year, period, _errors = _selection(request)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    tables = dashboard_tables(dashboard_data(scope, fiscal_year, period), scope=scope, period=period)
    table = tables.get(request.GET.get("table", ""))
    if table is None:
        raise Http404
    return exports.csv_response(table) if fmt == "csv" else exports.xlsx_response(table)
