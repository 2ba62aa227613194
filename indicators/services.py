"""Writes of indicators: their definition (create, edit, copy to the next fiscal year) and
their quarterly results and scores, each with its audit entries, in one transaction."""

import copy
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Indicator, IndicatorQuarter, QuarterEvidence
from projects.audit import audit_log, diff, locked_save, locked_update, snapshot
from projects.cycle import check_open
from projects.models import AuditEntry, PlanEdition, PlanNode
from projects.services import evidence_add, evidence_remove

RESULT_FIELDS = ["result", "narrative"]
SCORE_FIELDS = ["score_1", "score_2", "audit_score"]
DEFINITION_FIELDS = Indicator.DEFINITION_FIELDS
Action = AuditEntry.Action


class IndicatorExists(Exception):
    """An indicator with this code already exists in this fiscal year."""


@transaction.atomic
def indicator_quarter_save(*, indicator, user, quarter, values, version=None):
    """Record the unit's result or the planning office's scores for one quarter of an indicator.
    `version` is None when the form showed no row for that quarter yet (EditConflict if one
    appeared meanwhile, or if the row changed since the form was rendered: locked_save)."""
    check_open(IndicatorQuarter(indicator=indicator, quarter=quarter))
    return locked_save(
        IndicatorQuarter,
        key={"indicator": indicator, "quarter": quarter},
        version=version,
        values={**values, "updated_at": timezone.now()},
        fields=list(values),
        user=user,
    )


def _definition_snapshot(indicator, projects=None):
    data = snapshot(indicator, DEFINITION_FIELDS)
    linked = indicator.projects.all() if projects is None else projects
    data["projects"] = sorted(project.code for project in linked)
    return data


@transaction.atomic
def indicator_create(*, user, values, projects=()):
    """A new indicator from the definition form's values (IndicatorExists if its code is taken
    in its fiscal year, by a save made since the form checked)."""
    indicator = Indicator(**values)
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError:
        raise IndicatorExists from None
    indicator.projects.set(projects)
    changes = diff({}, _definition_snapshot(indicator, projects))
    audit_log(user=user, action=Action.CREATE, obj=indicator, changes=changes)
    return indicator


@transaction.atomic
def indicator_update(*, indicator, user, version, values, projects=()):
    """Save an edit of the definition made on the form rendered at `version` (EditConflict if
    someone saved since). The search key follows the new name by the model's rule."""
    before = _definition_snapshot(indicator)
    edited = copy.copy(indicator)
    for name, value in values.items():
        setattr(edited, name, value)
    edited.refresh_search_text()
    locked_update(
        indicator, version=version, values={**values, "search_text": edited.search_text, "updated_at": timezone.now()}
    )
    indicator.projects.set(projects)
    changes = diff(before, _definition_snapshot(indicator, projects))
    audit_log(user=user, action=Action.UPDATE, obj=indicator, changes=changes)
    return indicator


# What a copy does not take from the original: it starts with no results, no quarters, no
# year-end report and no projects (projects belong to one fiscal year).
NOT_COPIED = ("code", "fiscal_year")


@dataclass
class CopyResult:
    to_year: int
    copied: list = field(default_factory=list)  # the new indicators
    refused: list = field(default_factory=list)  # the originals whose code exists in to_year
    unplaced: list = field(default_factory=list)  # the new ones whose plan node has no counterpart


@transaction.atomic
def indicators_copy_to_next_year(*, user, indicators):
    """Copy the definitions of indicators of one fiscal year into the next one, in one
    transaction. An indicator whose code already exists there is refused and reported, and
    the others are copied: each copy stands alone, and a unit that ticks its forty indicators
    a second time after adding two gets the two, not an error about the other thirty-eight.

    The plan node is kept when the next year uses the same plan edition, else the node with
    the same code in the next year's edition is taken (none: left empty and reported)."""
    indicators = sorted(indicators, key=lambda indicator: indicator.code)
    if not indicators:
        return CopyResult(to_year=0)
    years = {indicator.fiscal_year for indicator in indicators}
    if len(years) != 1:
        raise ValueError("indicators of one fiscal year at a time")
    to_year = years.pop() + 1
    result = CopyResult(to_year=to_year)
    taken = set(
        Indicator.objects.filter(fiscal_year=to_year, code__in=[i.code for i in indicators]).values_list(
            "code", flat=True
        )
    )
    nodes = _nodes_in(to_year, indicators)
    for original in indicators:
        if original.code in taken:
            result.refused.append(original)
            continue
        values = {name: getattr(original, name) for name in DEFINITION_FIELDS if name not in NOT_COPIED}
        if original.plan_node_id is not None:
            values["plan_node"] = nodes.get(original.plan_node_id)
        new = Indicator(code=original.code, fiscal_year=to_year, **values)
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:  # copied by someone else since the check above
            result.refused.append(original)
            continue
        audit_log(
            user=user,
            action=Action.CREATE,
            obj=new,
            changes=diff({}, _definition_snapshot(new, [])),
            note=_("คัดลอกจากตัวชี้วัด %(code)s ปีงบประมาณ %(fy)s") % {"code": original.code, "fy": original.fiscal_year},
        )
        result.copied.append(new)
        if original.plan_node_id is not None and new.plan_node is None:
            result.unplaced.append(new)
    return result


def _nodes_in(fiscal_year, indicators):
    """{original plan node id: the node to use in fiscal_year, or None}: one query for the
    edition and one for the nodes."""
    edition = PlanEdition.for_fiscal_year(fiscal_year)
    originals = {i.plan_node_id: i.plan_node for i in indicators if i.plan_node_id is not None}
    if not originals or edition is None:
        return dict.fromkeys(originals)
    by_code = {
        node.code: node
        for node in PlanNode.objects.filter(edition=edition, code__in=[n.code for n in originals.values()])
    }
    return {pk: node if node.edition_id == edition.pk else by_code.get(node.code) for pk, node in originals.items()}


def quarter_evidence_add(*, indicator, quarter, upload, user):
    """Attach an evidence file to one quarter of an indicator (its quarter row made if none yet)."""
    with transaction.atomic():
        row, _created = IndicatorQuarter.objects.get_or_create(indicator=indicator, quarter=quarter)
        row.indicator = indicator
        return evidence_add(QuarterEvidence, parent=row, upload=upload, user=user)


def quarter_evidence_remove(*, evidence_file, user):
    """Remove an evidence file of an indicator's quarter."""
    return evidence_remove(evidence_file, parent=evidence_file.quarter, user=user)
