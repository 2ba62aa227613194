"""The monthly and quarterly reporting cycle (issue 20, items 1–4): the planning office's calendar
of each fiscal year, a project's month statuses, submit → approve / return, and closed quarters
that nothing can change; and the plan-step date window (issue 19 item 4)."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bma_tracker import thaidate
from projects import cycle, services
from projects.cycle import Locks, MonthStatus, month_status, open_report_day
from projects.models import AuditEntry, OrgUnit, PlanStep, ProgressReport, Project, QuarterLock, ReportingCalendar, User
from tests import factories
from tests.conftest import login
from tests.paths import SEEDS

S = MonthStatus
TODAY = thaidate.today()
FY = thaidate.fiscal_year(TODAY)
FY_START = thaidate.fiscal_year_range(FY)[0]  # in Q1 of the current year, never after today


@pytest.fixture
def current(social_division):
    """A project of สำนักพัฒนาสังคม's division in the current fiscal year."""
    return factories.make_project(code="24000000-7001", unit=social_division, fiscal_year=FY)


@pytest.fixture
def other_director(district_office):
    return factories.make_user("other-director", unit=district_office, role=User.Role.DIRECTOR)


def form_data(day, **extra):
    return {
        "report_date": thaidate.format_short(day),
        "percent": "40",
        "narrative": "ดำเนินการตามแผน",
        "problems": "ไม่มี",
        "obstacles": "ไม่มี",
        **extra,
    }


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- 1. The calendar ---------------------------------------------------------------------------


def test_a_new_years_defaults_follow_the_bma_fiscal_year():
    calendar = ReportingCalendar.default_for(2570)
    assert calendar.report_due_day == 5 and calendar.approval_required
    assert [calendar.closes_on(q) for q in (1, 2, 3, 4)] == [
        date(2027, 1, 31),
        date(2027, 4, 30),
        date(2027, 7, 31),
        date(2027, 10, 31),
    ]
    assert (calendar.steps_window_start, calendar.steps_window_end) == (date(2025, 10, 1), date(2028, 9, 30))
    assert calendar.due_date(2026, 12) == date(2027, 1, 5)


def test_the_importer_gives_a_legacy_year_a_calendar_without_approval(db, reference_data):
    out, err = StringIO(), StringIO()
    call_command("import_legacy", str(SEEDS / "000_ce21939e2f54dfaa.txt"), stdout=out, stderr=err)
    assert ReportingCalendar.objects.get(fiscal_year=2564).approval_required is False
    # Its reports are submitted ones, final in that year: they count, and nobody is asked to approve them.
    project = Project.objects.get(code="24000000-3029")
    assert set(project.reports.values_list("status", flat=True)) == {"submitted"}
    assert project.latest_report_date is not None
    assert not ProgressReport.objects.awaiting_approval().exists()


def test_the_planning_office_edits_a_years_calendar_and_it_is_audited(client, planner):
    login(client, planner)
    home = client.get(reverse("home")).content.decode()
    assert reverse("projects:calendar") in home  # reachable from the planning office's home page
    assert client.get(reverse("projects:calendar")).status_code == 200
    url = reverse("projects:calendar_edit", args=[FY])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(report_due_day="10", approval_required="on", version="")
    data["steps_window_start"] = thaidate.format_short(FY_START - timedelta(days=800))  # widened
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    calendar = ReportingCalendar.objects.get(fiscal_year=FY)
    assert calendar.report_due_day == 10 and calendar.updated_by == planner
    entry = AuditEntry.objects.get(model_label="projects.reportingcalendar")
    assert entry.user == planner and entry.changes["report_due_day"] == [None, 10]


def test_the_calendar_refuses_a_window_narrower_than_its_year_in_thai(client, planner):
    login(client, planner)
    url = reverse("projects:calendar_edit", args=[FY])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(
        version="", steps_window_start=thaidate.format_short(FY_START + timedelta(days=10)), report_due_day="31"
    )
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "ต้องเป็นวันที่ 1–28" in errors["report_due_day"][0]
    assert not ReportingCalendar.objects.exists()


@pytest.mark.parametrize("who", ["staff", "director", "other_staff"])
def test_only_the_planning_office_opens_the_calendar_and_quarter_pages(client, request, who):
    login(client, request.getfixturevalue(who))
    for url in (
        reverse("projects:calendar"),
        reverse("projects:calendar_edit", args=[FY]),
        reverse("projects:calendar_locks", args=[FY]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("projects:quarter_close", args=[FY]), {"quarter": "1"}).status_code == 403
    assert not QuarterLock.objects.exists()


def test_plan_step_dates_outside_the_window_are_refused_in_the_form_and_the_service(staff_client, current, staff):
    url = reverse("projects:steps", args=[current.code])
    data = {
        "version": current.version,
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-number": "1",
        "steps-0-name": "วางแผน",
        "steps-0-weight": "20",
        "steps-0-start": "01/01/2400",
        "steps-0-end": thaidate.format_short(FY_START),
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "วันที่ของขั้นตอนต้องอยู่ระหว่าง" in str(response.context["formset"].forms[0].errors["start"])
    assert not PlanStep.objects.exists()
    with pytest.raises(services.ValidationError):
        services.plan_steps_save(
            project=current,
            user=staff,
            version=current.version,
            changed=[],
            created=[{"number": 1, "name": "x", "weight": Decimal("1"), "start": FY_START, "end": date(2100, 1, 1)}],
            deleted=[],
        )
    assert not PlanStep.objects.exists()


@pytest.fixture
def staff_client(client, staff):
    return login(client, staff)


# --- 2. Month statuses and the open period -----------------------------------------------------

CAL = ReportingCalendar.default_for(2570)  # reports due on the 5th of the following month


@pytest.mark.parametrize(
    ("today", "report_status", "locked", "expected"),
    [
        (date(2026, 11, 20), None, set(), S.NOT_YET_DUE),  # November not over yet
        (date(2026, 12, 3), None, set(), S.DUE),  # over, due by 5 December
        (date(2026, 12, 5), None, set(), S.DUE),
        (date(2026, 12, 6), None, set(), S.LATE),
        (date(2026, 12, 6), "draft", set(), S.DRAFT),
        (date(2026, 12, 6), "submitted", set(), S.SUBMITTED),
        (date(2026, 12, 6), "approved", set(), S.APPROVED),
        (date(2026, 12, 6), "returned", set(), S.RETURNED),
        (date(2026, 12, 6), "approved", {1}, S.LOCKED),  # November is in Q1
        (date(2026, 12, 6), None, {2}, S.LATE),
    ],
)
def test_a_months_status(today, report_status, locked, expected):
    status = month_status(
        calendar=CAL, locked_quarters=locked, year=2026, month=11, report_status=report_status, today=today
    )
    assert status == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 12, 5), (2026, 11)), (date(2026, 12, 6), (2026, 12)), (date(2027, 1, 1), (2026, 12))],
)
def test_the_reporting_month_is_the_previous_one_until_its_due_day(today, expected):
    assert cycle.reporting_month(today, CAL) == expected


def test_the_form_of_a_closed_fiscal_year_offers_its_last_day_and_accepts_it(staff_client, project):
    # The bug of issue 20: a FY 2564 project's form filled in today and then refused it.
    response = staff_client.get(reverse("projects:progress_new", args=[project.code]))
    page = response.content.decode()
    assert 'name="report_date" value="30/09/2564"' in page
    assert "ปีงบประมาณ 2564 สิ้นสุดแล้ว" in page
    form = response.context["form"]
    response = staff_client.post(
        reverse("projects:progress_new", args=[project.code]),
        form_data(date(2021, 9, 30), submission_key=form.initial["submission_key"]),
    )
    assert response.status_code == 302
    assert project.reports.get().report_date == date(2021, 9, 30)


def test_the_open_period_skips_closed_quarters_and_says_why_there_is_none(project, social_dept, planner):
    today = date(2026, 12, 5)
    assert open_report_day(project, today=today)[0] == date(2021, 9, 30)
    for quarter in (4, 3):
        services.quarter_close(user=planner, fiscal_year=2564, quarter=quarter, unit=social_dept)
    day, note = open_report_day(project, today=today)
    assert day == date(2021, 3, 31) and "ไตรมาสที่ปิดแล้ว" in note
    for quarter in (1, 2):
        services.quarter_close(user=planner, fiscal_year=2564, quarter=quarter)
    assert open_report_day(project, today=today) == (None, "ไม่มีช่วงที่เปิดรับรายงาน: ทุกไตรมาสของปีงบประมาณ 2564 ปิดแล้ว")
    future = factories.make_project(unit=social_dept, fiscal_year=2580)
    day, reason = open_report_day(future, today=today)
    assert day is None and "ยังไม่เริ่ม" in reason


def test_the_project_page_shows_each_months_status(client, staff, current):
    factories.make_report(current, report_date=FY_START, status="approved")
    login(client, staff)
    page = client.get(current.get_absolute_url()).content.decode()
    assert 'class="month-strip' in page
    assert page.count('month-status" data-status=') == 12
    assert 'data-status="approved"' in page


def test_the_dashboard_counts_submitted_and_approved_reports_apart(client, director, current, social_division):
    other = factories.make_project(code="24000000-7002", unit=social_division, fiscal_year=FY)
    third = factories.make_project(code="24000000-7003", unit=social_division, fiscal_year=FY)
    factories.make_report(current, report_date=FY_START, status="approved")
    factories.make_report(other, report_date=FY_START, status="submitted")
    factories.make_report(third, report_date=FY_START, status="draft")  # does not count
    for p in (current, other, third):
        p.refresh_progress_summary()
    login(client, director)
    page = client.get(reverse("dashboard:index"), {"fy": FY, "period": "q1"}).content.decode()
    assert 'data-figure="submitted">ส่งแล้ว ยังไม่อนุมัติ 1<' in page
    assert 'data-figure="approved">อนุมัติแล้ว 1<' in page


# --- 3. Submit → approve / return -------------------------------------------------------------


def test_a_draft_does_not_count_until_it_is_submitted(staff_client, current):
    url = reverse("projects:progress_new", args=[current.code])
    key = staff_client.get(url).context["form"].initial["submission_key"]
    assert staff_client.post(url, form_data(FY_START, submission_key=key, action="draft")).status_code == 302
    report = current.reports.get()
    current.refresh_from_db()
    assert report.status == "draft" and current.latest_report_date is None
    edit = reverse("projects:progress_edit", args=[current.code, report.pk])
    assert staff_client.post(edit, form_data(FY_START, version=report.version, action="submit")).status_code == 302
    report.refresh_from_db()
    current.refresh_from_db()
    assert report.status == "submitted" and report.submitted_at is not None
    assert current.latest_report_date == FY_START
    assert list(AuditEntry.objects.filter(object_id=report.pk).order_by("pk").values_list("action", flat=True)) == [
        "create",
        "submit",
    ]


def submitted_by(project, user):
    report, _created = services.progress_report_submit(
        project=project, user=user, values={"report_date": FY_START, "percent": Decimal("30")}
    )
    return report


def test_a_director_of_a_unit_above_approves_and_it_is_audited(client, staff, director, current):
    report = submitted_by(current, staff)
    login(client, director)
    assert (
        reverse("projects:progress_review", args=[current.code, report.pk])
        in client.get(reverse("home")).content.decode()
    )
    url = reverse("projects:progress_review", args=[current.code, report.pk])
    response = client.post(url, {"action": "approve", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    current.refresh_from_db()
    assert report.status == "approved" and report.reviewed_by == director and report.reviewed_at is not None
    assert current.approved_months == Project.report_month_bit(FY_START)
    entry = AuditEntry.objects.get(action="approve")
    assert entry.user == director and entry.changes == {"status": ["submitted", "approved"]}


@pytest.mark.parametrize("who", ["staff", "other_director", "other_staff"])
def test_staff_and_another_units_director_cannot_approve(client, request, staff, current, who):
    report = submitted_by(current, staff)
    login(client, request.getfixturevalue(who))
    url = reverse("projects:progress_review", args=[current.code, report.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "approve", "version": report.version}).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"


def test_nobody_approves_a_report_they_entered_themselves(client, director, current):
    report = submitted_by(current, director)
    login(client, director)
    url = reverse("projects:progress_review", args=[current.code, report.pk])
    assert client.post(url, {"action": "approve", "version": report.version}).status_code == 403


def test_the_planning_office_approves_any_units_report(client, staff, planner, current):
    report = submitted_by(current, staff)
    login(client, planner)
    url = reverse("projects:progress_review", args=[current.code, report.pk])
    assert client.post(url, {"action": "approve", "version": report.version}).status_code == 302


def test_returning_needs_a_comment_and_staff_see_it_and_resubmit(client, staff, director, current):
    report = submitted_by(current, staff)
    login(client, director)
    url = reverse("projects:progress_review", args=[current.code, report.pk])
    response = client.post(url, {"action": "return", "version": report.version, "reason": "  "})
    assert response.status_code == 200 and "กรุณาระบุเหตุผล" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"
    client.post(url, {"action": "return", "version": report.version, "reason": "ร้อยละไม่ตรงกับผลที่บรรยาย"})
    report.refresh_from_db()
    current.refresh_from_db()
    assert report.status == "returned" and current.latest_report_date is None  # no longer counted
    login(client, staff)
    home = client.get(reverse("home")).content.decode()
    assert "ร้อยละไม่ตรงกับผลที่บรรยาย" in home
    edit = reverse("projects:progress_edit", args=[current.code, report.pk])
    assert edit in home
    assert "ร้อยละไม่ตรงกับผลที่บรรยาย" in client.get(edit).content.decode()
    client.post(edit, form_data(FY_START, version=report.version, percent="35"))
    report.refresh_from_db()
    assert report.status == "submitted" and report.percent == Decimal("35") and report.review_comment == ""
    assert AuditEntry.objects.get(action="return").note == "ร้อยละไม่ตรงกับผลที่บรรยาย"


def test_a_submitted_report_is_final_when_the_year_needs_no_approval(director, staff, current):
    ReportingCalendar.legacy_year_ensure(FY)
    submitted_by(current, staff)
    assert not cycle.reports_awaiting_approval(director).exists()
    current.refresh_from_db()
    assert current.latest_report_date == FY_START


def test_the_review_page_and_the_directors_home_have_pinned_query_counts(
    client, staff, director, current, django_assert_max_num_queries
):
    reports = [submitted_by(current, staff) for _ in range(5)]
    login(client, director)
    # session, user, calendar, projects with their month's status, closed quarters, returned
    # reports, reports awaiting approval.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("home"))
    assert len(response.context["to_approve"]) == 5
    with django_assert_max_num_queries(4):  # session, user, project, report
        client.get(reverse("projects:progress_review", args=[current.code, reports[0].pk]))


def test_the_planning_office_pages_have_pinned_query_counts(
    client, planner, social_dept, django_assert_max_num_queries
):
    for quarter in (1, 2):
        services.quarter_close(user=planner, fiscal_year=FY, quarter=quarter, unit=social_dept)
    login(client, planner)
    with django_assert_max_num_queries(4):  # session, user, calendars, active locks
        client.get(reverse("projects:calendar"))
    with django_assert_max_num_queries(6):  # session, user, calendar, locks, their history, the unit choices
        client.get(reverse("projects:calendar_locks", args=[FY]))
    with django_assert_max_num_queries(4):  # session, user, the unit choices... and the calendar
        client.get(reverse("projects:calendar_edit", args=[FY]))


# --- 4. Closed quarters -----------------------------------------------------------------------


def test_issue_20_done_when(client, staff, director, planner, admin_user, current, social_dept):
    """A report submitted by staff is approved by the director; the planning office closes Q1 of
    the current fiscal year for สำนักพัฒนาสังคม; after that every edit of a Q1 report of that
    unit — form, admin, import, bulk update — is refused with a message and changes nothing;
    reopening with a reason makes it editable again and shows in the history."""
    login(client, staff)
    new = reverse("projects:progress_new", args=[current.code])
    key = client.get(new).context["form"].initial["submission_key"]
    client.post(new, form_data(FY_START, submission_key=key))
    report = current.reports.get()
    assert report.status == "submitted"
    login(client, director)
    client.post(
        reverse("projects:progress_review", args=[current.code, report.pk]),
        {"action": "approve", "version": report.version},
    )
    report.refresh_from_db()
    assert report.status == "approved"

    login(client, planner)
    close = client.post(
        reverse("projects:quarter_close", args=[FY]), {"quarter": "1", "unit": social_dept.pk}, follow=True
    )
    assert "ปิดไตรมาสที่ 1" in " ".join(messages_of(close))
    stored = ProgressReport.objects.values().get(pk=report.pk)

    # The form: the edit page says so and shows no form; a post changes nothing.
    login(client, staff)
    edit = reverse("projects:progress_edit", args=[current.code, report.pk])
    response = client.get(edit, follow=True)
    assert f"ไตรมาสที่ 1 ปีงบประมาณ {FY} ปิดแล้ว" in " ".join(messages_of(response))
    response = client.post(edit, form_data(FY_START, version=report.version, percent="90"), follow=True)
    assert "ปิดแล้ว" in " ".join(messages_of(response))
    delete = client.post(
        reverse("projects:progress_delete", args=[current.code, report.pk]), {"version": report.version}, follow=True
    )
    assert "ปิดแล้ว" in " ".join(messages_of(delete))
    # A new report dated in Q1 is refused by the form, in Thai.
    response = client.post(new, form_data(FY_START + timedelta(days=1), submission_key="k" * 32))
    assert "ไตรมาสที่ 1" in str(response.context["form"].errors["report_date"])
    # The director cannot return it either.
    login(client, director)
    review = client.post(
        reverse("projects:progress_review", args=[current.code, report.pk]),
        {"action": "return", "version": report.version, "reason": "x"},
        follow=True,
    )
    assert "ปิดแล้ว" in " ".join(messages_of(review))

    # The admin: read-only, and a forged post is refused.
    login(client, admin_user)
    change = reverse("admin:projects_progressreport_change", args=[report.pk])
    page = client.get(change).content.decode()
    assert 'name="percent"' not in page  # shown read-only
    client.post(change, {"project": current.pk, "report_date": FY_START.isoformat(), "percent": "90"})
    client.post(reverse("admin:projects_progressreport_delete", args=[report.pk]), {"post": "yes"})

    # A bulk command, a script's QuerySet.update(), raw SQL: the database refuses.
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.filter(pk=report.pk).update(percent=Decimal("90"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.filter(pk=report.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.make_report(current, report_date=FY_START + timedelta(days=2))
    assert ProgressReport.objects.values().get(pk=report.pk) == stored
    assert current.reports.count() == 1

    # Reopening needs a reason, then the report is editable again.
    lock = QuarterLock.objects.active().get()
    login(client, planner)
    client.post(reverse("projects:quarter_reopen", args=[FY, lock.pk]), {"reason": ""})
    assert QuarterLock.objects.active().exists()
    client.post(reverse("projects:quarter_reopen", args=[FY, lock.pk]), {"reason": "แก้ตัวเลขตามหนังสือที่ กท 1234/2569"})
    assert not QuarterLock.objects.active().exists()
    login(client, staff)
    response = client.post(edit, form_data(FY_START, version=report.version, percent="90"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.percent == Decimal("90") and report.status == "submitted"  # back for approval

    history = client.get(reverse("projects:history", args=[current.code])).content.decode()
    assert "ปิดไตรมาส" in history and "เปิดไตรมาสอีกครั้ง" in history
    assert "แก้ตัวเลขตามหนังสือที่ กท 1234/2569" in history


def test_an_import_touching_a_closed_quarter_is_refused_and_stores_nothing(db, reference_data):
    social = OrgUnit.objects.get(code="24000000")
    planner = factories.make_user("planner", unit=OrgUnit.objects.get(code="11000000"), role=User.Role.PLANNER)
    services.quarter_close(user=planner, fiscal_year=2564, quarter=4, unit=social)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_legacy", str(SEEDS / "000_ce21939e2f54dfaa.txt"), stdout=out, stderr=err)
    assert "ไตรมาสที่ 4 ปีงบประมาณ 2564 ปิดแล้ว" in err.getvalue()
    assert not Project.objects.filter(code="24000000-3029").exists()


def test_the_database_refuses_steps_evaluations_and_indicator_results_of_a_closed_quarter(
    current, planner, social_dept
):
    step = factories.make_step(current, start=FY_START, end=FY_START + timedelta(days=100))
    evaluation = current.evaluations.create(quarter=1, score=Decimal("80"))
    indicator = factories.make_indicator(fiscal_year=FY, unit=social_dept)
    result = factories.make_indicator_quarter(indicator, quarter=1, result=Decimal("5"))
    services.quarter_close(user=planner, fiscal_year=FY, quarter=1)  # for every unit
    for queryset, field in (
        (PlanStep.objects.filter(pk=step.pk), "weight"),
        (current.evaluations.filter(pk=evaluation.pk), "score"),
        (type(result).objects.filter(pk=result.pk), "result"),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            queryset.update(**{field: Decimal("1")})
        with pytest.raises(IntegrityError), transaction.atomic():
            queryset.delete()
    # Another quarter stays open.
    current.evaluations.create(quarter=2, score=Decimal("70"))
    with pytest.raises(services.PeriodLocked):
        services.project_evaluation_save(project=current, user=planner, quarter=1, score=Decimal("1"), version=1)


def test_closing_a_quarter_shows_at_once_on_the_cached_project_page(client, staff, planner, current, social_dept):
    factories.make_report(current, report_date=FY_START)
    login(client, staff)
    assert 'data-status="locked"' not in client.get(current.get_absolute_url()).content.decode()
    # As a script would: straight into the table, no service.
    QuarterLock.objects.create(fiscal_year=FY, quarter=1, unit=social_dept, locked_by=planner, locked_at=timezone.now())
    assert 'data-status="locked"' in client.get(current.get_absolute_url()).content.decode()
    ReportingCalendar.legacy_year_ensure(FY)
    ReportingCalendar.objects.filter(fiscal_year=FY).update(report_due_day=20)
    assert current.revision < Project.objects.get(pk=current.pk).revision


def test_locks_cover_the_unit_and_the_units_below_it(social_dept, social_division, district_office, planner):
    services.quarter_close(user=planner, fiscal_year=FY, quarter=2, unit=social_dept)
    locks = Locks.load(FY)
    assert locks.quarters_for(social_division) == {2}
    assert locks.quarters_for(district_office) == set()
    with pytest.raises(services.QuarterAlreadyClosed):
        services.quarter_close(user=planner, fiscal_year=FY, quarter=2, unit=social_dept)


def test_due_project_months_lists_what_staff_still_have_to_write(social_division):
    project = factories.make_project(code="24000000-7009", unit=social_division, fiscal_year=2570)
    # 3 December 2026: November's report is due by the 5th.
    assert [(p.code, month, status) for p, month, status in cycle.due_project_months(today=date(2026, 12, 3))] == [
        ("24000000-7009", (2026, 11), S.DUE)
    ]
    # 6 December: December's report is not due yet.
    assert cycle.due_project_months(today=date(2026, 12, 6)) == []
    factories.make_report(project, report_date=date(2026, 11, 30), status="returned", review_comment="แก้")
    assert [s for _p, _m, s in cycle.due_project_months(today=date(2026, 12, 3))] == [S.RETURNED]


def test_a_backup_with_closed_quarters_restores_them_with_their_rows(tmp_path, current, planner, social_dept):
    """restore empties and refills every table; the closed-quarter triggers must not stop it."""
    factories.make_report(current, report_date=FY_START)
    indicator = factories.make_indicator(fiscal_year=FY, unit=social_dept)
    factories.make_indicator_quarter(indicator, quarter=1, result=Decimal("5"))
    services.quarter_close(user=planner, fiscal_year=FY, quarter=1)
    target = tmp_path / "bma.tar.gz"
    call_command("backup", str(target), stdout=StringIO())
    call_command("restore", str(target), interactive=False, stdout=StringIO())
    assert QuarterLock.objects.active().get().quarter == 1
    assert current.reports.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        current.reports.update(percent=Decimal("1"))  # and still closed
