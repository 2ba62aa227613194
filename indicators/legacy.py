"""Reading printouts of the legacy system (DOMAIN.md) into plain dataclasses; no database here.

Two page types: a project progress page (seeds 000, 003) and an indicator report (seed 002).
Every line is accounted for: read into a field, consumed as known page furniture, or returned
in `unplaced` for the importer to show. Oddities that do not stop an import (a Thai date that
disagrees with the ISO date) go to `warnings`. Values the database would refuse (a percent of
150, an impossible date, an incomplete plan step) raise LegacyFormatError with the line number.

Values are kept as printed (decomposed SARA AM, `-` placeholders, stray `%` in the raw block);
labels are matched on a normalised spelling so a decomposed ำ in a label still reads.
"""

import codecs
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from bma_tracker import thaidate
from bma_tracker.text import is_placeholder, normalise_thai, to_arabic_digits

MAX_BYTES = 5 * 1024 * 1024

PROJECT_PAGE_TITLE = "ความคืบหน้าโครงการ/กิจกรรม"


class LegacyFormatError(ValueError):
    """A printout this module cannot read, or a value the database would refuse."""

    def __init__(self, message, line=None):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class Line:
    number: int
    raw: str  # as printed, without the line ending
    text: str  # stripped, for matching


@dataclass
class PlanLine:
    line: int
    level: int
    code: str  # Arabic digits: 3.2.2
    code_display: str  # as printed: ๓.๒.๒
    title: str
    title_en: str = ""


@dataclass
class Evaluation:
    line: int
    quarter: int
    score: Decimal


@dataclass
class Report:
    line: int
    number: int
    percent: Decimal
    report_date: date
    narrative: str = ""
    problems: str = ""
    obstacles: str = ""


@dataclass
class Step:
    line: int
    number: int
    name: str | None = None
    weight: Decimal | None = None
    start: date | None = None
    end: date | None = None


@dataclass
class QuarterRow:
    line: int
    quarter: int
    result: Decimal | None
    audit_score: Decimal | None
    score_1: Decimal | None
    score_2: Decimal | None


@dataclass
class LinkedIndicator:
    """An indicator as a project page lists it. `values` holds only the fields the page shows."""

    line: int
    code: str
    values: dict = field(default_factory=dict)
    quarters: list[QuarterRow] = field(default_factory=list)


@dataclass
class ProjectPage:
    code: str
    name: str
    unit_name: str
    fiscal_year: int
    headline_percent: Decimal
    headline_line: int
    responsible_person: str = ""
    responsible_phone: str = ""
    division_code: str = ""
    subunit_code: str = ""
    rationale: str = ""
    objectives: str = ""
    targets: str = ""
    plan_alignment_text: str = ""
    plan_lines: list[PlanLine] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)  # as printed: newest first
    steps: list[Step] = field(default_factory=list)
    indicators: list[LinkedIndicator] = field(default_factory=list)
    unplaced: list[Line] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    kind = "project page"


@dataclass
class IndicatorReport:
    """Seed 002. `values` holds the Indicator fields the report shows; it names neither the
    indicator's code nor its fiscal year (the importer is told them)."""

    values: dict = field(default_factory=dict)
    plan_lines: list[PlanLine] = field(default_factory=list)
    narratives: dict = field(default_factory=dict)  # quarter -> narrative
    unplaced: list[Line] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    kind = "indicator report"


# ---------------------------------------------------------------------------------------------
# Bytes to lines


def decode(data):
    """The text of a printout file, or LegacyFormatError saying why it is not one."""
    if len(data) > MAX_BYTES:
        raise LegacyFormatError(f"file is larger than {MAX_BYTES // (1024 * 1024)} MB; not a printout page")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LegacyFormatError("file is UTF-16 text; save it as UTF-8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if not data.strip():
        raise LegacyFormatError("file is empty")
    if b"\x00" in data:
        raise LegacyFormatError("file is binary (contains NUL bytes), not a text printout")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LegacyFormatError(
            f"file is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "a printout saved as TIS-620/cp874 must be converted to UTF-8 first"
        ) from None
    for number, raw in enumerate(text.split("\n"), start=1):
        if _CONTROL.search(raw):
            raise LegacyFormatError("file contains control characters; binary data, not a text printout", number)
    return text


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def split_lines(text):
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [Line(number, raw, raw.strip()) for number, raw in enumerate(text.split("\n"), start=1)]


def parse(text, *, max_text_chars=None, max_narrative_chars=None):
    """The page read from a printout's text: a ProjectPage, an IndicatorReport, or one of the
    indicator pages of indicators.legacy_indicator_pages, told apart by the title line."""
    # The indicator pages build on this module's readers, so that module imports this one.
    from indicators import legacy_indicator_pages as pages

    lines = split_lines(text)
    first = next((line for line in lines if line.text), None)
    if first is None:
        raise LegacyFormatError("file is empty")
    title = _key(first.text)
    if title == PROJECT_PAGE_TITLE:
        page = _parse_project_page(lines)
    elif _INDICATOR_TITLE.match(title):
        page = _parse_indicator_report(lines)
    elif title == pages.KPI_DETAIL_TITLE:
        page = pages.parse_kpi_detail(lines)
    elif pages.UNIT_PERFORMANCE_TITLE.match(title):
        page = pages.parse_unit_performance(lines)
    elif pages.CITY_TITLE.match(title):
        page = pages.parse_city_indicator(lines)
    else:
        _refuse_unknown_page(lines, first)
    _check_lengths(page, max_text_chars, max_narrative_chars)
    return page


SUPPORTED_PAGES = (
    "project progress pages, indicator reports (seed 002), KPI detail pages (รายละเอียดตัวชี้วัด), "
    "unit performance pages (ผลการปฏิบัติราชการประจำปีของหน่วยงาน) and city-development indicator pages "
    "(โครงการจัดทำฐานข้อมูลตัวชี้วัดการพัฒนาเมือง)"
)

# Legacy page types recognised by their title line but not read (yet): the screens the legacy
# users' manual shows (DOMAIN.md) and the pages the project pages link to.
_UNSUPPORTED_PAGES = [
    (
        re.compile(r"check(?:ed)?[\s_-]*list|รายการที่ตรวจสอบแล้ว", re.IGNORECASE),
        "checked list (reports a checker has ticked)",
    ),
    (re.compile(r"คัดลอกตัวชี้วัด|copy[\s_-]*kpi", re.IGNORECASE), "KPI copy screen (copying KPIs to the next year)"),
    (re.compile(r"(?<![A-Za-z])SED(?![A-Za-z])|สยป\.?.*สรุป|สรุป.*สยป"), "SED (สยป.) summary"),
    (re.compile(r"ขั้นตอนการ(?:ดำเนินงาน|ปฏิบัติงาน)"), "plan steps page"),
    (
        re.compile(r"^\*{3,}\s*ผลการดำเนินงานส่วนที่\s*[0-9]"),
        "results report (ผลการดำเนินงานส่วนที่ …) other than the per-indicator part 2 of seed 002",
    ),
]
_NAVIGATION = {"Back Home", "Home Home SED", "FusionCharts will render here"}


def _refuse_unknown_page(lines, first):
    """Refuse a page the importer cannot read, naming its type when its title tells it."""
    title = first.text[:80]
    if first.text in _NAVIGATION:
        raise LegacyFormatError(
            f"a legacy page without its title line (it starts with the navigation line {title!r}): "
            f"its type cannot be told. The importer reads {SUPPORTED_PAGES}",
            first.number,
        )
    kind = next((name for pattern, name in _UNSUPPORTED_PAGES if pattern.search(_key(first.text))), None)
    if kind is None and any(line.text in _NAVIGATION for line in lines[first.number : first.number + 12]):
        kind = "legacy page of a type the importer does not know"
    if kind is not None:
        raise LegacyFormatError(
            f"unsupported page type: the title line {title!r} is that of a {kind}; this page type is not "
            f"supported yet. The importer reads {SUPPORTED_PAGES}",
            first.number,
        )
    raise LegacyFormatError(
        f"not a legacy printout: the first line is {title!r}, expected {PROJECT_PAGE_TITLE!r} (project page), "
        f"'**** ผลการดำเนินงานส่วนที่ 2 …' (indicator report) or the title of another page the importer "
        f"reads: {SUPPORTED_PAGES}",
        first.number,
    )


def _check_lengths(page, max_text_chars, max_narrative_chars):
    if hasattr(page, "check_lengths"):
        page.check_lengths(max_text_chars, max_narrative_chars)
        return
    if max_narrative_chars and isinstance(page, ProjectPage):
        for report in page.reports:
            for name in ("narrative", "problems", "obstacles"):
                if len(getattr(report, name)) > max_narrative_chars:
                    raise LegacyFormatError(
                        f"report ({report.number}): {name} is longer than {max_narrative_chars} characters", report.line
                    )
    if max_text_chars:
        fields = vars(page) if isinstance(page, ProjectPage) else {**page.values, **page.narratives}
        for name, value in fields.items():
            if isinstance(value, str) and len(value) > max_text_chars:
                raise LegacyFormatError(f"{name} is longer than {max_text_chars} characters")


# ---------------------------------------------------------------------------------------------
# Small readers

# SARA AM is printed either composed (ำ) or as NIKHAHIT + SARA AA (ํา); labels match both.
_AM = "(?:\u0e33|\u0e4d\u0e32)"


def _rx(pattern):
    return re.compile(pattern.replace("ำ", _AM))


def _key(text):
    return normalise_thai(text)


# Every number a printout fills is stored with 2 decimal places (percents, scores, targets).
STORED_PLACES = Decimal("0.01")


def _decimal(text, line, what, *, low=None, high=None):
    """A decimal from printed digits ('1,234.50', '100.0000'), checked against what the database
    holds and given its 2 places: the legacy pages print scores and targets with four decimals,
    and 85.5000 is 85.50 exactly. A value that needs more places is refused, never rounded."""
    printed = text.strip()
    try:
        value = Decimal(to_arabic_digits(printed).replace(",", ""))
    except InvalidOperation:
        raise LegacyFormatError(f"{what} {text!r} is not a number", line) from None
    if not value.is_finite() or abs(value) >= 10**12:
        raise LegacyFormatError(f"{what} {text!r} is not a number below 1,000,000,000,000", line)
    stored = value.quantize(STORED_PLACES)
    if stored != value:
        raise LegacyFormatError(
            f"{what} {printed} has more than 2 significant decimals; it is stored with 2 and is not rounded", line
        )
    if (low is not None and value < low) or (high is not None and value > high):
        raise LegacyFormatError(f"{what} {printed} is outside {low}–{high}", line)
    return stored


def _optional_decimal(text, line, what, **limits):
    return None if is_placeholder(text) else _decimal(text, line, what, **limits)


def _iso_date(text, line, what):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise LegacyFormatError(f"{what} {text!r} is not a date", line) from None


def _join(parts):
    return "\n".join(parts)


_DIMENSION = re.compile(r"^ด้านที่\s*([๐-๙0-9]+)\s*[-–—]?\s*(.*)$")
_PLAN_CODE = re.compile(r"^([๐-๙0-9]+(?:\.[๐-๙0-9]+){1,3})\.?\s*[-–—]?\s*(.*)$")
_LATIN = re.compile("[A-Za-z]")
_THAI = re.compile("[\u0e00-\u0e7f]")


def parse_plan_line(text, line):
    """'ด้านที่ ๓ - มหานครสำหรับทุกคน : Bangkok as a City for All' or '๓.๒.๒ คนกรุงเทพฯ…%' as a
    PlanLine (title without the stray %), or None when the text is neither."""
    match = _DIMENSION.match(text) or _PLAN_CODE.match(text)
    if not match:
        return None
    code_display, rest = match.groups()
    rest = re.sub(r"\s*%+\s*$", "", rest).strip()
    title, title_en = rest, ""
    head, sep, tail = rest.rpartition(":")
    if sep and _LATIN.search(tail) and not _THAI.search(tail):
        title, title_en = head.strip(), tail.strip()
    code = to_arabic_digits(code_display)
    return PlanLine(line, code.count(".") + 1, code, code_display, title, title_en)


# ---------------------------------------------------------------------------------------------
# Project progress page

_FURNITURE = {"Back Home", "FusionCharts will render here", "ดูโครงการแผนปีฯ : พิมพ์ข้อมูล"}
_SEPARATOR = re.compile(r"^-{3,}&&&-{3,}$")
_LINK_FURNITURE = re.compile(r"^\((?:ทดสอบ|คลิก)\)\s")
_BARE_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")

_TITLE = re.compile(r"^(.*\S)\s*:\s*([0-9]{8}-[0-9]{1,6})$")
_UNIT = re.compile(r"^(.*\S)\s*:\s*\(([0-9]{4})\)$")
_HEADLINE = _rx(r"^ความคืบหน้าโครงการ\s*ร้อยละ\s*(\S+)$")
_PLAN_LINK = "ดูโครงการแผนปีฯ : พิมพ์ข้อมูล"
_EVALUATION = re.compile(r"^\*\*\*\s*สยป\.\s*ประเมินโครงการ\s*:\s*(.*)$")
_EVALUATION_ITEM = re.compile(r"ไตรมาสที่\s*([0-9]+)\s*:?\s*([0-9.]+)")
# The owner line: a name or a position, with or without a phone. A phone starts with a digit
# (Arabic or Thai); "โทร" not followed by one is part of a word (กองโทรคมนาคม), and a bracket
# holding words is part of the name or position.
_TEL = r"โทร(?:ศัพท์)?\.?\s*:?\s*"
_DIGIT = "[0-9๐-๙]"
_OWNER_PHONES = [
    re.compile(rf"^(.*?\S)\s*\(\s*{_TEL}({_DIGIT}[^()]*?)\s*\)$"),  # NAME (โทร. 6822-3 )
    re.compile(rf"^(.*?\S)\s*\(\s*({_DIGIT}(?:[0-9๐-๙\s,/-]*{_DIGIT})?)\s*\)$"),  # NAME (3027)
    re.compile(rf"^(.*?\S)\s+{_TEL}({_DIGIT}.*?)$"),  # NAME โทร. 5621
]
_DIVISION = re.compile(r"^([0-9]{8})\s*/\s*([0-9]{8})$")

_REPORT_HEADER = _rx(r"^\(([0-9]+)\)\s*ความคืบหน้าโครงการฯ?\s*ร้อยละ\s*(\S+)\s*\(([0-9]{4}-[0-9]{2}-[0-9]{2})\)$")
_THAI_DATE_LINE = re.compile(r"^([0-9๐-๙]{1,2}/[0-9๐-๙]{1,2}/[0-9๐-๙]{4})\s*:(.*)$")
_PROBLEMS = re.compile(r"^\*\*\s*ปัญหาของโครงการ\s*:(.*)$")
_OBSTACLES = re.compile(r"^\*\*\s*อุปสรรคของโครงการ\s*:(.*)$")

_STEP_HEADER = re.compile(r"^ขั้นตอน(?:ที่)?\s*([0-9]+)$")
_STEP_WEIGHT = re.compile(r"^:\s*([0-9.]+)\s*%$")
_STEP_START = re.compile(r"^เริ่มต้น\s*:\s*([0-9]{4}-[0-9]{2}-[0-9]{2})(?:\s+[0-9:.]+)?$")
_STEP_END = re.compile(r"^สิ้นสุด\s*:\s*([0-9]{4}-[0-9]{2}-[0-9]{2})(?:\s+[0-9:.]+)?$")

_IND_CODE = re.compile(r"^รายละเอียดเกี่ยวกับตัวชี้วัด\s*:\s*([0-9]{4}-[0-9]+)$")
_IND_NAME = re.compile(r"^ตัวชี้วัด\s*:\s*(.*)$")
_IND_TARGET = re.compile(r"^ค่าเป้าหมาย\s*(.*?)\s*:\s*(.*)$")
_IND_ACHIEVED = _rx(r"^ผลงานที่ทำได้\s*(.*?)\s*:\s*(.*)$")
_IND_TYPE = re.compile(r"^ประเภทตัวชี้วัด\s*:\s*(.*)$")
_IND_LEVEL = re.compile(r"^ตัวชี้วัดระดับ\s*(ผลผลิต|ผลลัพธ์)")
_IND_TYPES = {"ตัวชี้วัดเชิงยุทธศาสตร์": "strategic", "ตัวชี้วัดงานประจำ": "routine", "ตัวชี้วัดตามคำรับรอง": "negotiated"}
_TABLE_HEADER = {"ไตรมาสที่", "(1 - 4)", "*ผลงาน*", "*ผลประเมินตัวชี้วัด*", "(* 2.1 / 2.2 *)"}
_TABLE_MEASURE = re.compile(r"^\(([^()*]*)\)$")
_TABLE_SCORES = re.compile(r"^(\S*)\s*/\s*(\S*)$")
_PROJECT_EVALUATION_ROW = re.compile(r"^ไตรมาสที่\s*([0-9]+)\s*:?\s*([0-9.]+)$")

# Section headings, in page order; each opens the section that runs to the next heading.
_SECTIONS = {
    "หลักการและเหตุผล": "rationale",
    "วัตถุประสงค์ของโครงการ": "objectives",
    "เป้าหมายของโครงการ": "targets",
    "สนับสนุนยุทธศาสตร์กรุงเทพมหานครฯ": "alignment",
    "ผลการดำเนินงาน": "reports",
    "แผนการดำเนินงานฯ": "steps",
    "สนับสนุนตัวชี้วัดตามแผนฯ": "indicators",
    "** ผลการประเมินโครงการ (รายไตรมาส) **": "evaluations",
}


def _is_furniture(text):
    return text in _FURNITURE or _SEPARATOR.match(text) is not None or _LINK_FURNITURE.match(text) is not None


def _split_sections(lines):
    sections = {"preamble": []}
    current = "preamble"
    for line in lines:
        name = _SECTIONS.get(_key(line.text))
        if name is None:
            sections[current].append(line)
            continue
        if name in sections:
            raise LegacyFormatError(f"section {line.text!r} appears twice", line.number)
        sections[name] = []
        current = name
    return sections


def _parse_project_page(lines):
    sections = _split_sections(lines)
    page = _parse_preamble(sections["preamble"])
    _parse_rationale(page, sections.get("rationale", []))
    page.objectives = _join(line.text for line in sections.get("objectives", []) if line.text)
    page.targets = _join(line.text for line in sections.get("targets", []) if line.text)
    _parse_alignment(page, sections.get("alignment", []))
    _parse_reports(page, sections.get("reports", []))
    _parse_steps(page, sections.get("steps", []))
    _parse_indicators(page, sections.get("indicators", []))
    for line in sections.get("evaluations", []):
        if not line.text or _is_furniture(line.text):
            continue
        match = _PROJECT_EVALUATION_ROW.match(line.text)
        if match:
            page.evaluations.append(_evaluation(match, line.number))
        else:
            page.unplaced.append(line)
    quarters = [evaluation.quarter for evaluation in page.evaluations]
    if len(quarters) != len(set(quarters)):
        page.warnings.append((page.evaluations[-1].line, "a quarter is evaluated twice; the last score is kept"))
    return page


def _evaluation(match, line):
    quarter = int(match.group(1))
    if quarter not in (1, 2, 3, 4):
        raise LegacyFormatError(f"evaluation quarter {quarter} is not 1–4", line)
    return Evaluation(line, quarter, _decimal(match.group(2), line, "evaluation score", low=0, high=100))


def _parse_preamble(lines):
    found = {}
    bare_numbers = []
    unplaced = []
    evaluations = []
    seen_plan_link = False
    unit_line = None
    # The first non-blank line is the page title, checked by parse().
    title_index = next(i for i, line in enumerate(lines) if line.text)
    for line in lines[title_index + 1 :]:
        text = line.text
        if not text or text in _FURNITURE - {_PLAN_LINK} or _SEPARATOR.match(text):
            continue
        if "title" not in found:
            match = _TITLE.match(text)
            if match:
                found["title"] = (match.group(1), match.group(2))
            else:
                unplaced.append(line)
            continue
        if "unit" not in found:
            match = _UNIT.match(text)
            if match:
                found["unit"] = (match.group(1), int(match.group(2)))
                unit_line = line.number
            else:
                unplaced.append(line)
            continue
        if "headline" not in found:
            match = _HEADLINE.match(text)
            if match:
                percent = _decimal(match.group(1), line.number, "percent", low=0, high=100)
                found["headline"] = (percent, line.number)
            elif _BARE_NUMBER.match(text):
                bare_numbers.append(line)
            else:
                unplaced.append(line)
            continue
        match = _EVALUATION.match(text)
        if match:
            rest = match.group(1).strip()
            if re.fullmatch(rf"(?:{_EVALUATION_ITEM.pattern}\s*)*", rest):
                evaluations += [_evaluation(item, line.number) for item in _EVALUATION_ITEM.finditer(rest)]
            else:
                unplaced.append(line)
            continue
        if _key(text) == _PLAN_LINK:
            seen_plan_link = True
            continue
        if "responsible" not in found and not seen_plan_link and not evaluations:
            found["responsible"] = text
            continue
        unplaced.append(line)

    if "title" not in found:
        raise LegacyFormatError("truncated header: no 'PROJECT NAME : 24000000-3029' title line")
    if "unit" not in found:
        raise LegacyFormatError("truncated header: no 'UNIT : (2564)' line with the owning unit and fiscal year")
    if "headline" not in found:
        raise LegacyFormatError("truncated header: no 'ความคืบหน้าโครงการ ร้อยละ N' line")
    name, code = found["title"]
    unit_name, fiscal_year = found["unit"]
    headline, headline_line = found["headline"]
    page = ProjectPage(
        code=code,
        name=name,
        unit_name=unit_name,
        fiscal_year=fiscal_year,
        headline_percent=headline,
        headline_line=headline_line,
        evaluations=evaluations,
        unplaced=unplaced,
    )
    if not 2400 <= fiscal_year <= 2700:
        raise LegacyFormatError(f"fiscal year {fiscal_year} is not a Buddhist-era year", unit_line)
    for line in bare_numbers:
        if Decimal(line.text) != headline:
            page.warnings.append((line.number, f"the page shows {line.text} but the headline percent is {headline}"))
    page.responsible_person, page.responsible_phone = split_owner_line(found.get("responsible", ""))
    return page


def split_owner_line(text):
    """(person, phone) of an owner line: 'NAME (โทร. 6822-3 )', 'NAME (3027)' and 'NAME โทร. 5621'
    give the name and the number as printed; a plain name or position is the person, no phone."""
    text = text.strip()
    for pattern in _OWNER_PHONES:
        if match := pattern.match(text):
            return match.group(1).strip(), match.group(2).strip()
    return text, ""


def _parse_rationale(page, lines):
    text = []
    for line in lines:
        if not line.text:
            continue
        match = _DIVISION.match(line.text)
        if match and not page.division_code:
            page.division_code, page.subunit_code = match.groups()
        elif page.division_code:
            # The division codes close the rationale; text after them has no field.
            page.unplaced.append(line)
        else:
            text.append(line.text)
    page.rationale = _join(text)


def _parse_alignment(page, lines):
    filled = [i for i, line in enumerate(lines) if line.text]
    if not filled:
        return
    block = lines[filled[0] : filled[-1] + 1]
    page.plan_alignment_text = _join(line.raw.rstrip() for line in block)
    for line in block:
        if not line.text:
            continue
        plan_line = parse_plan_line(line.text, line.number)
        if plan_line is None:
            page.unplaced.append(line)
        else:
            page.plan_lines.append(plan_line)


def _parse_reports(page, lines):
    report = None
    part = None  # which text the next continuation line belongs to
    seen_bare = False
    for line in lines:
        text = line.text
        if not text:
            continue
        match = _REPORT_HEADER.match(text)
        if match:
            number, percent_text, iso = match.groups()
            report = Report(
                line=line.number,
                number=int(number),
                percent=_decimal(percent_text, line.number, "percent", low=0, high=100),
                report_date=_iso_date(iso, line.number, "report date"),
            )
            page.reports.append(report)
            part, seen_bare = "header", False
            continue
        if _SEPARATOR.match(text):
            if report is not None and part == "header":
                page.warnings.append((report.line, f"report ({report.number}) has no 'd/m/yyyy : narrative' line"))
            report, part = None, None
            continue
        if report is None:
            page.unplaced.append(line)
            continue
        if part == "header" and not seen_bare and _BARE_NUMBER.match(text):
            seen_bare = True
            if Decimal(text) != report.percent:
                page.warnings.append(
                    (line.number, f"report ({report.number}) shows {text} under a header of {report.percent}")
                )
            continue
        match = _THAI_DATE_LINE.match(text)
        if match and part == "header":
            _check_thai_date(page, report, match.group(1), line.number)
            report.narrative = match.group(2).strip()
            part = "narrative"
            continue
        match = _PROBLEMS.match(text)
        if match and part in ("header", "narrative"):
            report.problems = match.group(1).strip()
            part = "problems"
            continue
        match = _OBSTACLES.match(text)
        if match and part in ("header", "narrative", "problems"):
            report.obstacles = match.group(1).strip()
            part = "obstacles"
            continue
        if part in ("narrative", "problems", "obstacles"):
            # A text typed over several lines prints as several lines.
            previous = getattr(report, part)
            setattr(report, part, f"{previous}\n{text}" if previous else text)
            continue
        page.unplaced.append(line)


def _check_thai_date(page, report, printed, line):
    try:
        thai = thaidate.parse_thai_date(printed)
    except thaidate.ThaiDateError:
        page.warnings.append((line, f"report ({report.number}): {printed!r} is not a date; kept {report.report_date}"))
        return
    if thai != report.report_date:
        page.warnings.append(
            (
                line,
                f"report ({report.number}): the Thai date {printed} is {thai.isoformat()}, "
                f"not the report date {report.report_date.isoformat()}; kept {report.report_date.isoformat()}",
            )
        )


def _parse_steps(page, lines):
    step = None
    for line in lines:
        text = line.text
        if not text or _is_furniture(text):
            continue
        match = _STEP_HEADER.match(text)
        if match:
            step = Step(line.number, int(match.group(1)))
            page.steps.append(step)
            continue
        if step is not None:
            if step.name is None and text.startswith(":"):
                step.name = text[1:].strip()
                continue
            match = _STEP_WEIGHT.match(text)
            if match and step.name is not None and step.weight is None:
                step.weight = _decimal(match.group(1), line.number, "step weight", low=0, high=100)
                continue
            match = _STEP_START.match(text)
            if match and step.start is None:
                step.start = _iso_date(match.group(1), line.number, "step start")
                continue
            match = _STEP_END.match(text)
            if match and step.end is None:
                step.end = _iso_date(match.group(1), line.number, "step end")
                continue
        page.unplaced.append(line)
    numbers = set()
    for step in page.steps:
        missing = [name for name in ("name", "weight", "start", "end") if getattr(step, name) is None]
        if missing:
            raise LegacyFormatError(f"plan step {step.number} is incomplete: no {', '.join(missing)}", step.line)
        if step.number in numbers:
            raise LegacyFormatError(f"plan step {step.number} appears twice", step.line)
        numbers.add(step.number)


def _parse_indicators(page, lines):
    indicator = None
    in_table = False
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text
        i += 1
        if not text:
            continue
        match = _IND_CODE.match(text)
        if match:
            indicator = LinkedIndicator(line.number, match.group(1))
            page.indicators.append(indicator)
            in_table = False
            continue
        if indicator is None:
            page.unplaced.append(line)
            continue
        values = indicator.values
        if in_table and re.fullmatch("[0-9]", text):
            row = _quarter_row(page, indicator, lines[i - 1 : i + 3])
            if row is not None:
                indicator.quarters.append(row)
                i += 3
            else:
                page.unplaced.append(line)
            continue
        if text in _TABLE_HEADER:
            in_table = True
            continue
        match = _TABLE_MEASURE.match(text)
        if in_table and match and not indicator.quarters:
            if match.group(1) != values.get("measure", match.group(1)):
                page.warnings.append(
                    (
                        line.number,
                        f"indicator {indicator.code}: the table counts in {match.group(1)}, the target in {values['measure']}",
                    )
                )
            continue
        if (match := _IND_NAME.match(text)) and "name" not in values:
            values["name"] = match.group(1).strip()
        elif (match := _IND_TARGET.match(text)) and "target" not in values:
            values["measure"] = match.group(1)
            values["target"] = _optional_decimal(match.group(2), line.number, "indicator target")
        elif (match := _IND_ACHIEVED.match(text)) and "achieved" not in values:
            if match.group(1) != values.get("measure", match.group(1)):
                page.warnings.append(
                    (
                        line.number,
                        f"indicator {indicator.code}: achieved in {match.group(1)}, target in {values['measure']}",
                    )
                )
            values["achieved"] = _optional_decimal(match.group(2), line.number, "indicator achieved value")
        elif (match := _IND_TYPE.match(text)) and "type" not in values:
            kind = _IND_TYPES.get(_key(match.group(1)))
            if kind is None:
                page.warnings.append(
                    (line.number, f"indicator {indicator.code}: unknown type {match.group(1)!r}; not set")
                )
            values["type"] = kind or ""
        elif (match := _IND_LEVEL.match(text)) and "level" not in values:
            values["level"] = "output" if match.group(1) == "ผลผลิต" else "outcome"
        else:
            page.unplaced.append(line)


def _quarter_row(page, indicator, rows):
    """quarter / result / audit score (often blank) / 'score 2.1 / score 2.2', one per line."""
    if len(rows) < 4:
        return None
    quarter_line, result_line, audit_line, scores_line = rows
    scores = _TABLE_SCORES.match(scores_line.text)
    quarter = int(quarter_line.text)
    if not scores or quarter not in (1, 2, 3, 4) or "/" in result_line.text + audit_line.text:
        return None
    if any(q.quarter == quarter for q in indicator.quarters):
        raise LegacyFormatError(f"indicator {indicator.code}: quarter {quarter} appears twice", quarter_line.number)
    what = f"indicator {indicator.code} quarter {quarter}"
    return QuarterRow(
        line=quarter_line.number,
        quarter=quarter,
        result=_optional_decimal(result_line.text, result_line.number, f"{what} result"),
        audit_score=_optional_decimal(audit_line.text, audit_line.number, f"{what} audit score", low=0, high=100),
        score_1=_optional_decimal(scores.group(1), scores_line.number, f"{what} score 2.1", low=0, high=100),
        score_2=_optional_decimal(scores.group(2), scores_line.number, f"{what} score 2.2", low=0, high=100),
    )


# ---------------------------------------------------------------------------------------------
# Indicator report (seed 002)

_INDICATOR_TITLE = re.compile(r"^\*{3,}\s*ผลการดำเนินงานส่วนที่ 2\b.*แยกรายตัวชี้วัด\s*\*{3,}$")
_REPORT_NAME = re.compile(r"^1\.\s*ชื่อตัวชี้วัด\s*:\s*(.*)$")
_REPORT_LEVEL = _rx(r"^2\.\s*ระดับความสำเร็จ\s*:\s*(.*)$")
_REPORT_PLAN_HEADING = re.compile(r"^\*{3,}\s*สนับสนุนแผนพัฒนา")
_REPORT_DIMENSION = re.compile(r"^ประเด็นยุทธศาสตร์\s*:\s*(.*)$")
_REPORT_SUB_DIMENSION = re.compile(r"^-*\s*ย่อย\s*:\s*(?:มิติที่)?\s*(.*)$")
_REPORT_GOAL = re.compile(r"^เป้าประสงค์ที่\s*:\s*(?:เป้าหมายที่)?\s*(.*)$")
_REPORT_TARGET = re.compile(r"^5\.\s*เป้าหมาย\s*:\s*(.*?)\s*(?:\((.*)\))?$")
_REPORT_ACHIEVED = _rx(r"^:\s*ผลงานที่ทำได้\s*=\s*(.*?)\s*(?:\((.*)\))?$")
_REPORT_QUARTERS_HEADING = _rx(r"^6\.\s*รายงานผลการดำเนินงาน")
_REPORT_QUARTER = re.compile(r"^\(6\.([1-4])\)\s*ไตรมาสที่\s*[1-4]\s*:(.*)$")
_CERTIFICATION = re.compile(r"^ขอรับรองว่า")
_SIGNATURE = re.compile(r"^ลงชื่อ.*\(ผู้รายงานข้อมูล\)$")
_PRINTED_NAME = re.compile(r"^\((.*)\)$")
_POSITION = _rx(r"^ตำแหน่ง\s*:?\s*(.*)$")
# Headings that open a (possibly multi-line) text field: pattern -> Indicator field.
_REPORT_TEXTS = [
    (_rx(r"^3\.\s*คำนิยาม\s*:(.*)$"), "definitions"),
    (_rx(r"^4\.\s*วิธีการคำนวณ\s*:(.*)$"), "calculation"),
    (_rx(r"^\(6\.5\)\s*สรุปผลการดำเนินงาน[^:]*:(.*)$"), "summary"),
    (_rx(r"^7\.\s*ปัจจัยสนับสนุนการดำเนินงาน\s*:(.*)$"), "supporting_factors"),
    (_rx(r"^8\.\s*อุปสรรคต่อการดำเนินงาน\s*:(.*)$"), "obstacles"),
    (_rx(r"^9\.\s*หลักฐานอ้างอิง\s*:(.*)$"), "evidence"),
]


def _without_dots(text):
    """The signature block prints '.....' where nothing was filled in."""
    return "" if re.fullmatch(r"[.\s…]*", text) else text.strip()


def _parse_indicator_report(lines):
    report = IndicatorReport()
    values = report.values
    texts = {}  # field -> list of lines; quarter narratives keyed by quarter number
    current = None  # the text field continuation lines belong to
    signature = None  # after 'ลงชื่อ…': the printed name, then the position
    for line in lines:
        text = line.text
        if not text:
            continue
        key = _key(text)
        if _INDICATOR_TITLE.match(key) or _REPORT_PLAN_HEADING.match(text) or _REPORT_QUARTERS_HEADING.match(text):
            current = None
            continue
        if _CERTIFICATION.match(text):
            current = None
            continue
        if (match := _REPORT_NAME.match(text)) and "name" not in values:
            values["name"] = match.group(1).strip()
            current = None
            continue
        if (match := _REPORT_LEVEL.match(text)) and "level" not in texts:
            texts["level"] = match.group(1)
            shown = [level for level, word in (("output", "ผลผลิต"), ("outcome", "ผลลัพธ์")) if word in match.group(1)]
            if len(shown) == 1:  # the printout lists both choices when none is marked
                values["level"] = shown[0]
            current = None
            continue
        plan = _REPORT_DIMENSION.match(text) or _REPORT_SUB_DIMENSION.match(text) or _REPORT_GOAL.match(text)
        if plan:
            plan_line = parse_plan_line(plan.group(1).strip(), line.number)
            if plan_line is None:
                report.unplaced.append(line)
            else:
                report.plan_lines.append(plan_line)
            current = None
            continue
        if (match := _REPORT_TARGET.match(text)) and "target" not in values:
            values["target"] = _optional_decimal(match.group(1), line.number, "target")
            values["measure"] = (match.group(2) or "").strip()
            current = None
            continue
        if (match := _REPORT_ACHIEVED.match(text)) and "achieved" not in values:
            values["achieved"] = _optional_decimal(match.group(1), line.number, "achieved value")
            measure = (match.group(2) or "").strip()
            if measure and measure != values.get("measure", measure):
                report.warnings.append((line.number, f"achieved in {measure}, target in {values['measure']}"))
            current = None
            continue
        if match := _REPORT_QUARTER.match(text):
            current = int(match.group(1))
            texts[current] = [match.group(2).strip()] if match.group(2).strip() else []
            continue
        opened = next(((name, m) for rx, name in _REPORT_TEXTS if (m := rx.match(text))), None)
        if opened:
            current, match = opened
            first = re.sub(r"^::\s?", "", match.group(1).strip())
            texts[current] = [first] if first else []
            continue
        if _SIGNATURE.match(text):
            signature, current = "name", None
            continue
        if signature == "name" and (match := _PRINTED_NAME.match(text)):
            values["reporter_name"] = _without_dots(match.group(1))
            signature = "position"
            continue
        if signature in ("name", "position") and (match := _POSITION.match(text)):
            values["reporter_position"] = _without_dots(match.group(1))
            signature = "done"
            continue
        if current is not None:
            texts[current].append(re.sub(r"^::\s?", "", text))
            continue
        report.unplaced.append(line)

    if "name" not in values:
        raise LegacyFormatError("truncated header: no '1. ชื่อตัวชี้วัด : …' line")
    for name, parts in texts.items():
        if isinstance(name, int):
            report.narratives[name] = _join(parts)
        elif name != "level":
            values[name] = _join(parts)
    return report
