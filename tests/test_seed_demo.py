"""`manage.py seed_demo`: realistic, deterministic demo data at BMA scale."""

import re
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bma_tracker import thaidate
from indicators.models import CityIndicator, Indicator, IndicatorQuarter
from projects.models import DistrictGroup, OrgUnit, PlanEdition, PlanNode, ProgressReport, Project, User
from tests import factories
from tests.paths import SEEDS

TODAY = date(2026, 11, 20)  # FY 2570, two months of reports
PASSWORD = "demo-pass-123"
NO_SEEDS = "/nonexistent/seeds"
SEEDS_DIR = SEEDS


def seed(*extra, today=TODAY, seeds_dir=NO_SEEDS):
    out = StringIO()
    args = ["--projects", "20", "--years", "2", "--seed", "1", "--password", PASSWORD, "--seeds-dir", seeds_dir]
    if today:
        args += ["--today", today.isoformat()]
    call_command("seed_demo", *args, *extra, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything that must come out the same for the same seed, in a stable order."""
    return [
        (
            p.code,
            p.name,
            p.unit.code,
            p.fiscal_year,
            p.responsible_person,
            p.latest_percent,
            p.latest_report_date,
            p.planned_percent_at_latest,
            [(s.number, s.name, s.weight, s.start, s.end) for s in p.steps.all()],
            [(r.report_date, r.percent, r.narrative) for r in p.reports.order_by("report_date", "pk")],
            sorted(n.code for n in p.plan_nodes.all()),
        )
        for p in Project.objects.order_by("code").select_related("unit").prefetch_related("steps", "plan_nodes")
    ] + [
        (i.code, i.fiscal_year, i.name, i.target, i.achieved, [(q.quarter, q.result) for q in i.quarters.all()])
        for i in Indicator.objects.order_by("fiscal_year", "code").prefetch_related("quarters")
    ]


@pytest.fixture
def seeded(db):
    return seed()


def test_it_builds_on_the_reference_units_the_50_district_offices_in_six_groups(seeded):
    districts = OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT)
    assert districts.count() == 50
    assert all(re.fullmatch(r"50\d{2}0000", d.code) for d in districts)
    assert set(districts.values_list("district_group", flat=True)) == set(DistrictGroup.values)
    assert districts.get(code="50010000").name == "สำนักงานเขตพระนคร"
    assert districts.get(code="50500000").name == "สำนักงานเขตบางบอน"
    assert districts.get(code="50400000").district_group == DistrictGroup.THON_SOUTH  # บางแค

    social = OrgUnit.objects.get(code="24000000")
    assert (social.name, social.kind) == ("สำนักพัฒนาสังคม", OrgUnit.Kind.DEPARTMENT)
    assert OrgUnit.objects.get(code="24040000", parent=social).name == "สำนักงานการส่งเสริมอาชีพ"
    assert {"24010000", "24020000", "24030000"} <= set(social.children.values_list("code", flat=True))
    assert OrgUnit.objects.get(name="สำนักยุทธศาสตร์และประเมินผล").kind == OrgUnit.Kind.DEPARTMENT
    departments = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    assert departments.count() >= 20
    assert all(2 <= d.children.count() <= 5 for d in departments)


def test_it_builds_the_plan_tree_with_the_nodes_the_legacy_pages_use(seeded):
    edition = PlanEdition.objects.get(first_fiscal_year=2561)
    assert "ระยะ 20 ปี" in edition.name
    nodes = {n.code: n for n in edition.nodes.all()}
    assert [nodes[str(d)].title for d in range(1, 8)] == [
        "มหานครปลอดภัย",
        "มหานครสีเขียว สะดวกสบาย",
        "มหานครสำหรับทุกคน",
        "มหานครกะทัดรัด",
        "มหานครประชาธิปไตย",  # as seed 003 writes it
        "มหานครแห่งเศรษฐกิจและการเรียนรู้",
        "การบริหารจัดการเมืองมหานคร",
    ]
    assert nodes["3"].title_en == "Bangkok as a City for All"
    assert nodes["3.2"].title == "เมืองแห่งโอกาสทางเศรษฐกิจ"
    assert nodes["3.2.2"].title == "คนกรุงเทพฯมีโอกาสได้รับการฝึกอาชีพตามความถนัด"
    assert nodes["3.2.2.1"].title == "พัฒนาโรงเรียนฝึกอาชีพกรุงเทพมหานคร ศูนย์ฝึกอาชีพ และการจัดฝึกอาชีพ"
    assert nodes["1.4"].title == "ปลอดภัยพิบัติ"
    assert nodes["1.4.1"].title == "กรุงเทพมหานครสามารถลดความเสี่ยงและฟื้นคืนจากภัยพิบัติ"
    assert nodes["1.4.1.1"].title.startswith("กรุงเทพมหานครมีความพร้อมในการรับมือกับอุทกภัย")
    assert "3.2.1" in nodes
    assert nodes["3.2.2.1"].code_display == "๓.๒.๒.๑"
    assert nodes["3.2.2.1"].parent == nodes["3.2.2"] and nodes["3.2.2"].parent == nodes["3.2"]
    assert all(n.level == n.code.count(".") + 1 for n in nodes.values())
    assert all(2 <= nodes[str(d)].children.count() <= 4 for d in range(1, 8))
    # A revised edition shows that the plan is versioned.
    assert PlanEdition.for_fiscal_year(2570).first_fiscal_year == 2566


def test_it_makes_projects_for_the_last_fiscal_years_with_codes_of_their_unit(seeded):
    projects = list(Project.objects.select_related("unit"))
    assert len(projects) == 40
    assert {p.fiscal_year for p in projects} == {2569, 2570}
    assert len({p.code for p in projects}) == 40
    assert all(p.code.startswith(p.unit.code + "-") for p in projects)
    assert all(re.fullmatch(r"\d{8}-9\d{4}", p.code) for p in projects)
    assert {p.unit.kind for p in projects} >= {OrgUnit.Kind.DISTRICT, OrgUnit.Kind.DEPARTMENT}
    assert all(p.name.startswith("โครงการ") and p.division_code for p in projects)
    assert all(p.search_text and p.code in p.search_text for p in projects)
    assert any(not p.plan_nodes.exists() for p in projects)
    assert all(p.plan_nodes.count() <= 2 and all(n.level == 4 for n in p.plan_nodes.all()) for p in projects)


def test_it_uses_the_current_fiscal_year_by_default(db):
    seed(today=None)
    current = thaidate.fiscal_year(date.today())
    assert set(Project.objects.values_list("fiscal_year", flat=True)) == {current - 1, current}


def test_its_stored_progress_summary_equals_the_recomputed_one(seeded):
    for project in Project.objects.all():
        fields = ("latest_percent", "latest_report_date", "planned_percent_at_latest", "report_months")
        stored = [getattr(project, name) for name in fields]
        project.refresh_progress_summary(save=False)
        assert stored == [getattr(project, name) for name in fields]


def test_its_reports_stay_within_0_100_and_before_today(seeded):
    reports = ProgressReport.objects.select_related("project")
    assert reports.exists()
    for report in reports:
        start, end = thaidate.fiscal_year_range(report.project.fiscal_year)
        assert Decimal(0) <= report.percent <= Decimal(100)
        assert start <= report.report_date <= min(end, TODAY)
        assert report.source == ProgressReport.Source.DEMO
    assert ProgressReport.objects.filter(project__fiscal_year=2570, report_date__month=11).exists()


def test_it_keeps_the_imperfections_of_real_data(seeded):
    weights = {p.code: sum(s.weight for s in p.steps.all()) for p in Project.objects.prefetch_related("steps")}
    assert any(total != 100 for total in weights.values())
    assert sum(total == 100 for total in weights.values()) > len(weights) / 2

    def went_down(project):
        percents = [r.percent for r in project.reports.order_by("report_date", "pk")]
        return any(b < a for a, b in zip(percents, percents[1:], strict=False))

    assert any(went_down(p) for p in Project.objects.filter(fiscal_year=2569))
    assert Project.objects.filter(reports__isnull=True).exists()
    assert Project.objects.filter(latest_percent__isnull=False).exists()


def test_its_evaluations_cover_past_quarters_only(seeded):
    past = Project.objects.filter(fiscal_year=2569)
    assert past.filter(evaluations__isnull=False).distinct().count() > past.count() / 2
    assert not Project.objects.filter(fiscal_year=2570, evaluations__isnull=False).exists()


def test_it_makes_indicators_linked_to_projects_of_their_year(seeded):
    indicators = list(Indicator.objects.prefetch_related("projects", "quarters"))
    assert 10 <= len(indicators) <= 30
    for indicator in indicators:
        assert re.fullmatch(r"\d{4}-\d{4}", indicator.code)
        assert 1 <= indicator.projects.count() <= 3
        assert {p.fiscal_year for p in indicator.projects.all()} == {indicator.fiscal_year}
        assert indicator.search_text
        assert indicator.plan_node is None or indicator.plan_node.level == 3
    past = [i for i in indicators if i.fiscal_year == 2569]
    assert all(i.quarters.count() == 4 for i in past)
    assert all(i.reporter_name for i in past)
    assert not IndicatorQuarter.objects.filter(indicator__fiscal_year=2570).exists()


def test_it_creates_one_user_per_role_with_the_password(seeded):
    users = {u.username: u for u in User.objects.select_related("unit")}
    expected = {
        "demo-staff": (User.Role.STAFF, "24000000"),
        "demo-director": (User.Role.DIRECTOR, "24000000"),
        "demo-planner": (User.Role.PLANNER, "11000000"),
        "demo-admin": (User.Role.ADMIN, "11000000"),
    }
    for username, (role, unit_code) in expected.items():
        assert (users[username].role, users[username].unit.code) == (role, unit_code)
        assert users[username].check_password(PASSWORD)
    assert users["demo-district"].unit.kind == OrgUnit.Kind.DISTRICT
    assert users["demo-district"].role == User.Role.STAFF
    assert users["demo-admin"].is_staff and users["demo-admin"].is_superuser
    assert not users["demo-staff"].is_staff
    assert users["demo-planner"].unit.name == "สำนักยุทธศาสตร์และประเมินผล"


def test_it_prints_the_logins_with_a_random_password_when_none_is_given(db):
    out = StringIO()
    call_command("seed_demo", "--projects", "2", "--years", "1", "--seeds-dir", NO_SEEDS, stdout=out)
    password = re.search(r"password: (\S+)\)", out.getvalue()).group(1)
    assert User.objects.get(username="demo-admin").check_password(password)
    assert "demo-staff" in out.getvalue() and "demo-district" in out.getvalue()


def test_the_same_seed_gives_the_same_data(db):
    seed()
    first = snapshot()
    seed("--reset")
    assert snapshot() == first


def test_another_seed_gives_other_data(db):
    seed()
    first = snapshot()
    call_command("seed_demo", "--projects", "20", "--years", "2", "--seed", "2", "--today", TODAY.isoformat(),
                 "--password", PASSWORD, "--seeds-dir", NO_SEEDS, "--reset", stdout=StringIO())  # fmt: skip
    assert snapshot() != first


def test_it_refuses_to_run_twice_without_reset(seeded):
    with pytest.raises(CommandError, match="--reset"):
        seed()
    assert Project.objects.count() == 40


def test_reset_replaces_demo_data_and_keeps_other_projects_and_resets_passwords(seeded):
    other = factories.make_project(code="24000000-3029", unit=OrgUnit.objects.get(code="24000000"))
    out = StringIO()
    call_command("seed_demo", "--projects", "5", "--years", "1", "--password", "new-pass-456", "--reset",
                 "--today", TODAY.isoformat(), "--seeds-dir", NO_SEEDS, stdout=out)  # fmt: skip
    assert "Deleted 40 demo projects" in out.getvalue()
    assert Project.objects.exclude(pk=other.pk).count() == 5
    assert Project.objects.filter(pk=other.pk).exists()
    assert User.objects.get(username="demo-staff").check_password("new-pass-456")
    assert Indicator.objects.filter(projects__isnull=True).count() == 0


# The units DOMAIN.md lists from real legacy pages: after seed_demo each code has its own name.
REAL_UNITS = {
    "15000000": "สำนักเทศกิจ",
    "18000000": "สำนักการวางผังและพัฒนาเมือง",
    "24000000": "สำนักพัฒนาสังคม",
    "50010000": "สำนักงานเขตพระนคร",
    "50160000": "สำนักงานเขตธนบุรี",
    "50240000": "สำนักงานเขตราษฎร์บูรณะ",
}


def test_a_real_unit_code_carries_its_real_name_and_no_other_unit_has_that_name(seeded):
    units = dict(OrgUnit.objects.values_list("code", "name"))
    assert {code: units[code] for code in REAL_UNITS} == REAL_UNITS
    named = [code for code, name in units.items() if name in REAL_UNITS.values()]
    assert sorted(named) == sorted(REAL_UNITS)


def test_it_puts_the_real_names_back_on_a_database_the_old_demo_filled(db):
    # The demo once gave 18000000 and 50160000 other units' names: the reference data wins.
    planning = factories.make_unit(code="18000000", name="สำนักการจราจรและขนส่ง")
    district = factories.make_unit(code="50160000", name="สำนักงานเขตบางกอกใหญ่", kind=OrgUnit.Kind.DISTRICT)
    out = seed()
    planning.refresh_from_db()
    district.refresh_from_db()
    assert (planning.name, district.name) == ("สำนักการวางผังและพัฒนาเมือง", "สำนักงานเขตธนบุรี")
    assert district.district_group == DistrictGroup.THON_NORTH
    assert "updated unit 18000000: name 'สำนักการจราจรและขนส่ง' -> 'สำนักการวางผังและพัฒนาเมือง'" in out


def test_it_keeps_the_units_and_plan_nodes_the_reference_data_does_not_list(db):
    unit = factories.make_unit(code="24090000", name="กองทดสอบ", kind=OrgUnit.Kind.DIVISION)
    division = factories.make_unit(code="24010000", name="สำนักงานเลขานุการ (ชื่อเดิม)", kind=OrgUnit.Kind.DIVISION)
    dimension = factories.make_plan_node(code="3", title="ด้านที่มีอยู่แล้ว")
    node = factories.make_plan_node(code="3.9", title="มิติที่มีอยู่แล้ว", parent=dimension, edition=dimension.edition)
    seed()
    assert OrgUnit.objects.get(pk=unit.pk).name == "กองทดสอบ"
    assert OrgUnit.objects.get(pk=division.pk).name == "สำนักงานเลขานุการ (ชื่อเดิม)"  # a demo division: kept
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT).count() == 50
    assert PlanNode.objects.get(pk=dimension.pk).title == "มหานครสำหรับทุกคน"  # a reference node: its title
    assert PlanNode.objects.get(pk=node.pk).title == "มิติที่มีอยู่แล้ว"
    assert PlanNode.objects.get(edition=node.edition, code="3.2").parent == dimension


def test_it_skips_the_seed_pages_with_a_notice_when_the_directory_is_missing(seeded):
    assert "No seeds directory" in seeded


def test_it_imports_the_seed_pages_onto_its_plan_nodes(db):
    seed(seeds_dir=str(SEEDS_DIR))
    legacy = Project.objects.get(code="24000000-3029")
    assert legacy.unit.code == "24000000"
    assert PlanNode.objects.get(edition__first_fiscal_year=2561, code="3.2.2.1") in legacy.plan_nodes.all()
    assert Indicator.objects.filter(code="2400-9001", fiscal_year=2564).exists()
    assert Project.objects.filter(code="24000000-2964").exists()
    # the pages written in the other legacy layouts, as FY 2564, onto the demo units and plan
    kpi = Indicator.objects.get(code="5012-0456", fiscal_year=2564)
    assert kpi.unit.code == "50120000"
    agreement = Indicator.objects.get(code="50120000-D1-1.1", fiscal_year=2564)
    assert (agreement.unit.code, agreement.dimension.number) == ("50120000", 1)
    assert (agreement.plan_node.edition.first_fiscal_year, agreement.plan_node.code) == (2561, "5.1.1")
    city = CityIndicator.objects.get(number=123)
    assert sorted(city.plan_nodes.values_list("code", flat=True)) == ["1", "1.1", "1.1.2"]


def test_it_inserts_in_bulk(db, django_assert_max_num_queries):
    # About 65 queries (the reference data, units, plan, users, then a handful of bulk inserts
    # per fiscal year, the agreement KPIs and city indicators), not one or more per project:
    # 40 projects with ~250 reports and steps. The reporting cycle adds about 40: the years'
    # calendars, and a handful of reviews and a closed quarter made through the services.
    with django_assert_max_num_queries(110):
        seed()


@pytest.mark.django_db
def test_users_only_resets_the_demo_passwords_and_creates_no_projects():
    out = StringIO()
    call_command("seed_demo", users_only=True, password="first-pass-123", stdout=out)
    call_command("seed_demo", users_only=True, password="second-pass-456", stdout=out)
    assert not Project.objects.exists()
    staff = User.objects.get(username="demo-staff")
    assert staff.check_password("second-pass-456")
    assert staff.unit.code == "24000000"
    assert "demo-planner" in out.getvalue()


@pytest.mark.django_db
def test_if_empty_builds_data_once_then_only_refreshes_the_users():
    call_command(
        "seed_demo",
        if_empty=True,
        projects=3,
        years=1,
        password="first-pass-123",
        seeds_dir=NO_SEEDS,
        today=TODAY,
        stdout=StringIO(),
    )
    codes = set(Project.objects.values_list("code", flat=True))
    assert codes
    out = StringIO()
    call_command(
        "seed_demo",
        if_empty=True,
        projects=3,
        years=1,
        password="second-pass-456",
        seeds_dir=NO_SEEDS,
        today=TODAY,
        stdout=out,
    )
    assert set(Project.objects.values_list("code", flat=True)) == codes
    assert User.objects.get(username="demo-planner").check_password("second-pass-456")
    assert "already has projects" in out.getvalue()
