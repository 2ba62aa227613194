"""Continuing projects into the next fiscal year (issue 20, item 7): what a copy will be
(rollover_plan, which the confirmation page shows) and the copy itself (projects_roll_over),
in one transaction, all or nothing, audited. Here rather than in projects.services because
it copies and links indicators, which the projects app does not know.

The rules:
- a project continues once: the copy points back at it (Project.continued_from, unique in the
  database); a project already continued is refused, and so is the whole batch with it;
- project codes are unique across all years (a code is the project's address), so the copy
  takes a new one: the same unit prefix (the part before "-") and the next free serial after
  the highest serial of that prefix in any year, in the order of the originals' codes;
- copied: the name, the unit, the division and sub-unit codes, the responsible person and phone,
  the rationale, objectives and targets, the legacy alignment wording; the plan nodes, taken
  from the plan edition in force in the next year (the same node when the edition is the same,
  else the node with the same code; a node the new edition lacks is left out and named in the
  preview and the message); the plan steps, each date one year later (29 February → 28);
- linked indicators: indicators belong to one fiscal year and keep their code from year to
  year, so the copy links the next year's indicator with the same code, copying the
  indicator's definition into the next year first where the unit has not yet done so;
- not copied: reports, evaluations, the progress summary, the budget (each year's own), the
  legacy headline.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from bma_tracker import thaidate
from indicators.models import Indicator
from projects.audit import diff, snapshot
from projects.models import AuditEntry, PlanEdition, PlanNode, PlanStep, Project

COPIED_FIELDS = (
    "name",
    "unit",
    "division_code",
    "subunit_code",
    "responsible_person",
    "responsible_phone",
    "rationale",
    "objectives",
    "targets",
    "plan_alignment_text",
)
INDICATOR_COPIED = [name for name in Indicator.DEFINITION_FIELDS if name not in ("code", "fiscal_year")]
MAX_SERIAL = 999_999  # project_code_validator: at most six digits


class RolloverRefused(Exception):
    """Nothing was copied; `reasons` says why, one line per project (Thai)."""

    def __init__(self, reasons):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = reasons


@dataclass
class RolloverRow:
    """What one project's copy will be."""

    original: Project
    new_code: str = ""
    refusal: str = ""
    steps: list = field(default_factory=list)  # unsaved PlanSteps, dates shifted
    nodes: list = field(default_factory=list)  # PlanNodes of the next year's edition
    missing_nodes: list = field(default_factory=list)  # the original's nodes the new edition lacks
    linked_indicators: list = field(default_factory=list)  # next year's indicators that exist
    copied_indicators: list = field(default_factory=list)  # this year's, to be copied


@dataclass
class RolloverPlan:
    to_year: int
    edition: PlanEdition | None
    rows: list
    node_map: dict = field(default_factory=dict)  # _nodes_in()

    @property
    def refusals(self):
        return [row for row in self.rows if row.refusal]


def originals_for_rollover(projects):
    """The projects with what a copy reads: their unit, plan nodes, steps and indicators (with
    what their definition names): four queries."""
    indicators = Indicator.objects.select_related("unit", "plan_node", "dimension")
    return list(
        projects.select_related("unit")
        .prefetch_related("plan_nodes", "steps", Prefetch("indicators", queryset=indicators))
        .order_by("code")
    )


def rollover_plan(originals):
    """The RolloverPlan of copying these projects (of one fiscal year, as originals_for_rollover
    loads them) into the next year: five queries, whatever their number."""
    years = {project.fiscal_year for project in originals}
    if len(years) > 1:
        raise ValueError("projects of one fiscal year at a time")
    to_year = (years.pop() if years else 0) + 1
    edition = PlanEdition.for_fiscal_year(to_year)
    continued = dict(
        Project.objects.filter(continued_from__in=[p.pk for p in originals]).values_list("continued_from_id", "code")
    )
    next_serial = _next_serials(originals)
    nodes = _nodes_in(edition, originals)
    indicator_codes = {i.code for p in originals for i in p.indicators.all()}
    existing_indicators = {
        i.code: i for i in Indicator.objects.filter(fiscal_year=to_year, code__in=sorted(indicator_codes))
    }
    rows = []
    for original in originals:
        row = RolloverRow(original)
        rows.append(row)
        if original.pk in continued:
            row.refusal = _("%(code)s ยกไปปีงบประมาณ %(fy)s แล้ว เป็นโครงการ %(new)s") % {
                "code": original.code,
                "fy": to_year,
                "new": continued[original.pk],
            }
            continue
        prefix = original.code.rsplit("-", 1)[0]
        serial = next_serial[prefix]
        if serial > MAX_SERIAL:
            row.refusal = _("รหัสโครงการของหน่วยงาน %(prefix)s ใช้ครบแล้ว") % {"prefix": prefix}
            continue
        next_serial[prefix] = serial + 1
        row.new_code = f"{prefix}-{serial}"
        row.steps = [
            PlanStep(
                number=step.number,
                name=step.name,
                weight=step.weight,
                start=thaidate.a_year_later(step.start),
                end=thaidate.a_year_later(step.end),
            )
            for step in sorted(original.steps.all(), key=lambda s: s.number)
        ]
        for node in sorted(original.plan_nodes.all(), key=lambda n: n.code):
            found = nodes.get(node.pk)
            (row.nodes if found else row.missing_nodes).append(found or node)
        for indicator in sorted(original.indicators.all(), key=lambda i: i.code):
            if indicator.code in existing_indicators:
                row.linked_indicators.append(existing_indicators[indicator.code])
            else:
                row.copied_indicators.append(indicator)
    return RolloverPlan(to_year=to_year, edition=edition, rows=rows, node_map=nodes)


def _next_serials(originals):
    """{unit prefix: the first serial after every code of that prefix, in any year}: one query."""
    prefixes = sorted({p.code.rsplit("-", 1)[0] for p in originals})
    highest = defaultdict(int)
    if prefixes:
        same_prefix = Q()
        for prefix in prefixes:
            same_prefix |= Q(code__startswith=f"{prefix}-")
        for code in Project.objects.filter(same_prefix).order_by().values_list("code", flat=True):
            prefix, serial = code.rsplit("-", 1)
            if serial.isdigit():
                highest[prefix] = max(highest[prefix], int(serial))
    return {prefix: highest[prefix] + 1 for prefix in prefixes}


def _nodes_in(edition, originals):
    """{plan node id: the node to use in the next year's edition}, for the projects' nodes and
    their indicators': a node of that edition itself, else the node with its code (absent when
    the edition has none). One query."""
    wanted = {node.pk: node for p in originals for node in p.plan_nodes.all()}
    wanted.update({i.plan_node.pk: i.plan_node for p in originals for i in p.indicators.all() if i.plan_node})
    if edition is None or not wanted:
        return {}
    by_code = {
        node.code: node
        for node in PlanNode.objects.filter(edition=edition, code__in=sorted({n.code for n in wanted.values()}))
    }
    mapped = {pk: node if node.edition_id == edition.pk else by_code.get(node.code) for pk, node in wanted.items()}
    return {pk: node for pk, node in mapped.items() if node is not None}


def projects_roll_over(*, user, originals):
    """Copy the projects (loaded by originals_for_rollover) into the next fiscal year, in one
    transaction: every one or none (RolloverRefused, nothing written). Returns the RolloverPlan
    it carried out, with each row's `copy`. A fixed number of queries: the plan's, then one bulk
    insert each of projects, plan links, steps, indicators, indicator links and audit entries."""
    try:
        with transaction.atomic():
            plan = rollover_plan(originals)
            if plan.refusals:
                raise RolloverRefused([row.refusal for row in plan.refusals])
            _copy(plan, user)
    except IntegrityError:
        # Another rollover (or a new project) took a code or a continuation since the plan was read.
        raise RolloverRefused(
            [_("มีผู้อื่นสร้างโครงการในปีงบประมาณถัดไปพร้อมกัน จึงยังไม่ได้คัดลอก กรุณาตรวจสอบแล้วลองอีกครั้ง")]
        ) from None
    return plan


def _copy(plan, user):
    rows = plan.rows
    for row in rows:
        original = row.original
        row.copy = Project(
            code=row.new_code,
            fiscal_year=plan.to_year,
            continued_from=original,
            **{name: getattr(original, name) for name in COPIED_FIELDS},
        )
        row.copy.refresh_search_text()
    Project.objects.bulk_create([row.copy for row in rows])
    Project.plan_nodes.through.objects.bulk_create(
        [Project.plan_nodes.through(project_id=row.copy.pk, plannode_id=node.pk) for row in rows for node in row.nodes]
    )
    for row in rows:
        for step in row.steps:
            step.project = row.copy
    PlanStep.objects.bulk_create([step for row in rows for step in row.steps])

    # The indicators to copy, once each however many projects share one.
    nodes = plan.node_map
    to_copy = {}
    for row in rows:
        for indicator in row.copied_indicators:
            if indicator.code not in to_copy:
                values = {name: getattr(indicator, name) for name in INDICATOR_COPIED}
                values["plan_node"] = nodes.get(indicator.plan_node_id)
                new = Indicator(code=indicator.code, fiscal_year=plan.to_year, **values)
                new.refresh_search_text()
                to_copy[indicator.code] = (indicator, new)
    Indicator.objects.bulk_create([new for _old, new in to_copy.values()])
    links = []
    for row in rows:
        row.indicators = row.linked_indicators + [to_copy[i.code][1] for i in row.copied_indicators]
        links += [Indicator.projects.through(indicator_id=i.pk, project_id=row.copy.pk) for i in row.indicators]
    Indicator.projects.through.objects.bulk_create(links)

    entries = [
        AuditEntry(
            project=row.copy,
            model_label=Project._meta.label_lower,
            object_id=row.copy.pk,
            object_repr=str(row.copy)[:255],
            action=AuditEntry.Action.CREATE,
            changes=diff(
                {},
                {**snapshot(row.copy, Project.EDITABLE_FIELDS), "plan_nodes": sorted(n.code for n in row.nodes)},
            ),
            note=_(
                "สร้างโดยยกยอดจากโครงการ %(code)s ปีงบประมาณ %(fy)s (แผนการดำเนินงาน %(steps)s ขั้นตอน, ตัวชี้วัด: %(indicators)s)"
            )
            % {
                "code": row.original.code,
                "fy": row.original.fiscal_year,
                "steps": len(row.steps),
                "indicators": ", ".join(sorted(i.code for i in row.indicators)) or "-",
            },
            user=_signed_in(user),
        )
        for row in rows
    ]
    entries += [
        AuditEntry(
            model_label=Indicator._meta.label_lower,
            object_id=new.pk,
            object_repr=str(new)[:255],
            action=AuditEntry.Action.CREATE,
            changes=diff({}, snapshot(new, Indicator.DEFINITION_FIELDS)),
            note=_("คัดลอกจากตัวชี้วัด %(code)s ปีงบประมาณ %(fy)s (ยกยอดโครงการ)")
            % {"code": old.code, "fy": old.fiscal_year},
            user=_signed_in(user),
        )
        for old, new in to_copy.values()
    ]
    AuditEntry.objects.bulk_create(entries)


def _signed_in(user):
    return user if user is not None and user.is_authenticated else None
