"""A project page's data, computed once: the header and status, the sections in the legacy
page's order, the planned-vs-actual chart series and its data tables, and the data-quality
notes. The HTML page, the chart JSON, the print page and the PDF all render
project_page_context(); none of them recomputes anything.
"""

import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bma_tracker import thaidate
from bma_tracker.text import search_key, two_places
from indicators.models import Indicator, IndicatorQuarter
from projects.cycle import Locks, project_months
from projects.models import (
    PlanNode,
    PlanStep,
    ProgressReport,
    ProjectEvaluation,
    ReportEvidence,
    ReportingCalendar,
    disbursement_by_month,
    percent_of,
    schedule_ref_date,
)
from reports.quality import project_quality_notes

PLANNED_RULE = gettext_lazy(
    "เส้นแผนคำนวณจากแผนการดำเนินงาน: น้ำหนักของแต่ละขั้นตอนนับเป็นผลตามแผนครบเมื่อถึงวันสิ้นสุด"
    " และเพิ่มขึ้นตามสัดส่วนจำนวนวันระหว่างวันเริ่มต้นถึงวันสิ้นสุด"
)
SERIES_ACTUAL = gettext_lazy("ผลการดำเนินงานจริง")
SERIES_PLANNED = gettext_lazy("แผน")


def prefetch_page(project):
    """Load everything the page shows in a fixed number of queries, whatever the project's size.
    What an earlier call loaded is not read again."""
    prefetch_related_objects(
        [project],
        "unit",
        Prefetch("steps", queryset=PlanStep.objects.order_by("number", "pk")),
        Prefetch("evaluations", queryset=ProjectEvaluation.objects.order_by("quarter")),
        Prefetch(
            "reports",
            queryset=ProgressReport.objects.live()
            .newest_first()
            .prefetch_related(Prefetch("evidence", queryset=ReportEvidence.objects.order_by("uploaded_at", "pk"))),
            to_attr="live_reports",
        ),
        Prefetch("plan_nodes", queryset=PlanNode.objects.order_by("code")),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("code").prefetch_related(
                Prefetch("quarters", queryset=IndicatorQuarter.objects.order_by("quarter"))
            ),
        ),
    )
    return project


def project_page_context(project, *, today=None):
    """Everything the project page and its print/PDF variants show, computed once."""
    today = today or thaidate.today()
    prefetch_page(project)
    steps, evaluations = list(project.steps.all()), list(project.evaluations.all())
    every_report = project.live_reports
    # Drafts and returned reports are listed (with their status) but do not count: the
    # summary, the chart and its table follow the counted ones (ProgressReportQuerySet.counted()).
    reports = [r for r in every_report if r.status in ProgressReport.COUNTED_STATUSES]
    lines = report_lines(every_report)
    counted_lines = [line for line in lines if line.report.status in ProgressReport.COUNTED_STATUSES]
    ref_date = schedule_ref_date(project.fiscal_year, today)
    notes = project_quality_notes(project, today=today)
    notes_by_section = defaultdict(list)
    for note in notes:
        notes_by_section[note.section].append(note)
    return {
        "project": project,
        "steps": steps,
        "evaluations": evaluations,
        "latest_evaluation": evaluations[-1] if evaluations else None,
        "status": project.schedule_status(ref_date, settings.SCHEDULE_BEHIND_MARGIN),
        "status_ref_date": ref_date,
        "reports": lines,
        "report_articles": report_articles(lines),
        "chart": progress_chart_data(project, reports=reports, steps=steps),
        "planned_vs_actual": planned_vs_actual_rows(counted_lines, steps),
        **month_strip(project, today=today, reports=every_report),
        "planned_rule": PLANNED_RULE,
        "weight_total": sum((step.weight for step in steps), Decimal("0")),
        "plan_nodes": sorted(project.plan_nodes.all(), key=lambda node: _code_key(node.code)),
        "alignment_text_differs": alignment_text_differs(project),
        "indicators": [(indicator, _quarter_slots(indicator)) for indicator in project.indicators.all()],
        "notes": notes,
        "notes_by_section": dict(notes_by_section),
        "budget": budget_summary(project, reports, ref_date),
    }


def budget_summary(project, reports, ref_date):
    """The budget section: the budget, the budget after transfers, the cumulative disbursement
    (Project.disbursed_to_date), its rate against the effective budget and the plan's target for
    the quarter of ref_date, and the month by month figures from the reports; None when the
    project has neither a budget nor a reported disbursement."""
    months = disbursement_by_month(reports)
    if project.effective_budget is None and not months:
        return None
    quarter, target = project.disbursement_target(ref_date)
    rate = project.disbursement_rate
    budget = project.effective_budget
    return {
        "budget": project.budget,
        "after_transfer": project.budget_after_transfer,
        "disbursed": project.disbursed_to_date or Decimal("0"),
        "remaining": budget - (project.disbursed_to_date or Decimal("0")) if budget is not None else None,
        "rate": rate,
        "rate_bar": min(rate, Decimal("100")) if rate is not None else None,
        "quarter": quarter,
        "target": target,
        "behind_target": rate is not None and rate < target,
        "months": [
            {**row, "label": thaidate.format_month_short(row["month"]), "rate": percent_of(row["cumulative"], budget)}
            for row in months
        ],
    }


# The chart shows the fiscal year and what lies near it, whatever is stored: at most
# CHART_YEARS_AROUND years before and after it (plan steps, imported reports), at most
# CHART_TICKS_MAX labels on the time axis and CHART_STEPS_MAX step bars. Steps dated 2400 or
# 2700 once made the axis centuries wide, thousands of ticks, and the page never loaded. What
# falls outside is in the data tables under the chart, and a note says so.
CHART_YEARS_AROUND = 2
CHART_TICKS_MAX = 16
CHART_STEPS_MAX = PlanStep.NUMBER_MAX
_TICK_MONTHS = (1, 2, 3, 6, 12, 24)


def month_strip(project, *, today, reports):
    """The twelve months of the project's year with their MonthStatus (projects.cycle), and
    whether its reports need approval: two queries (the year's calendar and closed quarters)."""
    calendar = ReportingCalendar.for_year(project.fiscal_year)
    months = project_months(
        project, today=today, reports=reports, calendar=calendar, locks=Locks.load(project.fiscal_year)
    )
    return {
        "months": [
            {"label": thaidate.format_month_short(date(year, month, 1)), "status": status}
            for year, month, status in months
        ],
        "approval_required": calendar.approval_required,
    }


def progress_chart_data(project, *, reports, steps):
    """The chart's series, axis ticks and step timeline, JSON-ready (floats and ISO dates)."""
    fy_start, fy_end = thaidate.fiscal_year_range(project.fiscal_year)
    earliest = fy_start.replace(year=fy_start.year - CHART_YEARS_AROUND)
    latest = fy_end.replace(year=fy_end.year + CHART_YEARS_AROUND)
    data_days = [r.report_date for r in reports] + [s.start for s in steps] + [s.end for s in steps]
    first = max(earliest, min([fy_start, *data_days]))
    last = min(latest, max([fy_end, *data_days]))
    oldest_first = [r for r in reversed(reports) if first <= r.report_date <= last]
    planned_days = planned_series_days(steps, first, last, extra=[r.report_date for r in oldest_first])
    months = _month_starts(first, last)
    every = next(n for n in _TICK_MONTHS if len(months[::n]) <= CHART_TICKS_MAX)
    ticks = months[::every]
    drawn = [s for s in steps if s.start <= last and s.end >= first][:CHART_STEPS_MAX]
    left_out = len(reports) - len(oldest_first) + len(steps) - len(drawn)
    return {
        "actual": {
            "name": str(SERIES_ACTUAL),
            "x": [r.report_date.isoformat() for r in oldest_first],
            "y": [float(r.percent) for r in oldest_first],
        },
        "planned": {
            "name": str(SERIES_PLANNED),
            "x": [day.isoformat() for day in planned_days],
            "y": [float(project.planned_percent(day, steps)) for day in planned_days],
        },
        "range": [first.isoformat(), (last + timedelta(days=1)).isoformat()],
        "ticks": {
            "vals": [month.isoformat() for month in ticks],
            "text": [thaidate.format_month_short(month) for month in ticks],
        },
        "steps": [
            {
                "label": _("ขั้นตอน %(number)s") % {"number": step.number},
                "name": step.name,
                # Drawn within the axis: a bar from 2400 is a bar from the axis' start.
                "start": max(step.start, first).isoformat(),
                "end": min(step.end, last).isoformat(),
                "weight": float(step.weight),
                "single_day": step.end <= step.start,
            }
            for step in drawn
        ],
        "left_out": (
            _(
                "ขั้นตอนหรือรายงาน %(count)s รายการไม่ได้แสดงในกราฟ (กราฟแสดงช่วง %(first)s – %(last)s"
                " และไม่เกิน %(max)s ขั้นตอน) ดูได้ในตารางข้อมูลของกราฟ"
            )
            % {
                "count": left_out,
                "first": thaidate.format_short(first),
                "last": thaidate.format_short(last),
                "max": CHART_STEPS_MAX,
            }
            if left_out
            else ""
        ),
        "labels": {
            "percent": _("ร้อยละ"),
            "progress_title": _("ความคืบหน้าสะสม เทียบกับแผน"),
            "steps_title": _("ช่วงเวลาของขั้นตอนตามแผน"),
        },
    }


def planned_series_days(steps, first, last, extra=()):
    """Days on which to evaluate the planned line so that drawing straight segments between
    them is exact: every month start, every step start and end, the day before a step that
    jumps (start on or after end), and any extra days (report dates)."""
    days = {first, last, *_month_starts(first, last), *extra}
    for step in steps:
        days.update({step.start, step.end})
        if step.end <= step.start:
            days.add(step.end - timedelta(days=1))
    return sorted(day for day in days if first <= day <= last)


class ReportLine(NamedTuple):
    """A progress report as the page lists it: its number ((1) is the newest, as on the legacy
    page) and the values the page shows more than once, formatted once. A project at the
    month-end peak lists dozens of reports, and a template filter per use cost more than the rest
    of the page."""

    number: int
    report: ProgressReport
    percent: str  # two_places()
    day_iso: str
    day_short: str  # 30/08/2564


# One report as the page lists it. Written here rather than as a template loop: it is the one part
# of the page that grows with the project (dozens of reports at the month-end peak), and Django's
# template engine spent five times as long on it as format_html() does.
REPORT_ARTICLE = (
    '<article class="progress-report" id="report-{pk}">\n'
    '    <h3 class="h6 mb-1">({number}) {label_percent} <span class="report-percent">{percent}</span>'
    ' (<time class="report-date-iso" datetime="{day_iso}">{day_iso}</time>)'
    ' <span class="badge report-status {status_badge}" data-status="{status}">{status_label}</span></h3>\n'
    '    <p class="mb-1"><span class="report-date-thai">{day_short}</span> :'
    ' <span class="text-pre report-narrative">{narrative}</span></p>\n'
    '    <p class="mb-0 small">** {label_problems} : <span class="text-pre">{problems}</span></p>\n'
    '    <p class="mb-0 small">** {label_obstacles} : <span class="text-pre">{obstacles}</span></p>\n'
    "{evidence}"
    "  </article>"
)


STATUS_BADGES = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-info",
    "approved": "text-bg-success",
    "returned": "text-bg-danger",
}


EVIDENCE_LINE = '    <p class="mb-0 small report-evidence">** {label} : {files}</p>\n'
EVIDENCE_FILE = '<a class="evidence-name" href="{url}">{name}</a> <span class="text-muted">({size})</span>'


def evidence_html(report, label):
    """The line naming a report's evidence files, each a link to its download (which answers
    403 to those who may not see the unit's evidence); nothing for a report without files."""
    files = list(report.evidence.all())
    if not files:
        return ""
    base = _download_base(report.project.code)
    links = format_html_join(
        ", ",
        EVIDENCE_FILE,
        ({"url": f"{base}{row.pk}/", "name": row.original_name, "size": row.size_display} for row in files),
    )
    return format_html(EVIDENCE_LINE, label=label, files=links)


def _download_base(code):
    return reverse("projects:evidence_download", args=[code, 1])[: -len("1/")]


def report_articles(lines, *, with_evidence=True):
    """The reports' HTML (ReportLine, newest first), every value escaped; with_evidence=False
    (the public site): without the evidence files, which are not public (photos of people,
    signed letters)."""
    label_evidence = _("ไฟล์หลักฐาน")
    labels = {
        "label_percent": _("ความคืบหน้าโครงการฯ ร้อยละ"),
        "label_problems": _("ปัญหาของโครงการ"),
        "label_obstacles": _("อุปสรรคของโครงการ"),
    }
    status_labels = {value: str(label) for value, label in ProgressReport.Status.choices}
    return format_html_join(
        "\n  ",
        REPORT_ARTICLE,
        (
            {
                **labels,
                "pk": line.report.pk,
                "number": line.number,
                "percent": line.percent,
                "day_iso": line.day_iso,
                "day_short": line.day_short,
                "narrative": line.report.narrative,
                "problems": line.report.problems or "-",
                "obstacles": line.report.obstacles or "-",
                "evidence": evidence_html(line.report, label_evidence) if with_evidence else "",
                "status": line.report.status,
                "status_badge": STATUS_BADGES[line.report.status],
                "status_label": status_labels[line.report.status],
            }
            for line in lines
        ),
    )


def report_lines(reports):
    """The ReportLine of each report, newest first."""
    return [
        ReportLine(
            number,
            report,
            two_places(report.percent),
            report.report_date.isoformat(),
            thaidate.format_short(report.report_date),
        )
        for number, report in enumerate(reports, start=1)
    ]


def planned_vs_actual_rows(lines, steps):
    """The chart's data table, per report (ReportLine), oldest first: the date, the actual
    percent, the planned percent that day and the gap, as the table shows them (formatted once)."""
    rows = []
    for line in reversed(lines):
        report = line.report
        planned = sum((step.planned_share(report.report_date) for step in steps), Decimal("0"))
        rows.append(
            {
                "date": thaidate.format_medium(report.report_date),
                "actual": line.percent,
                "planned": two_places(planned),
                "gap": two_places(report.percent - planned),
            }
        )
    return rows


def alignment_text_differs(project):
    """Whether the legacy alignment text says something the linked plan nodes do not."""
    raw = _compact(project.plan_alignment_text)
    if not raw:
        return False
    shown = _compact(" ".join(f"{node.code_display} {node.title}" for node in project.plan_nodes.all()))
    return raw != shown


def _compact(text):
    return re.sub(r"[\W_]+", "", search_key(text or ""))


def _code_key(code):
    return tuple(int(part) if part.isdigit() else 0 for part in code.split("."))


def _month_starts(first, last):
    month = first.replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _quarter_slots(indicator):
    by_quarter = {quarter.quarter: quarter for quarter in indicator.quarters.all()}
    return [(number, by_quarter.get(number)) for number in (1, 2, 3, 4)]
