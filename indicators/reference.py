"""Reference data: the BMA's departments and district offices, the 20-year development plan and
the four evaluation dimensions of the annual performance agreement, kept as CSV files in
fixtures/reference/ (its README says which entries are real and which illustrative) and
stored by `manage.py load_reference`. Here, in the indicators app, because the data spans
projects (units, the plan) and indicators (the dimensions), and indicators may write both.

Rows are matched by natural key (a unit by its code, a plan edition by its first fiscal year, a
plan node by edition and code, an evaluation dimension by its number), created when missing and
updated where a value differs; nothing the files do not list is touched, nothing is deleted.
The files are read and checked whole before anything is written: a broken file is refused with
its name, line and entry, and nothing is stored. Like the legacy importer's units and plan
nodes, these rows get no audit entries (the audit trail follows projects and what lies under
them); the outcome lists every change with its old and new value for the command to print.
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from bma_tracker.text import to_arabic_digits
from indicators.models import EvaluationDimension
from projects.models import DistrictGroup, OrgUnit, PlanEdition, PlanNode

REFERENCE_DIR = settings.BASE_DIR / "fixtures" / "reference"
STATUSES = ("real", "illustrative")
MAX_FILE_BYTES = 1024 * 1024  # the files hold a few hundred lines
NODE_CODE = re.compile(r"[1-9][0-9]*(\.[1-9][0-9]*){0,3}")

UNITS, EDITIONS, NODES, DIMENSIONS = "units", "plan editions", "plan nodes", "evaluation dimensions"
# Each kind: its file, its columns in order, and how one row is named in messages.
FILES = {
    UNITS: ("units.csv", ["code", "name", "kind", "parent", "district_group", "status", "source"]),
    EDITIONS: ("plan_editions.csv", ["first_fiscal_year", "name", "status", "source"]),
    NODES: ("plan_nodes.csv", ["edition", "code", "code_display", "title", "title_en", "status", "source"]),
    DIMENSIONS: ("evaluation_dimensions.csv", ["number", "name", "name_en", "status", "source"]),
}
ONE = {UNITS: "unit", EDITIONS: "plan edition", NODES: "plan node", DIMENSIONS: "evaluation dimension"}


class ReferenceFileError(Exception):
    """The files cannot be loaded; `problems` names each file, line and entry at fault."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Row:
    file: str
    line: int
    values: dict

    def __getitem__(self, name):
        return self.values[name]

    def where(self, key=None):
        entry = f" ({key})" if key else ""
        return f"{self.file} line {self.line}{entry}"


@dataclass
class ReferenceOutcome:
    """What a load did, per kind of row; `changes` lists (kind, key, {field: (old, new)}) of
    each updated row and `created` (kind, key) of each new one."""

    directory: Path
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    changes: list = field(default_factory=list)
    new_rows: list = field(default_factory=list)


def reference_load(*, directory=REFERENCE_DIR):
    """Create or update the reference rows the files in `directory` list, in one transaction.
    Raises ReferenceFileError (nothing stored) when a file is missing or broken."""
    directory = Path(directory)
    rows, problems = _read_files(directory)
    if None in rows.values():  # a file missing or unreadable as a whole: the others cannot be checked
        raise ReferenceFileError(problems)
    outcome = ReferenceOutcome(directory)
    with transaction.atomic():
        stored = _Stored()
        problems += _check(rows, stored)
        if problems:
            raise ReferenceFileError(problems)
        _store_units(rows[UNITS], stored, outcome)
        _store_editions(rows[EDITIONS], stored, outcome)
        _store_nodes(rows[NODES], stored, outcome)
        _store_dimensions(rows[DIMENSIONS], stored, outcome)
    return outcome


# --- Reading and checking ---------------------------------------------------------------------


def _read_files(directory):
    rows, problems = {}, []
    for kind, (name, columns) in FILES.items():
        rows[kind] = _read_csv(directory / name, display_path(directory / name), columns, problems)
    return rows, problems


def display_path(path):
    """A path as messages show it: relative to the project when inside it."""
    try:
        return str(path.resolve().relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def _read_csv(path, shown, columns, problems):
    """The rows of one file (a line with the wrong number of fields left out), or None when the
    file as a whole cannot be read; problems appended."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{shown}: larger than {MAX_FILE_BYTES // 1024} KB; not a reference file")
            return None
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        problems.append(f"{shown}: file missing")
        return None
    except OSError as exc:
        problems.append(f"{shown}: cannot be read ({exc.strerror})")
        return None
    except UnicodeDecodeError as exc:
        problems.append(f"{shown}: not UTF-8 text (byte {exc.start})")
        return None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
        if header != columns:
            problems.append(f"{shown} line 1: the columns must be {','.join(columns)}; found {','.join(header)}")
            return None
        rows = []
        for record in reader:
            if None in record or None in record.values():
                problems.append(f"{shown} line {reader.line_num}: {len(columns)} fields expected")
                continue
            rows.append(Row(shown, reader.line_num, {name: value.strip() for name, value in record.items()}))
    except csv.Error as exc:
        problems.append(f"{shown} line {reader.line_num}: {exc}")
        return None
    return rows


class _Stored:
    """The reference rows already in the database, read once, by natural key."""

    def __init__(self):
        self.units = {unit.code: unit for unit in OrgUnit.objects.all()}
        self.editions = {edition.first_fiscal_year: edition for edition in PlanEdition.objects.all()}
        self.nodes = {(node.edition_id, node.code): node for node in PlanNode.objects.all()}
        self.dimensions = {dimension.number: dimension for dimension in EvaluationDimension.objects.all()}


def _field_problems(instance, row, key, exclude=()):
    """The model's own field rules (lengths, code formats, choices) on the file's values."""
    try:
        instance.clean_fields(exclude=list(exclude))
    except ValidationError as exc:
        return [
            f"{row.where(key)}: {name}: {' '.join(str(message) for message in messages)}"
            for name, messages in exc.message_dict.items()
        ]
    return []


def _common_problems(row, key):
    problems = []
    if row["status"] not in STATUSES:
        problems.append(f"{row.where(key)}: status must be real or illustrative, not {row['status']!r}")
    if not row["source"]:
        problems.append(f"{row.where(key)}: source is empty (say where the entry comes from)")
    return problems


def _number(row, name, key, problems):
    try:
        return int(row[name])
    except ValueError:
        problems.append(f"{row.where(key)}: {name} must be a whole number, not {row[name]!r}")
        return None


def _check(rows, stored):
    problems = []
    problems += _check_units(rows[UNITS], stored)
    editions = _check_editions(rows[EDITIONS], problems)
    problems += _check_nodes(rows[NODES], editions, stored)
    problems += _check_dimensions(rows[DIMENSIONS])
    return problems


def _check_units(rows, stored):
    problems, seen = [], {}
    for row in rows:
        code, kind, group, parent = row["code"], row["kind"], row["district_group"], row["parent"]
        problems += _common_problems(row, code)
        if code in seen:
            problems.append(f"{row.where(code)}: code {code} is listed twice (first on line {seen[code]})")
        if kind not in OrgUnit.Kind.values:
            problems.append(f"{row.where(code)}: kind must be one of {', '.join(OrgUnit.Kind.values)}, not {kind!r}")
        elif kind == OrgUnit.Kind.DISTRICT and not group:
            problems.append(f"{row.where(code)}: a district office needs a district_group")
        elif kind == OrgUnit.Kind.DEPARTMENT and group:
            problems.append(f"{row.where(code)}: only district offices and the units under them have a district_group")
        if group and group not in DistrictGroup.values:
            problems.append(
                f"{row.where(code)}: district_group must be one of {', '.join(DistrictGroup.values)}, not {group!r}"
            )
        if kind == OrgUnit.Kind.DIVISION and not parent:
            problems.append(f"{row.where(code)}: a division needs a parent unit")
        elif kind in (OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.DISTRICT) and parent:
            problems.append(f"{row.where(code)}: a department or district office has no parent unit")
        if parent and parent not in seen and parent not in stored.units:
            problems.append(f"{row.where(code)}: parent {parent} is neither listed above it nor stored")
        if parent == code:
            problems.append(f"{row.where(code)}: a unit cannot be its own parent")
        unit = OrgUnit(code=code, name=row["name"], kind=kind, district_group=group)
        problems += _field_problems(unit, row, code, exclude=["parent", "kind", "district_group"])
        seen.setdefault(code, row.line)
    return problems


def _check_editions(rows, problems):
    """The first fiscal years the file lists, {year: line}; problems appended."""
    seen = {}
    for row in rows:
        key = row["first_fiscal_year"]
        problems += _common_problems(row, key)
        year = _number(row, "first_fiscal_year", key, problems)
        if year is None:
            continue
        if not 2400 <= year <= 2700:
            problems.append(f"{row.where(key)}: first_fiscal_year {year} is not a Buddhist-era year like 2561")
        if year in seen:
            problems.append(f"{row.where(key)}: edition {year} is listed twice (first on line {seen[year]})")
        problems += _field_problems(PlanEdition(name=row["name"], first_fiscal_year=year), row, key)
        seen.setdefault(year, row.line)
    return seen


def _check_nodes(rows, editions, stored):
    problems, seen = [], {}
    year_of = {edition.pk: year for year, edition in stored.editions.items()}
    stored_keys = {(year_of[edition_id], code) for edition_id, code in stored.nodes}
    for row in rows:
        code, key = row["code"], f"{row['edition']} {row['code']}"
        problems += _common_problems(row, key)
        year = _number(row, "edition", key, problems)
        if year is not None and year not in editions and year not in stored.editions:
            problems.append(f"{row.where(key)}: edition {year} is neither in plan_editions.csv nor stored")
        if not NODE_CODE.fullmatch(code):
            problems.append(f"{row.where(key)}: code {code!r} is not a plan code like 3.2.2.1 (one to four parts)")
            continue
        if to_arabic_digits(row["code_display"]) != code:
            problems.append(
                f"{row.where(key)}: code_display {row['code_display']!r} is not code {code} in Thai or Arabic digits"
            )
        if (year, code) in seen:
            problems.append(
                f"{row.where(key)}: node {code} of edition {year} is listed twice (first on line {seen[year, code]})"
            )
        parent = code.rpartition(".")[0]
        if parent and (year, parent) not in seen and (year, parent) not in stored_keys:
            problems.append(f"{row.where(key)}: parent node {parent} is neither listed above it nor stored")
        node = PlanNode(level=code.count(".") + 1, code=code, code_display=row["code_display"], title=row["title"],
                        title_en=row["title_en"])  # fmt: skip
        problems += _field_problems(node, row, key, exclude=["edition", "parent"])
        seen.setdefault((year, code), row.line)
    return problems


def _check_dimensions(rows):
    problems, seen = [], {}
    for row in rows:
        key = f"มิติที่ {row['number']}"
        problems += _common_problems(row, key)
        number = _number(row, "number", key, problems)
        if number is None:
            continue
        if number in seen:
            problems.append(f"{row.where(key)}: dimension {number} is listed twice (first on line {seen[number]})")
        dimension = EvaluationDimension(number=number, name=row["name"], name_en=row["name_en"])
        problems += _field_problems(dimension, row, key)
        seen.setdefault(number, row.line)
    return problems


# --- Storing ----------------------------------------------------------------------------------


def _sync(kind, key, obj, values, outcome, parent_codes=None):
    """Set the values that differ on a stored row and save them; count what happened. A parent
    is compared by its id (no query per row) and shown by its code (`parent_codes`: {id: code})."""
    changes = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            shown = (parent_codes.get(old), parent_codes.get(value)) if name == "parent_id" else (old, value)
            changes["parent" if name == "parent_id" else name] = shown
            setattr(obj, name, value)
    if not changes:
        outcome.unchanged[kind] += 1
        return
    obj.save(update_fields=["parent_id" if name == "parent" else name for name in changes])
    outcome.updated[kind] += 1
    outcome.changes.append((kind, key, changes))


def _created(kind, objects, key, outcome):
    outcome.created[kind] += len(objects)
    outcome.new_rows += [(kind, key(obj)) for obj in objects]


def _store_units(rows, stored, outcome):
    # A unit's parent is listed above it or already stored (checked): parents first, by depth.
    depth = {}
    for row in rows:
        depth[row["code"]] = depth.get(row["parent"], 0) + 1 if row["parent"] else 0
    for level in sorted(set(depth.values())):
        codes = {unit.pk: unit.code for unit in stored.units.values()}
        new = []
        for row in (r for r in rows if depth[r["code"]] == level):
            values = {
                "name": row["name"],
                "kind": row["kind"],
                "district_group": row["district_group"],
                "parent_id": stored.units[row["parent"]].pk if row["parent"] else None,
            }
            unit = stored.units.get(row["code"])
            if unit is None:
                new.append(OrgUnit(code=row["code"], **values))
            else:
                _sync(UNITS, row["code"], unit, values, outcome, codes)
        for unit in OrgUnit.objects.bulk_create(new):
            stored.units[unit.code] = unit
        _created(UNITS, new, lambda unit: unit.code, outcome)


def _store_editions(rows, stored, outcome):
    new = []
    for row in rows:
        year = int(row["first_fiscal_year"])
        edition = stored.editions.get(year)
        if edition is None:
            new.append(PlanEdition(first_fiscal_year=year, name=row["name"]))
        else:
            _sync(EDITIONS, str(year), edition, {"name": row["name"]}, outcome)
    for edition in PlanEdition.objects.bulk_create(new):
        stored.editions[edition.first_fiscal_year] = edition
    _created(EDITIONS, new, lambda edition: str(edition.first_fiscal_year), outcome)


def _store_nodes(rows, stored, outcome):
    for level in (1, 2, 3, 4):
        codes = {node.pk: node.code for node in stored.nodes.values()}
        new = []
        for row in (r for r in rows if r["code"].count(".") + 1 == level):
            edition = stored.editions[int(row["edition"])]
            parent_code = row["code"].rpartition(".")[0]
            values = {
                "level": level,
                "code_display": row["code_display"],
                "title": row["title"],
                "title_en": row["title_en"],
                "parent_id": stored.nodes[edition.pk, parent_code].pk if parent_code else None,
            }
            node = stored.nodes.get((edition.pk, row["code"]))
            if node is None:
                new.append(PlanNode(edition=edition, code=row["code"], **values))
            else:
                _sync(NODES, f"{edition.first_fiscal_year} {row['code']}", node, values, outcome, codes)
        for node in PlanNode.objects.bulk_create(new):
            stored.nodes[node.edition_id, node.code] = node
        _created(NODES, new, lambda node: f"{node.edition.first_fiscal_year} {node.code}", outcome)


def _store_dimensions(rows, stored, outcome):
    new = []
    for row in rows:
        number = int(row["number"])
        values = {"name": row["name"], "name_en": row["name_en"]}
        dimension = stored.dimensions.get(number)
        if dimension is None:
            new.append(EvaluationDimension(number=number, **values))
        else:
            _sync(DIMENSIONS, f"มิติที่ {number}", dimension, values, outcome)
    EvaluationDimension.objects.bulk_create(new)
    _created(DIMENSIONS, new, lambda dimension: f"มิติที่ {dimension.number}", outcome)
