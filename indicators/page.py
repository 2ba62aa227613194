"""An indicator's own page (the legacy KPI page, mykpi.php?pid=CODE, รายละเอียดตัวชี้วัด), its
data computed once: the header, the planning office's audit line, the quarterly table and
narratives, the year-end fields, the linked projects, the chart of the quarterly results
against the target, and the newest changes. A fixed number of queries, whatever the indicator
holds."""

from typing import NamedTuple

from django.urls import reverse
from django.utils.translation import gettext as _

from indicators.models import Indicator, IndicatorQuarter, QuarterEvidence, QuarterStatus, judged_quarter
from projects.audit import describe_changes
from projects.models import AuditEntry, PlanNode

QUARTERS = (1, 2, 3, 4)
HISTORY_ON_PAGE = 10
INDICATOR_LABEL, QUARTER_LABEL = "indicators.indicator", "indicators.indicatorquarter"


class QuarterLine(NamedTuple):
    """One row of the quarterly table: the stored quarter (None: nothing entered yet) and the
    status of its result against the target."""

    number: int
    row: IndicatorQuarter | None
    status: QuarterStatus
    target: object = None  # the quarter's own target (Decimal), when the planning office set one


# What the page's header reads, joined in with the indicator (access.indicator_for_view): the
# evaluation dimension and the plan path up to the plan's dimension.
PAGE_RELATED = ("dimension", "plan_node__parent__parent__parent")


def plan_path(node):
    """The plan nodes from the plan's dimension (ด้าน) down to the indicator's node."""
    path = []
    while node is not None:
        path.insert(0, node)
        node = node.parent
    return path


def indicator_history(indicator, quarter_ids):
    """The audit entries of the indicator and of its quarters, newest first, with their users."""
    about = AuditEntry.objects.about(INDICATOR_LABEL, [indicator.pk])
    if quarter_ids:
        about = about | AuditEntry.objects.about(QUARTER_LABEL, quarter_ids)
    return about.newest_first().select_related("user")


def with_rows(entries):
    """The entries with `rows`, their changes as people read them (projects.audit)."""
    for entry in entries:
        entry.rows = describe_changes(entry)
    return entries


def attach_evidence(indicator, rows):
    """Each quarter row's `evidence_files`, with their download URLs: one query, whatever the
    indicator holds."""
    by_quarter = {row.pk: row for row in rows}
    for row in by_quarter.values():
        row.evidence_files = []
    files = QuarterEvidence.objects.filter(quarter__indicator=indicator).order_by("uploaded_at", "pk")
    for file in files.only("quarter_id", "original_name", "size", "content_type"):
        file.download_url = reverse(
            "indicators:evidence_download", args=[indicator.code, indicator.fiscal_year, file.pk]
        )
        if file.quarter_id in by_quarter:
            by_quarter[file.quarter_id].evidence_files.append(file)


def indicator_page_context(indicator, *, today=None):
    """Everything the indicator page shows (the indicator fetched with PAGE_RELATED)."""
    rows = {row.quarter: row for row in IndicatorQuarter.objects.filter(indicator=indicator)}
    attach_evidence(indicator, rows.values())
    lines = [
        QuarterLine(
            n,
            rows.get(n),
            indicator.quarter_status(rows[n].result if n in rows else None, n),
            getattr(indicator, f"target_q{n}"),
        )
        for n in QUARTERS
    ]
    achieved = indicator.achieved
    if achieved is None:
        achieved = indicator.achieved_from([line.row.result if line.row else None for line in lines])
    audited = [row for row in rows.values() if row.audit_score is not None]
    latest_audit = max(audited, key=lambda row: row.quarter) if audited else None
    entries = list(indicator_history(indicator, [row.pk for row in rows.values()])[: HISTORY_ON_PAGE + 1])
    return {
        "indicator": indicator,
        "quarters": lines,
        "achieved": achieved,
        "achieved_derived": indicator.achieved is None and achieved is not None,
        "has_quarter_targets": any(line.target is not None for line in lines),
        "latest_audit": latest_audit,
        "report_quarter": judged_quarter(indicator.fiscal_year, today),
        "projects": list(indicator.projects.select_related("unit").only("code", "name", "unit__name").order_by("code")),
        "plan_path": plan_path(indicator.plan_node),
        "plan_levels": dict(PlanNode.Level.choices),
        "chart": quarter_chart_data(indicator, lines),
        "history": with_rows(entries[:HISTORY_ON_PAGE]),
        "history_more": len(entries) > HISTORY_ON_PAGE,
        "year_end": [
            (Indicator._meta.get_field(name).verbose_name, getattr(indicator, name))
            for name in ("summary", "supporting_factors", "obstacles", "evidence")
        ],
    }


def quarter_chart_data(indicator, lines):
    """The chart of the quarterly results against the target, JSON-ready: one bar a quarter
    coloured by its status, the target as a line, and the side of the line that meets it
    (below it for a lower-is-better indicator, above it otherwise)."""
    target = float(indicator.target) if indicator.target is not None else None
    results = [float(line.row.result) if line.row and line.row.result is not None else None for line in lines]
    measure = indicator.measure
    return {
        "quarters": [_("ไตรมาสที่ %(n)s") % {"n": line.number} for line in lines],
        "results": results,
        "statuses": [line.status.value for line in lines],
        "status_labels": [str(line.status.label) for line in lines],
        "target": target,
        "quarter_targets": [_float(getattr(indicator, f"target_q{line.number}")) for line in lines],
        "lower_is_better": indicator.lower_is_better,
        "labels": {
            "result": _("ผลงาน"),
            "target": _("ค่าเป้าหมาย"),
            "quarter_target": _("เป้าหมายไตรมาส"),
            "axis": measure or _("ผลงาน"),
            "good_side": _("ช่วงที่บรรลุเป้าหมาย (ไม่เกินค่าเป้าหมาย)")
            if indicator.lower_is_better
            else _("ช่วงที่บรรลุเป้าหมาย (ถึงค่าเป้าหมายขึ้นไป)"),
        },
    }


def _float(value):
    return float(value) if value is not None else None
