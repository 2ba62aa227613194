"""Budget and disbursement (issue 20, item 6): a project's budget and budget after transfers,
the cumulative amount disbursed entered with each monthly report, and the disbursement rate
against the quarterly plan on the project page, the dashboard (per unit, drilling down) and its
Excel and CSV exports."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from bma_tracker.env import env_quarter_targets
from projects import services
from projects.forms import AmountField
from projects.models import AuditEntry, ProgressReport, Project, disbursement_by_month, disbursement_target
from tests import factories
from tests.conftest import login

FY = 2564  # 2020-10-01 … 2021-09-30


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def budgeted(project):
    Project.objects.filter(pk=project.pk).update(budget=Decimal("2000000"), budget_after_transfer=Decimal("1000000"))
    project.refresh_from_db()
    return project


def report(project, user, day, percent, disbursed):
    return services.progress_report_submit(
        project=project,
        user=user,
        values={
            "report_date": day,
            "percent": Decimal(percent),
            "narrative": "",
            "problems": "",
            "obstacles": "",
            "disbursed_to_date": None if disbursed is None else Decimal(disbursed),
        },
    )[0]


def progress_data(**overrides):
    data = {
        "report_date": "30/03/2564",
        "percent": "45",
        "narrative": "เบิกจ่ายงวดที่ 1",
        "problems": "ไม่มี",
        "obstacles": "ไม่มี",
        "submission_key": "",
        "disbursed_to_date": "",
    }
    return {**data, **overrides}


def errors(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- Amounts as people type them ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1250000", Decimal("1250000")),
        ("1,250,000.50", Decimal("1250000.50")),
        ("๑,๒๕๐,๐๐๐", Decimal("1250000")),
        ("14 ,892,956.80", Decimal("14892956.80")),  # the stray space of the legacy pages
        ("  980,000 บาท ", Decimal("980000")),
        ("0", Decimal("0")),
        ("", None),
    ],
)
def test_an_amount_is_read_with_commas_thai_digits_and_a_trailing_baht(typed, value):
    assert AmountField().clean(typed) == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "จำนวนเงินต้องไม่ติดลบ"),
        ("-1,000", "จำนวนเงินต้องไม่ติดลบ"),
        ("1,2,3", "กรุณากรอกจำนวนเงินเป็นตัวเลข"),
        ("12,34.5", "กรุณากรอกจำนวนเงินเป็นตัวเลข"),
        ("1e6", "กรุณากรอกจำนวนเงินเป็นตัวเลข"),
        ("NaN", "กรุณากรอกจำนวนเงินเป็นตัวเลข"),
        ("1.234", "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
        ("100,000,000,000.01", "จำนวนเงินต้องไม่เกิน 100,000 ล้านบาท"),
    ],
)
def test_an_amount_that_is_not_one_is_refused_in_thai(typed, message):
    with pytest.raises(ValidationError) as caught:
        AmountField().clean(typed)
    assert message in caught.value.messages[0]


def test_the_database_refuses_a_negative_budget_and_a_negative_disbursement(project, staff):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(budget=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(
            project=project, report_date=date(2021, 1, 5), percent=10, disbursed_to_date=Decimal("-0.01")
        )


# --- The project form: the budget ---------------------------------------------------------------


def project_form_data(project, **overrides):
    data = {
        "name": project.name,
        "unit": project.unit_id,
        "division_code": "",
        "subunit_code": "",
        "responsible_person": "",
        "responsible_phone": "",
        "rationale": "",
        "objectives": "",
        "targets": "",
        "budget": "",
        "budget_after_transfer": "",
        "version": project.version,
    }
    return {**data, **overrides}


def test_staff_enter_a_budget_with_commas_and_it_is_audited(client, staff, project):
    login(client, staff)
    response = client.post(
        reverse("projects:edit", args=[project.code]),
        project_form_data(project, budget="2,500,000", budget_after_transfer="๒,๔๐๐,๐๐๐.๕๐"),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.budget, project.budget_after_transfer) == (Decimal("2500000"), Decimal("2400000.50"))
    entry = AuditEntry.objects.get(project=project, action="update")
    assert entry.changes["budget"] == [None, "2500000.00"]
    assert entry.changes["budget_after_transfer"] == [None, "2400000.50"]


def test_the_budget_may_not_drop_below_what_was_disbursed(client, staff, budgeted):
    report(budgeted, staff, date(2021, 1, 10), "30", "600000")
    budgeted.refresh_from_db()
    login(client, staff)
    response = client.post(
        reverse("projects:edit", args=[budgeted.code]),
        project_form_data(budgeted, budget="2000000", budget_after_transfer="500,000"),
    )
    assert response.status_code == 200
    assert errors(response, "budget_after_transfer") == ["งบประมาณต้องไม่น้อยกว่าที่เบิกจ่ายไปแล้ว 600,000.00 บาท"]
    budgeted.refresh_from_db()
    assert budgeted.budget_after_transfer == Decimal("1000000")


# --- The progress form: the cumulative disbursement --------------------------------------------


def test_staff_report_the_cumulative_disbursement_with_the_months_report(client, staff, budgeted):
    login(client, staff)
    response = client.post(
        reverse("projects:progress_new", args=[budgeted.code]), progress_data(disbursed_to_date="๓๕๐,๐๐๐")
    )
    assert response.status_code == 302
    stored = ProgressReport.objects.get(project=budgeted)
    assert stored.disbursed_to_date == Decimal("350000")
    budgeted.refresh_from_db()
    assert budgeted.disbursed_to_date == Decimal("350000")
    assert budgeted.disbursement_rate == Decimal("35.00")  # of the budget after transfers
    assert AuditEntry.objects.get(project=budgeted).changes["disbursed_to_date"] == [None, "350000.00"]


def test_a_disbursement_over_the_budget_after_transfers_is_refused_and_nothing_is_stored(client, staff, budgeted):
    login(client, staff)
    response = client.post(
        reverse("projects:progress_new", args=[budgeted.code]), progress_data(disbursed_to_date="1,000,000.01")
    )
    assert response.status_code == 200
    assert errors(response, "disbursed_to_date") == [
        "ผลการเบิกจ่ายสะสม 1,000,000.01 บาท เกินงบประมาณหลังปรับโอน 1,000,000.00 บาท"
    ]
    assert not ProgressReport.objects.exists()


def test_a_disbursement_is_refused_on_a_project_without_a_budget(client, staff, project):
    login(client, staff)
    response = client.post(
        reverse("projects:progress_new", args=[project.code]), progress_data(disbursed_to_date="1000")
    )
    assert response.status_code == 200
    assert "โครงการยังไม่มีงบประมาณ" in errors(response, "disbursed_to_date")[0]
    # A report without an amount is fine.
    response = client.post(reverse("projects:progress_new", args=[project.code]), progress_data())
    assert response.status_code == 302


def test_a_negative_disbursement_is_refused(client, staff, budgeted):
    login(client, staff)
    response = client.post(
        reverse("projects:progress_new", args=[budgeted.code]), progress_data(disbursed_to_date="-10")
    )
    assert errors(response, "disbursed_to_date") == ["จำนวนเงินต้องไม่ติดลบ"]


def test_a_cumulative_amount_below_an_earlier_reports_or_above_a_later_ones_is_refused(client, staff, budgeted):
    report(budgeted, staff, date(2021, 1, 10), "20", "200000")
    later = report(budgeted, staff, date(2021, 5, 10), "60", "500000")
    login(client, staff)
    url = reverse("projects:progress_new", args=[budgeted.code])
    response = client.post(url, progress_data(disbursed_to_date="150000"))
    assert "ต้องไม่น้อยกว่าที่รายงานไว้ก่อนหน้า (200,000.00 บาท)" in errors(response, "disbursed_to_date")[0]
    response = client.post(url, progress_data(disbursed_to_date="600000"))
    assert "ต้องไม่มากกว่าที่รายงานไว้ในวันหลังจากนี้ (500,000.00 บาท)" in errors(response, "disbursed_to_date")[0]
    # Editing the later report itself compares it with the earlier ones only.
    edit = reverse("projects:progress_edit", args=[budgeted.code, later.pk])
    response = client.post(
        edit, progress_data(report_date="10/05/2564", percent="60", disbursed_to_date="550000", version=later.version)
    )
    assert response.status_code == 302
    budgeted.refresh_from_db()
    assert budgeted.disbursed_to_date == Decimal("550000")


def test_two_reports_in_a_month_count_the_months_disbursement_once(staff, budgeted):
    report(budgeted, staff, date(2020, 11, 20), "10", "100000")
    report(budgeted, staff, date(2021, 1, 5), "20", "150000")
    report(budgeted, staff, date(2021, 1, 25), "30", "240000")  # the same month again: cumulative
    report(budgeted, staff, date(2021, 2, 10), "35", None)  # no amount this time
    months = disbursement_by_month(budgeted.reports.live())
    assert [(row["month"], row["in_month"], row["cumulative"]) for row in months] == [
        (date(2020, 11, 1), Decimal("100000"), Decimal("100000")),
        (date(2021, 1, 1), Decimal("140000"), Decimal("240000")),
    ]
    budgeted.refresh_from_db()
    assert budgeted.disbursed_to_date == Decimal("240000")  # the newest report stating an amount
    assert sum(row["in_month"] for row in months) == budgeted.disbursed_to_date


def test_deleting_a_report_takes_its_amount_out_of_the_summary(staff, budgeted):
    report(budgeted, staff, date(2021, 1, 5), "20", "150000")
    newest = report(budgeted, staff, date(2021, 2, 5), "30", "300000")
    services.progress_report_delete(report=newest, user=staff, version=newest.version)
    budgeted.refresh_from_db()
    assert budgeted.disbursed_to_date == Decimal("150000")


# --- The plan: quarterly targets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "quarter", "target"),
    [
        (date(2020, 10, 1), 1, 32),
        (date(2020, 12, 31), 1, 32),
        (date(2021, 2, 28), 2, 54),
        (date(2021, 6, 30), 3, 77),
        (date(2021, 9, 30), 4, 100),
        (date(2022, 3, 1), 4, 100),  # after the year: its last quarter
    ],
)
def test_the_default_targets_are_the_governments_32_54_77_100(day, quarter, target):
    assert disbursement_target(FY, day) == (quarter, Decimal(target))


def test_the_planning_office_sets_other_targets_for_a_fiscal_year(settings):
    settings.DISBURSEMENT_TARGETS = {0: (32, 54, 77, 100), 2564: (30, 50, 75, 100)}
    assert disbursement_target(2564, date(2021, 2, 1)) == (2, Decimal(50))
    assert disbursement_target(2565, date(2022, 2, 1)) == (2, Decimal(54))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", {0: (32, 54, 77, 100)}),
        ("25,50,75,100", {0: (25, 50, 75, 100)}),
        ("32,54,77,100;2569=30,52,75,100", {0: (32, 54, 77, 100), 2569: (30, 52, 75, 100)}),
    ],
)
def test_the_targets_setting_reads_a_default_and_years(monkeypatch, value, expected):
    monkeypatch.setenv("DISBURSEMENT_TARGETS", value)
    assert env_quarter_targets("DISBURSEMENT_TARGETS", "32,54,77,100") == expected


@pytest.mark.parametrize(
    "value", ["32,54,77", "54,32,77,100", "32,54,77,120", "2569=30,52,75,100", "a,b,c,d", "32,54,77,100;99=1,2,3,4"]
)
def test_a_bad_targets_setting_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("DISBURSEMENT_TARGETS", value)
    with pytest.raises(ImproperlyConfigured, match="DISBURSEMENT_TARGETS"):
        env_quarter_targets("DISBURSEMENT_TARGETS", "32,54,77,100")


# --- The project page ------------------------------------------------------------------------------


def test_the_project_page_of_a_project_with_a_budget_shows_the_disbursement_rate(client, director, staff, budgeted):
    report(budgeted, staff, date(2020, 12, 10), "20", "120000")
    report(budgeted, staff, date(2021, 2, 10), "40", "400000")
    login(client, director)
    html = client.get(budgeted.get_absolute_url()).content.decode()
    section = re.search(r'<section class="project-section" id="budget".*?</section>', html, re.S)[0]
    assert "2,000,000.00 บาท" in section  # the budget
    assert "1,000,000.00 บาท" in section  # after transfers: what the rate is measured against
    assert "400,000.00 บาท" in section and "คงเหลือ 600,000.00 บาท" in section
    assert 'data-rate="40.00"' in section and "ร้อยละ 40.00" in section
    # FY 2564 is over: judged on its last day, against the fourth quarter's 100 %.
    assert "เป้าหมายการเบิกจ่ายสะสมถึงสิ้นไตรมาสที่ 4: ร้อยละ 100" in section
    assert "ต่ำกว่าเป้าหมาย" in section
    cells = re.findall(r'<td class="num">([^<]*)</td>', section)
    assert cells == ["120,000.00", "120,000.00", "12.00", "280,000.00", "400,000.00", "40.00"]
    # The print page shows it too.
    assert 'data-rate="40.00"' in client.get(reverse("projects:print", args=[budgeted.code])).content.decode()


def test_a_project_without_a_budget_shows_no_budget_section(client, director, project):
    login(client, director)
    assert 'id="budget"' not in client.get(project.get_absolute_url()).content.decode()


def test_the_progress_form_says_what_the_budget_is_or_that_there_is_none(client, staff, budgeted, project):
    login(client, staff)
    html = client.get(reverse("projects:progress_new", args=[budgeted.code])).content.decode()
    assert "งบประมาณหลังปรับโอน 1,000,000.00 บาท" in html and 'name="disbursed_to_date"' in html
    other = factories.make_project(unit=project.unit, fiscal_year=FY)
    html = client.get(reverse("projects:progress_new", args=[other.code])).content.decode()
    assert "โครงการยังไม่มีงบประมาณ" in html


# --- The dashboard ---------------------------------------------------------------------------------


@pytest.fixture
def two_units(social_dept, district_office, staff, other_staff):
    """สำนักพัฒนาสังคม: 1,000,000 after transfers, 400,000 disbursed, plus a project without a
    budget; the district office: 500,000, 50,000 disbursed."""
    social = factories.make_project(
        unit=social_dept, fiscal_year=FY, budget=Decimal("1200000"), budget_after_transfer=Decimal("1000000")
    )
    report(social, staff, date(2021, 3, 1), "40", "400000")
    factories.make_project(unit=social_dept, fiscal_year=FY)
    district = factories.make_project(unit=district_office, fiscal_year=FY, budget=Decimal("500000"))
    report(district, other_staff, date(2021, 3, 1), "20", "50000")
    return social, district


def test_the_dashboard_shows_the_disbursement_rate_per_unit_and_drills_down(client, planner, two_units):
    login(client, planner)
    html = client.get(reverse("dashboard:index"), {"fy": FY}).content.decode()
    assert re.search(r'data-figure="disbursement">\s*30.00<', html)  # 450,000 of 1,500,000
    table = re.search(r'<table class="table table-sm table-striped small disbursement-table">.*?</table>', html, re.S)[
        0
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    social_row = next(row for row in rows if "สำนักพัฒนาสังคม" in row)
    assert "1 / 2" in social_row and "1,000,000.00" in social_row and 'data-rate="40.00"' in social_row
    assert "ต่ำกว่า 60.00 จุด" in social_row  # FY 2564 is over: the target is 100
    assert "unit=24000000" in social_row  # the drill-down
    group_row = next(row for row in rows if "กลุ่มกรุงธนใต้" in row)
    assert 'data-rate="10.00"' in group_row

    html = client.get(reverse("dashboard:index"), {"fy": FY, "unit": "24000000"}).content.decode()
    assert re.search(r'data-figure="disbursement">\s*40.00<', html)


def test_the_disbursement_table_exports_to_excel_and_csv_with_numbers_as_numbers(client, planner, two_units):
    login(client, planner)
    query = {"fy": FY, "table": "disbursement"}
    response = client.get(reverse("dashboard:export"), {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    assert rows[0][5] == "อัตราการเบิกจ่าย (ร้อยละ)"
    social = next(row for row in rows if row[0] == "สำนักพัฒนาสังคม")
    assert social[1:] == [2, 1, 1000000, 400000, 40, 100, 60]
    response = client.get(reverse("dashboard:export"), {**query, "format": "csv"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["สำนักพัฒนาสังคม", "2", "1", "1000000.00", "400000.00", "40.00", "100.00", "60.00"] in lines


def test_a_unit_named_like_a_formula_is_exported_as_text(client, planner, two_units, social_dept):
    social_dept.name = '=HYPERLINK("http://x")'
    social_dept.save()
    login(client, planner)
    response = client.get(reverse("dashboard:export"), {"fy": FY, "table": "disbursement", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = next(row[0] for row in sheet.iter_rows(min_row=5) if str(row[0].value).startswith("="))
    assert cell.data_type == "s"
    response = client.get(reverse("dashboard:export"), {"fy": FY, "table": "disbursement", "format": "csv"})
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")


def test_the_dashboard_with_budgets_runs_as_many_queries_as_without(planner, two_units, django_assert_num_queries):
    """The budget figures come from the same one rollup query as the rest (the pinned counts
    of test_dashboard.py): no query more."""
    from reports.dashboard import Period, dashboard_data
    from reports.scopes import Scope
    from tests.test_dashboard import CACHED_QUERIES, DATA_QUERIES

    with django_assert_num_queries(CACHED_QUERIES + DATA_QUERIES):
        data = dashboard_data(Scope.bma(), FY, Period.default(FY))
    assert data.headline["disbursement_rate"] == Decimal("30.00")


def test_the_admin_refuses_a_disbursement_over_the_budget_too(client, admin_user, budgeted):
    stored = factories.make_report(budgeted, report_date=date(2021, 3, 30), percent="35.00")
    client.force_login(admin_user)
    data = {
        "project": budgeted.pk,
        "report_date": "2021-03-30",
        "percent": "35.00",
        "narrative": stored.narrative,
        "problems": stored.problems,
        "obstacles": stored.obstacles,
        "source": stored.source,
        "entered_by": "",
        "disbursed_to_date": "1000000.01",
    }
    response = client.post(reverse("admin:projects_progressreport_change", args=[stored.pk]), data)
    assert response.status_code == 200
    assert "เกินงบประมาณหลังปรับโอน 1,000,000.00 บาท" in response.content.decode()
    stored.refresh_from_db()
    assert stored.disbursed_to_date is None
    # And a report posted without a project says that, not a 500.
    response = client.post(reverse("admin:projects_progressreport_add"), {**data, "project": ""})
    assert response.status_code == 200


def test_posting_a_report_with_a_disbursement_costs_one_query_more(client, staff, budgeted, django_assert_num_queries):
    """tests/test_progress_form.py pins 14 queries for a report; an amount adds one: the earlier
    and later reports' amounts it must lie between, in one aggregate."""
    factories.make_step(budgeted)
    factories.make_report(budgeted, report_date=date(2021, 2, 27))
    login(client, staff)
    with django_assert_num_queries(15):
        response = client.post(
            reverse("projects:progress_new", args=[budgeted.code]),
            progress_data(submission_key="b" * 32, disbursed_to_date="125,000"),
        )
    assert response.status_code == 302
    budgeted.refresh_from_db()
    assert budgeted.disbursed_to_date == Decimal("125000")
