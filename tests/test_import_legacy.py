"""python manage.py import_legacy: the seeds stored field by field, re-imports that change
nothing, newer printouts, refused files that leave the database as it was, and every line it
cannot place printed with its file and line number."""

import os
import sqlite3
import subprocess
import sys
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import Indicator
from projects.models import AuditEntry, OrgUnit, PlanEdition, PlanNode, ProgressReport, Project
from reports.dashboard import Period, dashboard_data
from reports.scopes import Scope
from tests.paths import SEEDS

DATA = Path(__file__).parent / "data" / "legacy"
SEED_000 = SEEDS / "000_ce21939e2f54dfaa.txt"
SEED_002 = SEEDS / "002_b90a0f8adbbb71e4.txt"
SEED_003 = SEEDS / "003_479be46a3a9ca5c2.txt"

pytestmark = pytest.mark.django_db


def run(*args, **options):
    """Run the command; returns (stdout, stderr, CommandError or None)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_legacy", *[str(a) for a in args], stdout=out, stderr=err, **options)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def import_ok(*args, **options):
    out, err, error = run(*args, **options)
    assert error is None, err
    return out


def database_rows():
    """Every row of every table the apps own, M2M tables included (not the change counters the
    database keeps for cache keys: projects.models.ChangeCounter)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
    }


@pytest.fixture
def seeds_imported(db):
    import_ok(SEED_000, SEED_003)
    import_ok(SEED_002, indicator_code="2400-9001", fy=2564)


# --- seed 000 --------------------------------------------------------------------------------


def test_it_stores_every_field_of_the_project_in_seed_000():
    out = import_ok(SEED_000)

    project = Project.objects.get(code="24000000-3029")
    assert project.name == (
        "โครงการส่งเสริมสนับสนุนแรงงานนอกระบบและประชาชนทั่วไปเข้าถึงสวัสดิการทางสังคมและแหล่งเงินทุนในการประกอบอาชีพ"
    )
    assert project.fiscal_year == 2564
    assert (project.unit.code, project.unit.name, project.unit.kind) == ("24000000", "สำนักพัฒนาสังคม", "department")
    assert project.responsible_person == "ผู้อำนวยการสำนักงานการส่งเสริมอาชีพ"
    assert project.responsible_phone == ""
    assert (project.division_code, project.subunit_code) == ("24040000", "24040000")
    assert project.rationale == SEED_000.read_text(encoding="utf-8").split("\n")[21]
    assert project.objectives == (
        "- เพื่อส่งเสริม สนับสนุนแรงงานนอกระบบและประชาชนทั่วไปเข้าถึงสวัสดิการทางสังคม และแหล่งเงินทุนในการประกอบอาชีพของรัฐหรือที่รัฐสนับสนุน"
    )
    assert project.targets == (
        "-กลุ่มผู้ขับขี่รถจักรยานยนต์รับจ้าง หรือกลุ่มผู้ค้าหาบเร่ – แผงลอย เข้าถึงสวัสดิการทางสังคม และแหล่งเงินทุนในการประกอบอาชีพ"
    )
    assert project.plan_alignment_text.split("\n")[2] == "๓.๒.๒ คนกรุงเทพฯมีโอกาสได้รับการฝึกอาชีพตามความถนัด%"
    assert Project.objects.search("ส่งเสริมสนับสนุนแรงงานนอกระบบ").get() == project
    assert list(project.evaluations.values_list("quarter", "score")) == [(1, Decimal("100"))]
    # the progress summary is refreshed
    assert (project.latest_percent, project.latest_report_date) == (Decimal("100.00"), date(2021, 8, 30))
    assert project.planned_percent_at_latest == Decimal("70.00")
    assert "created: evaluation 1, indicator 1, indicator link 1, indicator quarter 4, plan edition 1" in out


def test_it_stores_the_ten_reports_of_seed_000():
    import_ok(SEED_000)

    reports = list(Project.objects.get(code="24000000-3029").reports.newest_first())
    assert [(r.report_date, r.percent) for r in reports] == [
        (date(2021, 8, 30), Decimal("100.00")),
        (date(2021, 7, 29), Decimal("55.00")),
        (date(2021, 6, 28), Decimal("50.00")),
        (date(2021, 5, 29), Decimal("45.00")),
        (date(2021, 4, 29), Decimal("40.00")),
        (date(2021, 3, 30), Decimal("35.00")),
        (date(2021, 2, 25), Decimal("30.00")),
        (date(2021, 1, 28), Decimal("25.00")),
        (date(2020, 12, 28), Decimal("20.00")),
        (date(2020, 11, 25), Decimal("10.00")),
    ]
    assert reports[0].narrative == SEED_000.read_text(encoding="utf-8").split("\n")[46].removeprefix("30/08/2564 : ")
    assert reports[0].narrative.startswith("ดำเนินการ ครบ 3 กลุ่มเป้าหมาย")
    assert reports[4].narrative == (
        "อยู่ระหว่างจัดทำหนังสือถึงสำนักงานเขตเพื่อดำเนินการจัดกิจกรรมส่งเสริมสนับสนุนแรงงานนอกระบบ"
        "และประชาชนทั่วไปเข้าถึงสวัสดิการทางสังคมและแหล่งเงินทุนในการประกอบอาชีพ"
    )
    assert {(r.problems, r.obstacles) for r in reports} == {("ไม่มี", "ไม่มี")}
    assert {r.source for r in reports} == {ProgressReport.Source.LEGACY}
    assert {(r.entered_by, r.deleted_at) for r in reports} == {(None, None)}


def test_it_stores_the_plan_steps_of_seed_000():
    import_ok(SEED_000)

    steps = Project.objects.get(code="24000000-3029").steps.order_by("number")
    assert [(s.number, s.name, s.weight, s.start, s.end) for s in steps] == [
        (1, "วางแผนการดำเนินงาน", Decimal("20"), date(2020, 10, 1), date(2020, 10, 1)),
        (2, "ดำเนินโครงการ", Decimal("50"), date(2021, 1, 1), date(2021, 1, 1)),
        (3, "รวบรวมแบบสอบถามและสรุปผล", Decimal("0"), date(2021, 7, 1), date(2021, 7, 1)),
    ]


def test_it_links_the_plan_nodes_of_seed_000_in_a_new_edition():
    import_ok(SEED_000)

    edition = PlanEdition.objects.get()
    assert (edition.name, edition.first_fiscal_year) == ("แผนพัฒนากรุงเทพมหานคร ระยะ 20 ปี", 2561)
    nodes = Project.objects.get(code="24000000-3029").plan_nodes.order_by("code")
    assert [(n.level, n.code, n.code_display, n.title, n.title_en, n.parent and n.parent.code) for n in nodes] == [
        (1, "3", "๓", "มหานครสำหรับทุกคน", "Bangkok as a City for All", None),
        (2, "3.2", "๓.๒", "เมืองแห่งโอกาสทางเศรษฐกิจ", "", "3"),
        (3, "3.2.2", "๓.๒.๒", "คนกรุงเทพฯมีโอกาสได้รับการฝึกอาชีพตามความถนัด", "", "3.2"),
        (4, "3.2.2.1", "๓.๒.๒.๑", "พัฒนาโรงเรียนฝึกอาชีพกรุงเทพมหานคร ศูนย์ฝึกอาชีพ และการจัดฝึกอาชีพ", "", "3.2.2"),
    ]
    assert {n.edition_id for n in nodes} == {edition.pk}


def test_it_stores_the_indicator_of_seed_000_with_its_quarters():
    import_ok(SEED_000)

    indicator = Indicator.objects.get(code="2400-1065")
    assert indicator.fiscal_year == 2564
    assert indicator.name == "จำนวนกลุ่มเป้าหมายของแรงงานนอกระบบในพื้นที่เขตเข้าถึงสวัสดิการทางสังคม"
    assert (indicator.target, indicator.measure, indicator.achieved) == (Decimal("3"), "กลุ่ม", Decimal("0"))
    assert (indicator.type, indicator.level) == ("strategic", "output")
    assert indicator.unit.code == "24000000"
    assert list(indicator.projects.values_list("code", flat=True)) == ["24000000-3029"]
    rows = indicator.quarters.order_by("quarter").values_list("quarter", "result", "score_1", "score_2", "audit_score")
    assert list(rows) == [
        (1, Decimal("0.00"), Decimal("100"), Decimal("100"), None),
        (2, Decimal("0.00"), Decimal("100"), Decimal("100"), None),
        (3, Decimal("0.00"), Decimal("0"), Decimal("0"), None),
        (4, Decimal("100.00"), Decimal("100"), Decimal("100"), None),
    ]
    assert {q.narrative for q in indicator.quarters.all()} == {""}


def test_it_keeps_an_existing_unit_and_gives_the_indicator_the_unit_of_its_prefix(social_dept):
    out = import_ok(SEED_000)

    assert OrgUnit.objects.count() == 1
    assert Project.objects.get(code="24000000-3029").unit == social_dept
    assert Indicator.objects.get(code="2400-1065").unit == social_dept
    assert "unit" not in out


def test_it_leaves_a_project_under_a_division_of_the_printed_unit(social_division):
    import_ok(SEED_000)
    Project.objects.filter(code="24000000-3029").update(unit=social_division)

    out = import_ok(SEED_000)

    assert Project.objects.get(code="24000000-3029").unit == social_division
    assert "note: project kept under 24040000" in out


def test_it_audits_what_it_creates_without_a_user():
    import_ok(SEED_000)

    entries = AuditEntry.objects.filter(note="import_legacy 000_ce21939e2f54dfaa.txt")
    counts = {}
    for label, action in entries.values_list("model_label", "action"):
        counts[label, action] = counts.get((label, action), 0) + 1
    assert counts == {
        ("projects.project", "create"): 1,
        ("projects.progressreport", "create"): 10,
        ("projects.planstep", "create"): 3,
        ("projects.projectevaluation", "create"): 1,
        ("indicators.indicator", "create"): 1,
        ("indicators.indicatorquarter", "create"): 4,
    }
    assert not entries.exclude(user=None).exists()


# --- seed 003 --------------------------------------------------------------------------------


def test_it_stores_the_thirteen_reports_of_seed_003_with_their_quirks():
    import_ok(SEED_003)

    project = Project.objects.get(code="24000000-2964")
    assert (project.fiscal_year, project.responsible_person) == (2563, "นายอิทธิพล อิงประสาร")
    assert (project.division_code, project.subunit_code) == ("24030000", "24030000")
    assert list(project.evaluations.values_list("quarter", "score")) == [(2, Decimal("100"))]
    reports = list(project.reports.newest_first())
    assert [(r.report_date, r.percent) for r in reports] == [
        (date(2020, 9, 29), Decimal("100.00")),
        (date(2020, 8, 28), Decimal("80.00")),
        (date(2020, 7, 30), Decimal("80.00")),
        (date(2020, 6, 29), Decimal("60.00")),
        (date(2020, 5, 27), Decimal("60.00")),
        (date(2020, 4, 27), Decimal("60.00")),
        (date(2020, 3, 31), Decimal("60.00")),
        (date(2020, 2, 26), Decimal("57.00")),
        (date(2020, 2, 25), Decimal("45.00")),
        (date(2020, 1, 29), Decimal("45.00")),
        (date(2019, 12, 25), Decimal("10.00")),
        (date(2019, 11, 28), Decimal("5.00")),
        (date(2019, 10, 29), Decimal("5.00")),
    ]
    by_date = {r.report_date: r for r in reports}
    assert by_date[date(2020, 9, 29)].narrative == ""
    assert (by_date[date(2019, 12, 25)].problems, by_date[date(2019, 12, 25)].obstacles) == ("-", "-")
    assert by_date[date(2020, 4, 27)].narrative == (
        "อยู่ระหว่างขั้นตอนรออนุมัติเพื่อดำเนินโครงการต่อเนื่องจากตอนนี้อยู่ในสถานะการโรคติดต่อไวรัสโคโรน่า 2019 (โควิด-19)"
    )
    assert by_date[date(2020, 3, 31)].narrative == "อยู่ระหว่างขั้นตอนจัดอบรบ (รอประกาศเพื่อจัดอบรมรุ่นต่อไป)"
    assert by_date[date(2020, 2, 26)].narrative == "อยู่ระหว่างขั้นตอนจัดอบรบรุ่นที่ 1-4"
    assert by_date[date(2020, 2, 25)].narrative == "อยู่ระหว่างขั้นตอนจัดอบรมรุ่นที่ 1-4"
    assert by_date[date(2020, 1, 29)].narrative == (
        "จ้างเหมารถยนต์โดยสารปรับอากาศ ขนาด 40 ที่นั่งขึ้นไป 4 คัน จำนวน 15 รุ่นและจัดซื้ออุปกรณ์"
    )


def test_it_stores_the_seven_plan_steps_of_seed_003():
    import_ok(SEED_003)

    steps = Project.objects.get(code="24000000-2964").steps.order_by("number")
    assert [(s.number, s.weight, s.start) for s in steps] == [
        (1, Decimal("5"), date(2019, 10, 1)),
        (2, Decimal("5"), date(2019, 11, 1)),
        (3, Decimal("5"), date(2019, 12, 1)),
        (4, Decimal("10"), date(2020, 1, 1)),
        (5, Decimal("20"), date(2019, 12, 1)),
        (6, Decimal("45"), date(2020, 2, 1)),
        (7, Decimal("10"), date(2020, 9, 1)),
    ]
    assert steps[4].name == "จ้างเหมารถยนต์โดยสารปรับอากาศ ขนาด 40 ที่นั่งขึ้นไป"
    assert all(s.start == s.end for s in steps)
    nodes = Project.objects.get(code="24000000-2964").plan_nodes.order_by("code")
    assert [(n.code, n.title) for n in nodes][:2] == [("1", "มหานครปลอดภัย"), ("1.4", "ปลอดภัยพิบัติ")]


# --- seed 002 --------------------------------------------------------------------------------


def test_it_stores_every_field_of_the_indicator_report(seeds_imported):
    indicator = Indicator.objects.get(code="2400-9001", fiscal_year=2564)
    assert indicator.name == "ร้อยละของแรงงานนอกระบบกลุ่มเป้าหมายรับทราบสวัสดิการและแหล่งเงินทุน"
    assert indicator.level == ""
    assert indicator.unit.code == "24000000"
    assert "กองทุนพัฒนาชุมชนกรุงเทพมหานคร กองทุนหมู่บ้านและชุมชนเมือง" in indicator.definitions
    assert indicator.definitions.startswith("1. แรงงานนอกระบบกลุ่มเป้าหมาย หมายถึง\n")
    assert indicator.definitions.count("\n") == 8
    assert indicator.calculation == (
        "(จำนวนกลุ่มวินมอเตอร์ไซด์ที่เข้าร่วมกิจกรรมและได้รับทราบข้อมูล /จำนวนกลุ่มวินมอเตอร์ไซด์ที่ขึ้นทะเบียนกับสำนักงานเขตทั้งหมด) x 100"
    )
    assert (indicator.target, indicator.measure, indicator.achieved) == (Decimal("100"), "ร้อยละ", Decimal("0"))
    quarters = dict(indicator.quarters.values_list("quarter", "narrative"))
    assert quarters == {
        1: "อยู่ระหว่างการศึกษาโครงการกำหนดดำเนินการ 3 กลุ่มเขต ดังนี้\n1.กลุ่มกรุงเทพใต้\n2.กลุ่มกรุงเทพตะวันออก\n3.กลุ่มกรุงธนใต้",
        2: "-",
        3: "-",
        4: "-",
    }
    assert (indicator.summary, indicator.supporting_factors, indicator.obstacles, indicator.evidence) == (
        "-",
        "-",
        "----",
        "-",
    )
    assert (indicator.reporter_name, indicator.reporter_position) == ("", "")
    node = indicator.plan_node
    assert (node.code, node.level, node.code_display, node.parent.code) == ("3.2.1", 3, "๓.๒.๑", "3.2")
    assert node.title == "ผู้ที่อยู่ในภาคเศรษฐกิจนอกระบบและแรงงานนอกระบบเข้าถึงสวัสดิการและแหล่งเงินทุนอย่าง"
    # the dimension and sub-dimension are the ones seed 000 made: no duplicates
    assert PlanNode.objects.filter(code__in=["3", "3.2"]).count() == 2


def test_it_refuses_an_indicator_report_without_code_and_fiscal_year_and_stores_nothing():
    before = database_rows()

    for options in ({}, {"indicator_code": "2400-9001"}, {"fy": 2564}):
        _out, _err, error = run(SEED_000, SEED_002, **options)
        assert "002_b90a0f8adbbb71e4.txt is an indicator report" in str(error)
        assert "--indicator-code CODE --fy YEAR" in str(error)
        assert "Nothing was imported" in str(error)

    assert database_rows() == before


# --- re-imports ------------------------------------------------------------------------------


def test_it_changes_nothing_when_the_same_pages_are_imported_again(seeds_imported):
    before = database_rows()

    out = import_ok(SEED_000, SEED_003)
    out += import_ok(SEED_002, indicator_code="2400-9001", fy=2564)

    assert database_rows() == before
    assert out.count("nothing changed") == 3
    assert "created:" not in out
    assert "updated:" not in out


def test_it_re_imports_an_unchanged_page_in_few_queries(seeds_imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        import_ok(SEED_000)


def test_it_updates_from_a_newer_printout_without_duplicating_reports():
    import_ok(SEED_000)
    project = Project.objects.get(code="24000000-3029")
    old = {r.report_date: (r.pk, r.version) for r in project.reports.all()}

    out = import_ok(DATA / "000_newer_printout.txt")

    reports = {r.report_date: r for r in project.reports.all()}
    assert len(reports) == 11
    assert reports[date(2021, 9, 20)].narrative == "สรุปผลการดำเนินโครงการและรายงานผู้บริหาร"
    assert reports[date(2021, 9, 20)].source == ProgressReport.Source.LEGACY
    changed = reports[date(2021, 7, 29)]
    assert changed.narrative == "บูรณาการร่วมกับสำนักงานเขต รวบรวมข้อมูลครบ 50 เขตแล้ว"
    assert (changed.pk, changed.version) == (old[date(2021, 7, 29)][0], old[date(2021, 7, 29)][1] + 1)
    assert {d: (r.pk, r.version) for d, r in reports.items() if d != date(2021, 7, 29) and d in old} == {
        d: v for d, v in old.items() if d != date(2021, 7, 29)
    }
    project.refresh_from_db()
    assert project.latest_report_date == date(2021, 9, 20)
    assert "created: progress report 1\n" in out
    assert "updated: progress report 1\n" in out
    update = AuditEntry.objects.get(action="update", model_label="projects.progressreport")
    assert update.changes["narrative"][1] == "บูรณาการร่วมกับสำนักงานเขต รวบรวมข้อมูลครบ 50 เขตแล้ว"


def test_it_makes_the_cached_dashboards_of_its_fiscal_year_stale(tmp_path):
    import_ok(SEED_000)
    period = Period(2564, "month", 9)
    assert dashboard_data(Scope.bma(), 2564, period).headline["average"] == Decimal("100.00")
    corrected = tmp_path / "corrected.txt"
    text = SEED_000.read_text(encoding="utf-8")
    corrected.write_text(text.replace("ร้อยละ 100.00 (2021-08-30)", "ร้อยละ 90.00 (2021-08-30)"), encoding="utf-8")

    out = import_ok(corrected)

    assert "updated: progress report 1\n" in out
    assert dashboard_data(Scope.bma(), 2564, period).headline["average"] == Decimal("90.00")


def test_it_keeps_reports_the_printout_no_longer_shows():
    import_ok(DATA / "000_newer_printout.txt")

    out = import_ok(SEED_000)

    assert Project.objects.get(code="24000000-3029").reports.count() == 11
    assert "note: report of 2021-09-20 (100.00%) kept, not in printout" in out


def test_it_matches_two_reports_of_one_day_by_their_order(tmp_path):
    text = (
        SEED_000.read_text(encoding="utf-8")
        .replace("(2021-07-29)", "(2021-08-30)")
        .replace("29/07/2564 :", "30/08/2564 :")
    )
    page = tmp_path / "two_a_day.txt"
    page.write_text(text, encoding="utf-8")

    import_ok(page)
    before = database_rows()
    out = import_ok(page)

    assert database_rows() == before
    assert "nothing changed" in out
    newest = Project.objects.get(code="24000000-3029").reports.newest_first()
    assert [(r.report_date, r.percent) for r in newest[:2]] == [
        (date(2021, 8, 30), Decimal("100.00")),
        (date(2021, 8, 30), Decimal("55.00")),
    ]


# --- what it reports and what it refuses ----------------------------------------------------


def test_it_prints_every_line_it_cannot_place_with_file_and_line_number():
    path = DATA / "000_unplaced_lines.txt"

    out = import_ok(path)

    assert f"{path}:17: unplaced line: บรรทัดที่ระบบไม่รู้จัก ABC-123" in out
    assert f"{path}:171: unplaced line: หมายเหตุขั้นตอน: แทรกโดยผู้ทดสอบ" in out
    assert out.count("unplaced line") == 2
    assert Project.objects.get(code="24000000-3029").steps.count() == 3


def test_it_prints_a_warning_when_the_thai_date_disagrees_with_the_report_date():
    path = DATA / "000_variants.txt"

    out = import_ok(path)

    assert f"{path}:47: warning: report (1): the Thai date 31/08/2564 is 2021-08-31" in out
    project = Project.objects.get(code="24000000-3029")
    assert (project.responsible_person, project.responsible_phone) == ("นายอิทธิพล อิงประสาร", "6822-3")


def garbled_files(tmp_path):
    seed = SEED_000.read_bytes()
    files = {
        "binary.txt": bytes(range(256)) * 8,
        "cp874.txt": seed.decode("utf-8").encode("cp874"),
        "truncated.txt": b"\n".join(seed.split(b"\n")[:7]),
        "empty.txt": b"",
        "unrelated.txt": "รายงานการประชุม\nวาระที่ 1 เรื่องแจ้งเพื่อทราบ\n".encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return files


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("binary.txt", "refused: file is binary (contains NUL bytes), not a text printout"),
        ("cp874.txt", "refused: file is not UTF-8 text (byte 0xa4 at offset 0); a printout saved as TIS-620/cp874"),
        ("truncated.txt", "refused: truncated header: no 'UNIT : (2564)' line"),
        ("empty.txt", "refused: file is empty"),
        ("unrelated.txt", ":1: refused: not a legacy printout: the first line is 'รายงานการประชุม'"),
        ("percent_150", ":67: refused: percent 150.00 is outside 0–100"),
    ],
)
def test_it_refuses_a_file_it_cannot_read_and_leaves_the_database_as_it_was(tmp_path, name, message):
    garbled_files(tmp_path)
    path = DATA / "003_percent_150.txt" if name == "percent_150" else tmp_path / name
    import_ok(SEED_000)
    before = database_rows()

    out, err, error = run(path)

    assert error is not None
    assert f"{path}{message}" in err or (f"{path}: {message}" in err), err
    assert "1 of 1 file(s) not imported" in str(error)
    assert "Traceback" not in err
    assert out == ""
    assert database_rows() == before


def test_it_imports_the_good_files_of_a_run_with_a_bad_one(tmp_path):
    garbled_files(tmp_path)

    out, err, error = run(tmp_path / "cp874.txt", SEED_000, DATA / "003_percent_150.txt", tmp_path / "missing.txt")

    assert Project.objects.filter(code="24000000-3029").exists()
    assert not Project.objects.filter(code="24000000-2964").exists()
    assert "000_ce21939e2f54dfaa.txt: project page, project 24000000-3029 (FY 2564)" in out
    assert f"{tmp_path / 'missing.txt'}: refused: cannot read the file: No such file or directory" in err
    assert str(error).startswith("3 of 4 file(s) not imported")


def test_it_refuses_a_file_over_5_mb(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(SEED_000.read_bytes() + b"\n" * (5 * 1024 * 1024))

    _out, err, error = run(big)

    assert f"{big}: refused: file is larger than 5 MB" in err
    assert error is not None
    assert not Project.objects.exists()


def test_it_refuses_a_malformed_indicator_code():
    _out, _err, error = run(SEED_002, indicator_code="9001", fy=2564)
    assert "--indicator-code '9001' is not an indicator code like 2400-9001" in str(error)
    _out, _err, error = run(SEED_002, indicator_code="2400-9001", fy=2021)
    assert "--fy 2021 is not a Buddhist-era fiscal year" in str(error)
    assert not Indicator.objects.exists()


def test_it_exits_non_zero_from_the_shell_and_still_imports_the_good_file(tmp_path):
    database = tmp_path / "shell.sqlite3"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00binary")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "bma_tracker.settings",
        "SECRET_KEY": "test-subprocess-key",
        "DEBUG": "0",
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, capture_output=True, timeout=120)

    result = subprocess.run(
        [*manage, "import_legacy", str(bad), str(SEED_000)], env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 1
    assert f"{bad}: refused: file is UTF-16 text; save it as UTF-8" in result.stderr
    assert "CommandError: 1 of 2 file(s) not imported" in result.stderr
    assert "Traceback" not in result.stderr
    assert "project 24000000-3029 (FY 2564)" in result.stdout
    with sqlite3.connect(database) as connection:
        rows = connection.execute("select count(*) from projects_progressreport").fetchone()
    assert rows == (10,)


def test_it_refuses_a_printout_with_a_report_dated_in_the_future_and_stores_nothing(tmp_path):
    """30/09/2570 typed for 2569 would be the project's newest report for a year, hiding every real one."""
    text = (
        SEED_000.read_text(encoding="utf-8")
        .replace("(2021-07-29)", "(2099-07-29)")
        .replace("29/07/2564 :", "29/07/2642 :")
    )
    page = tmp_path / "future.txt"
    page.write_text(text, encoding="utf-8")

    _out, err, error = run(page)

    assert error is not None
    assert f"{page}:55: refused: รายงานความคืบหน้า refused: report_date: วันที่รายงานต้องไม่เกินวันนี้" in err, err
    assert "Traceback" not in err
    assert not Project.objects.exists()
    assert not ProgressReport.objects.exists()
