"""Indicators that read right (issue 21): the planning office sets quarterly targets (to date or
of the quarter alone) and how the year's result ("ผลงานที่ทำได้") is counted from the quarters
(latest, sum, average) unless one is entered; a quarter is judged against its own target, else
against the year's, which it can fall short of only in the fourth quarter."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import AchievedRule, Indicator, QuarterStatus
from indicators.services import indicators_copy_to_next_year
from tests import factories
from tests.conftest import login
from tests.test_indicator_forms import definition, edit_url

FY = 2564


@pytest.fixture
def indicator(social_dept):
    return factories.make_indicator(code="2400-1065", unit=social_dept, fiscal_year=FY, target=Decimal("100"))


def page(client, indicator):
    return client.get(reverse("indicators:detail", args=[indicator.code, indicator.fiscal_year])).content.decode()


def results(indicator, **by_quarter):
    for quarter, value in by_quarter.items():
        factories.make_indicator_quarter(indicator, int(quarter[1]), result=Decimal(value))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [(AchievedRule.LATEST, Decimal("30")), (AchievedRule.SUM, Decimal("60")), (AchievedRule.AVERAGE, Decimal("20.00"))],
)
def test_the_years_result_comes_from_the_quarters_by_the_rule_unless_entered(indicator, rule, expected):
    results(indicator, q1="10", q2="20", q3="30")
    Indicator.objects.filter(pk=indicator.pk).update(achieved_rule=rule)
    indicator = Indicator.objects.prefetch_related("quarters").get(pk=indicator.pk)
    assert indicator.achieved_value == expected and indicator.achieved_is_derived

    Indicator.objects.filter(pk=indicator.pk).update(achieved=Decimal("99"))
    assert Indicator.objects.get(pk=indicator.pk).achieved_value == Decimal("99")  # entered wins


def test_the_page_shows_the_derived_result_and_says_how_it_was_counted(client, staff, indicator):
    results(indicator, q1="10", q2="20")
    html = page(login(client, staff), indicator)
    assert "<strong>20</strong>" in html and "คิดจากผลไตรมาสล่าสุด" in html


def test_a_quarter_is_judged_by_its_own_target_then_by_the_years(indicator):
    assert indicator.quarter_status(Decimal("45.5"), 1) == QuarterStatus.IN_PROGRESS
    assert indicator.quarter_status(Decimal("45.5"), 4) == QuarterStatus.BEHIND
    assert indicator.quarter_status(Decimal("100"), 1) == QuarterStatus.MET
    indicator.target_q1 = Decimal("25")
    assert indicator.quarter_status(Decimal("45.5"), 1) == QuarterStatus.MET
    indicator.target_q1 = Decimal("50")
    assert indicator.quarter_status(Decimal("45.5"), 1) == QuarterStatus.BEHIND
    indicator.lower_is_better = True
    assert indicator.quarter_status(Decimal("45.5"), 1) == QuarterStatus.MET


def test_the_sql_rule_agrees_with_the_python_rule(indicator):
    results(indicator, q1="45.5", q2="60", q3="99", q4="100")
    for quarter in (1, 2, 3, 4):
        for target_q, lower in [(None, False), (Decimal("50"), False), (Decimal("50"), True)]:
            Indicator.objects.filter(pk=indicator.pk).update(
                **{f"target_q{quarter}": target_q, "lower_is_better": lower}
            )
            row = Indicator.objects.with_quarter_status(quarter).get(pk=indicator.pk)
            fresh = Indicator.objects.get(pk=indicator.pk)
            assert row.quarter_status == fresh.quarter_status(row.quarter_result, quarter).value, (quarter, target_q)


def test_the_page_lists_the_quarter_targets_the_planning_office_set(client, staff, indicator):
    Indicator.objects.filter(pk=indicator.pk).update(target_q1=Decimal("25"), target_q2=Decimal("50"))
    results(indicator, q1="30")
    html = page(login(client, staff), indicator)
    assert 'class="num quarter-target">25</td>' in html and 'class="num quarter-target">50</td>' in html
    assert "สะสมถึงไตรมาสนั้น" in html


def test_the_planning_office_sets_quarter_targets_and_the_rule(client, planner, social_dept, indicator):
    values = definition(code="2400-1065", unit=social_dept.pk, version="1")
    values.update(target_basis="quarter", target_q1="๒๕", target_q2="50", achieved_rule="sum")
    response = login(client, planner).post(edit_url(indicator), values)
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.target_basis, indicator.target_q1, indicator.target_q2, indicator.achieved_rule) == (
        "quarter",
        Decimal("25"),
        Decimal("50"),
        "sum",
    )


def test_unit_staff_see_the_planning_offices_fields_but_cannot_change_them(client, staff, social_dept, indicator):
    Indicator.objects.filter(pk=indicator.pk).update(target_q1=Decimal("25"))
    values = definition(code="2400-1065", unit=social_dept.pk, version="1")
    values.update(target_q1="1", achieved_rule="average")
    response = login(client, staff).post(edit_url(indicator), values)
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.target_q1, indicator.achieved_rule) == (Decimal("25"), "latest")
    form = client.get(edit_url(indicator)).content.decode()
    assert "กำหนดโดยสำนักยุทธศาสตร์และประเมินผล" in form


def test_a_bad_quarter_target_is_refused_in_thai(client, planner, social_dept, indicator):
    values = definition(code="2400-1065", unit=social_dept.pk, version="1")
    values.update(target_q3="1e3")
    response = login(client, planner).post(edit_url(indicator), values)
    assert response.status_code == 200 and "กรุณากรอกเป็นตัวเลข" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.target_q3 is None


def test_copy_to_the_next_year_keeps_the_quarter_targets(planner, indicator):
    Indicator.objects.filter(pk=indicator.pk).update(target_q2=Decimal("40"), achieved_rule="average")
    result = indicators_copy_to_next_year(indicators=[Indicator.objects.get(pk=indicator.pk)], user=planner)
    [copy] = result.copied
    assert (copy.fiscal_year, copy.target_q2, copy.achieved_rule) == (FY + 1, Decimal("40"), "average")
