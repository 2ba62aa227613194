"""The directors' dashboard (issue 5): its figures agree with a plain-Python count over the model
objects, its query count does not grow with the data, its cache never shows a stale figure
after a save, and the page validates its GET parameters, drills down and links to the list."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from bma_tracker import thaidate
from indicators.models import Indicator
from projects import services
from projects.models import DistrictGroup, OrgUnit, ProgressReport, Project, ScheduleStatus, User, schedule_ref_date
from reports.dashboard import Period, dashboard_data
from reports.scopes import Scope
from tests import factories
from tests.conftest import login


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


# --- An independent computation: loops over model objects, none of the dashboard's SQL --------


def _root(unit):
    while unit.parent is not None:
        unit = unit.parent
    return unit


def _in_subtree(unit, top):
    return unit == top or unit.parent == top or (unit.parent is not None and unit.parent.parent == top)


def _group_of(unit):
    """A unit's district group: its own, or that of the district office it is under."""
    while unit is not None and not unit.district_group:
        unit = unit.parent
    return unit.district_group if unit else ""


def _in_scope(unit, scope):
    if scope.kind == "group":
        return _group_of(unit) == scope.group
    if scope.kind == "unit":
        return _in_subtree(unit, scope.unit)
    return True


def expected_figures(scope, fiscal_year, period):
    ref = schedule_ref_date(fiscal_year)
    start, end = period.range
    margin = settings.SCHEDULE_BEHIND_MARGIN
    units = list(OrgUnit.objects.all())
    by_pk = {unit.pk: unit for unit in units}
    for unit in units:
        unit.parent = by_pk.get(unit.parent_id)
    projects = [p for p in Project.objects.all() if p.fiscal_year == fiscal_year]
    for p in projects:
        p.unit = by_pk[p.unit_id]
    projects = [p for p in projects if _in_scope(p.unit, scope)]
    project_ids = {p.pk for p in projects}
    # What counts: live reports, submitted or approved (drafts and returned ones wait).
    live = [r for r in ProgressReport.objects.all() if r.deleted_at is None and r.status in ("submitted", "approved")]

    figures = {"total": len(projects)}
    values = [p.latest_percent if p.latest_percent is not None else Decimal("0") for p in projects]
    figures["average"] = (sum(values) / len(values)).quantize(Decimal("0.01")) if values else Decimal("0")
    statuses = defaultdict(int)
    for p in projects:
        statuses[p.schedule_status(ref, margin).value] += 1
    figures["statuses"] = dict(statuses)
    bins = [0] * 10
    for value in values:
        bins[min(int(value // 10), 9)] += 1
    figures["histogram"] = bins

    months = defaultdict(set)
    first, last = thaidate.fiscal_year_range(fiscal_year)
    for r in live:
        if r.project_id in project_ids and first <= r.report_date <= last:
            months[(r.report_date.year, r.report_date.month)].add(r.project_id)
    figures["monthly"] = {key: len(ids) for key, ids in months.items()}

    indicators = defaultdict(lambda: defaultdict(int))
    for indicator in Indicator.objects.all():
        if indicator.fiscal_year != fiscal_year:
            continue
        if scope.kind != "bma" and (indicator.unit_id is None or not _in_scope(by_pk[indicator.unit_id], scope)):
            continue
        results = [q.result for q in indicator.quarters.all() if q.quarter == period.quarter and q.result is not None]
        quarter = period.quarter
        own = getattr(indicator, f"target_q{quarter}")

        def meets(value, target, lower=indicator.lower_is_better):
            return value <= target if lower else value >= target

        # The quarter's own target if set; else the annual one, fallen short of only in Q4.
        if not results:
            outcome = "not_reported"
        elif own is not None:
            outcome = "met" if meets(results[0], own) else "not_met"
        elif indicator.target is None:
            outcome = "no_target"
        elif meets(results[0], indicator.target):
            outcome = "met"
        else:
            outcome = "not_met" if quarter == 4 else "in_progress"
        dimension = indicator.plan_node.dimension_code if indicator.plan_node else "-"
        indicators[dimension][outcome] += 1
        indicators["all"][outcome] += 1
    figures["indicators"] = {key: dict(value) for key, value in indicators.items()}

    reported_in_period = [r for r in live if start <= r.report_date <= end]
    if scope.kind != "unit":
        offices = [u for u in units if u.kind == OrgUnit.Kind.DISTRICT and _in_scope(u, scope)]
        reported = set()
        for r in reported_in_period:
            project = Project.objects.get(pk=r.project_id)
            if project.fiscal_year != fiscal_year:
                continue
            for office in offices:
                if _in_subtree(by_pk[project.unit_id], office):
                    reported.add(office.pk)
        figures["districts"] = (len(reported), len(offices))

    reporting_units = {p.unit_id for p in projects for r in reported_in_period if r.project_id == p.pk}
    owning_units = {p.unit_id for p in projects}
    unreported = {
        u.code
        for u in units
        if _in_scope(u, scope)
        and (u.pk in owning_units or u.kind == OrgUnit.Kind.DISTRICT)
        and u.pk not in reporting_units
        # a unit whose projects are all outside the scope's fiscal year but which has a report
        # of that year in the period: none here, the scope's projects are all of one year
    }
    figures["unreported"] = unreported

    reported_projects = [p for p in projects if p.latest_report_date is not None]
    behind = sorted(
        # Behind as the badge says: by more than the margin (a project within it is on track).
        (
            p
            for p in reported_projects
            if p.planned_percent_at_latest - p.latest_percent > settings.SCHEDULE_BEHIND_MARGIN
        ),
        key=lambda p: (-(p.planned_percent_at_latest - p.latest_percent), p.code),
    )
    figures["behind"] = [p.code for p in behind[:20]]

    per_unit = defaultdict(list)
    for p in reported_projects:
        per_unit[p.unit.code].append(p)
    figures["unit_gaps"] = {
        # the gap is the difference of the two averages as shown, each to two decimals
        code: (sum(p.planned_percent_at_latest for p in ps) / len(ps)).quantize(Decimal("0.01"))
        - (sum(p.latest_percent for p in ps) / len(ps)).quantize(Decimal("0.01"))
        for code, ps in per_unit.items()
    }

    children = defaultdict(lambda: {"n": 0, "planned": [], "actual": []})
    for p in projects:
        if scope.kind == "bma":
            key = _group_of(p.unit) or _root(p.unit).code
        elif scope.kind == "group":
            key = _root(p.unit).code
        else:
            key = p.unit.code if p.unit == scope.unit or p.unit.parent == scope.unit else p.unit.parent.code
        children[key]["n"] += 1
        if p.latest_report_date is not None:
            children[key]["planned"].append(p.planned_percent_at_latest)
            children[key]["actual"].append(p.latest_percent)
    figures["children"] = {
        key: (
            c["n"],
            (sum(c["planned"]) / len(c["planned"])).quantize(Decimal("0.01")) if c["planned"] else None,
            (sum(c["actual"]) / len(c["actual"])).quantize(Decimal("0.01")) if c["actual"] else None,
        )
        for key, c in children.items()
    }
    return figures


def actual_figures(data):
    figures = {
        "total": data.headline["total"],
        "average": data.headline["average"],
        "statuses": {k: data.headline[k] for k in ("on_track", "behind", "complete", "no_report") if data.headline[k]},
        "histogram": [row["count"] for row in data.histogram],
        "monthly": {(row["month"].year, row["month"].month): row["count"] for row in data.monthly if row["count"]},
        "unreported": {unit["code"] for unit in data.unreported_units},
        "behind": [row["code"] for row in data.behind_projects],
        "unit_gaps": {row["code"]: row["gap"] for row in data.units_trailing if row["gap"] is not None},
        "children": {
            (row["key"][1] if row["key"][0] == "group" else row["code"]): (
                row["n_projects"],
                row["avg_planned"],
                row["avg_actual"],
            )
            for row in data.by_child
        },
    }
    counts = {k: v for k, v in data.indicators.items() if k != "total" and v}
    indicators = {"all": counts} if counts else {}
    for row in data.indicators_by_dimension:
        counts = {k: row[k] for k in ("met", "not_met", "in_progress", "not_reported", "no_target") if row[k]}
        if counts:
            indicators[row["dimension"]] = counts
    figures["indicators"] = indicators
    if data.districts is not None:
        figures["districts"] = (data.districts["reported"], data.districts["total"])
    return figures


@pytest.fixture
def seeded(db):
    call_command("seed_demo", projects=30, years=2, seed=3, password="x")
    return Project.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()


def _busiest_month(fiscal_year):
    first, last = thaidate.fiscal_year_range(fiscal_year)
    dates = list(
        ProgressReport.objects.live().filter(report_date__range=(first, last)).values_list("report_date", flat=True)
    )
    counts = defaultdict(int)
    for day in dates:
        counts[day.month] += 1
    return max(counts, key=lambda month: (counts[month], month))


def _busiest_group(fiscal_year):
    counts = defaultdict(int)
    for project in Project.objects.filter(fiscal_year=fiscal_year).select_related("unit"):
        if project.unit.district_group:
            counts[project.unit.district_group] += 1
    return max(counts, key=lambda group: (counts[group], group))


@pytest.mark.parametrize("scope_kind", ["bma", "group", "unit"])
@pytest.mark.parametrize("period_kind", ["month", "quarter", "default"])
def test_its_figures_match_an_independent_count_over_seed_demo_data(seeded, scope_kind, period_kind):
    fiscal_year = seeded
    for year in (fiscal_year, fiscal_year - 1):
        scope = {
            "bma": Scope.bma(),
            "group": Scope.for_group(_busiest_group(year)),
            "unit": Scope.for_unit(OrgUnit.objects.get(code="24000000")),
        }[scope_kind]
        month = _busiest_month(year)
        period = {
            "month": Period(year, "month", month),
            "quarter": Period(year, "quarter", thaidate.fiscal_quarter(date(2000, month, 1))),
            "default": Period.default(year),
        }[period_kind]
        expected = expected_figures(scope, year, period)
        actual = actual_figures(dashboard_data(scope, year, period))
        assert expected["total"] > 0
        for name in expected:
            assert actual[name] == expected[name], f"{name} ({scope.key}, {year}, {period.value})"


def test_the_seed_data_exercises_every_figure(seeded):
    # Guards the test above from passing on zeros: every kind of figure has something to count.
    fiscal_year = seeded
    period = Period(fiscal_year, "month", _busiest_month(fiscal_year))
    data = dashboard_data(Scope.bma(), fiscal_year, period)
    assert data.headline["total"] >= 30
    assert data.headline["average"] > 0
    assert sum(row["count"] for row in data.monthly) > 0
    assert data.indicators["total"] > 0
    assert data.districts["total"] == 50
    assert data.districts["reported"] > 0
    assert data.behind_projects
    assert data.unreported_units
    # Which units are yet to report depends on the day of the run (the demo's dates follow
    # today): some month of the year has such a unit with projects and responsible persons.
    assert any(
        unit["persons"]
        for month in range(1, 13)
        for unit in dashboard_data(Scope.bma(), fiscal_year, Period(fiscal_year, "month", month)).unreported_units
    )


# --- Small hand-made cases: the rules the page states ---------------------------------------


@pytest.fixture
def fy():
    return thaidate.fiscal_year(thaidate.today())


def test_a_project_without_a_report_counts_as_zero_in_the_average(social_division, fy):
    reported = factories.make_project(unit=social_division, fiscal_year=fy)
    factories.make_project(unit=social_division, fiscal_year=fy)
    Project.objects.filter(pk=reported.pk).update(
        latest_percent=Decimal("60"), latest_report_date=thaidate.today(), planned_percent_at_latest=Decimal("80")
    )
    data = dashboard_data(Scope.bma(), fy, Period.default(fy))
    assert data.headline["total"] == 2
    assert data.headline["average"] == Decimal("30.00")
    assert [row["count"] for row in data.histogram][:1] == [1]
    assert data.histogram[6]["count"] == 1


def test_a_project_without_a_report_counts_as_its_legacy_headline(social_division, fy):
    reported = factories.make_project(unit=social_division, fiscal_year=fy)
    factories.make_report(reported, report_date=thaidate.today(), percent="60")
    printed = factories.make_project(unit=social_division, fiscal_year=fy, legacy_headline_percent=Decimal("95"))
    for project in (reported, printed):
        project.refresh_progress_summary()

    data = dashboard_data(Scope.bma(), fy, Period.default(fy))

    assert data.headline["average"] == Decimal("77.50")
    assert data.histogram[9]["count"] == 1  # 90–100: the printed 95
    assert data.histogram[6]["count"] == 1
    assert data.headline[ScheduleStatus.NO_REPORT.value] == 1  # printed, but not reported
    [unit_row] = data.by_child
    assert unit_row["avg_actual"] == Decimal("60.00")  # the reported project's average only


def test_it_counts_a_lower_is_better_indicator_as_met_at_or_below_its_target(social_dept):
    fiscal_year, quarter = 2564, 2
    node = factories.make_plan_node(code="3.2.2.1")
    lower = factories.make_indicator(
        unit=social_dept, fiscal_year=fiscal_year, target=Decimal("10"), lower_is_better=True
    )
    higher = factories.make_indicator(
        unit=social_dept, fiscal_year=fiscal_year, target=Decimal("10"), target_q2=Decimal("10"), plan_node=node
    )
    missing = factories.make_indicator(unit=social_dept, fiscal_year=fiscal_year, plan_node=node)
    no_target = factories.make_indicator(unit=social_dept, fiscal_year=fiscal_year, target=None)
    factories.make_indicator_quarter(lower, quarter=quarter, result=Decimal("8"))
    factories.make_indicator_quarter(higher, quarter=quarter, result=Decimal("8"))
    factories.make_indicator_quarter(missing, quarter=1, result=Decimal("100"))  # another quarter
    factories.make_indicator_quarter(no_target, quarter=quarter, result=Decimal("5"))
    data = dashboard_data(Scope.bma(), fiscal_year, Period(fiscal_year, "quarter", quarter))
    assert data.indicators == {
        "total": 4,
        "met": 1,
        "not_met": 1,
        "in_progress": 0,
        "not_reported": 1,
        "no_target": 1,
    }
    dimension_3 = next(row for row in data.indicators_by_dimension if row["dimension"] == "3")
    assert (dimension_3["not_met"], dimension_3["not_reported"]) == (1, 1)


def test_before_the_fourth_quarter_a_result_short_of_the_years_target_is_in_progress(social_dept):
    """Without a target for the quarter, 45.5 % in Q1 against 100 for the year is not "behind"
    in December; the same result in Q4 is; a result that already meets the year's target is met."""
    fiscal_year = 2564
    short = factories.make_indicator(unit=social_dept, fiscal_year=fiscal_year, target=Decimal("100"))
    ahead = factories.make_indicator(unit=social_dept, fiscal_year=fiscal_year, target=Decimal("100"))
    for quarter in (1, 4):
        factories.make_indicator_quarter(short, quarter=quarter, result=Decimal("45.5"))
        factories.make_indicator_quarter(ahead, quarter=quarter, result=Decimal("100"))
    q1 = dashboard_data(Scope.bma(), fiscal_year, Period(fiscal_year, "quarter", 1)).indicators
    q4 = dashboard_data(Scope.bma(), fiscal_year, Period(fiscal_year, "quarter", 4)).indicators
    assert (q1["met"], q1["in_progress"], q1["not_met"]) == (1, 1, 0)
    assert (q4["met"], q4["in_progress"], q4["not_met"]) == (1, 0, 1)


# --- Query counts: fixed, whatever the number of projects ------------------------------------


def _bulk_dataset(n, fiscal_year):
    """n projects over 10 department units and 10 district offices, each with one report and an
    indicator with a quarter result; made with bulk_create."""
    today = thaidate.today()
    dept = factories.make_unit(code="24000000", name="สำนักพัฒนาสังคม")
    divisions = [factories.make_unit(kind=OrgUnit.Kind.DIVISION, parent=dept) for _ in range(5)]
    districts = [
        factories.make_unit(kind=OrgUnit.Kind.DISTRICT, district_group=DistrictGroup.values[i % 6]) for i in range(10)
    ]
    units = [dept, *divisions, *districts]
    projects = Project.objects.bulk_create(
        Project(
            code=f"{units[i % len(units)].code}-{i + 1}",
            name=f"โครงการ {i}",
            fiscal_year=fiscal_year,
            unit=units[i % len(units)],
            responsible_person=f"ผู้รับผิดชอบ {i % 7}",
            latest_percent=Decimal(i % 101),
            latest_report_date=today,
            planned_percent_at_latest=Decimal((i * 7) % 101),
        )
        for i in range(n)
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(project=p, report_date=today, percent=p.latest_percent) for p in projects[::2]
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(code=f"2400-{i}", fiscal_year=fiscal_year, name=f"ตัวชี้วัด {i}", unit=units[i % len(units)])
        for i in range(n // 10)
    )
    from indicators.models import IndicatorQuarter

    IndicatorQuarter.objects.bulk_create(
        IndicatorQuarter(indicator=i, quarter=1, result=Decimal("1")) for i in indicators
    )
    return dept


# the projects rolled up by unit (headline, histogram, per unit, monthly, reporting units), the
# units of the scope, indicators, most behind, responsible persons
DATA_QUERIES = 5
# A cached dashboard costs one query: the sum of the scope's change counters, its key.
CACHED_QUERIES = 1


@pytest.mark.parametrize("n", [10, 1000])
def test_its_query_count_does_not_grow_with_the_projects(db, n, fy, django_assert_num_queries):
    dept = _bulk_dataset(n, fy)
    assert Project.objects.count() == n
    with django_assert_num_queries(CACHED_QUERIES + DATA_QUERIES):
        dashboard_data(Scope.bma(), fy, Period.default(fy))
    with django_assert_num_queries(CACHED_QUERIES + DATA_QUERIES):
        dashboard_data(Scope.for_unit(dept), fy, Period.default(fy))


@pytest.mark.parametrize("n", [10, 1000])
def test_the_page_query_count_is_pinned(db, client, n, fy, django_assert_num_queries):
    dept = _bulk_dataset(n, fy)
    director = factories.make_user("dash-director", unit=dept, role=User.Role.DIRECTOR)
    login(client, director)
    # session, the user with their unit (the scope), the fiscal-year span, the figures' key and
    # the figures
    with django_assert_num_queries(3 + CACHED_QUERIES + DATA_QUERIES):
        response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    # cached figures: the session, the user, the span and the key
    with django_assert_num_queries(3 + CACHED_QUERIES):
        client.get(reverse("dashboard:index"))


# --- The cache: per (scope, year, period) and the revisions it counts, never stale ----------------------


def test_a_second_view_comes_from_the_cache(project, django_assert_num_queries):
    period = Period.default(2564)
    dashboard_data(Scope.bma(), 2564, period)
    with django_assert_num_queries(CACHED_QUERIES):
        dashboard_data(Scope.bma(), 2564, period)


def test_a_report_saved_through_the_service_shows_at_once(project, staff):
    scope, period = Scope.bma(), Period(2564, "month", 3)
    before = dashboard_data(scope, 2564, period)
    assert (before.headline["total"], before.headline["average"]) == (1, Decimal("0"))
    services.progress_report_submit(
        project=project,
        user=staff,
        values={
            "report_date": date(2021, 3, 15),
            "percent": Decimal("40"),
            "narrative": "",
            "problems": "",
            "obstacles": "",
        },
    )
    after = dashboard_data(scope, 2564, period)
    assert after.headline["average"] == Decimal("40.00")
    assert next(row for row in after.monthly if row["month"] == date(2021, 3, 1))["count"] == 1


def test_a_report_written_past_the_services_shows_at_once(project):
    scope, period = Scope.for_unit(project.unit), Period(2564, "month", 3)
    assert dashboard_data(scope, 2564, period).headline["average"] == Decimal("0")
    factories.make_report(project, report_date=date(2021, 3, 30), percent="70")
    project.refresh_progress_summary()
    assert dashboard_data(scope, 2564, period).headline["average"] == Decimal("70.00")


def test_an_indicator_result_or_target_changed_outside_the_service_shows_at_once(social_dept):
    # The admin and the shell save the models directly.
    indicator = factories.make_indicator(unit=social_dept, fiscal_year=2564, target=Decimal("10"))
    scope, period = Scope.for_unit(social_dept), Period(2564, "quarter", 2)
    assert dashboard_data(scope, 2564, period).indicators["not_reported"] == 1
    quarter = factories.make_indicator_quarter(indicator, quarter=2, result=Decimal("12"))
    assert dashboard_data(scope, 2564, period).indicators["met"] == 1
    indicator.target = Decimal("20")
    indicator.save()
    assert dashboard_data(scope, 2564, period).indicators["in_progress"] == 1  # short of the year's target in Q2
    Indicator.objects.filter(pk=indicator.pk).update(target_q2=Decimal("10"))  # the quarter's own target: 12 meets it
    assert dashboard_data(scope, 2564, period).indicators["met"] == 1
    Indicator.objects.filter(pk=indicator.pk).update(target_q2=Decimal("13"), lower_is_better=True)
    assert dashboard_data(scope, 2564, period).indicators["met"] == 1
    Indicator.objects.filter(pk=indicator.pk).update(target_q2=Decimal("11"))
    assert dashboard_data(scope, 2564, period).indicators["not_met"] == 1
    quarter.delete()
    assert dashboard_data(scope, 2564, period).indicators["not_reported"] == 1


def test_a_change_in_another_fiscal_year_keeps_this_years_figures_cached(project, django_assert_num_queries):
    other = factories.make_project(unit=project.unit, fiscal_year=2565)
    dashboard_data(Scope.bma(), 2564, Period.default(2564))
    factories.make_report(other, report_date=date(2022, 3, 30), percent="70")
    with django_assert_num_queries(CACHED_QUERIES):
        dashboard_data(Scope.bma(), 2564, Period.default(2564))


def test_a_save_makes_stale_only_the_dashboards_that_count_it(
    project, social_dept, district_office, django_assert_num_queries
):
    """A report in a division of the social department: the whole BMA, the department and the
    division recompute; a district office's dashboard and its group's stay cached."""
    period = Period.default(2564)
    district_project = factories.make_project(unit=district_office, fiscal_year=2564)
    counting = [Scope.bma(), Scope.for_unit(social_dept), Scope.for_unit(project.unit)]
    elsewhere = [Scope.for_unit(district_office), Scope.for_group(district_office.district_group)]
    for scope in counting + elsewhere:
        dashboard_data(scope, 2564, period)

    factories.make_report(project, report_date=date(2021, 3, 30), percent="70")

    with django_assert_num_queries(CACHED_QUERIES * len(elsewhere)):
        for scope in elsewhere:
            dashboard_data(scope, 2564, period)
    for scope in counting:
        with django_assert_num_queries(CACHED_QUERIES + DATA_QUERIES):
            dashboard_data(scope, 2564, period)

    factories.make_report(district_project, report_date=date(2021, 3, 30), percent="70")
    with django_assert_num_queries(CACHED_QUERIES):
        dashboard_data(Scope.for_unit(social_dept), 2564, period)
    with django_assert_num_queries(CACHED_QUERIES + DATA_QUERIES):
        dashboard_data(Scope.for_group(district_office.district_group), 2564, period)


# --- The page ----------------------------------------------------------------------------------


def test_it_asks_anonymous_users_to_log_in(client, db):
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_refuses_post(client, director):
    login(client, director)
    assert client.post(reverse("dashboard:index")).status_code == 405


def test_it_opens_on_the_directors_own_unit(client, director, project):
    login(client, director)
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert response.context["scope"] == Scope.for_unit(director.unit)
    assert response.context["data"].headline["total"] == 0  # project is FY 2564, the page opens on this year


def test_it_opens_on_the_whole_bma_for_the_planning_office(client, planner):
    login(client, planner)
    assert client.get(reverse("dashboard:index")).context["scope"] == Scope.bma()


def test_staff_may_look_at_any_scope(client, other_staff, project):
    login(client, other_staff)
    response = client.get(reverse("dashboard:index"), {"unit": "24000000", "fy": "2564", "period": "m3"})
    assert response.status_code == 200
    assert response.context["data"].headline["total"] == 1


@pytest.mark.parametrize(
    "params, message",
    [
        ({"fy": "abc"}, "ปีงบประมาณต้องเป็นตัวเลข"),
        ({"fy": "1999"}, "ปีงบประมาณต้องไม่ต่ำกว่า"),
        ({"fy": "99999999999999999999"}, "ปีงบประมาณต้องไม่เกิน"),
        ({"period": "m13"}, "เดือนหรือไตรมาสที่เลือกไม่ถูกต้อง"),
        ({"period": "q0"}, "เดือนหรือไตรมาสที่เลือกไม่ถูกต้อง"),
        ({"unit": "no-such-unit"}, "ไม่พบหน่วยงานที่เลือก"),
        ({"group": "atlantis"}, "กลุ่มเขตที่เลือกไม่ถูกต้อง"),
        ({"group": "central", "unit": "24000000"}, "เลือกได้ทีละหนึ่งขอบเขต"),
    ],
)
def test_it_explains_bad_parameters_in_thai_and_shows_the_defaults(client, planner, social_dept, params, message):
    login(client, planner)
    response = client.get(reverse("dashboard:index"), params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["fiscal_year"] == thaidate.fiscal_year(thaidate.today()) or "fy" not in params


def test_it_drills_down_with_breadcrumbs_and_links_to_the_filtered_project_list(client, planner, project):
    login(client, planner)
    response = client.get(reverse("dashboard:index"), {"unit": "24040000", "fy": "2564", "period": "m3"})
    html = response.content.decode()
    crumbs = [label for label, _url in response.context["breadcrumbs"]]
    assert crumbs == ["กรุงเทพมหานคร (ทุกหน่วยงาน)", "สำนักพัฒนาสังคม", "สำนักงานการส่งเสริมอาชีพ"]
    assert "/projects/?fiscal_year=2564&amp;unit=24040000&amp;status=behind" in html
    assert 'href="/projects/?fiscal_year=2564&amp;unit=24040000"' in html

    bma = client.get(reverse("dashboard:index"), {"fy": "2564", "period": "m3"})
    child = next(row for row in bma.context["children"] if row["code"] == "24000000")
    assert child["dashboard_url"] == "/dashboard/?fy=2564&period=m3&unit=24000000"
    assert child["list_url"] == "/projects/?fiscal_year=2564&unit=24000000"


def test_a_district_office_sits_under_its_group(client, planner, district_office):
    factories.make_project(unit=district_office, fiscal_year=2564)
    login(client, planner)
    bma = client.get(reverse("dashboard:index"), {"fy": "2564", "period": "m3"})
    group_row = next(row for row in bma.context["children"] if row["key"] == ("group", "thon_south"))
    assert group_row["dashboard_url"] == "/dashboard/?fy=2564&period=m3&group=thon_south"
    assert group_row["list_url"] == "/projects/?fiscal_year=2564&district_group=thon_south"
    unit_page = client.get(reverse("dashboard:index"), {"fy": "2564", "unit": district_office.code})
    assert [label for label, _ in unit_page.context["breadcrumbs"]] == [
        "กรุงเทพมหานคร (ทุกหน่วยงาน)",
        "กลุ่มกรุงธนใต้",
        "สำนักงานเขตราษฎร์บูรณะ",
    ]


def test_it_embeds_the_chart_data_as_json_and_no_inline_script(client, planner, project):
    login(client, planner)
    html = client.get(reverse("dashboard:index"), {"fy": "2564"}).content.decode()
    for slug in ("progress-distribution", "planned-actual", "monthly-reporting", "indicators-by-dimension"):
        assert f'data-chart="chart-{slug}-data"' in html
        assert f'<script id="chart-{slug}-data" type="application/json">' in html
    scripts = [part.split(">", 1)[0] for part in html.split("<script")[1:]]
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)
    assert "ต.ค. 63" in html  # the first month of FY 2564
    assert "โครงการที่ยังไม่รายงานนับตามค่าที่ระบบเดิมแสดง หรือนับเป็น 0" in html


def test_the_most_behind_list_holds_only_projects_the_badges_call_behind(social_dept):
    """A project 5 points under its plan is "on track" (within SCHEDULE_BEHIND_MARGIN, 10): it is
    not among "the projects most behind plan"; one 20 points under is."""
    from reports.dashboard import most_behind_projects

    close = factories.make_project(unit=social_dept, fiscal_year=2564)
    far = factories.make_project(unit=social_dept, fiscal_year=2564)
    for project, actual in ((close, "45"), (far, "30")):
        Project.objects.filter(pk=project.pk).update(
            latest_report_date=date(2021, 3, 30),
            latest_percent=Decimal(actual),
            planned_percent_at_latest=Decimal("50"),
        )
    listed = [row["code"] for row in most_behind_projects(Project.objects.filter(unit=social_dept))]
    assert listed == [far.code]
