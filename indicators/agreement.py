"""A unit's annual performance agreement (คำรับรองการปฏิบัติราชการ) in one fiscal year, as the
legacy pages index101.php … index104.php show it: one section per evaluation dimension, its KPIs
in their agreement order. unit_performance_data() computes it once; the page
(indicators.agreement_views) and the print page and PDF (reports.performance_views) render it.
"""

import re
from dataclasses import dataclass

from django.db.models import Count, Prefetch

from bma_tracker.text import to_arabic_digits
from indicators.models import EvaluationDimension, Indicator, IndicatorQuarter
from projects.models import OrgUnit

QUARTERS = (1, 2, 3, 4)
# Fiscal years (BE) a URL may name; anything else is "no such page" (and never reaches the
# database, whose integer columns would refuse a huge number).
FISCAL_YEARS = range(2540, 2701)


def dotted_number_key(number):
    """Sort key of a dotted number (a KPI's number inside its dimension, a plan code) read as
    numbers: "1.2" before "1.10", "2" before "2.1", Thai digits as Arabic ones, a part that is not
    a number after the numbers, no number at all last."""
    parts = [part for part in re.split(r"[.\s]+", to_arabic_digits(number or "").strip()) if part]
    key = tuple((0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part) for part in parts)
    return (not key, key)


@dataclass(frozen=True)
class AgreementKPI:
    ordinal: int  # the "(n)" of the legacy page: the KPI's place in its dimension, from 1
    indicator: Indicator
    plan_path: tuple  # its plan node and the nodes above it, the dimension (ด้าน) first
    quarters: tuple  # (quarter number, IndicatorQuarter or None) for quarters 1–4

    @property
    def reported_quarters(self):
        """The quarters with a row: the ones whose narrative the page prints."""
        return [(number, row) for number, row in self.quarters if row is not None]

    @property
    def report_quarter(self):
        """The quarter its indicator report (seed 002's layout) is linked at: the latest reported one."""
        return max((number for number, _row in self.reported_quarters), default=1)


@dataclass(frozen=True)
class DimensionSection:
    dimension: EvaluationDimension
    kpis: tuple


def plan_path(node):
    """The node and its ancestors, top level first (they come joined in: no query)."""
    path = []
    while node is not None:
        path.insert(0, node)
        node = node.parent
    return tuple(path)


def agreement_indicators(unit, fiscal_year):
    """The unit's agreement KPIs of the year with their plan path and quarters: two queries."""
    return (
        Indicator.objects.in_agreement()
        .filter(unit=unit, fiscal_year=fiscal_year)
        .select_related("plan_node__parent__parent__parent")
        .prefetch_related(Prefetch("quarters", queryset=IndicatorQuarter.objects.order_by("quarter")))
    )


def unit_performance_data(unit, fiscal_year):
    """Everything the unit's annual performance page shows: every evaluation dimension in order,
    each with the unit's KPIs in it ordered by their number (an empty dimension has none)."""
    by_dimension = {}
    for indicator in agreement_indicators(unit, fiscal_year):
        by_dimension.setdefault(indicator.dimension_id, []).append(indicator)
    sections = []
    for dimension in EvaluationDimension.objects.all():
        indicators = sorted(
            by_dimension.pop(dimension.pk, []), key=lambda i: (dotted_number_key(i.agreement_number), i.code)
        )
        kpis = []
        for ordinal, indicator in enumerate(indicators, start=1):
            stored = {row.quarter: row for row in indicator.quarters.all()}
            kpis.append(
                AgreementKPI(
                    ordinal=ordinal,
                    indicator=indicator,
                    plan_path=plan_path(indicator.plan_node),
                    quarters=tuple((number, stored.get(number)) for number in QUARTERS),
                )
            )
        sections.append(DimensionSection(dimension=dimension, kpis=tuple(kpis)))
    return {
        "unit": unit,
        "fiscal_year": fiscal_year,
        "sections": sections,
        "kpi_count": sum(len(section.kpis) for section in sections),
    }


def agreement_years(unit=None):
    """The fiscal years with agreement KPIs (of one unit, or of any), newest first."""
    indicators = Indicator.objects.in_agreement()
    if unit is not None:
        indicators = indicators.filter(unit=unit)
    return list(indicators.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct())


def units_with_agreements(fiscal_year, *, first=None):
    """The units with agreement KPIs in the year, each with `kpi_count`; the unit `first` (the
    reader's own) leads when it has any, the others follow by code."""
    units = (
        OrgUnit.objects.filter(indicators__fiscal_year=fiscal_year, indicators__dimension__isnull=False)
        .annotate(kpi_count=Count("indicators"))
        .order_by("code")
    )
    units = list(units)
    if first is not None:
        units.sort(key=lambda unit: unit.pk != first.pk)  # stable: the rest keep their order
    return units
