"""What the public site's pages show (issue 22), computed from public data only: every record
reaches a template as a projects.public.PublicView, so a private field cannot be shown even by
a staff template the public pages reuse (the project page's intro, reports and chart tables).

Left out on purpose, beyond the private fields: the data-quality notes (internal work), the
staff links (edit, print, history), the dashboard's responsible persons and drill-downs to
staff lists."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects

from bma_tracker import thaidate
from indicators import public as _indicator_policies  # noqa: F401 (registers the indicators' policies)
from indicators.models import Indicator, IndicatorQuarter
from projects.models import (
    PlanNode,
    PlanStep,
    ProgressReport,
    Project,
    ProjectEvaluation,
    ScheduleStatus,
    schedule_ref_date,
)
from projects.public import PublicView
from reports.project_page import (
    PLANNED_RULE,
    _code_key,
    alignment_text_differs,
    planned_vs_actual_rows,
    progress_chart_data,
    report_articles,
    report_lines,
)


def project_context(project, *, today=None):
    """The public project page: the staff page's sections over the public reports only."""
    today = today or thaidate.today()
    prefetch_related_objects(
        [project],
        "unit",
        Prefetch("steps", queryset=PlanStep.objects.order_by("number", "pk")),
        Prefetch("evaluations", queryset=ProjectEvaluation.objects.order_by("quarter")),
        Prefetch("reports", queryset=ProgressReport.objects.public().newest_first(), to_attr="public_reports"),
        Prefetch("plan_nodes", queryset=PlanNode.objects.order_by("code")),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("code").prefetch_related(
                Prefetch("quarters", queryset=IndicatorQuarter.objects.order_by("quarter"))
            ),
        ),
    )
    steps, reports = list(project.steps.all()), project.public_reports
    lines = report_lines(reports)
    ref_date = schedule_ref_date(project.fiscal_year, today)
    return {
        "project": PublicView(project),
        "steps": [PublicView(step) for step in steps],
        "evaluations": [PublicView(evaluation) for evaluation in project.evaluations.all()],
        "status": project.schedule_status(ref_date, settings.SCHEDULE_BEHIND_MARGIN),
        "status_ref_date": ref_date,
        "reports": lines,
        # The report articles print the date, percent, narrative, problems and obstacles: public fields.
        "report_articles": report_articles(lines, with_evidence=False),  # evidence files are not public
        "chart": progress_chart_data(project, reports=reports, steps=steps),
        "planned_vs_actual": planned_vs_actual_rows(lines, steps),
        "planned_rule": PLANNED_RULE,
        "weight_total": sum((step.weight for step in steps), Decimal("0")),
        "plan_nodes": [
            PublicView(node) for node in sorted(project.plan_nodes.all(), key=lambda node: _code_key(node.code))
        ],
        "alignment_text_differs": alignment_text_differs(project),
        "indicators": [
            (PublicView(indicator), quarter_slots(indicator.quarters.all())) for indicator in project.indicators.all()
        ],
        "print_mode": True,  # the shared sections then show the legacy alignment text inline, no notes
    }


def quarter_slots(quarters):
    """(number, PublicView of the quarter or None) for quarters 1–4."""
    by_number = {quarter.quarter: PublicView(quarter) for quarter in quarters}
    return [(number, by_number.get(number)) for number in (1, 2, 3, 4)]


def indicator_context(indicator):
    """The public indicator page: the definition, the quarters and the linked projects."""
    prefetch_related_objects(
        [indicator],
        Prefetch("quarters", queryset=IndicatorQuarter.objects.order_by("quarter")),
        Prefetch("projects", queryset=Project.objects.select_related("unit").order_by("code")),
    )
    return {
        "indicator": PublicView(indicator),
        "quarters": quarter_slots(indicator.quarters.all()),
        "projects": [PublicView(project) for project in indicator.projects.all()],
    }


def project_rows(projects):
    """A list page's projects (annotated with_schedule_status) with their ScheduleStatus."""
    return [(PublicView(project), ScheduleStatus(project.schedule_status)) for project in projects]
