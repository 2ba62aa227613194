"""Data-quality notes: what they catch, in which section, and that clean data gets none."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from reports.quality import project_quality_notes
from tests import factories

TODAY = date(2021, 3, 15)  # FY 2564


def kinds(project, today=TODAY):
    return [note.kind for note in project_quality_notes(project, today=today)]


@pytest.fixture
def clean_project(social_division):
    """A project with nothing to point out."""
    project = factories.make_project(unit=social_division, fiscal_year=2564)
    project.plan_nodes.add(factories.make_plan_node())
    factories.make_step(project, 1, "วางแผน", "40", date(2020, 10, 1), date(2020, 10, 31))
    factories.make_step(project, 2, "ดำเนินการ", "60", date(2020, 11, 1), date(2021, 6, 30))
    factories.make_report(project, report_date=date(2021, 2, 25), percent="30")
    factories.make_report(project, report_date=date(2021, 3, 10), percent="45")
    indicator = factories.make_indicator(achieved=Decimal("50"))
    indicator.projects.add(project)
    factories.make_indicator_quarter(indicator, quarter=1, result=Decimal("20"))
    factories.make_indicator_quarter(indicator, quarter=2, result=Decimal("50"))
    factories.make_indicator_quarter(indicator, quarter=3)  # not reported yet
    return project


def test_a_clean_project_has_no_notes(clean_project):
    assert kinds(clean_project) == []


def test_it_notes_weights_not_adding_up_to_100_in_the_steps_section(clean_project):
    factories.make_step(clean_project, 3, "สรุปผล", "5", date(2021, 7, 1), date(2021, 7, 31))
    [note] = project_quality_notes(clean_project, today=TODAY)
    assert (note.kind, note.section) == ("weights_not_100", "steps")
    assert note.message == "น้ำหนักของขั้นตอนรวมกันได้ร้อยละ 105 ไม่ใช่ 100"


def test_it_notes_steps_that_start_and_end_on_one_day(clean_project):
    factories.make_step(clean_project, 3, "ติดตามผล", "0", date(2021, 9, 1), date(2021, 9, 1))
    notes = project_quality_notes(clean_project, today=TODAY)
    assert [(n.kind, n.section) for n in notes] == [("step_single_day", "steps")]
    assert "ขั้นตอนที่ 3" in notes[0].message


def test_it_notes_progress_going_down_with_the_report_and_both_values(clean_project):
    factories.make_report(clean_project, report_date=date(2021, 3, 12), percent="40")
    [note] = project_quality_notes(clean_project, today=TODAY)
    assert (note.kind, note.section) == ("progress_down", "reports")
    assert note.message == "รายงานที่ (1) วันที่ 12/03/2564 ความคืบหน้าลดลงจากร้อยละ 45 เป็นร้อยละ 40"


def test_repeated_progress_is_not_a_decrease(clean_project):
    factories.make_report(clean_project, report_date=date(2021, 3, 12), percent="45")
    assert kinds(clean_project) == []


def test_it_notes_an_achieved_value_that_contradicts_the_latest_reported_quarter(clean_project):
    indicator = clean_project.indicators.get()
    indicator.achieved = Decimal("0")
    indicator.save()
    [note] = project_quality_notes(clean_project, today=TODAY)
    assert (note.kind, note.section) == ("indicator_achieved_mismatch", "indicators")
    assert indicator.code in note.message
    assert "ไตรมาสที่ 2" in note.message


@pytest.mark.parametrize(("achieved", "expected"), [(None, []), (Decimal("50"), [])])
def test_no_achieved_value_or_a_matching_one_is_no_contradiction(clean_project, achieved, expected):
    indicator = clean_project.indicators.get()
    indicator.achieved = achieved
    indicator.save()
    assert kinds(clean_project) == expected


def test_it_notes_no_report_this_month_only_in_the_current_fiscal_year(clean_project):
    april = date(2021, 4, 2)
    assert kinds(clean_project, today=april) == ["no_report_this_month"]
    assert "เมษายน 2564" in project_quality_notes(clean_project, today=april)[0].message
    next_year = date(2021, 10, 5)  # FY 2565: the FY 2564 project is closed
    assert kinds(clean_project, today=next_year) == []


def test_it_notes_a_stated_alignment_that_links_no_plan_node(clean_project):
    clean_project.plan_nodes.clear()
    clean_project.plan_alignment_text = "ด้านที่ ๓ - มหานครสำหรับทุกคน"
    clean_project.save()
    [note] = project_quality_notes(clean_project, today=TODAY)
    assert (note.kind, note.section) == ("alignment_missing", "alignment")
    assert "ยังไม่ได้เชื่อมโยง" in note.message


def test_it_notes_a_project_with_no_alignment_at_all(clean_project):
    clean_project.plan_nodes.clear()
    [note] = project_quality_notes(clean_project, today=TODAY)
    assert (note.kind, note.section) == ("alignment_missing", "alignment")
    assert "ยังไม่ได้ระบุ" in note.message


def test_the_seed_000_pattern_triggers_several_notes(social_division):
    """Seed 000: weights 20 + 50 + 0, every step a single day, achieved 0 against a Q4 of 100."""
    project = factories.make_project(unit=social_division, fiscal_year=2564)
    project.plan_nodes.add(factories.make_plan_node())
    factories.make_step(project, 1, "วางแผนการดำเนินงาน", "20", date(2020, 10, 1), date(2020, 10, 1))
    factories.make_step(project, 2, "ดำเนินโครงการ", "50", date(2021, 1, 1), date(2021, 1, 1))
    factories.make_step(project, 3, "รวบรวมแบบสอบถามและสรุปผล", "0", date(2021, 7, 1), date(2021, 7, 1))
    factories.make_report(project, report_date=date(2021, 8, 30), percent="100")
    indicator = factories.make_indicator(measure="กลุ่ม", target=Decimal("3"), achieved=Decimal("0"))
    indicator.projects.add(project)
    for quarter, result in ((1, "0"), (2, "0"), (3, "0"), (4, "100")):
        factories.make_indicator_quarter(indicator, quarter=quarter, result=Decimal(result))
    assert kinds(project, today=date(2021, 8, 31)) == [
        "weights_not_100",
        "step_single_day",
        "indicator_achieved_mismatch",
    ]


def test_it_notes_a_project_without_steps(social_division):
    project = factories.make_project(unit=social_division, fiscal_year=2563)
    project.plan_nodes.add(factories.make_plan_node())
    assert kinds(project) == ["no_steps"]


def test_it_notes_a_legacy_headline_that_differs_from_the_latest_report_in_the_header(clean_project):
    clean_project.legacy_headline_percent = Decimal("95")
    clean_project.save()

    [note] = project_quality_notes(clean_project, today=TODAY)

    assert (note.kind, note.section) == ("legacy_headline_differs", "header")
    assert note.message == "ระบบเดิมแสดงความคืบหน้าโครงการร้อยละ 95 แต่รายงานล่าสุด วันที่ 10/03/2564 รายงานร้อยละ 45"
    clean_project.refresh_from_db()
    assert clean_project.legacy_headline_percent == Decimal("95")  # both values kept as entered
    assert clean_project.reports.live().newest_first().first().percent == Decimal("45")


@pytest.mark.parametrize("headline", [Decimal("45"), Decimal("45.00"), None])
def test_a_legacy_headline_equal_to_the_latest_report_or_none_is_no_note(clean_project, headline):
    clean_project.legacy_headline_percent = headline
    clean_project.save()
    assert kinds(clean_project) == []


def test_a_legacy_headline_without_any_report_is_no_contradiction(social_division):
    project = factories.make_project(unit=social_division, fiscal_year=2563, legacy_headline_percent=Decimal("95"))
    project.plan_nodes.add(factories.make_plan_node())
    assert kinds(project) == ["no_steps"]


def test_the_note_compares_with_the_newest_live_report_not_a_deleted_one(clean_project):
    clean_project.legacy_headline_percent = Decimal("45")
    clean_project.save()
    factories.make_report(clean_project, report_date=date(2021, 3, 14), percent="50", deleted_at=timezone.now())
    assert kinds(clean_project) == []
