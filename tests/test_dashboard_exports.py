"""The dashboard's tables as CSV and Excel: Thai headers, Buddhist-era dates as d/m/BE text,
the right content type and file name, and the same figures as the page."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Project
from tests import factories
from tests.conftest import login

TABLES = [
    "progress-distribution",
    "planned-actual",
    "monthly-reporting",
    "indicators-by-dimension",
    "units-trailing",
    "behind-projects",
    "units-not-reported",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def behind_project(project):
    """FY 2564, reported on 30/08/2564 at 40% against 75% planned."""
    factories.make_report(project, report_date=date(2021, 8, 30), percent="40")
    Project.objects.filter(pk=project.pk).update(
        latest_percent=Decimal("40"), latest_report_date=date(2021, 8, 30), planned_percent_at_latest=Decimal("75")
    )
    Project.objects.filter(pk=project.pk).update(responsible_person="นายอิทธิพล อิงประสาร")
    return project


def _export(client, table, fmt, **params):
    query = {"fy": "2564", "period": "m8", "group": "", "table": table, "format": fmt, **params}
    return client.get(reverse("dashboard:export"), query)


@pytest.mark.parametrize("table", TABLES)
def test_every_table_downloads_as_excel_with_thai_headers(client, planner, behind_project, table):
    login(client, planner)
    response = _export(client, table, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="dashboard-{table}-bma-2564-m8.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "ปีงบประมาณ 2564" in sheet["A2"].value
    headers = [cell.value for cell in sheet[4]]
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in header) for header in headers), headers


@pytest.mark.parametrize("table", TABLES)
def test_every_table_downloads_as_csv_that_excel_reads_as_utf8(client, planner, behind_project, table):
    login(client, planner)
    response = _export(client, table, "csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="dashboard-{table}-bma-2564-m8.csv"'
    assert response.content.startswith("\ufeff".encode())


def test_the_behind_projects_sheet_has_be_dates_and_numbers(client, planner, behind_project):
    login(client, planner)
    sheet = load_workbook(io.BytesIO(_export(client, "behind-projects", "xlsx").content)).active
    assert sheet["A1"].value == "โครงการที่ล่าช้ากว่าแผนมากที่สุด (20 อันดับ)"
    row = [cell.value for cell in sheet[5]]
    assert row[:6] == [
        1,
        "24000000-9999",
        behind_project.name,
        "สำนักงานการส่งเสริมอาชีพ",
        "นายอิทธิพล อิงประสาร",
        "30/08/2564",
    ]
    assert row[6:] == [75.0, 40.0, 35.0]
    assert sheet.cell(row=5, column=9).number_format == "0.00"


def test_the_csv_has_the_same_figures_as_the_page(client, planner, behind_project):
    login(client, planner)
    page = client.get(reverse("dashboard:index"), {"fy": "2564", "period": "m8"})
    rows = list(csv.reader(io.StringIO(_export(client, "units-trailing", "csv").content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["รหัสหน่วยงาน", "หน่วยงาน", "ประเภท"]
    trailing = page.context["data"].units_trailing[0]
    assert rows[1] == ["24040000", "สำนักงานการส่งเสริมอาชีพ", "กอง/ฝ่าย", "1", "1", "75.00", "40.00", "35.00", "30/08/2564"]
    assert trailing["gap"] == Decimal("35.00")


def test_the_unreported_units_sheet_lists_responsible_persons(client, planner, behind_project):
    login(client, planner)
    rows = list(
        csv.reader(io.StringIO(_export(client, "units-not-reported", "csv", period="m9").content.decode("utf-8-sig")))
    )
    assert rows[1] == [
        "24040000",
        "สำนักงานการส่งเสริมอาชีพ",
        "กอง/ฝ่าย",
        "",
        "1",
        "30/08/2564",
        "นายอิทธิพล อิงประสาร",
    ]


def test_a_directors_export_of_their_own_unit_uses_its_code_in_the_file_name(client, director, behind_project):
    login(client, director)
    response = client.get(
        reverse("dashboard:export"),
        {"fy": "2564", "period": "q4", "unit": "24000000", "table": "behind-projects", "format": "xlsx"},
    )
    assert (
        response["Content-Disposition"] == 'attachment; filename="dashboard-behind-projects-unit-24000000-2564-q4.xlsx"'
    )


@pytest.mark.parametrize("params", [{"table": "nope"}, {"format": "pdf"}, {"table": ""}])
def test_an_unknown_table_or_format_is_not_found(client, planner, params):
    login(client, planner)
    query = {"table": "behind-projects", "format": "xlsx", **params}
    assert client.get(reverse("dashboard:export"), query).status_code == 404


def test_exports_need_a_login(client, db):
    response = client.get(reverse("dashboard:export"), {"table": "behind-projects", "format": "csv"})
    assert response.status_code == 302
