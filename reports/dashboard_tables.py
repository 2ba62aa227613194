"""The dashboard's tables and chart specifications, shaped from one Dashboard (reports.dashboard):
the page shows them, the chart script draws them, and the CSV / Excel exports write them, so
every output shows the same figures."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from bma_tracker import thaidate
from reports.dashboard import NO_DIMENSION

DIMENSION_COLOURS = {
    "met": "#2e7d32",
    "not_met": "#c62828",
    "in_progress": "#0277bd",
    "not_reported": "#9e9e9e",
    "no_target": "#f9a825",
}


@dataclass
class Table:
    """A titled table of plain values (str, int, Decimal, date or None) with Thai headers."""

    slug: str
    title: str
    headers: list
    rows: list
    subtitle: str = ""
    filename: str = ""  # without extension; ASCII, safe in a Content-Disposition header
    csv_url: str = field(default="", compare=False)
    xlsx_url: str = field(default="", compare=False)

    def display_rows(self):
        """The rows as the page shows them: dates in Thai, a dash for no value."""
        return [[display(value) for value in row] for row in self.rows]


def display(value):
    """A table value as text on the page: None -> '–', a date -> 30/08/2564, else str()."""
    if value is None:
        return "–"
    if isinstance(value, date):
        return thaidate.format_short(value)
    return str(value)


def dimension_label(code):
    return _("ไม่ระบุด้าน") if code == NO_DIMENSION else _("ด้านที่ %(n)s") % {"n": code}


def dashboard_tables(data, *, scope, period):
    """Every table of the dashboard, by slug."""
    subtitle = _("%(scope)s · ปีงบประมาณ %(fy)s · %(period)s") % {
        "scope": scope.label,
        "fy": data.fiscal_year,
        "period": period.label,
    }
    percent = _("(ร้อยละ)")
    tables = [
        Table(
            "progress-distribution",
            _("การกระจายของความคืบหน้าโครงการ"),
            [_("ช่วงความคืบหน้า (ร้อยละ)"), _("จำนวนโครงการ")],
            [[row["label"], row["count"]] for row in data.histogram],
        ),
        Table(
            "planned-actual",
            _("แผนเทียบผลการดำเนินงานเฉลี่ย รายหน่วยงาน"),
            [
                _("หน่วยงาน / กลุ่มเขต"),
                _("จำนวนโครงการ"),
                _("รายงานแล้ว"),
                f"{_('แผนเฉลี่ย')} {percent}",
                f"{_('ผลเฉลี่ย')} {percent}",
                _("ส่วนต่าง แผน − ผล (จุด)"),
            ],
            [
                [r["label"], r["n_projects"], r["n_reported"], r["avg_planned"], r["avg_actual"], r["gap"]]
                for r in data.by_child
            ],
        ),
        Table(
            "disbursement",
            _("การเบิกจ่ายงบประมาณ รายหน่วยงาน (เป้าหมายสะสมถึงสิ้นไตรมาสที่ %(q)d: ร้อยละ %(target)s)")
            % {"q": data.headline["disbursement_quarter"], "target": data.headline["disbursement_target"]},
            [
                _("หน่วยงาน / กลุ่มเขต"),
                _("จำนวนโครงการ"),
                _("โครงการที่มีงบประมาณ"),
                _("งบประมาณหลังปรับโอน (บาท)"),
                _("เบิกจ่ายสะสม (บาท)"),
                f"{_('อัตราการเบิกจ่าย')} {percent}",
                f"{_('เป้าหมาย')} {percent}",
                _("ต่ำกว่าเป้าหมาย (จุด)"),
            ],
            [
                [
                    r["label"],
                    r["n_projects"],
                    r["n_budgeted"],
                    r["budget"],
                    r["disbursed"],
                    r["disbursement_rate"],
                    r["disbursement_target"],
                    r["disbursement_gap"],
                ]
                for r in data.by_child
            ],
        ),
        Table(
            "monthly-reporting",
            _("จำนวนโครงการที่รายงานความคืบหน้า รายเดือน"),
            [_("เดือน"), _("จำนวนโครงการที่รายงาน")],
            [[row["label"], row["count"]] for row in data.monthly],
        ),
        Table(
            "indicators-by-dimension",
            _("ผลการบรรลุตัวชี้วัด รายด้านของแผนพัฒนา กทม. 20 ปี (ไตรมาสที่ %(q)d)") % {"q": period.quarter},
            [_("ด้าน"), _("บรรลุ"), _("ไม่บรรลุ"), _("ระหว่างดำเนินการ"), _("ยังไม่รายงาน"), _("ไม่มีค่าเป้าหมาย"), _("รวม")],
            [
                [
                    dimension_label(r["dimension"]),
                    r["met"],
                    r["not_met"],
                    r["in_progress"],
                    r["not_reported"],
                    r["no_target"],
                    r["total"],
                ]
                for r in data.indicators_by_dimension
            ],
        ),
        Table(
            "units-trailing",
            _("หน่วยงานเรียงตามความล่าช้ากว่าแผน"),
            [
                _("รหัสหน่วยงาน"),
                _("หน่วยงาน"),
                _("ประเภท"),
                _("จำนวนโครงการ"),
                _("รายงานแล้ว"),
                f"{_('แผนเฉลี่ย')} {percent}",
                f"{_('ผลเฉลี่ย')} {percent}",
                _("ส่วนต่าง แผน − ผล (จุด)"),
                _("วันที่รายงานล่าสุด"),
            ],
            [
                [
                    r["code"],
                    r["label"],
                    r["kind"],
                    r["n_projects"],
                    r["n_reported"],
                    r["avg_planned"],
                    r["avg_actual"],
                    r["gap"],
                    r["last_report"],
                ]
                for r in data.units_trailing
            ],
        ),
        Table(
            "behind-projects",
            _("โครงการที่ล่าช้ากว่าแผนมากที่สุด (%(n)d อันดับ)") % {"n": 20},
            [
                _("ลำดับ"),
                _("รหัสโครงการ"),
                _("ชื่อโครงการ"),
                _("หน่วยงาน"),
                _("ผู้รับผิดชอบ"),
                _("วันที่รายงานล่าสุด"),
                f"{_('ตามแผน')} {percent}",
                f"{_('ผลงาน')} {percent}",
                _("ล่าช้ากว่าแผน (จุด)"),
            ],
            [
                [
                    n,
                    r["code"],
                    r["name"],
                    r["unit__name"],
                    r["responsible_person"],
                    r["latest_report_date"],
                    r["planned_percent_at_latest"],
                    r["latest_percent"],
                    r["gap"],
                ]
                for n, r in enumerate(data.behind_projects, start=1)
            ],
        ),
        Table(
            "units-not-reported",
            _("หน่วยงานและสำนักงานเขตที่ยังไม่รายงาน: %(period)s") % {"period": period.label},
            [
                _("รหัสหน่วยงาน"),
                _("หน่วยงาน"),
                _("ประเภท"),
                _("กลุ่มเขต"),
                _("จำนวนโครงการ"),
                _("วันที่รายงานล่าสุด"),
                _("ผู้รับผิดชอบ"),
            ],
            [
                [
                    u["code"],
                    u["name"],
                    u["kind_label"],
                    u["group_label"],
                    u["n_projects"],
                    u["last_report"],
                    ", ".join(u["persons"]),
                ]
                for u in data.unreported_units
            ],
        ),
    ]
    scope_part = {
        "bma": "bma",
        "group": f"group-{scope.group}",
        "unit": f"unit-{scope.unit.code if scope.unit else ''}",
    }
    for table in tables:
        table.subtitle = subtitle
        table.filename = f"dashboard-{table.slug}-{scope_part[scope.kind]}-{data.fiscal_year}-{period.value}"
    return {table.slug: table for table in tables}


def _layout(**extra):
    layout = {
        "margin": {"l": 50, "r": 10, "t": 10, "b": 60},
        "font": {"family": "system-ui, 'Noto Sans Thai', Laksaman, sans-serif", "size": 12},
        "legend": {"orientation": "h", "y": -0.2},
        "height": 320,
        "bargap": 0.15,
    }
    layout.update(extra)
    return layout


def _short_labels(labels, limit=24):
    """Unit names cut to fit beside a bar on a phone (the table beside the chart has them in
    full); a cut that would make two names alike keeps them whole, as the axis merges equal names."""
    short = [label if len(label) <= limit else label[: limit - 1] + "…" for label in labels]
    return [s if short.count(s) == 1 else full for s, full in zip(short, labels, strict=True)]


def _num(value):
    return None if value is None else float(value)


def dashboard_charts(data, tables):
    """Plotly specifications ({data, layout}) of the four charts, by the slug of their table."""
    by_child = list(reversed(data.by_child))  # horizontal bars draw bottom-up: keep the table's order
    child_names = _short_labels([row["label"] for row in by_child])
    dims = data.indicators_by_dimension
    dim_labels = [dimension_label(r["dimension"]) for r in dims]
    return {
        "progress-distribution": {
            "data": [
                {
                    "type": "bar",
                    "x": [row["label"] for row in data.histogram],
                    "y": [row["count"] for row in data.histogram],
                    "name": _("จำนวนโครงการ"),
                    "marker": {"color": "#1b5e20"},
                }
            ],
            "layout": _layout(
                xaxis={"title": {"text": _("ความคืบหน้า (ร้อยละ)")}, "type": "category"},
                yaxis={"title": {"text": _("จำนวนโครงการ")}, "rangemode": "tozero"},
            ),
        },
        "monthly-reporting": {
            "data": [
                {
                    "type": "bar",
                    "x": [row["label"] for row in data.monthly],
                    "y": [row["count"] for row in data.monthly],
                    "name": _("โครงการที่รายงาน"),
                    "marker": {"color": "#1565c0"},
                }
            ],
            "layout": _layout(
                xaxis={"type": "category", "tickangle": -45},
                yaxis={"title": {"text": _("จำนวนโครงการ")}, "rangemode": "tozero"},
            ),
        },
        "indicators-by-dimension": {
            "data": [
                {
                    "type": "bar",
                    "x": dim_labels,
                    "y": [r[key] for r in dims],
                    "name": name,
                    "marker": {"color": DIMENSION_COLOURS[key]},
                }
                for key, name in (
                    ("met", _("บรรลุ")),
                    ("not_met", _("ไม่บรรลุ")),
                    ("in_progress", _("ระหว่างดำเนินการ")),
                    ("not_reported", _("ยังไม่รายงาน")),
                    ("no_target", _("ไม่มีค่าเป้าหมาย")),
                )
            ],
            "layout": _layout(
                barmode="stack",
                legend={"orientation": "h", "y": -0.2, "traceorder": "normal"},
                xaxis={"type": "category"},
                yaxis={"title": {"text": _("จำนวนตัวชี้วัด")}, "rangemode": "tozero"},
            ),
        },
        "planned-actual": {
            "data": [
                {
                    "type": "bar",
                    "orientation": "h",
                    "y": child_names,
                    "x": [_num(row["avg_planned"]) for row in by_child],
                    "name": _("แผนเฉลี่ย"),
                    "hovertext": [row["label"] for row in by_child],
                    "marker": {"color": "#90a4ae"},
                },
                {
                    "type": "bar",
                    "orientation": "h",
                    "y": child_names,
                    "x": [_num(row["avg_actual"]) for row in by_child],
                    "name": _("ผลเฉลี่ย"),
                    "hovertext": [row["label"] for row in by_child],
                    "marker": {"color": "#1b5e20"},
                },
            ],
            "layout": _layout(
                barmode="group",
                height=max(260, 110 + 44 * len(by_child)),
                margin={"l": 10, "r": 10, "t": 10, "b": 40},
                xaxis={"title": {"text": _("ร้อยละ")}, "range": [0, 100]},
                yaxis={"automargin": True, "type": "category"},
                legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
            ),
        },
    }
