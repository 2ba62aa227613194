"""No export runs code (issue 19): text that a spreadsheet would take for a formula — a project
named =cmd|' /C calc'!A0, typed in the form or imported — is written as text in every Excel and
CSV download: a string cell in Excel, a leading apostrophe in CSV (the OWASP rule)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Project
from reports.exports import FORMULA_TRIGGERS, formula_text
from tests import factories
from tests.conftest import login
from tests.test_dashboard_exports import TABLES

PAYLOAD = "=cmd|' /C calc'!A0"
PERSON = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def hostile_project(social_division):
    project = factories.make_project(code="24000000-9998", unit=social_division, fiscal_year=2564, name=PAYLOAD)
    factories.make_report(project, report_date=date(2021, 8, 30), percent="40")
    Project.objects.filter(pk=project.pk).update(
        latest_percent=Decimal("40"),
        latest_report_date=date(2021, 8, 30),
        planned_percent_at_latest=Decimal("75"),
        responsible_person=PERSON,
    )
    return project


def xlsx_cells(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def csv_fields(response):
    return [field for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for field in row]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+66 2 123", "'+66 2 123"),
        ("-ไม่มี-", "'-ไม่มี-"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("โครงการ =1+1", "โครงการ =1+1"),
        (-5, -5),
        ("", ""),
    ],
)
def test_formula_text_quotes_only_text_that_starts_like_a_formula(value, written):
    assert formula_text(value) == written


@pytest.mark.parametrize("table", TABLES)
def test_every_dashboard_table_in_excel_holds_formula_like_text_as_text(client, planner, hostile_project, table):
    login(client, planner)
    query = {"fy": "2564", "period": "m8", "group": "", "table": table, "format": "xlsx"}
    cells = xlsx_cells(client.get(reverse("dashboard:export"), query))
    risky = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS)]
    assert all(cell.data_type == "s" for cell in risky), [(cell.coordinate, cell.value) for cell in risky]
    if table == "behind-projects":
        assert PAYLOAD in [cell.value for cell in risky]
        assert PERSON in [cell.value for cell in risky]


@pytest.mark.parametrize("table", TABLES)
def test_every_dashboard_table_in_csv_holds_formula_like_text_as_text(client, planner, hostile_project, table):
    login(client, planner)
    query = {"fy": "2564", "period": "m8", "group": "", "table": table, "format": "csv"}
    fields = csv_fields(client.get(reverse("dashboard:export"), query))
    assert not [field for field in fields if field.startswith(FORMULA_TRIGGERS)]
    if table == "behind-projects":
        assert "'" + PAYLOAD in fields and "'" + PERSON in fields


def test_the_quarters_indicator_excel_holds_formula_like_text_as_text(client, planner, social_division):
    indicator = factories.make_indicator(
        code="2400-0999", unit=social_division, name='=HYPERLINK("http://example.invalid","x")', measure="+ร้อยละ"
    )
    factories.make_indicator_quarter(indicator, quarter=1, result=Decimal("10"))
    login(client, planner)
    cells = xlsx_cells(client.get(reverse("reports:indicator_quarter_xlsx", args=[2564, 1])))
    risky = {cell.value: cell.data_type for cell in cells if isinstance(cell.value, str)}
    assert risky[indicator.name] == "s" and risky["+ร้อยละ"] == "s"
    assert not [cell for cell in cells if cell.data_type == "f"]


@pytest.mark.parametrize("dataset", ["projects", "reports"])
def test_the_open_data_csv_holds_formula_like_text_as_text(client, hostile_project, dataset):
    """The public site's open-data CSV (issue 22) goes through the same rule, and anonymously."""
    factories.make_report(hostile_project, report_date=date(2021, 9, 1), percent="50", narrative=PAYLOAD)
    response = client.get(reverse("public:data_csv", args=[2564, dataset]))
    fields = [
        field
        for row in csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
        for field in row
    ]
    assert "'" + PAYLOAD in fields
    assert not any(field.startswith(FORMULA_TRIGGERS) for field in fields)
