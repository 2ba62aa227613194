"""The planned-progress rule, the schedule status (SQL and Python must agree) and the chart's
planned line, table-driven on fixed dates."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bma_tracker.thaidate import format_month_short
from projects.models import PlanStep, Project, ScheduleStatus, schedule_ref_date
from reports.project_page import planned_series_days, progress_chart_data
from tests import factories


def step(weight, start, end):
    return PlanStep(number=1, name="ขั้นตอน", weight=Decimal(weight), start=start, end=end)


@pytest.mark.parametrize(
    ("weight", "start", "end", "on", "expected"),
    [
        # A one-day step counts in full from its end date, not before.
        ("20", date(2020, 10, 1), date(2020, 10, 1), date(2020, 9, 30), "0"),
        ("20", date(2020, 10, 1), date(2020, 10, 1), date(2020, 10, 1), "20"),
        ("20", date(2020, 10, 1), date(2020, 10, 1), date(2021, 9, 30), "20"),
        # Linear between start and end, by days elapsed.
        ("50", date(2021, 1, 1), date(2021, 1, 11), date(2020, 12, 31), "0"),
        ("50", date(2021, 1, 1), date(2021, 1, 11), date(2021, 1, 1), "0"),
        ("50", date(2021, 1, 1), date(2021, 1, 11), date(2021, 1, 6), "25.00"),
        ("50", date(2021, 1, 1), date(2021, 1, 11), date(2021, 1, 10), "45.00"),
        ("50", date(2021, 1, 1), date(2021, 1, 11), date(2021, 1, 11), "50"),
        ("10", date(2021, 1, 1), date(2021, 1, 4), date(2021, 1, 2), "3.33"),
        # A zero-weight step never adds anything.
        ("0", date(2021, 7, 1), date(2021, 7, 1), date(2021, 9, 30), "0"),
        # A step entered with its end before its start counts in full from its end.
        ("30", date(2021, 2, 10), date(2021, 2, 1), date(2021, 1, 31), "0"),
        ("30", date(2021, 2, 10), date(2021, 2, 1), date(2021, 2, 1), "30"),
    ],
)
def test_planned_share(weight, start, end, on, expected):
    assert step(weight, start, end).planned_share(on) == Decimal(expected)


REF = date(2021, 3, 15)
MARGIN = Decimal("10")

STATUS_CASES = [
    # latest_percent, latest_report_date, planned_percent_at_latest, expected
    (None, None, None, ScheduleStatus.NO_REPORT),
    ("100", date(2021, 1, 10), "100", ScheduleStatus.COMPLETE),  # complete wins over an old report
    ("100", date(2021, 3, 1), "40", ScheduleStatus.COMPLETE),
    ("50", date(2021, 2, 28), "55", ScheduleStatus.NO_REPORT),  # last month's report
    ("50", date(2021, 3, 1), "60", ScheduleStatus.ON_TRACK),  # exactly the margin behind
    ("50", date(2021, 3, 1), "60.01", ScheduleStatus.BEHIND),
    ("49.99", date(2021, 3, 10), "60", ScheduleStatus.BEHIND),
    ("70", date(2021, 3, 10), "50", ScheduleStatus.ON_TRACK),  # ahead of plan
    ("99.99", date(2021, 3, 15), "100", ScheduleStatus.ON_TRACK),
    ("0", date(2021, 3, 15), None, ScheduleStatus.ON_TRACK),  # no plan to be behind
    ("0", date(2021, 3, 15), "10.01", ScheduleStatus.BEHIND),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("percent", "reported", "planned", "expected"), STATUS_CASES)
def test_schedule_status_in_sql_agrees_with_the_model_method(percent, reported, planned, expected):
    project = factories.make_project()
    Project.objects.filter(pk=project.pk).update(
        latest_percent=Decimal(percent) if percent is not None else None,
        latest_report_date=reported,
        planned_percent_at_latest=Decimal(planned) if planned is not None else None,
    )
    project.refresh_from_db()
    annotated = Project.objects.with_schedule_status(REF, MARGIN).get(pk=project.pk)
    assert annotated.schedule_status == expected
    assert project.schedule_status(REF, MARGIN) == expected


@pytest.mark.django_db
def test_schedule_status_in_sql_agrees_for_all_cases_in_one_query(django_assert_num_queries):
    """The same table in one query, as the list runs it."""
    projects = []
    for percent, reported, planned, _expected in STATUS_CASES:
        project = factories.make_project()
        Project.objects.filter(pk=project.pk).update(
            latest_percent=percent, latest_report_date=reported, planned_percent_at_latest=planned
        )
        projects.append(project.pk)
    with django_assert_num_queries(1):
        annotated = list(Project.objects.filter(pk__in=projects).with_schedule_status(REF, MARGIN).order_by("pk"))
    plain = Project.objects.filter(pk__in=projects).order_by("pk")
    assert [p.schedule_status for p in annotated] == [p.schedule_status(REF, MARGIN).value for p in plain]
    assert [p.schedule_status for p in annotated] == [case[3] for case in STATUS_CASES]


@pytest.mark.django_db
def test_report_months_mark_the_fiscal_months_with_a_live_report():
    project = factories.make_project(fiscal_year=2564)  # October 2020 – September 2021
    factories.make_report(project, report_date=date(2020, 10, 31))  # month 0
    factories.make_report(project, report_date=date(2021, 3, 1))  # month 5
    factories.make_report(project, report_date=date(2021, 3, 30))  # month 5 again
    factories.make_report(project, report_date=date(2021, 9, 30))  # month 11
    factories.make_report(project, report_date=date(2020, 9, 30))  # before the year: not counted
    factories.make_report(project, report_date=date(2021, 10, 1))  # after the year: not counted
    factories.make_report(project, report_date=date(2021, 1, 15), deleted_at=timezone.now())  # deleted
    project.refresh_progress_summary()
    project.refresh_from_db()
    assert project.report_months == 1 << 0 | 1 << 5 | 1 << 11


@pytest.mark.django_db
def test_report_months_is_zero_without_reports():
    project = factories.make_project()
    project.refresh_progress_summary()
    project.refresh_from_db()
    assert project.report_months == 0


@pytest.mark.parametrize(
    ("fiscal_year", "today", "expected"),
    [
        (2564, date(2021, 3, 15), date(2021, 3, 15)),  # the current year: today
        (2563, date(2021, 3, 15), date(2020, 9, 30)),  # a closed year: its last day
        (2565, date(2021, 3, 15), date(2021, 3, 15)),  # a coming year: today
        (2564, date(2021, 9, 30), date(2021, 9, 30)),
        (2564, date(2021, 10, 1), date(2021, 9, 30)),
    ],
)
def test_schedule_ref_date(fiscal_year, today, expected):
    assert schedule_ref_date(fiscal_year, today) == expected


def test_each_status_has_a_thai_label_and_a_badge():
    for status in ScheduleStatus:
        assert status.label
        assert status.badge.startswith("text-bg-")
    assert ScheduleStatus.BEHIND.label == "ล่าช้ากว่าแผน"


@pytest.mark.parametrize(
    ("day", "tick"),
    [
        (date(2020, 10, 1), "ต.ค. 63"),
        (date(2021, 1, 1), "ม.ค. 64"),
        (date(2021, 9, 1), "ก.ย. 64"),
        (date(2043, 1, 1), "ม.ค. 86"),
    ],
)
def test_month_ticks_are_thai_months_with_two_digit_be_years(day, tick):
    assert format_month_short(day) == tick


@pytest.mark.django_db
def test_the_planned_line_is_exact_on_every_day_of_the_fiscal_year():
    """Straight segments between the evaluated days give the rule's value on every day."""
    project = factories.make_project(fiscal_year=2564)
    steps = [
        factories.make_step(project, 1, "หนึ่งวัน", "20", date(2020, 10, 1), date(2020, 10, 1)),
        factories.make_step(project, 2, "ช่วงยาว", "50", date(2020, 11, 15), date(2021, 2, 20)),
        factories.make_step(project, 3, "ปลายปี", "30", date(2021, 7, 1), date(2021, 7, 1)),
    ]
    chart = progress_chart_data(project, reports=[], steps=steps)
    xs = [date.fromisoformat(x) for x in chart["planned"]["x"]]
    ys = chart["planned"]["y"]
    day = date(2020, 10, 1)
    while day <= date(2021, 9, 30):
        if day in xs:
            drawn = ys[xs.index(day)]
        else:
            i = next(i for i, x in enumerate(xs) if x > day)
            x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
            drawn = y0 + (y1 - y0) * (day - x0).days / (x1 - x0).days
        assert drawn == pytest.approx(float(project.planned_percent(day, steps)), abs=0.01), day
        day += timedelta(days=1)


@pytest.mark.django_db
def test_the_chart_has_both_series_the_fiscal_year_ticks_and_a_bar_per_step():
    project = factories.make_project(fiscal_year=2564)
    steps = [factories.make_step(project, 1, "วางแผน", "20", date(2020, 10, 1), date(2020, 10, 1))]
    reports = [
        factories.make_report(project, report_date=date(2021, 1, 28), percent="25"),
        factories.make_report(project, report_date=date(2020, 11, 25), percent="10"),
    ]  # newest first, as the page loads them
    chart = progress_chart_data(project, reports=reports, steps=steps)
    assert chart["actual"] == {"name": "ผลการดำเนินงานจริง", "x": ["2020-11-25", "2021-01-28"], "y": [10.0, 25.0]}
    assert chart["planned"]["name"] == "แผน"
    assert chart["ticks"]["vals"][0] == "2020-10-01"
    assert chart["ticks"]["text"] == [
        "ต.ค. 63", "พ.ย. 63", "ธ.ค. 63", "ม.ค. 64", "ก.พ. 64", "มี.ค. 64",
        "เม.ย. 64", "พ.ค. 64", "มิ.ย. 64", "ก.ค. 64", "ส.ค. 64", "ก.ย. 64",
    ]  # fmt: skip
    assert chart["steps"] == [
        {
            "label": "ขั้นตอน 1",
            "name": "วางแผน",
            "start": "2020-10-01",
            "end": "2020-10-01",
            "weight": 20.0,
            "single_day": True,
        }
    ]


def test_planned_series_days_include_the_day_before_a_jump():
    steps = [step("20", date(2021, 1, 10), date(2021, 1, 10))]
    days = planned_series_days(steps, date(2020, 10, 1), date(2021, 9, 30))
    assert date(2021, 1, 9) in days
    assert date(2021, 1, 10) in days
    assert days == sorted(set(days))


@pytest.mark.parametrize(
    "value", ["0", "45.5", "100", "-5", "-0.001", "0.005", "12.345", "-12.345", "99.999", "3.14159", "-0.00"]
)
def test_two_places_writes_numbers_as_floatformat_2_does(value):
    from django.template.defaultfilters import floatformat

    from bma_tracker.text import two_places

    assert two_places(Decimal(value)) == floatformat(Decimal(value), 2)
