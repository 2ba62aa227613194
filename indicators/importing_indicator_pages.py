"""Storing the indicator pages read by indicators.legacy_indicator_pages, with the guarantees of
indicators.importing (the caller runs each page in one transaction; a record is saved only when
a value differs, so importing a page again changes nothing; every write is audited without a user):

- a KPI detail page: the Indicator of its code in the fiscal year given (the page prints none),
  under the unit of its code's prefix (5012-0456 -> 50120000), with its quarters;
- a unit performance page: one Indicator per KPI, under the page's unit, in its evaluation
  dimension, coded UNITCODE-D<dimension>-<number inside the dimension> (50120000-D1-1.3: the page
  prints no code; the same page gives the same codes, so a re-import finds the same rows);
- a city-development indicator page: the CityIndicator of its numeric id.

The evaluation dimension of a unit page is taken from the stored four (reference data) by its
number; one not stored yet is created with the name the page prints (DOMAIN.md's name when it
prints none), so a unit page imports into a database without the reference data too.

Plan alignment: these pages link to the plan nodes that are stored (reference data, demo data,
project pages), found by code in the fiscal year's edition; they never create plan nodes, since a
unit page prints the alignment on one line that the legacy page often cut off. A line whose node
is not stored is kept as printed in plan_alignment_text, and a link is never removed.

A printout cut off mid-line (`page.stopped.partial`) does not replace a stored text by its own
beginning, and a cut-off city page keeps the stored sections it no longer shows.
"""

from bma_tracker.text import normalise_thai
from indicators.importing import (
    DEFAULT_EDITION_FIRST_YEAR,
    ImportOutcome,
    _indicator_unit,
    _store_quarters,
    _Writer,
)
from indicators.legacy import LegacyFormatError
from indicators.legacy_indicator_pages import DIMENSIONS, CityIndicatorPage, KpiDetailPage
from indicators.models import CityIndicator, EvaluationDimension, Indicator
from projects.models import OrgUnit, PlanEdition, PlanNode

KINDS = {"KPI detail page", "unit performance page", "city-development indicator page"}
# The city-development base was built in 2562–2563: its goals are those of the edition in force then.
CITY_BASE_FISCAL_YEAR = 2563


def indicator_page_import(*, page, source_name, fiscal_year=None):
    """Store a page of KINDS; the KPI pages need the fiscal year. Returns an ImportOutcome."""
    outcome = ImportOutcome()
    writer = _Writer(outcome, f"import_legacy {source_name}")
    if isinstance(page, CityIndicatorPage):
        _city_import(page, writer)
        return outcome
    if not fiscal_year:
        raise LegacyFormatError(f"a {page.kind} prints no fiscal year: give it with --fy")
    if isinstance(page, KpiDetailPage):
        code = page.indicator.code
        outcome.label = f"indicator {code} (FY {fiscal_year})"
        unit = _indicator_unit(code)
        if unit is None:
            outcome.note(page.indicator.line, f"no unit {code.split('-')[0]}0000: indicator stored without a unit")
        _store_indicator(page, 0, page.indicator, fiscal_year, unit, writer, {})
        return outcome
    unit = OrgUnit.objects.filter(code=page.unit_code).first()
    dimensions = sorted({kpi.dimension[0] for kpi in page.indicators})
    outcome.label = f"unit {page.unit_code} (FY {fiscal_year}), {len(page.indicators)} KPI(s)" + (
        f" of มิติที่ {', '.join(map(str, dimensions))}" if dimensions else ""
    )
    if unit is None:
        outcome.note(
            page.title_line,
            f"no unit {page.unit_code}: its KPIs stored without a unit (a later import, once the unit exists, sets it)",
        )
    cache = {}
    for index, kpi in enumerate(page.indicators):
        _store_indicator(page, index, kpi, fiscal_year, unit, writer, cache)
    return outcome


def _store_indicator(page, index, kpi, fiscal_year, unit, writer, cache):
    """One indicator of a page; `cache` keeps the dimensions and the plan edition of the page."""
    values = dict(kpi.values)
    if kpi.dimension:
        values["dimension"] = _dimension(kpi.dimension, writer, cache)
    if kpi.plan_text:
        values.update(_alignment(kpi, fiscal_year, writer, cache))
    partial = _partial(page, index)
    indicator = (
        Indicator.objects.select_related("dimension", "plan_node")  # compared with the page's
        .filter(code=kpi.code, fiscal_year=fiscal_year)
        .first()
    )
    if indicator is None:
        indicator = writer.create(
            "indicator",
            Indicator,
            {"code": kpi.code, "fiscal_year": fiscal_year, "unit": unit, **values},
            line=kpi.line,
        )
    else:
        if indicator.unit_id is None and unit is not None:
            values["unit"] = unit
        if partial and partial[0] == "name":
            _keep_longer(values, "name", indicator.name, writer, page.stopped.line)
        writer.sync("indicator", indicator, values, line=kpi.line)
    quarters = {quarter: (line, dict(shown)) for quarter, (line, shown) in kpi.quarters.items()}
    if partial and partial[0] == "narrative" and partial[1] in quarters:
        stored = indicator.quarters.filter(quarter=partial[1]).values_list("narrative", flat=True).first()
        _keep_longer(quarters[partial[1]][1], "narrative", stored, writer, page.stopped.line)
    _store_quarters(indicator, quarters, writer)


def _partial(page, index):
    """(field, quarter) of the indicator's text the printout's cut runs through, or None."""
    partial = page.stopped.partial if page.stopped else None
    if partial is None or partial[0] != index:
        return None
    return partial[1], partial[2]


def _keep_longer(values, name, stored, writer, line):
    """A cut-off printout shows the beginning of a text: a stored text that goes on is kept."""
    printed = values.get(name)
    if printed is None or not stored or len(stored) <= len(printed):
        return
    if normalise_thai(stored).startswith(normalise_thai(printed)):
        del values[name]
        writer.outcome.note(line, f"{name}: the cut-off printout shows the beginning of the stored text; kept")


def _dimension(dimension, writer, cache):
    number, printed, line = dimension
    if ("dimension", number) in cache:
        return cache[("dimension", number)]
    stored = EvaluationDimension.objects.filter(number=number).first()
    if stored is None:
        name, name_en = DIMENSIONS[number]
        stored = writer.create(
            "evaluation dimension",
            EvaluationDimension,
            {"number": number, "name": normalise_thai(printed) or name, "name_en": name_en},
            line=line,
            audit=False,
        )
    elif printed and normalise_thai(stored.name) != normalise_thai(printed):
        writer.outcome.note(line, f"มิติที่ {number} is stored as {stored.name!r}, the page says {printed!r}; kept")
    cache[("dimension", number)] = stored
    return stored


def _stored_nodes(plan_lines, fiscal_year, writer, cache):
    """The stored plan nodes of the printed lines, and the lines whose node is not stored."""
    if not plan_lines:
        return [], []
    if ("edition", fiscal_year) not in cache:
        cache[("edition", fiscal_year)] = PlanEdition.for_fiscal_year(fiscal_year) or (
            PlanEdition.objects.filter(first_fiscal_year=DEFAULT_EDITION_FIRST_YEAR).first()
        )
    edition = cache[("edition", fiscal_year)]
    if edition is None:
        return [], list(plan_lines)
    stored = {
        node.code: node
        for node in PlanNode.objects.filter(edition=edition, code__in=[plan_line.code for plan_line in plan_lines])
    }
    found, missing = [], []
    for plan_line in plan_lines:
        node = stored.get(plan_line.code)
        if node is None:
            missing.append(plan_line)
            continue
        # A title printed shorter than the stored one is a line the legacy page cut off.
        if not normalise_thai(node.title).startswith(normalise_thai(plan_line.title)):
            writer.outcome.note(
                plan_line.line,
                f"plan node {node.code} is stored as {node.title!r}, the page says {plan_line.title!r}; linked by its code",
            )
        found.append(node)
    return found, missing


def _alignment(kpi, fiscal_year, writer, cache):
    """The plan node of a unit page's alignment line (the deepest stored), and the line as
    printed unless all of it is stored."""
    found, missing = _stored_nodes(kpi.plan_lines, fiscal_year, writer, cache)
    values = {"plan_alignment_text": kpi.plan_text if missing or not kpi.plan_lines else ""}
    if found:
        values["plan_node"] = max(found, key=lambda node: node.level)
    if missing or not kpi.plan_lines:
        codes = ", ".join(plan_line.code for plan_line in missing) or "none read"
        writer.outcome.note(
            kpi.plan_line, f"indicator {kpi.code}: plan node(s) {codes} not stored; the line is kept as text"
        )
    return values


def _city_import(page, writer):
    values = dict(page.values)
    number = values.pop("number")
    writer.outcome.label = f"city indicator {number}"
    found, missing = _stored_nodes(page.plan_lines, CITY_BASE_FISCAL_YEAR, writer, {})
    if page.alignment_lines:
        unread = {line.number for line in page.plan_unread} | {plan_line.line for plan_line in missing}
        values["plan_alignment_text"] = "\n".join(
            line.raw.strip() for line in page.alignment_lines if line.number in unread
        )
    if missing:
        writer.outcome.note(
            missing[0].line,
            f"plan node(s) {', '.join(p.code for p in missing)} not stored; their lines are kept as text",
        )
    city = CityIndicator.objects.filter(number=number).first()
    if city is None:
        city = writer.create("city indicator", CityIndicator, {"number": number, **values}, line=page.line)
    else:
        if page.stopped:
            _keep_what_the_cut_hides(page, values, city, writer)
        writer.sync("city indicator", city, values, line=page.line)
    linked = set(city.plan_nodes.values_list("pk", flat=True))
    new = [node for node in found if node.pk not in linked]
    if new:
        city.plan_nodes.add(*new)
        writer.outcome.created["plan node link"] += len(new)
    extra = linked - {node.pk for node in found}
    if extra:
        writer.outcome.note(None, f"{len(extra)} plan node link(s) not on the page kept")


def _keep_what_the_cut_hides(page, values, city, writer):
    partial = page.stopped.partial
    if partial and partial[1] == "definitions":
        _keep_longer(values, "definitions", city.definitions, writer, page.stopped.line)
    if "sections" not in values:
        return
    sections = [dict(section) for section in values["sections"]]
    stored = {section.get("number"): section for section in city.sections}
    if partial and partial[1] == "section" and sections:
        cut = sections[partial[2]]
        text = {"text": cut["text"]}
        _keep_longer(text, "text", stored.get(cut["number"], {}).get("text"), writer, page.stopped.line)
        if "text" not in text:
            cut["text"] = stored[cut["number"]]["text"]
    printed = {section["number"] for section in sections}
    sections += [section for number, section in stored.items() if number not in printed]
    values["sections"] = sections
