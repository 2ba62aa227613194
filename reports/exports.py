"""CSV and Excel downloads of a report table (reports.dashboard_tables.Table).

Dates are written as d/m/BE-year text (30/08/2564), not as spreadsheet dates with a number
format: a Buddhist-era number format ([$-th-TH,107]) shows BE years only in Excel with Thai
calendar support, while LibreOffice and Google Sheets show CE years or the raw code; text
reads the same everywhere, which is what people print and compare against the legacy pages.
Percentages stay numbers (two decimals), so they can still be summed and charted.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bma_tracker import thaidate

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_value(value):
    """A table value as a spreadsheet cell: BE date text, float for decimals, '' for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return thaidate.format_short(value)
    if isinstance(value, Decimal):
        return float(value)
    return value if isinstance(value, (int, float)) else str(value)


def _filename(table, extension):
    return f"{table.filename or table.slug}.{extension}"


def csv_response(table):
    """UTF-8 with a byte-order mark, so that Excel opens the Thai text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(header) for header in table.headers])
    for row in table.rows:
        writer.writerow([f"{v:.2f}" if isinstance(v, Decimal) else cell_value(v) for v in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, "csv")}"'
    return response


def xlsx_workbook(table):
    """One sheet: the title, the scope line, then the header row and the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.slug[:31]
    sheet.append([str(table.title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([str(table.subtitle)])
    sheet.append([])
    sheet.append([str(header) for header in table.headers])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8F5E9")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        sheet.append([cell_value(value) for value in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, Decimal):
                cell.number_format = "0.00"
            elif cell.data_type == "f":
                # openpyxl takes any text starting with "=" for a formula: a name typed as
                # "=HYPERLINK(…)" must stay the text it is, never run in the reader's Excel.
                cell.data_type = "s"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for index, header in enumerate(table.headers, start=1):
        values = [str(header)] + [str(cell_value(row[index - 1])) for row in table.rows[:200]]
        width = min(60, max(8, max(len(value) for value in values) + 2))
        sheet.column_dimensions[get_column_letter(index)].width = width
    return book


def xlsx_response(table):
    buffer = io.BytesIO()
    xlsx_workbook(table).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, "xlsx")}"'
    return response
