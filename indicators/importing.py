"""Storing printouts read by indicators.legacy: a project page with its reports, steps,
evaluations, plan links and indicators, or an indicator report. Here, in the indicators app,
because a project page carries its indicators: the importer writes both, and indicators is the
app that may import projects (never the other way round).

Re-importing is safe: a record is matched to what is stored (projects by code, reports by date
and their order on that date, steps by number, evaluations and indicator quarters by quarter,
indicators by code and fiscal year, plan nodes by edition and code) and saved only when a value
differs, so importing the same page twice changes nothing. Records the printout does not show
are left alone and reported. Every create and update leaves an AuditEntry without a user.
The caller runs each page in one transaction.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from bma_tracker.text import normalise_thai
from indicators.legacy import LegacyFormatError
from indicators.models import Indicator, IndicatorQuarter
from projects.audit import audit_log
from projects.cycle import PeriodLocked, check_open
from projects.models import (
    AuditEntry,
    OrgUnit,
    PlanEdition,
    PlanNode,
    PlanStep,
    ProgressReport,
    Project,
    ProjectEvaluation,
    ReportingCalendar,
)

DEFAULT_EDITION_NAME = "แผนพัฒนากรุงเทพมหานคร ระยะ 20 ปี"
DEFAULT_EDITION_FIRST_YEAR = 2561

# The code finds the project and the unit comes from the code: the page gives the rest, and
# the headline percent it prints, which no form edits. The legacy pages print no budget and no
# disbursement: what people entered for them here is left alone by a re-import.
NOT_ON_LEGACY_PAGES = ("budget", "budget_after_transfer", "disbursed_to_date")
PROJECT_FIELDS = [name for name in Project.EDITABLE_FIELDS if name not in ("code", "unit", *NOT_ON_LEGACY_PAGES)]
REPORT_FIELDS = [name for name in ProgressReport.EDITABLE_FIELDS if name not in ("report_date", *NOT_ON_LEGACY_PAGES)]


@dataclass
class ImportOutcome:
    """What one page did to the database, for the command to print."""

    label: str = ""
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    notes: list[tuple[int | None, str]] = field(default_factory=list)

    def note(self, line, text):
        self.notes.append((line, text))


def _json(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


class _Writer:
    """Creates and updates records for one page, counting and auditing each write."""

    def __init__(self, outcome, note):
        self.outcome = outcome
        self.audit_note = note

    def create(self, kind, model, values, *, line=None, project=None, audit=True):
        obj = model(**values)
        self._validate(obj, line)
        self._check_open(obj, line)
        obj.save()
        self.outcome.created[kind] += 1
        if audit:
            changes = {name: [None, _json(value)] for name, value in values.items()}
            self._audit(AuditEntry.Action.CREATE, obj, obj if isinstance(obj, Project) else project, changes)
        return obj

    def sync(self, kind, obj, values, *, line=None, project=None, audit=True):
        """Set the values that differ and save; nothing is written when none do."""
        changes = {
            name: [_json(getattr(obj, name)), _json(value)]
            for name, value in values.items()
            if getattr(obj, name) != value
        }
        if not changes:
            self.outcome.unchanged[kind] += 1
            return False
        for name in changes:
            setattr(obj, name, values[name])
        self._validate(obj, line)
        self._check_open(obj, line)
        if hasattr(obj, "version"):
            obj.version += 1  # someone editing this record in a form gets a conflict, not an overwrite
        obj.save()
        self.outcome.updated[kind] += 1
        if audit:
            self._audit(AuditEntry.Action.UPDATE, obj, project, changes)
        return True

    def _validate(self, obj, line):
        # Field rules (lengths, ranges, code formats) and the model's own (a report dated in
        # the future); relations are set by this module.
        relations = [f.name for f in obj._meta.fields if f.is_relation]
        try:
            obj.clean_fields(exclude=relations)
            obj.clean()  # a closed quarter's row included (OpenPeriodMixin): PeriodLocked
        except PeriodLocked as exc:
            raise LegacyFormatError(f"{obj._meta.verbose_name}: {exc.message}", line) from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in exc.message_dict.items()
            )
            raise LegacyFormatError(f"{obj._meta.verbose_name} refused: {problems}", line) from None

    @staticmethod
    def _check_open(obj, line):
        """A closed quarter's rows are read-only for the importer too (projects.cycle): the
        page is refused, naming the quarter, and nothing of it is stored."""
        if hasattr(obj, "periods"):
            try:
                check_open(obj)
            except PeriodLocked as exc:
                raise LegacyFormatError(f"{obj._meta.verbose_name}: {exc.message}", line) from None

    def _audit(self, action, obj, project, changes):
        audit_log(user=None, action=action, obj=obj, project=project, changes=changes, note=self.audit_note)


def legacy_page_import(*, page, source_name, indicator_code=None, fiscal_year=None):
    """Store a page read by indicators.legacy.parse(). An indicator report needs the indicator's
    code and fiscal year, which it does not print; a KPI detail page and a unit performance page
    need the fiscal year. Returns an ImportOutcome."""
    # The indicator pages are stored with this module's writer, so that module imports this one.
    from indicators import importing_indicator_pages

    if page.kind == "indicator report":
        return _indicator_report_import(
            report=page, source_name=source_name, indicator_code=indicator_code, fiscal_year=fiscal_year
        )
    if page.kind in importing_indicator_pages.KINDS:
        return importing_indicator_pages.indicator_page_import(
            page=page, source_name=source_name, fiscal_year=fiscal_year
        )
    return _project_page_import(page=page, source_name=source_name)


def _project_page_import(*, page, source_name):
    outcome = ImportOutcome(label=f"project {page.code} (FY {page.fiscal_year})")
    writer = _Writer(outcome, f"import_legacy {source_name}")
    unit = _owning_unit(page, writer)

    project = Project.objects.filter(code=page.code).first()
    values = {name: getattr(page, name) for name in PROJECT_FIELDS}
    values["legacy_headline_percent"] = page.headline_percent
    if project is None:
        project = writer.create(
            "project", Project, {"code": page.code, "unit": unit, **values}, line=page.headline_line
        )
    else:
        if project.unit_id != unit.pk and not OrgUnit.objects.subtree_of(unit).filter(pk=project.unit_id).exists():
            values["unit"] = unit
        elif project.unit_id != unit.pk:
            outcome.note(None, f"project kept under {project.unit.code} {project.unit.name}, a unit within {unit.code}")
        writer.sync("project", project, values, line=page.headline_line, project=project)

    # A legacy year's reports were never approved: a year the importer brings in gets a calendar
    # that needs no approval (a year the planning office already set up keeps its own).
    ReportingCalendar.legacy_year_ensure(project.fiscal_year)
    _link_plan_nodes(page, project, writer)
    _store_evaluations(page, project, writer)
    _store_reports(page, project, writer)
    _store_steps(page, project, writer)
    for linked in page.indicators:
        _store_linked_indicator(linked, project, writer)

    # After the headline is stored: with no live report it is the project's latest percent.
    project.refresh_progress_summary()
    if project.latest_report_date is None:
        outcome.note(
            page.headline_line,
            f"no progress report: the headline {page.headline_percent}% is kept as the project's progress",
        )
    elif project.latest_percent != page.headline_percent:
        outcome.note(
            page.headline_line,
            f"the page headline says {page.headline_percent}% but the newest stored report says "
            f"{project.latest_percent}%; both kept, the project page notes the difference",
        )
    return outcome


def _owning_unit(page, writer):
    code = page.code.split("-")[0]
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is not None:
        if normalise_thai(unit.name) != normalise_thai(page.unit_name):
            writer.outcome.note(None, f"unit {code} is stored as {unit.name!r}, the page says {page.unit_name!r}; kept")
        return unit
    if code.startswith("50"):
        raise LegacyFormatError(
            f"unit {code} ({page.unit_name}) does not exist; district offices must be created first "
            "(the printout does not say their district group)"
        )
    # A new unit gets the normalised spelling (สํา -> สำ): units are looked up and shown by name,
    # and the printout's decomposed vowel is a typing artefact, not the unit's name.
    name = normalise_thai(page.unit_name)
    writer.outcome.note(None, f"unit {code} did not exist: created as the department {name!r} the page names")
    return writer.create("unit", OrgUnit, {"code": code, "name": name, "kind": OrgUnit.Kind.DEPARTMENT}, audit=False)


def _edition(fiscal_year, writer):
    edition = PlanEdition.for_fiscal_year(fiscal_year)
    if edition is None:
        edition = PlanEdition.objects.filter(first_fiscal_year=DEFAULT_EDITION_FIRST_YEAR).first()
    if edition is None:
        edition = writer.create(
            "plan edition",
            PlanEdition,
            {"name": DEFAULT_EDITION_NAME, "first_fiscal_year": DEFAULT_EDITION_FIRST_YEAR},
            audit=False,
        )
    return edition


def _plan_nodes(plan_lines, fiscal_year, writer):
    """The nodes for the printed plan lines, found or created in the fiscal year's edition,
    each under the node of its code's parent."""
    if not plan_lines:
        return []
    edition = _edition(fiscal_year, writer)
    stored = {node.code: node for node in PlanNode.objects.filter(edition=edition)}
    nodes = []
    for plan_line in plan_lines:
        node = stored.get(plan_line.code)
        if node is None:
            parent = stored.get(plan_line.code.rpartition(".")[0]) if "." in plan_line.code else None
            node = writer.create(
                "plan node",
                PlanNode,
                {
                    "edition": edition,
                    "parent": parent,
                    "level": plan_line.level,
                    "code": plan_line.code,
                    "code_display": plan_line.code_display,
                    "title": plan_line.title,
                    "title_en": plan_line.title_en,
                },
                line=plan_line.line,
                audit=False,
            )
            stored[node.code] = node
        else:
            if normalise_thai(node.title) != normalise_thai(plan_line.title):
                writer.outcome.note(
                    plan_line.line,
                    f"plan node {node.code} is stored as {node.title!r}, the page says {plan_line.title!r}; kept",
                )
            if plan_line.title_en and not node.title_en:
                writer.sync("plan node", node, {"title_en": plan_line.title_en}, audit=False)
            else:
                writer.outcome.unchanged["plan node"] += 1
        nodes.append(node)
    return nodes


def _link_plan_nodes(page, project, writer):
    nodes = _plan_nodes(page.plan_lines, page.fiscal_year, writer)
    linked = set(project.plan_nodes.values_list("pk", flat=True))
    missing = [node for node in nodes if node.pk not in linked]
    if missing:
        project.plan_nodes.add(*missing)
        writer.outcome.created["plan node link"] += len(missing)
    extra = linked - {node.pk for node in nodes}
    if extra:
        writer.outcome.note(None, f"{len(extra)} plan node link(s) not on the page kept")


def _store_evaluations(page, project, writer):
    stored = {evaluation.quarter: evaluation for evaluation in project.evaluations.all()}
    for entry in page.evaluations:
        evaluation = stored.get(entry.quarter)
        if evaluation is None:
            stored[entry.quarter] = writer.create(
                "evaluation",
                ProjectEvaluation,
                {"project": project, "quarter": entry.quarter, "score": entry.score},
                line=entry.line,
                project=project,
            )
        else:
            writer.sync("evaluation", evaluation, {"score": entry.score}, line=entry.line, project=project)


def _store_reports(page, project, writer):
    """Match reports by (date, n-th report of that date in entry order). The page lists the newest
    first, so within a date the later entry is printed first: read the page bottom-up."""
    stored = {}
    per_date = Counter()
    for report in project.reports.order_by("report_date", "pk"):
        stored[(report.report_date, per_date[report.report_date])] = report
        per_date[report.report_date] += 1
    seen = set()
    per_date = Counter()
    for entry in reversed(page.reports):
        key = (entry.report_date, per_date[entry.report_date])
        per_date[entry.report_date] += 1
        # The date (with the order on that date) finds the report: the page gives the rest.
        values = {name: getattr(entry, name) for name in REPORT_FIELDS}
        report = stored.get(key)
        if report is None:
            values.update(project=project, report_date=entry.report_date, source=ProgressReport.Source.LEGACY)
            writer.create("progress report", ProgressReport, values, line=entry.line, project=project)
            continue
        seen.add(report.pk)
        writer.sync("progress report", report, values, line=entry.line, project=project)
        if report.deleted_at is not None:
            writer.outcome.note(entry.line, f"report of {entry.report_date.isoformat()} was deleted here; kept deleted")
    for report in stored.values():
        if report.pk not in seen:
            writer.outcome.note(
                None, f"report of {report.report_date.isoformat()} ({report.percent}%) kept, not in printout"
            )


def _store_steps(page, project, writer):
    stored = {step.number: step for step in project.steps.all()}
    for entry in page.steps:
        values = {name: getattr(entry, name) for name in PlanStep.EDITABLE_FIELDS if name != "number"}
        step = stored.pop(entry.number, None)
        if step is None:
            writer.create(
                "plan step",
                PlanStep,
                {"project": project, "number": entry.number, **values},
                line=entry.line,
                project=project,
            )
        else:
            writer.sync("plan step", step, values, line=entry.line, project=project)
    for step in stored.values():
        writer.outcome.note(None, f"plan step {step.number} ({step.name}) kept, not in printout")


def _indicator_unit(code):
    return OrgUnit.objects.filter(code=f"{code.split('-')[0]}0000").first()


def _store_linked_indicator(linked, project, writer):
    indicator = Indicator.objects.filter(code=linked.code, fiscal_year=project.fiscal_year).first()
    if indicator is None:
        indicator = writer.create(
            "indicator",
            Indicator,
            {
                "code": linked.code,
                "fiscal_year": project.fiscal_year,
                "unit": _indicator_unit(linked.code) or project.unit,
                **linked.values,
            },
            line=linked.line,
        )
    else:
        values = dict(linked.values)
        if indicator.unit_id is None:
            values["unit"] = _indicator_unit(linked.code) or project.unit
        writer.sync("indicator", indicator, values, line=linked.line)
    _store_quarters(
        indicator,
        {
            row.quarter: (
                row.line,
                {"result": row.result, "score_1": row.score_1, "score_2": row.score_2, "audit_score": row.audit_score},
            )
            for row in linked.quarters
        },
        writer,
    )
    if not indicator.projects.filter(pk=project.pk).exists():
        indicator.projects.add(project)
        writer.outcome.created["indicator link"] += 1


def _store_quarters(indicator, rows, writer):
    stored = {quarter.quarter: quarter for quarter in indicator.quarters.all()}
    for number, (line, values) in sorted(rows.items()):
        quarter = stored.get(number)
        if quarter is None:
            writer.create(
                "indicator quarter", IndicatorQuarter, {"indicator": indicator, "quarter": number, **values}, line=line
            )
        else:
            writer.sync("indicator quarter", quarter, values, line=line)


def _indicator_report_import(*, report, source_name, indicator_code, fiscal_year):
    if not indicator_code or not fiscal_year:
        raise LegacyFormatError("an indicator report needs --indicator-code and --fy: the printout shows neither")
    outcome = ImportOutcome(label=f"indicator {indicator_code} (FY {fiscal_year})")
    writer = _Writer(outcome, f"import_legacy {source_name}")
    values = dict(report.values)
    nodes = _plan_nodes(report.plan_lines, fiscal_year, writer)
    if nodes:
        values["plan_node"] = nodes[-1]  # the deepest line printed: the goal
    indicator = Indicator.objects.filter(code=indicator_code, fiscal_year=fiscal_year).first()
    if indicator is None:
        unit = _indicator_unit(indicator_code)
        if unit is None:
            outcome.note(None, f"no unit {indicator_code.split('-')[0]}0000: indicator stored without a unit")
        indicator = writer.create(
            "indicator", Indicator, {"code": indicator_code, "fiscal_year": fiscal_year, "unit": unit, **values}
        )
    else:
        writer.sync("indicator", indicator, values)
    _store_quarters(indicator, {q: (None, {"narrative": text}) for q, text in report.narratives.items()}, writer)
    return outcome
