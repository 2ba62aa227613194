"""The indicator report, "part 2: results by indicator" (seed 002), for one indicator up to one
quarter. indicator_report_data() computes it once; the HTML preview, the PDF (and the quarterly
book and the Excel export) render it.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from bma_tracker import thaidate
from indicators.models import Indicator, IndicatorQuarter, QuarterEvidence
from projects.models import PlanNode

# The report's title, in the two lines it is set in.
TITLE_LINES = (
    _("ผลการดำเนินงานส่วนที่ 2 ผลสัมฤทธิ์การปฏิบัติงาน"),
    _("ตามแผนปฏิบัติราชการประจำปี แยกรายตัวชี้วัด"),
)
CERTIFICATION = _("ขอรับรองว่า ข้อมูลที่ปรากฏในเอกสารฉบับนี้ หน่วยงานได้จัดพิมพ์จากระบบงานจริง เพื่อเป็นหลักฐานไว้ตรวจสอบ")
QUARTERS = range(1, 5)


@dataclass(frozen=True)
class QuarterReport:
    """One of (6.1)–(6.4): what the unit reported for a quarter."""

    number: int
    narrative: str
    result: object  # Decimal or None
    reported: bool  # False: no row for the quarter yet
    evidence: tuple = ()  # the names of its evidence files, as attached


def indicators_for_report():
    """Indicators with what the report reads about them (unit, plan path up to the dimension)
    joined in, so the report needs one query for the indicator and one for its quarters."""
    return Indicator.objects.select_related("unit", "plan_node__parent__parent__parent")


def plan_alignment(node):
    """{level: node} from the indicator's plan node up to its dimension."""
    levels = {}
    while node is not None:
        levels[node.level] = node
        node = node.parent
    return levels


def indicator_report_data(indicator, quarter, *, today=None):
    """Everything the report shows for the indicator, quarters 1 up to `quarter`."""
    if quarter not in QUARTERS:
        raise ValueError(f"quarter must be 1–4, not {quarter!r}")
    stored = {row.quarter: row for row in IndicatorQuarter.objects.filter(indicator=indicator, quarter__lte=quarter)}
    # The names of the quarters' evidence files: one query, whatever they hold.
    evidence = defaultdict(list)
    files = QuarterEvidence.objects.filter(quarter__indicator=indicator, quarter__quarter__lte=quarter)
    for quarter_id, name in files.order_by("uploaded_at", "pk").values_list("quarter_id", "original_name"):
        evidence[quarter_id].append(name)
    quarters = []
    for number in range(1, quarter + 1):
        row = stored.get(number)
        quarters.append(
            QuarterReport(
                number=number,
                narrative=row.narrative if row else "",
                result=row.result if row else None,
                reported=row is not None,
                evidence=tuple(evidence[row.pk]) if row else (),
            )
        )
    alignment = plan_alignment(indicator.plan_node)
    printed_on = today or thaidate.today()
    return {
        "indicator": indicator,
        "fiscal_year": indicator.fiscal_year,
        "quarter": quarter,
        "title": "".join(str(line) for line in TITLE_LINES),
        "title_lines": TITLE_LINES,
        "is_output": indicator.level == Indicator.Level.OUTPUT,
        "is_outcome": indicator.level == Indicator.Level.OUTCOME,
        "dimension": alignment.get(PlanNode.Level.DIMENSION),
        "sub_dimension": alignment.get(PlanNode.Level.SUB_DIMENSION),
        "goal": alignment.get(PlanNode.Level.GOAL),
        "tactic": alignment.get(PlanNode.Level.TACTIC),
        "quarters": quarters,
        # As entered, else from the quarters reported so far (Indicator.achieved_rule).
        "achieved": indicator.achieved
        if indicator.achieved is not None
        else indicator.achieved_from([q.result for q in quarters]),
        "certification": CERTIFICATION,
        "printed_on": printed_on,
        "printed_on_text": thaidate.format_medium(printed_on),
    }
