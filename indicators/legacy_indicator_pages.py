"""Reading the legacy pages about indicators (DOMAIN.md, "Pages beyond the seeds") into plain
dataclasses; no database here. indicators.legacy.parse() hands these pages over by their title:

- the KPI detail page (mykpi.php, "รายละเอียดตัวชี้วัด"): one indicator, its code printed;
- the unit annual performance page (index101–104.php, "ผลการปฏิบัติราชการประจำปีของหน่วยงาน :
  UNITCODE"): a unit's performance-agreement KPIs of one evaluation dimension, no codes printed;
- the city-development indicator page (mykpi2563.php, "โครงการจัดทำฐานข้อมูลตัวชี้วัดการพัฒนาเมือง
  (2562-2563)"): one indicator of the 2562–2563 base, its numeric id printed.

Neither KPI page prints a fiscal year: the importer is told it. The unit page's KPIs get the code
UNITCODE-D<dimension>-<number inside the dimension>, e.g. 50120000-D1-1.3 (see agreement_code).

As in indicators.legacy, every line is read into a field, consumed as page furniture or returned
in `unplaced`; values the database would refuse raise LegacyFormatError with their line. A page
that ends before its last part (a printout cut off mid-sentence) is read as far as it goes and
`stopped` says where it ends and what is missing; only a page cut before its key (the name and
code, the unit code, the id) is refused.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bma_tracker.text import is_placeholder, normalise_thai, to_arabic_digits
from indicators.legacy import _IND_TYPES, LegacyFormatError, Line, PlanLine, _rx, parse_plan_line

KPI_DETAIL_TITLE = "รายละเอียดตัวชี้วัด"
UNIT_PERFORMANCE_TITLE = re.compile(r"^ผลการปฏิบัติราชการประจำปี\s*:?\s*ของหน่วยงาน\s*:?\s*(.*)$")
CITY_TITLE = re.compile(r"^โครงการจัดทำฐานข้อมูลตัวชี้วัดการพัฒนาเมือง")

# The four dimensions of the performance agreement as DOMAIN.md names them (the index101–104
# pages print the name after the number); used when a page's dimension is not stored yet.
DIMENSIONS = {
    1: ("ด้านประสิทธิผลตามพันธกิจ", "Effectiveness"),
    2: ("ด้านประสิทธิภาพของการปฏิบัติราชการ", "Efficiency"),
    3: ("ด้านคุณภาพการปฏิบัติราชการ", "Quality of service"),
    4: ("ด้านการพัฒนาองค์การ", "Organisational development"),
}

CODE_MAX_LENGTH = 20  # Indicator.code


@dataclass
class Stop:
    """Where a printout that ends before its last part stops. `partial` names the text value the
    cut runs through when the last line has no line end: (indicator index or None, field, quarter
    or section index or None)."""

    line: int
    text: str
    partial: tuple | None = None


@dataclass
class PageIndicator:
    """An indicator as a KPI page or a unit page shows it. `values` holds only the Indicator
    fields the page shows; `quarters` maps a quarter to (line, the IndicatorQuarter fields shown)."""

    line: int
    code: str
    values: dict = field(default_factory=dict)
    quarters: dict = field(default_factory=dict)
    narrative_lines: dict = field(default_factory=dict)  # quarter -> line of its "รายงานผลฯ" heading
    dimension: tuple | None = None  # (number, name as printed, line)
    plan_lines: list[PlanLine] = field(default_factory=list)
    plan_text: str = ""  # the alignment line as printed
    plan_line: int | None = None


@dataclass
class KpiDetailPage:
    indicator: PageIndicator
    unplaced: list[Line] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    stopped: Stop | None = None

    kind = "KPI detail page"
    needs_fiscal_year = True

    def check_lengths(self, max_text_chars, max_narrative_chars):
        _check_indicator_lengths(self.indicator, max_text_chars, max_narrative_chars)


@dataclass
class UnitPerformancePage:
    unit_code: str
    title_line: int
    indicators: list[PageIndicator] = field(default_factory=list)
    unplaced: list[Line] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    stopped: Stop | None = None

    kind = "unit performance page"
    needs_fiscal_year = True

    def check_lengths(self, max_text_chars, max_narrative_chars):
        for indicator in self.indicators:
            _check_indicator_lengths(indicator, max_text_chars, max_narrative_chars)


@dataclass
class CityIndicatorPage:
    line: int
    values: dict = field(default_factory=dict)
    plan_lines: list[PlanLine] = field(default_factory=list)
    # The alignment lines as printed (with their ":" and stray "%"), and those that are no plan line.
    alignment_lines: list[Line] = field(default_factory=list)
    plan_unread: list[Line] = field(default_factory=list)
    unplaced: list[Line] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    stopped: Stop | None = None

    kind = "city-development indicator page"
    needs_fiscal_year = False

    def check_lengths(self, max_text_chars, max_narrative_chars):
        texts = [("definitions", self.values.get("definitions", ""))]
        texts += [(f"section {s['number']}", s["text"]) for s in self.values.get("sections", [])]
        for name, text in texts:
            if max_text_chars and len(text) > max_text_chars:
                raise LegacyFormatError(f"{name} is longer than {max_text_chars} characters")


def _check_indicator_lengths(indicator, max_text_chars, max_narrative_chars):
    for quarter, (_line, values) in indicator.quarters.items():
        narrative = values.get("narrative", "")
        if max_narrative_chars and len(narrative) > max_narrative_chars:
            raise LegacyFormatError(
                f"indicator {indicator.code}: the narrative of quarter {quarter} is longer than "
                f"{max_narrative_chars} characters",
                indicator.narrative_lines.get(quarter),
            )
    for name, value in indicator.values.items():
        if isinstance(value, str) and max_text_chars and len(value) > max_text_chars:
            raise LegacyFormatError(f"indicator {indicator.code}: {name} is longer than {max_text_chars} characters")


# ---------------------------------------------------------------------------------------------
# Values

_NUMBER = re.compile(r"^[+-]?[0-9๐-๙][0-9๐-๙,]*(?:\.[0-9๐-๙]+)?$")
_LEADING_NUMBER = re.compile(r"^([+-]?[0-9๐-๙][0-9๐-๙,]*(?:\.[0-9๐-๙]+)?)(?:\s+(.*))?$")
_BASE_YEAR = re.compile(r"(?:พ\.\s*ศ\.|ปี)\s*([0-9๐-๙]{4})")
TWO_PLACES = Decimal("0.01")


def number(text, line, what, *, low=None, high=None):
    """A number as the legacy pages print it ('80.0000', '1,234.50', '๕'), stored with two
    decimals; more decimals that are not zero, or a value out of range, are refused."""
    text = text.strip()
    if not _NUMBER.match(text):
        raise LegacyFormatError(f"{what} {text!r} is not a number", line)
    try:
        value = Decimal(to_arabic_digits(text).replace(",", ""))
    except InvalidOperation:
        raise LegacyFormatError(f"{what} {text!r} is not a number", line) from None
    if value != value.quantize(TWO_PLACES) or abs(value) >= 10**12:
        raise LegacyFormatError(f"{what} {text!r} has more than 2 decimals that are not zero", line)
    value = value.quantize(TWO_PLACES)
    if (low is not None and value < low) or (high is not None and value > high):
        raise LegacyFormatError(f"{what} {value} is outside {low}–{high}", line)
    return value


def optional_number(text, line, what, **limits):
    """None for an empty cell or a '-' placeholder."""
    return None if is_placeholder(text) else number(text, line, what, **limits)


def lower_is_better(measure):
    """'ร้อยละ (ลดลง)', 'ลดลงร้อยละ': a reduction is the goal."""
    return "ลดลง" in normalise_thai(measure)


def read_target(text, line, warnings):
    """(target, target_text, base_year) from a target as printed: '80.0000' -> (80.00, '', None);
    '20 ของประชาชนที่ทำการสำรวจ' -> (20.00, the text, None); '5 จากปีที่ผ่านมา พ.ศ. 2563' ->
    (5.00, the text, 2563). A bare number is kept in target alone; anything more keeps the text."""
    text = text.strip()
    if is_placeholder(text):
        return None, "", None
    match = _LEADING_NUMBER.match(text)
    if match and not match.group(2):
        return number(text, line, "target"), "", None
    target = number(match.group(1), line, "target") if match else None
    if target is None:
        warnings.append((line, f"the target {text!r} does not start with a number: kept as text only"))
    base_year = None
    if year := _BASE_YEAR.search(text):
        base_year = int(to_arabic_digits(year.group(1)))
        if not 2400 <= base_year <= 2700:
            warnings.append((line, f"the target's year {base_year} is not a Buddhist-era year: no base year"))
            base_year = None
    return target, text, base_year


def agreement_code(unit_code, dimension, agreement_number):
    """The code of a KPI of a unit performance page, which prints none: the unit, the dimension
    and the KPI's number inside it (50120000-D1-1.3), the same at every import of the page."""
    return f"{unit_code}-D{dimension}-{to_arabic_digits(agreement_number)}"


# ---------------------------------------------------------------------------------------------
# The quarter table and the narratives (KPI detail page and unit page alike)

_TABLE_HEADING = "ผลงานเทียบกับเป้าหมายรายไตรมาส"
_TABLE_HEADER = {"ไตรมาสที่", "(1 - 4)", "*ผลงาน*", "*ผลประเมินตัวชี้วัด*", "(* 2.1 / 2.2 *)"}
_TABLE_MEASURE = re.compile(r"^\((.*)\)$")
_TABLE_QUARTER = re.compile(r"^[1-4]$")
_TABLE_SCORES = re.compile(r"^(\S*)\s*/\s*(\S*)$")
_NARRATIVE_HEADING = re.compile(r"^รายงานผลฯ?\s*ไตรมาสที่\s*([1-4๑-๔])\s*:?\s*(.*)$")
_HEADER_FURNITURE = {"Back Home", "Home Home SED", "Home", "Back", "FusionCharts will render here"}


class _Reader:
    """Walks a page's lines (blank ones included: a quarter row prints an empty audit cell as an
    empty line) and remembers where it is, for a page that stops early."""

    def __init__(self, lines, page):
        self.lines = lines
        self.page = page
        self.i = 0
        self.where = "the title"
        self.text_target = None  # the `partial` of a Stop ending in the current text
        self.last_line = None
        # The last line of a page without a line end is cut off: a text it continues is kept (as
        # far as it goes), a value on it (a number, a code, a measure) is not read at all.
        self.cut = lines[-1] if lines and lines[-1].raw.strip() else None
        self.dropped = None

    def peek(self):
        return self.lines[self.i] if self.i < len(self.lines) else None

    def take(self):
        line = self.lines[self.i]
        self.i += 1
        if line.text:
            self.last_line = line
        return line

    def at_end(self):
        return self.i >= len(self.lines)

    def ends_mid_line(self):
        # split_lines() gives an empty last line when the text ends with a line end.
        return self.cut is not None

    def drop_if_cut(self, line):
        """True (and remembered) for the cut-off last line, where no value is read."""
        if self.cut is not None and line is self.cut:
            self.dropped = line
            return True
        return False


def _read_results(reader, indicator, index, *, is_boundary):
    """The quarter table and the narratives, up to a line for which is_boundary() is true.
    Returns the set of parts read (for telling what a cut-off page lacks)."""
    page = reader.page
    seen = set()
    narrative = None  # the quarter whose narrative is being read
    measure = indicator.values.get("measure")
    while not reader.at_end():
        line = reader.peek()
        if line.text and is_boundary(line):
            break
        reader.take()
        text = line.text
        if not text:
            continue
        if match := _NARRATIVE_HEADING.match(text):
            narrative = int(to_arabic_digits(match.group(1)))
            if f"narrative {narrative}" in seen:
                raise LegacyFormatError(
                    f"indicator {indicator.code}: the narrative of quarter {narrative} appears twice", line.number
                )
            seen.add(f"narrative {narrative}")
            indicator.narrative_lines[narrative] = line.number
            _quarter(indicator, narrative, line.number)["narrative"] = match.group(2).strip()
            reader.where = f"{_name_of(indicator)}: the narrative of quarter {narrative}"
            reader.text_target = (index, "narrative", narrative)
            continue
        if narrative is not None:
            values = _quarter(indicator, narrative, line.number)
            values["narrative"] = f"{values['narrative']}\n{text}" if values["narrative"] else text
            continue
        if normalise_thai(text) == _TABLE_HEADING:
            seen.add("table")
            reader.where = f"{_name_of(indicator)}: the quarter table"
            continue
        if text in _TABLE_HEADER:
            continue
        if (
            (match := _TABLE_MEASURE.match(text))
            and "table" in seen
            and not any(part.startswith("quarter") for part in seen)
        ):
            if measure is not None and match.group(1) != measure:
                page.warnings.append(
                    (
                        line.number,
                        f"indicator {indicator.code}: the table counts in {match.group(1)}, the target in {measure}",
                    )
                )
            continue
        if _TABLE_QUARTER.match(text) and "table" in seen and not reader.drop_if_cut(line):
            quarter = int(text)
            if f"quarter {quarter}" in seen:
                raise LegacyFormatError(f"indicator {indicator.code}: quarter {quarter} appears twice", line.number)
            seen.add(f"quarter {quarter}")
            reader.where = f"{_name_of(indicator)}: the quarter table, quarter {quarter}"
            reader.text_target = None
            _read_row(reader, indicator, quarter, line)
            continue
        page.unplaced.append(line)
    return seen


def _read_row(reader, indicator, quarter, quarter_line):
    """quarter / result / audit score (an empty line, or no line at all) / 'score 2.1 / score 2.2'.
    A row the page cuts off keeps the cells it shows."""
    what = f"indicator {indicator.code} quarter {quarter}"
    cells = []
    while len(cells) < 3 and not reader.at_end():
        cell = reader.peek()
        if cell.text and (_NARRATIVE_HEADING.match(cell.text) or (len(cells) == 0 and _TABLE_SCORES.match(cell.text))):
            break
        if reader.drop_if_cut(cell):
            reader.take()
            break
        cells.append(reader.take())
        if _TABLE_SCORES.match(cell.text) and len(cells) >= 2:
            break
    scores_line = cells[-1] if len(cells) >= 2 and _TABLE_SCORES.match(cells[-1].text) else None
    if scores_line is None and not reader.at_end():
        raise LegacyFormatError(f"{what}: no 'score 2.1 / score 2.2' line in the row", quarter_line.number)
    if not cells or (scores_line is None and not cells[0].text):
        return  # the page stops before the row's first cell; the Stop says so
    values = _quarter(indicator, quarter, quarter_line.number)
    values["result"] = optional_number(cells[0].text, cells[0].number, f"{what} result")
    if scores_line is None:
        return  # the page stops inside the row: the cells it shows are kept
    if len(cells) == 3:  # result, audit score (perhaps an empty line), scores
        audit = cells[1]
        values["audit_score"] = optional_number(audit.text, audit.number, f"{what} audit score", low=0, high=100)
    scores = _TABLE_SCORES.match(scores_line.text)
    values["score_1"] = optional_number(scores.group(1), scores_line.number, f"{what} score 2.1", low=0, high=100)
    values["score_2"] = optional_number(scores.group(2), scores_line.number, f"{what} score 2.2", low=0, high=100)


def _quarter(indicator, quarter, line):
    """The fields read so far of one quarter of an indicator (the line of its first mention)."""
    if quarter not in indicator.quarters:
        indicator.quarters[quarter] = (line, {})
    return indicator.quarters[quarter][1]


def _name_of(indicator):
    return f"indicator {indicator.code}"


_KPI_PARTS = ["measure", "target", "achieved", "table"]
_KPI_PARTS += [f"quarter {q}" for q in range(1, 5)] + [f"narrative {q}" for q in range(1, 5)]


def _stop(reader, missing):
    """The Stop of a page whose last line has no line end, or that lacks the parts in `missing`."""
    cut = reader.ends_mid_line()
    if not cut and not missing:
        return None
    last = reader.last_line
    where = f"in {reader.where}" + (", mid-line (the last line has no line end)" if cut else "")
    if reader.dropped is not None:
        where += "; the value on that line, cut off, is not read"
    lacking = f"; not on the page: {', '.join(missing)}" if missing else ""
    partial = reader.text_target if cut and reader.dropped is None else None
    return Stop(last.number, f"the printout stops here, {where}{lacking}; imported what it holds", partial)


# ---------------------------------------------------------------------------------------------
# KPI detail page (mykpi.php)

_KPI_NAME = re.compile(r"^(?:([0-9๐-๙]{1,3}\.)(?![0-9๐-๙])\s*)?(.*\S)\s*:\s*([0-9]{4}-[0-9]{1,10})$")
_KPI_TARGET = re.compile(r"^ค่าเป้าหมาย\s*(.*?)\s*:\s*(.*)$")
_KPI_ACHIEVED = _rx(r"^ผลงานที่ทำได้\s*(.*?)\s*:\s*(.*)$")
_KPI_TYPE = re.compile(r"^ประเภทตัวชี้วัด\s*:\s*(.*)$")
_KPI_LEVEL = re.compile(r"^\(?\s*ตัวชี้วัดระดับ\s*(ผลผลิต|ผลลัพธ์)")
_KPI_COUNTER = re.compile(r"^-?[0-9]{1,9}$")
_KPI_REPORT_LINK = "รายละเอียดตัวชี้วัดฯ : พิมพ์ข้อมูล"
_KPI_AUDIT = re.compile(r"^\*\*\*\s*สยป\.\s*ตรวจประเมินตัวชี้วัด\s*:?\s*(.*)$")
_KPI_AUDIT_ITEM = re.compile(r"^ไตรมาสที่\s*([1-4])\s*:?\s*(\S+)$")


def parse_kpi_detail(lines):
    page = KpiDetailPage(indicator=None)
    reader = _Reader(lines, page)
    while not reader.peek().text:
        reader.take()
    reader.take()  # the title, checked by legacy.parse()
    indicator = None
    values = {}
    audit = None
    while not reader.at_end():
        line = reader.peek()
        text = line.text
        if (
            text
            and indicator is not None
            and (normalise_thai(text) == _TABLE_HEADING or _NARRATIVE_HEADING.match(text))
        ):
            break
        reader.take()
        if not text or text in _HEADER_FURNITURE or normalise_thai(text) == _KPI_REPORT_LINK:
            continue
        if reader.drop_if_cut(line):
            continue
        if indicator is None:
            if match := _KPI_NAME.match(text):
                ordinal, name, code = match.groups()
                indicator = PageIndicator(line.number, code, values)
                values.update(name=name, ordinal_display=ordinal or "")
                reader.where = f"indicator {code}: the header"
            else:
                page.unplaced.append(line)
            continue
        if (match := _KPI_TARGET.match(text)) and "target" not in values:
            measure = match.group(1)
            values.update(measure=measure, lower_is_better=lower_is_better(measure))
            values["target"], values["target_text"], values["base_year"] = read_target(
                match.group(2), line.number, page.warnings
            )
        elif (match := _KPI_ACHIEVED.match(text)) and "achieved" not in values:
            if match.group(1) != values.get("measure", match.group(1)):
                page.warnings.append(
                    (
                        line.number,
                        f"indicator {indicator.code}: achieved in {match.group(1)}, target in {values['measure']}",
                    )
                )
            values["achieved"] = optional_number(match.group(2), line.number, "achieved value")
        elif (match := _KPI_TYPE.match(text)) and "type" not in values:
            printed = match.group(1).strip()
            kind = _IND_TYPES.get(normalise_thai(printed), "")
            if printed and not kind:
                page.warnings.append((line.number, f"indicator {indicator.code}: unknown type {printed!r}; not set"))
            values["type"] = kind
        elif (match := _KPI_LEVEL.match(text)) and "level" not in values:
            values["level"] = "output" if match.group(1) == "ผลผลิต" else "outcome"
        elif _KPI_COUNTER.match(text) and "legacy_counter" not in values:
            values["legacy_counter"] = int(text)
        elif (match := _KPI_AUDIT.match(text)) and audit is None:
            rest = match.group(1).strip()
            item = _KPI_AUDIT_ITEM.match(rest)
            if rest and not item:
                raise LegacyFormatError(f"the audit line {text!r} names no 'ไตรมาสที่ N: score'", line.number)
            audit = (
                (int(item.group(1)), number(item.group(2), line.number, "audit score", low=0, high=100), line.number)
                if item
                else ()
            )
        else:
            page.unplaced.append(line)
    if indicator is None:
        raise LegacyFormatError(
            "truncated header: no 'NAME : CODE' line with the indicator's name and code (e.g. '… : 5012-0456')"
        )
    page.indicator = indicator
    seen = {part for part in ("measure", "target", "achieved") if part in values}
    seen |= _read_results(reader, indicator, 0, is_boundary=lambda line: False)
    if audit:
        _apply_audit_line(page, indicator, *audit)
    page.stopped = _stop(reader, [part for part in _KPI_PARTS if part not in seen])
    return page


def _apply_audit_line(page, indicator, quarter, score, line):
    """The planning office's audit of the latest quarter: that quarter's audit score, unless the
    table prints another one there (kept, and said)."""
    values = _quarter(indicator, quarter, line)
    shown = values.get("audit_score")
    if shown is None:
        values["audit_score"] = score
    elif shown != score:
        page.warnings.append(
            (line, f"the audit line says {score} for quarter {quarter}, the table {shown}; the table's kept")
        )


# ---------------------------------------------------------------------------------------------
# Unit annual performance page (index101–104.php)

_UNIT_CODE = re.compile(r"^([0-9]{8})$")
_DIMENSION_HEADING = re.compile(r"^มิติที่\s*([0-9๐-๙])(?![.0-9๐-๙])\s*(.*)$")
_AGREEMENT_KPI = re.compile(r"^\(([0-9]{1,3})\)\s*([0-9๐-๙]{1,2}(?:\.[0-9๐-๙]{1,2}){0,2})\s+(\S.*)$")
_CATEGORY_TAG = re.compile(r"^\[\s*มิติที่\s*([0-9๐-๙])\s*:\s*(.*?)\s*\]$")
_ALIGNMENT = re.compile(r"^(?:ด้านที่|มิติที่|เป้าหมายที่)\s*[0-9๐-๙]")
_ALIGNMENT_PART = re.compile(r"(ด้านที่|มิติที่|เป้าหมายที่)\s*(?=[0-9๐-๙])")
_ALIGNMENT_LEVELS = {"ด้านที่": 1, "มิติที่": 2, "เป้าหมายที่": 3}
_UNIT_MEASURE = re.compile(r"^หน่วยนับ\s*:\s*(.*)$")
_UNIT_TARGET = re.compile(r"^เป้าหมาย\s*:\s*(.*)$")
_UNIT_RESULT = re.compile(r"^ผลงาน\s*:\s*(.*)$")
_SUB_TARGET = re.compile(r"^[-–•]\s*\S")


def parse_unit_performance(lines):
    first = next(line for line in lines if line.text)
    code = UNIT_PERFORMANCE_TITLE.match(normalise_thai(first.text)).group(1).strip()
    if not _UNIT_CODE.match(code):
        raise LegacyFormatError(
            f"the title line names no 8-digit unit code (expected 'ผลการปฏิบัติราชการประจำปีของหน่วยงาน : 50120000'), "
            f"it ends in {code!r}",
            first.number,
        )
    page = UnitPerformancePage(unit_code=code, title_line=first.number)
    reader = _Reader(lines, page)
    while reader.peek() is not first:
        reader.take()
    reader.take()
    dimension = None
    seen = set()

    def is_boundary(line):
        return _next_kpi(line, page) is not None or _DIMENSION_HEADING.match(line.text) is not None

    while not reader.at_end():
        line = reader.take()
        text = line.text
        if not text or text in _HEADER_FURNITURE:
            continue
        if match := _DIMENSION_HEADING.match(text):
            number_ = int(to_arabic_digits(match.group(1)))
            if number_ not in DIMENSIONS:
                raise LegacyFormatError(f"evaluation dimension {number_} is not 1–4", line.number)
            dimension = (number_, match.group(2).strip(), line.number)
            reader.where = f"the heading of มิติที่ {number_}"
            continue
        if match := _next_kpi(line, page):
            if dimension is None:
                raise LegacyFormatError("a KPI before any 'มิติที่ N …' heading: its dimension is unknown", line.number)
            indicator = _read_agreement_kpi(reader, page, line, match, dimension)
            seen = _read_results(reader, indicator, len(page.indicators) - 1, is_boundary=is_boundary)
            seen |= {part for part in ("measure", "target", "achieved") if part in indicator.values}
            continue
        page.unplaced.append(line)
    if not page.indicators:
        page.stopped = _stop(reader, ["its KPIs"])
        return page
    page.stopped = _stop(reader, [part for part in _KPI_PARTS if part not in seen])
    return page


def _next_kpi(line, page):
    """The '(n) 1.3 NAME' line of the page's next KPI (n counts on from the last one)."""
    match = _AGREEMENT_KPI.match(line.text)
    return match if match and int(match.group(1)) == len(page.indicators) + 1 else None


def _read_agreement_kpi(reader, page, header, match, dimension):
    """From '(n) 1.3 NAME' to the quarter table: the name (with its '- ' sub-target lines), the
    category tag, the plan alignment, the name again, measure, target and result."""
    ordinal, agreement_number, first_name = match.groups()
    code = agreement_code(page.unit_code, dimension[0], agreement_number)
    if len(code) > CODE_MAX_LENGTH:
        raise LegacyFormatError(f"KPI number {agreement_number!r} is too long for a code ({code})", header.number)
    values = {
        "ordinal_display": f"({ordinal})",
        "agreement_number": agreement_number,
        "type": "negotiated",  # every KPI of the agreement page is a ตัวชี้วัดตามคำรับรอง
    }
    indicator = PageIndicator(header.number, code, values, dimension=dimension)
    page.indicators.append(indicator)
    index = len(page.indicators) - 1
    if to_arabic_digits(agreement_number).split(".")[0] != str(dimension[0]):
        page.warnings.append((header.number, f"KPI {agreement_number} is listed under มิติที่ {dimension[0]}"))
    name = [first_name]
    repeat = None
    state = "name"
    reader.where = f"indicator {code}: the name"
    reader.text_target = (index, "name", None)
    while not reader.at_end():
        line = reader.peek()
        text = line.text
        if text and (normalise_thai(text) == _TABLE_HEADING or _NARRATIVE_HEADING.match(text)):
            break
        if text and (_next_kpi(line, page) or _DIMENSION_HEADING.match(text)):
            break
        reader.take()
        if not text:
            continue
        if state == "name" and (tag := _CATEGORY_TAG.match(text)):
            if int(to_arabic_digits(tag.group(1))) != dimension[0]:
                page.warnings.append(
                    (line.number, f"indicator {code}: the tag says มิติที่ {tag.group(1)}, the page มิติที่ {dimension[0]}")
                )
            values["category_tag"] = tag.group(2)
            state = "tag"
            reader.where, reader.text_target = f"indicator {code}: the plan alignment", None
            continue
        if state in ("name", "tag") and re.match(rf"^{re.escape(agreement_number)}\s+\S", text):
            repeat = [text[len(agreement_number) :].strip()]
            state = "repeat"
            reader.where, reader.text_target = f"indicator {code}: the name repeated", None
            continue
        if state in ("name", "tag") and _ALIGNMENT.match(text) and not indicator.plan_text:
            indicator.plan_text, indicator.plan_line = line.text, line.number
            indicator.plan_lines = _alignment_parts(page, line)
            state = "tag"
            reader.where, reader.text_target = f"indicator {code}: the plan alignment", None
            continue
        if state == "name" and (_SUB_TARGET.match(text) or not _field_line(text)):
            if not (reader.drop_if_cut(line) and not _SUB_TARGET.match(text)):
                name.append(text)
            continue
        if reader.drop_if_cut(line):
            continue
        if state == "repeat" and _SUB_TARGET.match(text):
            repeat.append(text)
            continue
        if (field_match := _UNIT_MEASURE.match(text)) and "measure" not in values:
            measure = field_match.group(1).strip()
            values.update(measure=measure, lower_is_better=lower_is_better(measure))
        elif (field_match := _UNIT_TARGET.match(text)) and "target" not in values:
            values["target"], values["target_text"], values["base_year"] = read_target(
                field_match.group(1), line.number, page.warnings
            )
        elif (field_match := _UNIT_RESULT.match(text)) and "achieved" not in values:
            values["achieved"] = optional_number(field_match.group(1), line.number, f"indicator {code} result")
        else:
            page.unplaced.append(line)
            continue
        state = "fields"
        reader.where, reader.text_target = f"indicator {code}: the measure, target and result", None
    values["name"] = "\n".join(name)
    if "category_tag" not in values:
        page.warnings.append((header.number, f"indicator {code}: no '[มิติที่ N : …]' category tag"))
    if repeat is not None and normalise_thai("\n".join(repeat)) != normalise_thai(values["name"]):
        page.warnings.append(
            (header.number, f"indicator {code}: the name printed again differs from the first; the first is kept")
        )
    return indicator


def _field_line(text):
    return any(rx.match(text) for rx in (_UNIT_MEASURE, _UNIT_TARGET, _UNIT_RESULT, _CATEGORY_TAG, _ALIGNMENT))


def _alignment_parts(page, line):
    """'มิติที่ ๗.๔ - … เป้าหมายที่ ๗.๔.๑ …' (one line, perhaps cut off) as its plan lines."""
    parts = []
    pieces = _ALIGNMENT_PART.split(line.text)
    # split() with a group: ['', 'มิติที่', '๗.๔ - …', 'เป้าหมายที่', '๗.๔.๑ …']
    for keyword, rest in zip(pieces[1::2], pieces[2::2], strict=True):
        text = f"ด้านที่ {rest}" if keyword == "ด้านที่" else rest
        plan_line = parse_plan_line(text.strip(), line.number)
        if plan_line is None or plan_line.level != _ALIGNMENT_LEVELS[keyword]:
            page.warnings.append((line.number, f"'{keyword} {rest.strip()[:40]}' is not a plan code of that level"))
            continue
        parts.append(plan_line)
    return parts


# ---------------------------------------------------------------------------------------------
# City-development indicator page (mykpi2563.php)

_CITY_NAME = re.compile(r"^(?:([0-9๐-๙]{1,3}\.)(?![0-9๐-๙])\s*)?(.*\S)\s*:\s*([0-9๐-๙]{1,9})$")
_CITY_TARGET = re.compile(r"^ค่าเป้าหมาย\s*(.*?)\s*:\s*(.*)$")
_CITY_CHARACTERISTIC = re.compile(r"^ลักษณะข้อมูล\s*:\s*(.*)$")
_CITY_ALIGNMENT_HEADING = "สนับสนุนยุทธศาสตร์กรุงเทพมหานครฯ"
_CITY_SECTION = re.compile(r"^([0-9๐-๙]{1,2})\.(?![0-9๐-๙])\s*(\S.*)$")
_CITY_ALIGNMENT_KEYWORD = re.compile(r"^(มิติที่|เป้าหมายที่)\s*")


def parse_city_indicator(lines):
    page = CityIndicatorPage(line=0)
    reader = _Reader(lines, page)
    while not reader.peek().text:
        reader.take()
    reader.take()
    values = page.values
    state = "header"
    sections = []  # [number, title, [text lines], line]
    seen = set()
    while not reader.at_end():
        line = reader.take()
        text = line.text
        if not text or text in _HEADER_FURNITURE:
            continue
        if state == "header" and reader.drop_if_cut(line):
            continue
        if "name" not in values:
            if match := _CITY_NAME.match(text):
                ordinal, name, number_ = match.groups()
                page.line = line.number
                values.update(number=int(to_arabic_digits(number_)), ordinal_display=ordinal or "", name=name)
                reader.where = f"city indicator {values['number']}: the header"
            else:
                page.unplaced.append(line)
            continue
        section = _CITY_SECTION.match(text)
        if section and int(to_arabic_digits(section.group(1))) == len(sections) + 1:
            title, _sep, first = section.group(2).partition(" : ")
            sections.append([section.group(1), title.strip(), [first.strip()] if first.strip() else [], line.number])
            state = "sections"
            seen.add("sections")
            reader.where = f"city indicator {values['number']}: section {section.group(1)} ({title.strip()})"
            reader.text_target = (None, "section", len(sections) - 1)
            continue
        if state == "sections":
            sections[-1][2].append(text)
            continue
        if state == "alignment" and text.startswith(":"):
            _city_plan_line(page, line)
            continue
        if normalise_thai(text) == _CITY_ALIGNMENT_HEADING and "alignment" not in seen:
            state = "alignment"
            seen.add("alignment")
            reader.where = f"city indicator {values['number']}: the plan alignment"
            continue
        if (match := _CITY_TARGET.match(text)) and "measure" not in values:
            measure = match.group(1)
            values.update(measure=measure, lower_is_better=lower_is_better(measure))
            values["target"], values["target_text"], values["base_year"] = read_target(
                match.group(2), line.number, page.warnings
            )
            continue
        if (match := _CITY_CHARACTERISTIC.match(text)) and "data_characteristic" not in values:
            values["data_characteristic"] = match.group(1).strip()
            continue
        page.unplaced.append(line)
    if "name" not in values:
        raise LegacyFormatError("truncated header: no 'NAME : ID' line with the indicator's name and numeric id")
    offset = 0
    if sections and normalise_thai(sections[0][1]).startswith("นิยาม"):
        values["definitions"] = "\n".join(sections[0][2])
        sections, offset = sections[1:], 1
    if "sections" in seen:  # a page cut off before them shows none: it says nothing about them
        values["sections"] = [{"number": n, "title": t, "text": "\n".join(text)} for n, t, text, _ in sections]
    missing = [] if "sections" in seen else ["the definitions and the numbered sections"]
    page.stopped = _stop(reader, missing)
    if page.stopped and page.stopped.partial:
        index = page.stopped.partial[2] - offset
        page.stopped.partial = (None, "definitions", None) if index < 0 else (None, "section", index)
    return page


def _city_plan_line(page, line):
    page.alignment_lines.append(line)
    text = line.text[1:].strip()
    keyword = _CITY_ALIGNMENT_KEYWORD.match(text)
    plan_line = parse_plan_line(text[keyword.end() :] if keyword else text, line.number)
    expected = {"มิติที่": 2, "เป้าหมายที่": 3}.get(keyword.group(1)) if keyword else None
    if plan_line is None or (expected and plan_line.level != expected):
        page.plan_unread.append(line)
        page.warnings.append((line.number, f"{text[:60]!r} is not a plan line: kept as text"))
    else:
        page.plan_lines.append(plan_line)
