"""The quarter's indicators of a unit as an Excel sheet (issue 6):
/reports/indicators/<fy>/q<n>.xlsx?unit=CODE (the unit with its sub-units; no unit: every
indicator of the year). Thai headers; numbers stay numbers. Written with the dashboard's
export helpers (reports.exports), as a reports.dashboard_tables.Table.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from indicators.models import Indicator, IndicatorQuarter
from projects.models import OrgUnit
from reports.dashboard_tables import Table
from reports.exports import xlsx_response
from reports.indicator_report import QUARTERS
from reports.scopes import Scope


def indicator_quarter_table(fiscal_year, quarter, scope=None):
    """One row per indicator of the scope (default: the whole BMA): code, name, unit, measure,
    target, the result of quarters 1 up to `quarter`, and the quarter's scores 2.1 / 2.2 and
    audit score. Two queries."""
    scope = scope or Scope.bma()
    quarters = IndicatorQuarter.objects.filter(quarter__lte=quarter).order_by("quarter")
    indicators = (
        scope.owned(Indicator.objects.in_fiscal_year(fiscal_year))
        .select_related("unit")
        .prefetch_related(Prefetch("quarters", queryset=quarters, to_attr="quarters_to_date"))
        .order_by("unit__code", "code")
    )
    headers = [
        _("รหัสตัวชี้วัด"),
        _("ชื่อตัวชี้วัด"),
        _("หน่วยงาน"),
        _("หน่วยนับ"),
        _("ค่าเป้าหมาย"),
        *(_("ผลงาน ไตรมาสที่ %(n)s") % {"n": n} for n in range(1, quarter + 1)),
        _("ผลประเมิน 2.1 (ไตรมาสที่ %(n)s)") % {"n": quarter},
        _("ผลประเมิน 2.2 (ไตรมาสที่ %(n)s)") % {"n": quarter},
        _("คะแนนตรวจสอบ สยป. (ไตรมาสที่ %(n)s)") % {"n": quarter},
    ]
    rows = []
    for indicator in indicators:
        by_quarter = {row.quarter: row for row in indicator.quarters_to_date}
        this = by_quarter.get(quarter)
        rows.append(
            [
                indicator.code,
                indicator.name,
                indicator.unit.name if indicator.unit else "",
                indicator.measure,
                indicator.target,
                *(by_quarter[n].result if n in by_quarter else None for n in range(1, quarter + 1)),
                this.score_1 if this else None,
                this.score_2 if this else None,
                this.audit_score if this else None,
            ]
        )
    unit = scope.unit
    return Table(
        slug="indicators",
        title=_("ผลการดำเนินงานตามตัวชี้วัด"),
        subtitle=_("%(scope)s · ปีงบประมาณ %(fy)s · ไตรมาสที่ %(q)s")
        % {"scope": unit.name if unit else scope.title, "fy": fiscal_year, "q": quarter},
        headers=headers,
        rows=rows,
        filename=f"indicators-{unit.code if unit else scope.slug}-{fiscal_year}-q{quarter}",
    )


@require_safe
@login_required
def indicator_quarter_xlsx(request, fy, quarter):
    """Any signed-in user reads every indicator (as the indicator report)."""
    if quarter not in QUARTERS:
        raise Http404("quarter must be 1–4")
    code = request.GET.get("unit", "").strip()
    unit = get_object_or_404(OrgUnit, code=code) if code else None
    return xlsx_response(indicator_quarter_table(fy, quarter, Scope.for_unit(unit) if unit else Scope.bma()))
