"""Open data (issue 22): a fiscal year's projects, progress reports, indicators and indicator
quarters as CSV and JSON, each with a data dictionary and a metadata file in the style of the
national open-data portal (data.go.th, a CKAN catalogue: title, notes, licence, modified).

The columns are the public fields of projects/public.py and indicators/public.py, in their
order, and nothing else: a field becomes open data by being made public there. A related record
is written as its code (a unit's 24000000, a plan node's 3.2.2.1), a many-to-many link as the
codes joined by "; ". Dates are ISO 8601 (CE) as open data expects; fiscal years stay BE.

The CSV is UTF-8 with a byte-order mark (Excel then shows the Thai text) and every cell goes
through reports.exports.formula_text (issue 19). Files are streamed a chunk of rows at a time,
so a year of any size is written in bounded memory and a fixed number of queries per chunk.
"""

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Max, Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bma_tracker import thaidate
from indicators import public as _indicator_policies  # noqa: F401 (registers the indicators' policies)
from indicators.models import Indicator, IndicatorQuarter
from projects.models import PlanNode, ProgressReport, Project
from projects.public import policy_for
from reports.exports import formula_text

CHUNK = 1000
BOM = "\ufeff"

# The licence the BMA publishes under (OPEN_DATA_LICENCE): data.go.th's licence ids.
LICENCES = {
    "cc-by-4.0": ("Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"),
    "cc0-1.0": (
        "Creative Commons Zero 1.0 (Public Domain Dedication)",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
    "odc-by-1.0": ("Open Data Commons Attribution License 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    "odbl-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}

# Names for the summary columns, which have no verbose_name of their own.
LABELS = {
    "latest_percent": gettext_lazy("ความคืบหน้าล่าสุด (ร้อยละ)"),
    "latest_report_date": gettext_lazy("วันที่รายงานล่าสุด"),
    "planned_percent_at_latest": gettext_lazy("ร้อยละตามแผน ณ วันที่รายงานล่าสุด"),
}

TYPES = {
    "CharField": "string",
    "TextField": "string",
    "DecimalField": "number",
    "PositiveIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
    "IntegerField": "integer",
    "BooleanField": "boolean",
    "DateField": "date",
    "DateTimeField": "datetime",
}


@dataclass(frozen=True)
class Column:
    name: str
    field: models.Field

    @property
    def type(self):
        if self.field.many_to_many:
            return "string (codes separated by '; ')"
        if self.field.is_relation:
            return "string (code)"
        return TYPES.get(self.field.get_internal_type(), "string")

    def label(self, language):
        with translation.override(language):
            return str(LABELS.get(self.name) or self.field.verbose_name)


@dataclass(frozen=True)
class Dataset:
    slug: str
    name: str  # lazy, what the open-data page heads it with
    title: str  # lazy, with %(fy)s
    description: str  # lazy
    model: type

    @property
    def columns(self):
        policy = policy_for(self.model)
        return [Column(name, policy.field(name)) for name in policy.public]

    def rows(self, fiscal_year):
        """The public records of the year, in code order: a queryset to iterate in chunks."""
        return QUERIES[self.slug](fiscal_year)

    def updated(self, fiscal_year):
        """When the year's records last changed (None: no records)."""
        return self.rows(fiscal_year).order_by().aggregate(last=Max("updated_at"))["last"]


def _projects(fiscal_year):
    return (
        Project.objects.in_fiscal_year(fiscal_year)
        .select_related("unit")
        .prefetch_related(Prefetch("plan_nodes", queryset=PlanNode.objects.order_by("code")))
        .order_by("code")
    )


def _reports(fiscal_year):
    return (
        ProgressReport.objects.public()
        .filter(project__fiscal_year=fiscal_year)
        .select_related("project")
        .order_by("project__code", "report_date", "pk")
    )


def _indicators(fiscal_year):
    return (
        Indicator.objects.in_fiscal_year(fiscal_year)
        .select_related("unit", "dimension", "plan_node")
        .prefetch_related(Prefetch("projects", queryset=Project.objects.only("pk", "code").order_by("code")))
        .order_by("code")
    )


def _quarters(fiscal_year):
    return (
        IndicatorQuarter.objects.filter(indicator__fiscal_year=fiscal_year)
        .select_related("indicator")
        .order_by("indicator__code", "quarter")
    )


QUERIES = {"projects": _projects, "reports": _reports, "indicators": _indicators, "quarters": _quarters}

DATASETS = {
    dataset.slug: dataset
    for dataset in (
        Dataset(
            "projects",
            gettext_lazy("โครงการ"),
            gettext_lazy("โครงการของกรุงเทพมหานคร ปีงบประมาณ %(fy)s"),
            gettext_lazy(
                "โครงการตามแผนปฏิบัติราชการของหน่วยงานกรุงเทพมหานคร: ชื่อ หน่วยงาน หลักการ วัตถุประสงค์ เป้าหมาย"
                " ความสอดคล้องกับแผนพัฒนากรุงเทพมหานคร ระยะ 20 ปี และความคืบหน้าล่าสุด"
            ),
            Project,
        ),
        Dataset(
            "reports",
            gettext_lazy("รายงานความคืบหน้าโครงการรายเดือน"),
            gettext_lazy("รายงานความคืบหน้าโครงการรายเดือน ปีงบประมาณ %(fy)s"),
            gettext_lazy("ความคืบหน้าสะสม ผลการดำเนินงาน ปัญหา และอุปสรรค ที่หน่วยงานรายงานในแต่ละเดือน"),
            ProgressReport,
        ),
        Dataset(
            "indicators",
            gettext_lazy("ตัวชี้วัด"),
            gettext_lazy("ตัวชี้วัดของหน่วยงานกรุงเทพมหานคร ปีงบประมาณ %(fy)s"),
            gettext_lazy("ตัวชี้วัด หน่วยนับ ค่าเป้าหมาย ผลงาน และความสอดคล้องกับแผนพัฒนากรุงเทพมหานคร ระยะ 20 ปี"),
            Indicator,
        ),
        Dataset(
            "quarters",
            gettext_lazy("ผลการดำเนินงานตัวชี้วัดรายไตรมาส"),
            gettext_lazy("ผลการดำเนินงานตัวชี้วัดรายไตรมาส ปีงบประมาณ %(fy)s"),
            gettext_lazy("ผลงานและรายงานผลการดำเนินงานของตัวชี้วัดในแต่ละไตรมาส พร้อมผลประเมิน"),
            IndicatorQuarter,
        ),
    )
}


def _key(related):
    return getattr(related, "code", None) or getattr(related, "number", None)


def record(columns, obj):
    """A record's public values by column name, as Python values (None for no value)."""
    values = {}
    for column in columns:
        value = getattr(obj, column.name)
        if column.field.many_to_many:
            value = "; ".join(str(_key(related)) for related in value.all())
        elif column.field.is_relation:
            value = _key(value) if value is not None else None
        values[column.name] = value
    return values


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return formula_text(value) if isinstance(value, str) else str(value)


class _Line:
    """A file-like object whose write() hands back what csv.writer wrote (one row)."""

    def write(self, text):
        return text


def _csv_lines(header, rows):
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([formula_text(str(name)) for name in header])
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


def data_csv(dataset, fiscal_year):
    """The year's records as CSV lines (a generator: stream it)."""
    columns = dataset.columns
    records = (record(columns, obj) for obj in dataset.rows(fiscal_year).iterator(chunk_size=CHUNK))
    return _csv_lines([c.name for c in columns], ([r[c.name] for c in columns] for r in records))


def data_json(dataset, fiscal_year):
    """The year's records as one JSON document, {"fiscal_year", "dataset", "records": [...]}, in
    pieces (a generator: stream it)."""
    columns = dataset.columns
    yield f'{{"dataset": {json.dumps(dataset.slug)}, "fiscal_year": {int(fiscal_year)}, "records": ['
    for n, obj in enumerate(dataset.rows(fiscal_year).iterator(chunk_size=CHUNK)):
        values = {name: _json_value(value) for name, value in record(columns, obj).items()}
        yield ("," if n else "") + "\n" + json.dumps(values, ensure_ascii=False)
    yield "\n]}\n"


def dictionary(dataset):
    """The data dictionary: per column its name, type and Thai and English names."""
    return [
        {"field": column.name, "type": column.type, "name_th": column.label("th"), "name_en": column.label("en")}
        for column in dataset.columns
    ]


def dictionary_csv(dataset):
    entries = dictionary(dataset)
    return _csv_lines(["field", "type", "name_th", "name_en"], ([e[k] for k in e] for e in entries))


def metadata(dataset, fiscal_year, *, urls, updated):
    """The dataset's catalogue entry, in the fields of data.go.th (CKAN): `urls` holds the
    absolute addresses of its files, `updated` when its records last changed."""
    licence = settings.OPEN_DATA_LICENCE
    licence_title, licence_url = LICENCES[licence]
    with translation.override("th"):
        title_th, notes_th = str(dataset.title) % {"fy": fiscal_year}, str(dataset.description)
        publisher_th = _("กรุงเทพมหานคร")
    with translation.override("en"):
        title_en, notes_en = str(dataset.title) % {"fy": fiscal_year}, str(dataset.description)
        publisher_en = _("กรุงเทพมหานคร")
    return {
        "name": f"bma-{dataset.slug}-{fiscal_year}",
        "title": title_th,
        "title_en": title_en,
        "notes": notes_th,
        "notes_en": notes_en,
        "organization": {"title": publisher_th, "title_en": publisher_en},
        "publisher": publisher_th,
        "license_id": licence,
        "license_title": licence_title,
        "license_url": licence_url,
        "fiscal_year": fiscal_year,
        "temporal_coverage": [d.isoformat() for d in _fiscal_range(fiscal_year)],
        "geo_coverage": "กรุงเทพมหานคร (Bangkok)",
        "update_frequency": "monthly",
        "language": ["th"],
        "metadata_modified": updated.isoformat() if updated else None,
        "resources": [
            {"name": f"{dataset.slug}.csv", "format": "CSV", "encoding": "UTF-8 (BOM)", "url": urls["csv"]},
            {"name": f"{dataset.slug}.json", "format": "JSON", "encoding": "UTF-8", "url": urls["json"]},
            {"name": "data dictionary (CSV)", "format": "CSV", "url": urls["dictionary_csv"]},
            {"name": "data dictionary (JSON)", "format": "JSON", "url": urls["dictionary_json"]},
        ],
    }


def _fiscal_range(fiscal_year):
    return thaidate.fiscal_year_range(fiscal_year)
