"""Continuing projects into the next fiscal year (issue 20, item 7): /projects/rollover/ lists a
unit's projects of a year with checkboxes, previews each copy, then copies them all in one
transaction, or none, and audits it."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bma_tracker import thaidate
from indicators.models import Indicator
from projects.models import AuditEntry, PlanStep, Project, User
from tests import factories
from tests.conftest import login

URL = reverse("projects:rollover")
FY = 2563  # CE 2019-10-01 … 2020-09-30: it has a 29 February (CE 2020 is a leap year)


@pytest.fixture
def editions(db):
    """The plan edition of 2561 has 3.2.2.1 and 1.1.1; the one in force from 2564 has only 3.2.2.1."""
    old, new = factories.make_edition(2561), factories.make_edition(2564, name="แผนฯ ฉบับปรับปรุง")
    return {
        "old_3221": factories.make_plan_node("3.2.2.1", edition=old),
        "old_111": factories.make_plan_node("1.1.1", title="ลดอาชญากรรม", edition=old),
        "new_3221": factories.make_plan_node("3.2.2.1", edition=new),
    }


@pytest.fixture
def continuing(social_division, editions):
    """A project of FY 2563 of สำนักงานการส่งเสริมอาชีพ with texts, two plan nodes, two steps
    (one ending on 29 February 2563), two indicators and a report."""
    project = factories.make_project(
        code="24040000-3029",
        unit=social_division,
        fiscal_year=FY,
        name="โครงการฝึกอาชีพระยะสั้น",
        rationale="หลักการ",
        objectives="วัตถุประสงค์",
        targets="เป้าหมาย",
        responsible_person="นายอิทธิพล อิงประสาร",
        responsible_phone="6822-3",
        division_code="24040000",
        plan_alignment_text="๓.๒.๒.๑ พัฒนาโรงเรียนฝึกอาชีพ",
        budget=Decimal("500000"),
    )
    project.plan_nodes.set([editions["old_3221"], editions["old_111"]])
    factories.make_step(project, 1, "จัดซื้อ", "40", date(2019, 10, 1), date(2020, 2, 29))
    factories.make_step(project, 2, "จัดอบรม", "60", date(2020, 3, 1), date(2020, 9, 30))
    factories.make_report(project, report_date=date(2020, 3, 30), percent="40")
    linked = factories.make_indicator(code="2404-1065", fiscal_year=FY, unit=social_division)
    copied = factories.make_indicator(
        code="2404-2000", fiscal_year=FY, unit=social_division, plan_node=editions["old_3221"], target=Decimal("80")
    )
    linked.projects.add(project)
    copied.projects.add(project)
    factories.make_indicator(code="2404-1065", fiscal_year=FY + 1, unit=social_division)  # already copied
    return project


@pytest.fixture
def second(social_division):
    return factories.make_project(code="24040000-3100", unit=social_division, fiscal_year=FY)


@pytest.fixture
def continued(social_division):
    """A project already continued into FY 2564."""
    original = factories.make_project(code="24040000-3050", unit=social_division, fiscal_year=FY)
    factories.make_project(code="24040000-3200", unit=social_division, fiscal_year=FY + 1, continued_from=original)
    return original


def preview(client, *projects):
    return client.post(URL + f"?unit=24000000&fiscal_year={FY}", {"projects": [p.pk for p in projects]})


def confirm(client, *projects):
    return client.post(URL + f"?unit=24000000&fiscal_year={FY}", {"projects": [p.pk for p in projects], "confirm": "1"})


# --- The calendar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "later"),
    [
        (date(2020, 2, 29), date(2021, 2, 28)),  # BE 2563 is a leap year (CE 2020), though 2563 % 4 == 3
        (date(2023, 2, 28), date(2024, 2, 28)),  # into BE 2567 (CE 2024): 28 stays 28
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2019, 10, 1), date(2020, 10, 1)),
        (date(2020, 9, 30), date(2021, 9, 30)),
    ],
)
def test_a_year_later_keeps_the_day_except_29_february(day, later):
    assert thaidate.a_year_later(day) == later


# --- The copy -------------------------------------------------------------------------------------


def test_a_director_copies_a_project_into_the_next_year_with_its_texts_plan_and_indicators(
    client, director, continuing, editions
):
    login(client, director)
    response = confirm(client, continuing)
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:list") + f"?fiscal_year={FY + 1}&unit=24000000"
    copy = Project.objects.get(continued_from=continuing)
    assert copy.code == "24040000-3030"  # the unit prefix, the serial after the highest one
    assert copy.fiscal_year == FY + 1
    for name in (
        "name",
        "unit",
        "rationale",
        "objectives",
        "targets",
        "responsible_person",
        "responsible_phone",
        "division_code",
        "plan_alignment_text",
    ):
        assert getattr(copy, name) == getattr(continuing, name), name
    assert copy.budget is None  # each year's budget is its own
    assert copy.search_text  # derived like any saved project's
    # Steps one year on; 29 February 2563 → 28 February 2564.
    assert [(s.number, s.name, s.weight, s.start, s.end) for s in copy.steps.order_by("number")] == [
        (1, "จัดซื้อ", Decimal("40.00"), date(2020, 10, 1), date(2021, 2, 28)),
        (2, "จัดอบรม", Decimal("60.00"), date(2021, 3, 1), date(2021, 9, 30)),
    ]
    # The next year's edition: its own 3.2.2.1; 1.1.1 is not in it.
    assert list(copy.plan_nodes.all()) == [editions["new_3221"]]
    # No reports, no summary.
    assert not copy.reports.exists() and copy.latest_percent is None
    # Indicators: 2404-1065 of 2564 existed and is linked; 2404-2000 is copied into 2564.
    linked = {(i.code, i.fiscal_year) for i in copy.indicators.all()}
    assert linked == {("2404-1065", FY + 1), ("2404-2000", FY + 1)}
    new_indicator = Indicator.objects.get(code="2404-2000", fiscal_year=FY + 1)
    assert (new_indicator.target, new_indicator.plan_node) == (Decimal("80.00"), editions["new_3221"])
    assert not new_indicator.quarters.exists()
    # The original is untouched.
    assert continuing.steps.count() == 2 and continuing.reports.count() == 1
    assert set(continuing.indicators.values_list("fiscal_year", flat=True)) == {FY}


def test_the_copy_is_audited_as_made_by_rollover_from_the_original(client, director, continuing):
    login(client, director)
    confirm(client, continuing)
    copy = Project.objects.get(continued_from=continuing)
    entry = AuditEntry.objects.get(project=copy)
    assert (entry.action, entry.user) == ("create", director)
    assert entry.note.startswith("สร้างโดยยกยอดจากโครงการ 24040000-3029 ปีงบประมาณ 2563")
    assert "2404-1065" in entry.note and "2404-2000" in entry.note
    assert entry.changes["name"] == [None, "โครงการฝึกอาชีพระยะสั้น"]
    indicator_entry = AuditEntry.objects.get(model_label="indicators.indicator")
    assert "คัดลอกจากตัวชี้วัด 2404-2000 ปีงบประมาณ 2563" in indicator_entry.note
    # The history page reads it.
    assert client.get(reverse("projects:history", args=[copy.code])).status_code == 200


def test_the_messages_name_the_new_codes_and_the_plan_nodes_the_new_edition_lacks(client, director, continuing):
    login(client, director)
    html = client.post(
        URL + f"?unit=24000000&fiscal_year={FY}", {"projects": [continuing.pk], "confirm": "1"}, follow=True
    ).content.decode()
    assert "24040000-3029 → 24040000-3030" in html
    assert "ไม่มีประเด็นต่อไปนี้" in html and "24040000-3030: ๑.๑.๑" in html


def test_new_codes_follow_the_highest_serial_of_the_prefix_in_any_year(client, planner, continuing, second):
    factories.make_project(code="24040000-4100", unit=continuing.unit, fiscal_year=2560)
    login(client, planner)
    assert confirm(client, continuing, second).status_code == 302
    assert Project.objects.get(continued_from=continuing).code == "24040000-4101"
    assert Project.objects.get(continued_from=second).code == "24040000-4102"


def test_the_preview_shows_each_copy_and_stores_nothing(client, director, continuing):
    login(client, director)
    before = Project.objects.count()
    response = preview(client, continuing)
    html = response.content.decode()
    assert response.status_code == 200
    assert "24040000-3030" in html
    assert "01/10/2563 – 28/02/2564" in html  # the first step, shifted
    assert "๑.๑.๑: ไม่มีในแผนฉบับปี 2564" in html
    assert '2404-1065 <span class="text-muted">(เชื่อมโยง)</span>' in html
    assert '2404-2000 <span class="text-muted">(คัดลอกใหม่)</span>' in html
    assert 'name="confirm" value="1"' in html
    assert Project.objects.count() == before


# --- Refusals: all or nothing ---------------------------------------------------------------------


def test_a_project_already_continued_is_shown_so_and_cannot_be_ticked(client, director, continued):
    login(client, director)
    html = client.get(URL + f"?unit=24000000&fiscal_year={FY}").content.decode()
    assert "ยกไปแล้วเป็น 24040000-3200" in html
    assert f'value="{continued.pk}" id="rollover-{continued.pk}" disabled' in html


def test_a_batch_with_a_project_already_continued_copies_nothing(client, director, continuing, continued):
    login(client, director)
    projects, steps, indicators, entries = (
        Project.objects.count(),
        PlanStep.objects.count(),
        Indicator.objects.count(),
        AuditEntry.objects.count(),
    )
    response = preview(client, continuing, continued)
    html = response.content.decode()
    assert "24040000-3050 ยกไปปีงบประมาณ 2564 แล้ว เป็นโครงการ 24040000-3200" in html
    assert 'name="confirm"' not in html  # no confirmation while a row is refused

    response = confirm(client, continuing, continued)  # a crafted or stale confirmation
    assert response.status_code == 409
    assert "ไม่ได้คัดลอกโครงการใดเลย" in response.content.decode()
    assert (
        Project.objects.count(),
        PlanStep.objects.count(),
        Indicator.objects.count(),
        AuditEntry.objects.count(),
    ) == (projects, steps, indicators, entries)


def test_a_second_rollover_of_the_same_project_is_refused(client, director, continuing):
    login(client, director)
    assert confirm(client, continuing).status_code == 302
    response = confirm(client, continuing)
    assert response.status_code == 409
    assert Project.objects.filter(continued_from=continuing).count() == 1


def test_nothing_ticked_is_refused_with_a_message(client, director, continuing):
    login(client, director)
    response = client.post(URL + f"?unit=24000000&fiscal_year={FY}", {})
    assert response.status_code == 200
    assert "กรุณาเลือกโครงการอย่างน้อยหนึ่งโครงการ" in response.content.decode()


# --- Who may -------------------------------------------------------------------------------------------


def test_staff_may_not_roll_over(client, staff, continuing):
    login(client, staff)
    assert client.get(URL).status_code == 403
    assert confirm(client, continuing).status_code == 403
    assert not Project.objects.filter(continued_from=continuing).exists()


def test_a_director_of_another_unit_gets_403(client, district_office, continuing):
    other_director = factories.make_user("other-director", unit=district_office, role=User.Role.DIRECTOR)
    login(client, other_director)
    assert client.get(URL + f"?unit=24000000&fiscal_year={FY}").status_code == 403
    assert confirm(client, continuing).status_code == 403
    assert not Project.objects.filter(continued_from=continuing).exists()


def test_another_units_projects_cannot_be_slipped_into_a_post(client, director, district_office):
    theirs = factories.make_project(unit=district_office, fiscal_year=FY)
    login(client, director)
    response = confirm(client, theirs)  # posted to สำนักพัฒนาสังคม's page
    assert response.status_code == 200
    assert "รายการโครงการที่เลือกไม่ถูกต้อง" in response.content.decode()
    assert not Project.objects.filter(continued_from=theirs).exists()


def test_the_planning_office_chooses_a_unit_then_rolls_over(client, planner, continuing):
    login(client, planner)
    html = client.get(URL + f"?fiscal_year={FY}").content.decode()
    assert "สำนักยุทธศาสตร์และประเมินผล" in html  # its own unit is the default
    html = client.get(URL + f"?unit=24040000&fiscal_year={FY}").content.decode()
    assert "24040000-3029" in html
    assert confirm(client, continuing).status_code == 302


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_a_bad_fiscal_year_or_unit_is_a_message_not_a_500(client, director):
    login(client, director)
    response = client.get(URL + "?fiscal_year=abc&unit=99999999")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ปีงบประมาณต้องเป็นตัวเลข" in html and "ไม่พบหน่วยงานที่เลือก" in html


# --- Reachable by click -----------------------------------------------------------------------------------


def test_the_page_is_linked_from_home_the_project_list_and_the_unit_dashboard(client, director, staff):
    login(client, director)
    assert 'class="btn btn-sm btn-outline-secondary rollover-link"' in client.get(reverse("home")).content.decode()
    assert "rollover-link" in client.get(reverse("projects:list")).content.decode()
    assert "rollover-link" in client.get(reverse("dashboard:index") + "?unit=24000000").content.decode()
    login(client, staff)
    assert "rollover-link" not in client.get(reverse("home")).content.decode()


# --- Query counts -------------------------------------------------------------------------------------------


def many(unit, n, node):
    projects = [factories.make_project(unit=unit, fiscal_year=FY) for _ in range(n)]
    for project in projects:
        project.plan_nodes.add(node)
        factories.make_step(project, 1, "ขั้นที่ 1", "100", date(2019, 10, 1), date(2020, 2, 29))
        factories.make_indicator(fiscal_year=FY, unit=unit).projects.add(project)
    return projects


# session, user, the unit asked for (with its parent), the projects with their continuations,
# the unit chooser
PAGE_QUERIES = 5
# the chosen projects, their plan nodes, steps and indicators (4); the plan: the next year's
# edition, the continuations, the serials of the prefix, its plan nodes by code, the next
# year's indicators (5)
PLAN_QUERIES = 9
# a savepoint (the request's test transaction around it), one insert each of projects, plan
# links, steps, indicators, indicator links and audit entries, the release; no chooser (a redirect)
COPY_QUERIES = 8 - 1


@pytest.mark.parametrize("n", [1, 6])
def test_the_pages_query_counts_do_not_grow_with_the_projects(
    client, director, social_division, editions, n, django_assert_num_queries
):
    projects = many(social_division, n, editions["old_3221"])
    login(client, director)
    client.get(reverse("home"))
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(URL + f"?unit=24000000&fiscal_year={FY}").status_code == 200
    with django_assert_num_queries(PAGE_QUERIES + PLAN_QUERIES):
        assert preview(client, *projects).status_code == 200
    with django_assert_num_queries(PAGE_QUERIES + PLAN_QUERIES + COPY_QUERIES):
        assert confirm(client, *projects).status_code == 302
    assert Project.objects.filter(fiscal_year=FY + 1).count() == n
    assert PlanStep.objects.filter(project__fiscal_year=FY + 1).count() == n
    assert Indicator.objects.filter(fiscal_year=FY + 1).count() == n
    assert Project.plan_nodes.through.objects.filter(plannode=editions["new_3221"]).count() == n
