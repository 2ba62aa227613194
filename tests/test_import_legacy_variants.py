"""Project printouts in the variants DOMAIN.md lists beyond the seeds (tests/data/legacy/README.md):
scores and targets with four decimals, a headline percent with no monthly report, a headline
above a different newest report, and the owner-line forms with a phone. Each is imported field
by field, imported again without a change, and shown on the project page with the headline it
printed and the name of its unit."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from indicators.models import Indicator
from projects.models import AuditEntry, DistrictGroup, OrgUnit, Project, ScheduleStatus
from reports.dashboard import Period, dashboard_data
from reports.scopes import Scope
from tests import factories
from tests.conftest import login
from tests.test_import_legacy import database_rows, import_ok, run
from tests.test_project_page import page_text

DATA = Path(__file__).parent / "data" / "legacy"
FOUR_DECIMALS = DATA / "project_four_decimal_scores.txt"
NO_REPORT = DATA / "project_headline_without_report.txt"
DIFFERS = DATA / "project_headline_differs.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture
def thonburi(db):
    """The district office of project 50160000-0871: a printout does not say a district's group,
    so district offices exist before their pages are imported."""
    return factories.make_unit(
        code="50160000", name="สำนักงานเขตธนบุรี", kind=OrgUnit.Kind.DISTRICT, district_group=DistrictGroup.THON_NORTH
    )


def quarters(indicator):
    return list(
        indicator.quarters.order_by("quarter").values_list("quarter", "result", "audit_score", "score_1", "score_2")
    )


# --- four decimals ---------------------------------------------------------------------------


def test_it_imports_scores_and_targets_printed_with_four_decimals_field_by_field():
    out = import_ok(FOUR_DECIMALS)

    project = Project.objects.get(code="24000000-3150")
    assert project.name == "โครงการฝึกอบรมอาชีพระยะสั้นให้แก่แรงงานนอกระบบในพื้นที่กรุงเทพมหานคร"
    assert (project.fiscal_year, project.unit.code, project.unit.name) == (2564, "24000000", "สำนักพัฒนาสังคม")
    assert (project.responsible_person, project.responsible_phone) == ("นางสาวสุดา ใจงาม", "3027")
    assert (project.division_code, project.subunit_code) == ("24040000", "24040000")
    assert project.rationale.startswith("- แรงงานนอกระบบจำนวนมากขาดทักษะฝีมือ")
    assert project.objectives == "- เพื่อให้แรงงานนอกระบบมีทักษะอาชีพและนำความรู้ไปประกอบอาชีพได้"
    assert project.targets == "-แรงงานนอกระบบ จำนวน 400 คน"
    assert project.legacy_headline_percent == Decimal("85.50")
    assert (project.latest_percent, project.latest_report_date) == (Decimal("85.50"), date(2021, 3, 30))
    # 100.0000 (the header) and 85.5000 (the quarterly list at the bottom), at the 2 places stored
    assert [(e.quarter, str(e.score)) for e in project.evaluations.order_by("quarter")] == [(1, "85.50"), (2, "100.00")]
    assert [(r.report_date, r.percent) for r in project.reports.newest_first()] == [
        (date(2021, 3, 30), Decimal("85.50")),
        (date(2021, 2, 26), Decimal("60.00")),
        (date(2021, 1, 28), Decimal("20.00")),
    ]
    assert [(s.number, s.name, s.weight, s.start, s.end) for s in project.steps.order_by("number")] == [
        (1, "วางแผนและรับสมัคร", Decimal("20"), date(2020, 10, 1), date(2020, 12, 31)),
        (2, "ฝึกอบรมอาชีพ", Decimal("60"), date(2021, 1, 1), date(2021, 6, 30)),
        (3, "ติดตามผลการประกอบอาชีพ", Decimal("20"), date(2021, 7, 1), date(2021, 9, 30)),
    ]
    assert list(project.plan_nodes.order_by("code").values_list("code", flat=True)) == [
        "3",
        "3.2",
        "3.2.2",
        "3.2.2.1",
    ]
    indicator = Indicator.objects.get(code="2400-1150", fiscal_year=2564)
    assert indicator.name == "ร้อยละของผู้ผ่านการฝึกอบรมที่นำความรู้ไปประกอบอาชีพ"
    assert (indicator.measure, str(indicator.target), str(indicator.achieved)) == ("ร้อยละ", "80.00", "85.50")
    assert (indicator.type, indicator.level, indicator.unit.code) == ("routine", "outcome", "24000000")
    assert quarters(indicator) == [
        (1, Decimal("20"), Decimal("100"), Decimal("100"), Decimal("100")),
        (2, Decimal("85.5"), Decimal("100"), Decimal("100"), Decimal("50")),
        (3, None, None, None, None),
        (4, None, None, None, None),
    ]
    assert list(indicator.projects.all()) == [project]
    assert "unplaced line" not in out
    assert "warning" not in out


@pytest.mark.parametrize(
    ("printed", "changed", "line", "message"),
    [
        ("ไตรมาสที่ 2 100.0000", "ไตรมาสที่ 2 85.1250", 18, "evaluation score 85.1250 has more than 2"),
        ("ร้อยละ : 80.0000", "ร้อยละ : 80.0050", 107, "indicator target 80.0050 has more than 2"),
        (
            "100.0000 / 50.0000",
            "100.0000 / 50.0001",
            127,
            "indicator 2400-1150 quarter 2 score 2.2 50.0001 has more than 2",
        ),
        ("ไตรมาสที่ 1 85.5000", "ไตรมาสที่ 1 85.5550", 138, "evaluation score 85.5550 has more than 2"),
    ],
)
def test_it_refuses_a_value_that_needs_more_than_two_decimals_naming_file_and_line(
    tmp_path, printed, changed, line, message
):
    path = tmp_path / "needs_more_places.txt"
    text = FOUR_DECIMALS.read_text(encoding="utf-8")
    assert text.count(printed) == 1
    path.write_text(text.replace(printed, changed), encoding="utf-8")
    import_ok(FOUR_DECIMALS)
    before = database_rows()

    out, err, error = run(path)

    assert f"{path}:{line}: refused: {message} significant decimals; it is stored with 2 and is not rounded" in err
    assert "1 of 1 file(s) not imported" in str(error)
    assert database_rows() == before


# --- a headline and no report ----------------------------------------------------------------


def test_it_keeps_a_headline_without_any_report_as_the_projects_progress():
    out = import_ok(NO_REPORT)

    project = Project.objects.get(code="15000000-0412")
    assert project.name == "โครงการจัดระเบียบผู้ค้าหาบเร่แผงลอยในจุดผ่อนผัน"
    assert project.fiscal_year == 2563
    # an unknown department is created under the code, with the page's name (SARA AM composed)
    assert (project.unit.code, project.unit.name, project.unit.kind) == ("15000000", "สำนักเทศกิจ", "department")
    assert (project.responsible_person, project.responsible_phone) == ("นายสมชาย รักงาน", "5621")
    assert (project.division_code, project.subunit_code) == ("15020000", "15020000")
    assert project.targets == "จุดผ่อนผันทุกจุดในความรับผิดชอบ"
    assert not project.reports.exists()
    assert project.legacy_headline_percent == Decimal("95")
    summary = (project.latest_percent, project.latest_report_date, project.planned_percent_at_latest)
    assert summary == (Decimal("95"), None, None)
    assert project.report_months == 0
    assert list(project.evaluations.values_list("quarter", "score")) == [(4, Decimal("90"))]
    assert [(s.number, s.weight) for s in project.steps.order_by("number")] == [(1, Decimal("30")), (2, Decimal("70"))]
    assert list(project.plan_nodes.order_by("code").values_list("code", flat=True)) == ["1", "1.4", "1.4.1"]
    indicator = Indicator.objects.get(code="1500-0311", fiscal_year=2563)
    assert (indicator.target, indicator.achieved, indicator.type, indicator.level) == (
        Decimal("100"),
        Decimal("95"),
        "strategic",
        "output",
    )
    assert indicator.unit == project.unit
    assert [row[:2] for row in quarters(indicator)] == [
        (1, Decimal("25")),
        (2, Decimal("50")),
        (3, Decimal("75")),
        (4, Decimal("95")),
    ]
    assert quarters(indicator)[3][3:] == (Decimal("100"), Decimal("50"))
    assert f"{NO_REPORT}: note: unit 15000000 did not exist: created as the department 'สำนักเทศกิจ'" in out
    assert f"{NO_REPORT}:12: note: no progress report: the headline 95.00% is kept as the project's progress" in out
    created = AuditEntry.objects.get(model_label="projects.project", action="create")
    assert created.changes["legacy_headline_percent"] == [None, "95.00"]


def test_the_dashboard_counts_the_printed_headline_of_a_project_without_a_report(social_dept):
    import_ok(NO_REPORT)
    factories.make_project(unit=social_dept, fiscal_year=2563)  # nothing reported, nothing printed

    data = dashboard_data(Scope.bma(), 2563, Period(2563, "month", 9))

    assert data.headline["total"] == 2
    assert data.headline["average"] == Decimal("47.50")
    assert data.headline[ScheduleStatus.NO_REPORT.value] == 2
    assert data.histogram[9]["count"] == 1


# --- a headline above a different newest report ------------------------------------------------


def test_it_keeps_both_a_headline_and_a_different_newest_report(thonburi):
    out = import_ok(DIFFERS)

    project = Project.objects.get(code="50160000-0871")
    assert project.unit == thonburi
    assert (project.responsible_person, project.responsible_phone) == ("นางสมศรี มีสุข", "6822-3")
    assert (project.division_code, project.subunit_code) == ("50160300", "50160300")
    assert project.legacy_headline_percent == Decimal("100")
    assert (project.latest_percent, project.latest_report_date) == (Decimal("90"), date(2021, 6, 29))
    assert project.planned_percent_at_latest == Decimal("69.34")  # 40 + 60 × 89/182 days
    assert [(r.report_date, r.percent) for r in project.reports.newest_first()] == [
        (date(2021, 6, 29), Decimal("90")),
        (date(2021, 3, 30), Decimal("50")),
    ]
    assert list(project.evaluations.values_list("quarter", "score")) == [(3, Decimal("100"))]
    indicator = Indicator.objects.get(code="5016-0981")
    assert (indicator.unit, indicator.measure, indicator.target, indicator.achieved) == (
        thonburi,
        "กลุ่ม",
        Decimal("4"),
        Decimal("3"),
    )
    assert [row[:2] for row in quarters(indicator)] == [
        (1, Decimal("0")),
        (2, Decimal("1")),
        (3, Decimal("3")),
        (4, None),
    ]
    assert (
        f"{DIFFERS}:12: note: the page headline says 100.00% but the newest stored report says 90.00%; both kept"
    ) in out
    assert "unit" not in out.replace("unchanged", "")  # the office exists under its code, by its name


def test_it_refuses_a_district_project_whose_office_does_not_exist_yet():
    out, err, error = run(DIFFERS)

    assert (
        f"{DIFFERS}: refused: unit 50160000 (สํานักงานเขตธนบุรี) does not exist; district offices must be created first"
    ) in err
    assert error is not None
    assert not Project.objects.exists()
    assert not OrgUnit.objects.exists()


# --- again, and on the pages -----------------------------------------------------------------


@pytest.mark.parametrize("path", [FOUR_DECIMALS, NO_REPORT, DIFFERS], ids=lambda path: path.stem)
def test_importing_a_variant_again_changes_nothing(thonburi, path):
    import_ok(path)
    before = database_rows()

    out = import_ok(path)

    assert database_rows() == before
    assert "nothing changed" in out


def test_a_newer_printout_moves_the_headline_on_and_the_history_shows_it(thonburi, tmp_path):
    import_ok(DIFFERS)
    newer = tmp_path / "newer.txt"
    newer.write_text(
        DIFFERS.read_text(encoding="utf-8").replace(
            "\n100\n\nความคืบหน้าโครงการ ร้อยละ 100\n", "\n90\n\nความคืบหน้าโครงการ ร้อยละ 90\n"
        ),
        encoding="utf-8",
    )

    out = import_ok(newer)

    project = Project.objects.get(code="50160000-0871")
    assert (project.legacy_headline_percent, project.latest_percent) == (Decimal("90"), Decimal("90"))
    assert "updated: project 1\n" in out
    update = AuditEntry.objects.get(model_label="projects.project", action="update")
    assert update.changes == {"legacy_headline_percent": ["100.00", "90.00"]}


PAGES = {
    FOUR_DECIMALS: ("24000000-3150", "สำนักพัฒนาสังคม : (2564)", "85.5"),
    NO_REPORT: ("15000000-0412", "สำนักเทศกิจ : (2563)", "95"),
    DIFFERS: ("50160000-0871", "สำนักงานเขตธนบุรี : (2564)", "100"),
}


@pytest.mark.parametrize("path", list(PAGES), ids=lambda path: path.stem)
@pytest.mark.parametrize("view", ["projects:detail", "projects:print"])
def test_the_project_page_shows_the_printed_headline_and_the_unit_name(client, planner, thonburi, path, view):
    code, unit_line, headline = PAGES[path]
    import_ok(path)
    login(client, planner)

    response = client.get(reverse(view, args=[code]))

    assert response.status_code == 200
    text = page_text(response)
    assert unit_line in text
    assert f"ความคืบหน้าที่ระบบเดิมแสดง: ร้อยละ {headline}" in text


def test_the_page_of_a_project_without_a_report_says_its_percent_is_the_printed_one(client, staff):
    import_ok(NO_REPORT)
    login(client, staff)

    text = page_text(client.get(reverse("projects:detail", args=["15000000-0412"])))

    assert "ความคืบหน้าโครงการ ร้อยละ 95 ยังไม่รายงานเดือนนี้" in text
    assert (
        "ความคืบหน้าที่ระบบเดิมแสดง: ร้อยละ 95 · ยังไม่มีรายงานความคืบหน้าในระบบนี้ จึงแสดงและนับความคืบหน้าตามค่าที่ระบบเดิมแสดง"
    ) in text
    assert "ยังไม่มีรายงานความคืบหน้า · ระบบเดิมแสดงความคืบหน้าโครงการ ร้อยละ 95" in text
    assert "นายสมชาย รักงาน (โทร. 5621)" in text
    assert "ความคืบหน้าโครงการ: ยังไม่มีรายงาน" not in text


def test_the_page_notes_a_headline_that_differs_from_the_newest_report(client, staff, thonburi):
    import_ok(DIFFERS)
    login(client, staff)

    response = client.get(reverse("projects:detail", args=["50160000-0871"]))

    [note] = response.context["notes_by_section"]["header"]
    assert note.kind == "legacy_headline_differs"
    text = page_text(response)
    assert "ความคืบหน้าโครงการ ร้อยละ 90" in text
    assert "ตรวจสอบข้อมูลระบบเดิมแสดงความคืบหน้าโครงการร้อยละ 100 แต่รายงานล่าสุด วันที่ 29/06/2564 รายงานร้อยละ 90" in text
    assert "นางสมศรี มีสุข (โทร. 6822-3)" in text


def test_the_list_marks_a_percent_that_is_the_printed_headline(client, planner):
    import_ok(NO_REPORT)
    login(client, planner)

    response = client.get(reverse("projects:list"), {"fiscal_year": "2563"})

    text = page_text(response)
    assert "15000000-0412" in text
    assert "95 ตามระบบเดิม" in text


@pytest.mark.parametrize("path", list(PAGES), ids=lambda path: path.stem)
def test_the_history_of_an_imported_variant_shows_the_printed_headline(client, planner, thonburi, path):
    import_ok(path)
    login(client, planner)

    response = client.get(reverse("projects:history", args=[PAGES[path][0]]))

    assert response.status_code == 200
    project_entry = next(e for e in response.context["entries"] if e.model_label == "projects.project")
    assert ("ความคืบหน้าที่ระบบเดิมแสดง (ร้อยละ)", "-", f"{Decimal(PAGES[path][2]):.2f}") in project_entry.rows
    assert "ระบบ</p>" in response.content.decode()


# --- with the demo data loaded -----------------------------------------------------------------


def test_with_the_demo_data_loaded_the_variants_show_their_headline_and_their_real_unit(client):
    # The demo once gave 15000000 and 50160000 other units' names, so imported pages showed
    # the wrong department; the demo now builds on the reference data (fixtures/reference).
    from django.core.management import call_command

    call_command("seed_demo", projects=5, years=1, seed=1, password="x", verbosity=0)
    for path in (NO_REPORT, DIFFERS):
        import_ok(path)
    client.force_login(factories.make_user("variants-planner", role="planner"))
    for code, unit_name, headline in (
        ("15000000-0412", "สำนักเทศกิจ", "95"),
        ("50160000-0871", "สำนักงานเขตธนบุรี", "100"),
    ):
        text = page_text(client.get(reverse("projects:detail", args=[code])))
        assert unit_name in text, code
        assert f"ร้อยละ {headline}" in text, code
