"""The directors' dashboard (issue 5): its figures, computed once per (scope, fiscal year,
period) in the database, cached, and rendered by the HTML page, the chart JSON, the CSV and
the Excel exports alike.

Rules the page states to its readers:
- average progress is over every project of the scope, a project without a report counting 0;
- planned against actual compares, per unit, the projects that have reported (the planned
  percent exists only at a report's date);
- schedule status is ProjectQuerySet.with_schedule_status() judged on schedule_ref_date(fy),
  the same rule as the project list the figures link to;
- "reported in the period" means a live (not deleted) report dated inside the selected month
  or quarter, on a project of the selected fiscal year;
- an indicator is met / not met on its result for the selected quarter against its target,
  respecting lower-is-better; "not reported" means no result for that quarter; an indicator
  with a result but no target cannot be judged and is counted apart.

Every panel runs a fixed number of queries, whatever the number of projects.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
)
from django.utils.translation import gettext_lazy as _

from bma_tracker import thaidate
from bma_tracker.caching import cache_key, cached
from indicators.models import Indicator, QuarterStatus, quarter_status_sql
from projects.models import (
    ChangeCounter,
    DistrictGroup,
    OrgUnit,
    PlanNode,
    Project,
    ScheduleStatus,
    disbursement_target,
    percent_of,
    schedule_ref_date,
)

BEHIND_LIMIT = 20
HISTOGRAM_BINS = [(low, low + 10) for low in range(0, 100, 10)]  # [low, high); the last includes 100
DIMENSIONS = [str(n) for n in range(1, 8)]
NO_DIMENSION = "-"
ZERO = Decimal("0")

AVERAGE_RULE = _(
    "ความคืบหน้าเฉลี่ยคิดจากทุกโครงการในขอบเขต โครงการที่ยังไม่เคยรายงานนับตามความคืบหน้าที่ระบบเดิมแสดง หรือนับเป็นร้อยละ 0 ถ้าไม่มี"
)
PLANNED_RULE = _("แผนเทียบผลเฉลี่ยคิดเฉพาะโครงการที่รายงานแล้ว: ร้อยละตามแผน ณ วันที่รายงานล่าสุด เทียบกับร้อยละที่รายงานล่าสุด")
DISBURSEMENT_RULE = _(
    "อัตราการเบิกจ่าย = ผลการเบิกจ่ายสะสมตามรายงานล่าสุดของแต่ละโครงการ รวมกัน หารด้วยงบประมาณหลังปรับโอน (หรืองบประมาณ ถ้าไม่มีการปรับโอน) รวมกัน"
    " คิดเฉพาะโครงการที่มีงบประมาณ เทียบกับเป้าหมายการเบิกจ่ายสะสมถึงสิ้นไตรมาสของวันที่พิจารณา"
)
INDICATOR_RULE = _(
    "ตัวชี้วัดบรรลุเมื่อผลงานของไตรมาสถึงค่าเป้าหมาย (ตัวชี้วัดแบบค่าน้อยดีกว่า: ไม่เกินค่าเป้าหมาย); ยังไม่รายงาน = ไม่มีผลงานของไตรมาสนั้น"
)


# --- Period (the scope: reports.scopes) -----------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A month or a quarter of a fiscal year; `value` is its GET form: "m3" (March) or "q2"."""

    fiscal_year: int
    kind: str  # "month" | "quarter"
    number: int  # calendar month 1–12, or quarter 1–4

    @property
    def value(self):
        return f"{self.kind[0]}{self.number}"

    @property
    def range(self):
        if self.kind == "quarter":
            return thaidate.quarter_range(self.fiscal_year, self.number)
        start = month_start(self.fiscal_year, self.number)
        return start, next_month(start) - timedelta(days=1)

    @property
    def quarter(self):
        return self.number if self.kind == "quarter" else thaidate.fiscal_quarter(self.range[0])

    @property
    def label(self):
        start, end = self.range
        if self.kind == "quarter":
            return _("ไตรมาสที่ %(q)d (%(start)s – %(end)s)") % {
                "q": self.number,
                "start": thaidate.format_medium(start),
                "end": thaidate.format_medium(end),
            }
        return f"{thaidate.month_name(start.month)} {thaidate.be_year(start.year)}"

    @classmethod
    def choices(cls, fiscal_year):
        months = [cls(fiscal_year, "month", (m - 1) % 12 + 1) for m in range(10, 22)]
        quarters = [cls(fiscal_year, "quarter", q) for q in range(1, 5)]
        return months + quarters

    @classmethod
    def default(cls, fiscal_year, today=None):
        """The month schedule statuses are judged in: this month, or the last month of a past year."""
        ref = schedule_ref_date(fiscal_year, today)
        first, _last = thaidate.fiscal_year_range(fiscal_year)
        return cls(fiscal_year, "month", (ref if ref >= first else first).month)


def month_start(fiscal_year, month):
    """First day of a calendar month (1–12) within fiscal year fiscal_year (BE)."""
    first, _last = thaidate.fiscal_year_range(fiscal_year)
    return date(first.year if month >= 10 else first.year + 1, month, 1)


def next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


# --- Caching ------------------------------------------------------------------------------


def figures_key(scope, fiscal_year, period, *, today=None):
    """The cache key of one selection's figures: the scope, fiscal year, period, the day the
    schedule is judged on, and the sum of the change counters of the scope's units in the
    fiscal year with the reference row (ChangeCounter.total), which moves on with every change
    the figures count. Read before the figures, and from the same database (a replica too:
    the router sends both there), so that figures are never older than their key."""
    ref_date = schedule_ref_date(fiscal_year, today)
    revision = ChangeCounter.total(fiscal_year, None if scope.kind == "bma" else scope.units())
    # The disbursement targets come from the environment, not the database: a changed setting
    # must not find figures computed with the old one in a shared cache.
    targets = settings.DISBURSEMENT_TARGETS.get(fiscal_year) or settings.DISBURSEMENT_TARGETS[0]
    return cache_key(
        "dashboard", scope.key, fiscal_year, period.value, ref_date.isoformat(), revision, "-".join(map(str, targets))
    )


def dashboard_data(scope, fiscal_year, period, *, today=None, key=None):
    """Every figure, chart series and table of the dashboard, for one selection, cached under
    figures_key() (`key`: already read). The cached figures hold no translated text: labels
    are added per reader (localise)."""
    ref_date = schedule_ref_date(fiscal_year, today)
    key = key or figures_key(scope, fiscal_year, period, today=today)
    return localise(cached(key, lambda: compute_dashboard(scope, fiscal_year, period, ref_date=ref_date)))


def localise(data):
    """Add the labels of the reader's language to figures computed (and cached) without them."""
    kinds, groups = dict(OrgUnit.Kind.choices), dict(DistrictGroup.choices)
    for unit in data.unreported_units:
        unit["kind_label"] = str(kinds.get(unit["kind"], ""))
        unit["group_label"] = str(groups.get(unit["district_group"], ""))
    for row in data.units_trailing:
        row["kind"], row["group"] = str(kinds.get(row["kind_code"], "")), str(groups.get(row["group_code"], ""))
    for row in data.by_child:
        kind, ident = row["key"]
        if kind == "group":
            row["label"] = str(DistrictGroup(ident).label)
        elif row["is_self"] and len(data.by_child) > 1:
            row["label"] = f"{row['name']} ({_('โครงการของหน่วยงานเอง')})"
        else:
            row["label"] = row["name"]
    return data


# --- The figures --------------------------------------------------------------------------


@dataclass
class Dashboard:
    scope_key: str
    fiscal_year: int
    period_value: str
    ref_date: date
    headline: dict
    histogram: list
    by_child: list
    monthly: list
    indicators: dict
    indicators_by_dimension: list
    behind_projects: list
    units_trailing: list
    unreported_units: list
    districts: dict | None


def compute_dashboard(scope, fiscal_year, period, *, ref_date):
    every_unit = scope_units(scope)
    projects = scope.owned(Project.objects.filter(fiscal_year=fiscal_year), unit_ids=every_unit)
    rollup = project_rollup(projects, fiscal_year, period, ref_date)
    trailing, units = units_trailing(rollup["per_unit"], every_unit)
    reporting, reporting_subtree = units_reporting(rollup["per_unit"], every_unit)
    unreported = unreported_units(units, reporting)
    add_responsible_persons(unreported, projects)
    ind = indicator_counts(
        scope.owned(Indicator.objects.in_fiscal_year(fiscal_year), unit_ids=every_unit), period.quarter
    )
    return Dashboard(
        scope_key=scope.key,
        fiscal_year=fiscal_year,
        period_value=period.value,
        ref_date=ref_date,
        headline=rollup["headline"],
        histogram=progress_histogram(rollup["headline"]),
        by_child=planned_actual_by_child(scope, rollup["per_unit"], every_unit, fiscal_year, ref_date),
        monthly=rollup["monthly"],
        indicators=ind["total"],
        indicators_by_dimension=ind["by_dimension"],
        behind_projects=most_behind_projects(projects),
        units_trailing=trailing,
        unreported_units=unreported,
        districts=district_reporting(units, reporting_subtree) if scope.kind != "unit" else None,
    )


def _months_mask(months):
    """The Project.report_months bits of some months (dates of their first days)."""
    return sum(Project.report_month_bit(day) for day in months)


def fiscal_months(fiscal_year):
    """The first days of the twelve months of a fiscal year."""
    first, last = thaidate.fiscal_year_range(fiscal_year)
    months, day = [], first
    while day <= last:
        months.append(day)
        day = next_month(day)
    return months


def _band_sql(low, high):
    """Latest progress in [low, high) (the last band includes 100; no report counts as the
    legacy headline, Project.summarise(), or as 0 without one)."""
    if low == 0:
        return f"p.latest_percent IS NULL OR p.latest_percent < {high}"
    return f"p.latest_percent >= {low} AND p.latest_percent " + (f"< {high}" if high < 100 else "<= 100")


def _count_sql(condition):
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def project_rollup(projects, fiscal_year, period, ref_date):
    """Everything the dashboard counts over the scope's projects, in one query grouped by unit
    (PostgreSQL reads it from the project_year_summary index alone): per unit the projects,
    those reported, the sums of planned and actual, the newest report and the projects with a
    report in the period; and over all units the headline (schedule statuses, average, the
    bands of the histogram) and the projects reporting in each month.

    The ORM writes the inner query (the scope's filter and the schedule rule of
    with_schedule_status()); the thirty sums over it are plain SQL, because building them as
    ORM expressions cost more time than the database spends on the query.

    Returns {"headline": {...}, "per_unit": {unit_id: {...}}, "monthly": [...]}."""
    months = fiscal_months(fiscal_year)
    start, end = period.range
    statuses = [ScheduleStatus.COMPLETE, ScheduleStatus.NO_REPORT, ScheduleStatus.BEHIND]
    counts = {
        "n_reported": "p.latest_report_date IS NOT NULL",
        "n_budgeted": "COALESCE(p.budget_after_transfer, p.budget) IS NOT NULL",
        "in_period": f"(p.report_months & {_months_mask(m for m in months if start <= m <= end)}) <> 0",
        # Of those, the projects with an approved report in the period (the rest: submitted only).
        "approved_in_period": f"(p.approved_months & {_months_mask(m for m in months if start <= m <= end)}) <> 0",
        **{status.value: f"p.schedule_status = '{status.value}'" for status in statuses},
        **{f"band_{low}": _band_sql(low, high) for low, high in HISTOGRAM_BINS},
        **{f"month_{n}": f"(p.report_months & {_months_mask([m])}) <> 0" for n, m in enumerate(months)},
    }
    inner = (
        projects.order_by()
        .with_schedule_status(ref_date, settings.SCHEDULE_BEHIND_MARGIN)
        .values(
            "unit_id",
            "latest_percent",
            "latest_report_date",
            "planned_percent_at_latest",
            "report_months",
            "approved_months",
            "schedule_status",
            "budget",
            "budget_after_transfer",
            "disbursed_to_date",
        )
    )
    try:
        inner_sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # a scope with no unit (a district group with no office yet): nothing to count
        inner_sql = None
    columns = [
        "unit_id",
        "n_projects",
        "sum_percent",
        "sum_planned",
        "sum_actual",
        "last_report",
        "sum_budget",
        "sum_disbursed",
        *counts,
    ]
    rows = []
    if inner_sql is not None:
        # Every piece written into the text is a constant or an integer computed above; the
        # parameters of the inner query stay parameters.
        sql = (
            "SELECT p.unit_id, COUNT(*), SUM(p.latest_percent),"  # noqa: S608
            " SUM(CASE WHEN p.latest_report_date IS NOT NULL THEN p.planned_percent_at_latest END),"
            " SUM(CASE WHEN p.latest_report_date IS NOT NULL THEN p.latest_percent END),"
            " MAX(p.latest_report_date),"
            " SUM(COALESCE(p.budget_after_transfer, p.budget)),"
            " SUM(CASE WHEN COALESCE(p.budget_after_transfer, p.budget) IS NOT NULL THEN p.disbursed_to_date END), "
            + ", ".join(_count_sql(condition) for condition in counts.values())
            + f" FROM ({inner_sql}) p GROUP BY p.unit_id"
        )
        with connections[inner.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    totals = dict.fromkeys(["n_projects", *counts], 0)
    sum_percent, sum_budget, sum_disbursed, per_unit = ZERO, ZERO, ZERO, {}
    for row in rows:
        for name in ("sum_percent", "sum_planned", "sum_actual", "sum_budget", "sum_disbursed"):
            row[name] = _decimal(row[name])
        sum_budget += row["sum_budget"] or ZERO
        sum_disbursed += row["sum_disbursed"] or ZERO
        row["last_report"] = _date(row["last_report"])
        for name in totals:
            row[name] = int(row[name] or 0)
            totals[name] += row[name]
        sum_percent += row["sum_percent"] or ZERO
        per_unit[row["unit_id"]] = _averages(row)
    total = totals["n_projects"]
    headline = {
        "total": total,
        "average": _round(sum_percent / total) if total else ZERO,
        **{status.value: totals[status.value] for status in statuses},
        ScheduleStatus.ON_TRACK.value: total - sum(totals[status.value] for status in statuses),
        **{f"band_{low}": totals[f"band_{low}"] for low, _high in HISTOGRAM_BINS},
        **_disbursement(
            {"n_budgeted": totals["n_budgeted"], "sum_budget": sum_budget, "sum_disbursed": sum_disbursed},
            fiscal_year,
            ref_date,
        ),
        # Reports in the period: the projects with an approved one, and those with submitted ones only.
        "approved_in_period": totals["approved_in_period"],
        "submitted_in_period": totals["in_period"] - totals["approved_in_period"],
    }
    for row in per_unit.values():
        row.update(_disbursement(row, fiscal_year, ref_date))
    monthly = [
        {"month": day, "label": thaidate.format_month_short(day), "count": totals[f"month_{n}"]}
        for n, day in enumerate(months)
    ]
    return {"headline": headline, "per_unit": per_unit, "monthly": monthly}


def _disbursement(row, fiscal_year, ref_date):
    """The disbursement figures of a row with n_budgeted, sum_budget and sum_disbursed: the
    rate (percent of the budget, None without one), the plan's target for ref_date's quarter
    and the gap (target − rate, points)."""
    quarter, target = disbursement_target(fiscal_year, ref_date)
    budget = row["sum_budget"] if row["n_budgeted"] else None
    rate = percent_of(row["sum_disbursed"] or ZERO, budget)
    return {
        "budget": budget,
        "disbursed": (row["sum_disbursed"] or ZERO) if budget is not None else None,
        "disbursement_rate": rate,
        "disbursement_quarter": quarter,
        "disbursement_target": target,
        "disbursement_gap": target - rate if rate is not None else None,
    }


def _decimal(value):
    """A sum as the database hands it back (SQLite: a float) as a Decimal of 2 places."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def _date(value):
    """A MAX() of dates as the database hands it back (SQLite: ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def progress_histogram(headline_row):
    """Projects per 10-point band of latest progress (no report = 0; 100 falls in 90–100)."""
    return [
        {"label": f"{low}–{high}", "low": low, "high": high, "count": headline_row[f"band_{low}"]}
        for low, high in HISTOGRAM_BINS
    ]


def _averages(row):
    n = row["n_reported"]
    planned = _round((row["sum_planned"] or ZERO) / n) if n else None
    actual = _round((row["sum_actual"] or ZERO) / n) if n else None
    row["avg_planned"], row["avg_actual"] = planned, actual
    row["gap"] = planned - actual if n else None
    return row


def _round(value):
    return Decimal(value).quantize(Decimal("0.01"))


def _child_key(scope, unit, units):
    """The row a unit's projects count in, one level below the scope: for the whole BMA its
    district group or its top-level unit; for a group its district office; for a unit the unit
    itself (its own projects) or the child unit it belongs to."""
    if scope.kind == "unit":
        if unit["pk"] == scope.unit.pk or unit["parent_id"] == scope.unit.pk:
            return ("unit", unit["pk"])
        return ("unit", unit["parent_id"])
    if scope.kind == "bma" and unit["district_group"]:
        return ("group", unit["district_group"])
    return ("unit", unit["parent__parent_id"] or unit["parent_id"] or unit["pk"])


def planned_actual_by_child(scope, per_unit, units, fiscal_year, ref_date):
    """Per unit one level below the scope (for the whole BMA: each department and each district
    group): projects, reported, average planned and actual; summed from the per-unit sums."""
    rows = {}
    for unit_id, part in per_unit.items():
        key = _child_key(scope, units[unit_id], units)
        row = rows.setdefault(
            key,
            {
                "key": key,
                "n_projects": 0,
                "n_reported": 0,
                "n_budgeted": 0,
                "sum_planned": ZERO,
                "sum_actual": ZERO,
                "sum_budget": ZERO,
                "sum_disbursed": ZERO,
            },
        )
        for name in ("n_projects", "n_reported", "n_budgeted"):
            row[name] += part[name]
        for name in ("sum_planned", "sum_actual", "sum_budget", "sum_disbursed"):
            row[name] += part[name] or ZERO
    result = []
    for (kind, ident), row in rows.items():
        if kind == "group":
            row.update(name="", code="", query={"group": ident}, is_self=False)
            row["list_query"] = {"district_group": ident}
        else:
            unit = units[ident]
            is_self = scope.kind == "unit" and unit["pk"] == scope.unit.pk
            row.update(name=unit["name"], code=unit["code"], query=None if is_self else {"unit": unit["code"]})
            row.update(is_self=is_self, list_query={"unit": unit["code"]})
        row.update(_disbursement(row, fiscal_year, ref_date))
        result.append(_averages(row))
    # Departments first by code, then the district groups in their official order.
    group_order = {value: n for n, value in enumerate(DistrictGroup.values)}
    result.sort(key=lambda r: (r["key"][0] == "group", group_order.get(r["key"][1], 0), r["code"]))
    return result


def indicator_counts(indicators, quarter):
    """Met / not met / in progress / not reported / no target for a quarter, in total and per
    plan dimension: one query, grouped by plan node and status (the rule is the indicator
    list's own: indicators.models.quarter_status_sql) and summed per dimension here."""
    rows = (
        indicators.annotate(
            this_quarter=FilteredRelation("quarters", condition=Q(quarters__quarter=quarter)),
            q_result=F("this_quarter__result"),
        )
        .annotate(q_status=quarter_status_sql(quarter, "q_result"))
        .order_by()
        .values("plan_node__code", "q_status")
        .annotate(n=Count("pk"))
    )
    column = {
        QuarterStatus.MET: "met",
        QuarterStatus.BEHIND: "not_met",
        QuarterStatus.IN_PROGRESS: "in_progress",
        QuarterStatus.NO_RESULT: "not_reported",
        QuarterStatus.NO_TARGET: "no_target",
    }
    names = ("total", "met", "not_met", "in_progress", "not_reported", "no_target")
    by_dimension = {d: {"dimension": d, **dict.fromkeys(names, 0)} for d in DIMENSIONS}
    for row in rows:
        code = row["plan_node__code"]
        key = PlanNode.dimension_of(code) if code else NO_DIMENSION
        key = key if key in by_dimension else NO_DIMENSION
        slot = by_dimension.setdefault(key, {"dimension": key, **dict.fromkeys(names, 0)})
        slot[column[QuarterStatus(row["q_status"])]] += row["n"]
        slot["total"] += row["n"]
    total = {name: sum(slot[name] for slot in by_dimension.values()) for name in names}
    return {"total": total, "by_dimension": list(by_dimension.values())}


def most_behind_projects(projects):
    """The projects trailing their plan by the most points (top 20): one query, whose inner
    part ranks the scope's projects from the project_year_summary index alone and whose outer
    part reads the twenty rows it picked."""
    gap = ExpressionWrapper(
        F("planned_percent_at_latest") - F("latest_percent"), output_field=DecimalField(max_digits=6, decimal_places=2)
    )
    ranked = (
        projects.filter(latest_report_date__isnull=False, planned_percent_at_latest__isnull=False)
        .annotate(gap=gap)
        # Behind as the status badges say (ScheduleStatus.BEHIND): a project within the margin is on track.
        .filter(gap__gt=settings.SCHEDULE_BEHIND_MARGIN)
        .order_by("-gap", "code")
        .values("pk")[:BEHIND_LIMIT]
    )
    rows = list(
        Project.objects.filter(pk__in=ranked).values(
            "code",
            "name",
            "unit__name",
            "unit__code",
            "responsible_person",
            "latest_report_date",
            "latest_percent",
            "planned_percent_at_latest",
        )
    )
    for row in rows:
        row["gap"] = _round(row["planned_percent_at_latest"] - row["latest_percent"])
    rows.sort(key=lambda row: (-row["gap"], row["code"]))
    return rows


def scope_units(scope):
    """Every unit of the scope by pk, by kind, group and code: one query. A unit under a
    district office takes the office's group (OrgUnitQuerySet.in_district_group)."""
    units = {}
    for unit in (
        scope.units()
        .order_by("kind", "district_group", "code")
        .values(
            "pk",
            "code",
            "name",
            "kind",
            "district_group",
            "parent_id",
            "parent__parent_id",
            "parent__district_group",
            "parent__parent__district_group",
        )
    ):
        parent_group, grandparent_group = unit.pop("parent__district_group"), unit.pop("parent__parent__district_group")
        unit["district_group"] = unit["district_group"] or parent_group or grandparent_group or ""
        units[unit["pk"]] = unit
    return units


def units_trailing(per_unit, every_unit):
    """(Every unit owning projects in the scope, ranked by how far its average actual trails its
    average planned (reported projects only); the units of the scope that own projects and
    every district office, by kind, group and code): no query."""
    listed, rows = [], []
    for unit in every_unit.values():
        row = per_unit.get(unit["pk"])
        if row is None and unit["kind"] != OrgUnit.Kind.DISTRICT:
            continue
        unit = dict(unit, n_projects=row["n_projects"] if row else 0, last_report=row["last_report"] if row else None)
        listed.append(unit)
        if row:
            row.update(code=unit["code"], label=unit["name"], kind_code=unit["kind"], group_code=unit["district_group"])
            rows.append(row)
    rows.sort(key=lambda r: (r["gap"] is None, -(r["gap"] or 0), r["code"]))
    return rows, listed


def units_reporting(per_unit, every_unit):
    """(ids of units with a project reporting in the period, the same plus their parents and
    grandparents), from the rollup: no query."""
    direct = {unit_id for unit_id, row in per_unit.items() if row["in_period"]}
    subtree = set(direct)
    for unit_id in direct:
        unit = every_unit.get(unit_id)
        if unit:
            subtree.update((unit["parent_id"], unit["parent__parent_id"]))
    return direct, subtree


def unreported_units(units, reporting):
    """Units with projects in the fiscal year but no live report dated in the period, and
    district offices with no report at all."""
    return [
        unit for unit in units if unit["pk"] not in reporting and (unit["n_projects"] or unit["kind"] == "district")
    ]


def add_responsible_persons(units, projects):
    """Each of these units' projects' responsible persons (distinct, sorted): one query."""
    persons = {}
    for unit_id, person in (
        projects.filter(unit_id__in=[unit["pk"] for unit in units])
        .exclude(responsible_person="")
        .order_by("unit_id", "responsible_person")
        .values_list("unit_id", "responsible_person")
        .distinct()
    ):
        persons.setdefault(unit_id, []).append(person)
    for unit in units:
        unit["persons"] = persons.get(unit["pk"], [])
    return units


def district_reporting(units, reporting_subtree):
    """How many of the district offices among the units have a live report dated in the period
    on a project of theirs (their sub-units' included)."""
    offices = [unit for unit in units if unit["kind"] == OrgUnit.Kind.DISTRICT]
    reported = sum(1 for unit in offices if unit["pk"] in reporting_subtree)
    share = _round(Decimal(reported) * 100 / len(offices)) if offices else None
    return {"total": len(offices), "reported": reported, "share": share}
