"""Data-quality notes: inconsistencies in what was entered, shown next to what they concern so
the people who can fix them see them. Nothing here changes the data (DOMAIN.md, "Quirks").
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from bma_tracker import thaidate


@dataclass(frozen=True)
class Note:
    kind: str  # a stable key, for tests and styling
    message: str  # Thai, for people
    section: str  # where the page shows it: "header", "alignment", "reports", "steps", "indicators"


def project_quality_notes(project, *, today=None):
    """The data-quality notes of a project's sections, in page order. Uses the page's
    prefetched data when present (reports.project_page.prefetch_page), so it adds no queries to
    the page."""
    today = today or thaidate.today()
    notes = _alignment_notes(project)
    reports = getattr(project, "live_reports", None)
    if reports is None:
        reports = list(project.reports.live().newest_first())
    notes = _headline_notes(project, reports) + notes
    notes += _report_notes(project, reports, today)
    notes += _step_notes(list(project.steps.all()))
    for indicator in project.indicators.all():
        notes += _indicator_notes(indicator)
    return notes


def _headline_notes(project, reports):
    """The legacy printout headlined a percent other than its newest report's: both are kept as
    entered, and the people who can fix it see the two side by side."""
    headline = project.legacy_headline_percent
    if headline is None or not reports or reports[0].percent == headline:
        return []
    message = _("ระบบเดิมแสดงความคืบหน้าโครงการร้อยละ %(headline)s แต่รายงานล่าสุด วันที่ %(date)s รายงานร้อยละ %(latest)s") % {
        "headline": _num(headline),
        "date": thaidate.format_short(reports[0].report_date),
        "latest": _num(reports[0].percent),
    }
    return [Note("legacy_headline_differs", message, "header")]


def _alignment_notes(project):
    if project.plan_nodes.all():
        return []
    if project.plan_alignment_text.strip():
        message = _("มีข้อความยุทธศาสตร์ตามต้นฉบับ แต่ยังไม่ได้เชื่อมโยงกับประเด็นในแผนพัฒนากรุงเทพมหานคร")
    else:
        message = _("โครงการยังไม่ได้ระบุการสนับสนุนยุทธศาสตร์กรุงเทพมหานคร")
    return [Note("alignment_missing", message, "alignment")]


def _report_notes(project, reports, today):
    notes = []
    if project.fiscal_year == thaidate.fiscal_year(today):
        month_start = today.replace(day=1)
        if not reports or reports[0].report_date < month_start:
            month = f"{thaidate.month_name(today.month)} {thaidate.be_year(today.year)}"
            notes.append(
                Note("no_report_this_month", _("ยังไม่มีรายงานความคืบหน้าประจำเดือน%(month)s") % {"month": month}, "reports")
            )
    oldest_first = list(reversed(reports))
    count = len(oldest_first)
    for previous, report in zip(oldest_first, oldest_first[1:], strict=False):
        if report.percent < previous.percent:
            number = count - oldest_first.index(report)
            notes.append(
                Note(
                    "progress_down",
                    _("รายงานที่ (%(number)d) วันที่ %(date)s ความคืบหน้าลดลงจากร้อยละ %(before)s เป็นร้อยละ %(after)s")
                    % {
                        "number": number,
                        "date": thaidate.format_short(report.report_date),
                        "before": _num(previous.percent),
                        "after": _num(report.percent),
                    },
                    "reports",
                )
            )
    return notes


def _step_notes(steps):
    if not steps:
        return [Note("no_steps", _("ยังไม่มีแผนการดำเนินงาน จึงคำนวณความคืบหน้าตามแผนไม่ได้"), "steps")]
    notes = []
    total = sum((step.weight for step in steps), Decimal("0"))
    if total != 100:
        notes.append(
            Note("weights_not_100", _("น้ำหนักของขั้นตอนรวมกันได้ร้อยละ %(total)s ไม่ใช่ 100") % {"total": _num(total)}, "steps")
        )
    single_day = [str(step.number) for step in steps if step.start == step.end]
    if single_day:
        notes.append(
            Note(
                "step_single_day",
                _("ขั้นตอนที่ %(numbers)s มีวันเริ่มต้นและวันสิ้นสุดเป็นวันเดียวกัน") % {"numbers": ", ".join(single_day)},
                "steps",
            )
        )
    backwards = [str(step.number) for step in steps if step.end < step.start]
    if backwards:
        notes.append(
            Note(
                "step_ends_before_start",
                _("ขั้นตอนที่ %(numbers)s สิ้นสุดก่อนวันเริ่มต้น") % {"numbers": ", ".join(backwards)},
                "steps",
            )
        )
    return notes


def _indicator_notes(indicator):
    """ "Achieved" contradicts the quarterly table when it differs from the latest quarter that
    has a result."""
    reported = [quarter for quarter in indicator.quarters.all() if quarter.result is not None]
    if indicator.achieved is None or not reported:
        return []
    latest = max(reported, key=lambda quarter: quarter.quarter)
    if latest.result == indicator.achieved:
        return []
    message = _(
        "ตัวชี้วัด %(code)s: ผลงานที่ทำได้ %(achieved)s ไม่ตรงกับผลงานไตรมาสที่ %(quarter)d ซึ่งเป็นไตรมาสล่าสุดที่รายงาน (%(result)s)"
    ) % {
        "code": indicator.code,
        "achieved": _num(indicator.achieved),
        "quarter": latest.quarter,
        "result": _num(latest.result),
    }
    return [Note("indicator_achieved_mismatch", message, "indicators")]


def _num(value):
    """Decimal('20.00') -> '20', Decimal('57.50') -> '57.5'"""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
