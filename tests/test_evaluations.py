"""The planning office's evaluations (project score per quarter, an indicator's 2.1 / 2.2 and
audit scores) and the unit's quarterly indicator results."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import IndicatorQuarter
from projects.models import AuditEntry
from tests import factories
from tests.conftest import login


@pytest.fixture
def indicator(social_dept):
    return factories.make_indicator(code="2400-1065", unit=social_dept, fiscal_year=2564)


def test_a_planner_records_and_changes_a_quarterly_project_score(
    client, planner, project, django_assert_max_num_queries
):
    login(client, planner)
    url = reverse("projects:evaluate", args=[project.code, 2])
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    response = client.post(url, {"score": "87.5", "version": ""}, follow=True)
    assert "บันทึกผลการประเมินไตรมาสที่ 2 เรียบร้อยแล้ว" in response.content.decode()
    evaluation = project.evaluations.get()
    assert (evaluation.quarter, evaluation.score, evaluation.evaluated_by) == (2, Decimal("87.5"), planner)
    form = client.get(url).context["form"]
    assert (form["score"].value(), form["version"].value()) == ("87.50", 1)
    client.post(url, {"score": "90", "version": "1"})
    evaluation.refresh_from_db()
    assert (evaluation.score, evaluation.version) == (Decimal("90"), 2)
    assert [e.changes["score"] for e in AuditEntry.objects.order_by("pk")] == [[None, "87.50"], ["87.50", "90.00"]]


@pytest.mark.parametrize(("score", "message"), [("101", "ร้อยละต้องไม่เกิน 100"), ("x", "กรุณากรอกเป็นตัวเลข")])
def test_it_refuses_a_score_outside_0_to_100(client, planner, project, score, message):
    login(client, planner)
    response = client.post(reverse("projects:evaluate", args=[project.code, 1]), {"score": score})
    assert message in response.content.decode()
    assert not project.evaluations.exists()


def test_staff_enter_an_indicators_quarterly_result(client, staff, indicator, django_assert_max_num_queries):
    login(client, staff)
    url = reverse("indicators:result_edit", args=[indicator.code, 2564, 3])
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
    response = client.post(url, {"result": "๘๕.๕", "narrative": "ดำเนินการครบทุกกลุ่ม"})
    assert response.status_code == 302
    row = IndicatorQuarter.objects.get(indicator=indicator)
    assert (row.quarter, row.result, row.narrative) == (3, Decimal("85.5"), "ดำเนินการครบทุกกลุ่ม")
    entry = AuditEntry.objects.get()
    assert (entry.model_label, entry.project, entry.changes["result"]) == (
        "indicators.indicatorquarter",
        None,
        [None, "85.50"],
    )


def test_staff_do_not_touch_the_scores(client, staff, indicator):
    factories.make_indicator_quarter(indicator, quarter=3, score_1=Decimal("100"))
    login(client, staff)
    client.post(
        reverse("indicators:result_edit", args=[indicator.code, 2564, 3]),
        {"result": "10", "version": "1", "score_1": "0"},
    )
    row = IndicatorQuarter.objects.get()
    assert (row.result, row.score_1) == (Decimal("10"), Decimal("100"))


def test_a_planner_records_2_1_2_2_and_the_audit_score(client, planner, indicator):
    factories.make_indicator_quarter(indicator, quarter=1, result=Decimal("100"))
    login(client, planner)
    url = reverse("indicators:evaluate", args=[indicator.code, 2564, 1])
    assert client.get(url).status_code == 200
    response = client.post(url, {"score_1": "100", "score_2": "95", "audit_score": "", "version": "1"})
    assert response.status_code == 302
    row = IndicatorQuarter.objects.get()
    assert (row.result, row.score_1, row.score_2, row.audit_score) == (Decimal("100"), 100, 95, None)


def test_an_indicator_score_over_100_stores_nothing(client, planner, indicator):
    login(client, planner)
    url = reverse("indicators:evaluate", args=[indicator.code, 2564, 1])
    response = client.post(url, {"score_1": "100.5"})
    assert "ร้อยละต้องไม่เกิน 100" in response.content.decode()
    assert not IndicatorQuarter.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_unknown_indicator_or_quarter_is_404(client, planner, indicator):
    login(client, planner)
    assert client.get(reverse("indicators:evaluate", args=[indicator.code, 2563, 1])).status_code == 404
    assert client.get(reverse("indicators:evaluate", args=[indicator.code, 2564, 5])).status_code == 404


def test_saving_the_same_score_again_leaves_no_empty_history_entry(client, planner, project):
    login(client, planner)
    url = reverse("projects:evaluate", args=[project.code, 2])
    client.post(url, {"score": "87.5", "version": ""})
    client.post(url, {"score": "87.50", "version": "1"})  # the same score, saved again
    assert AuditEntry.objects.count() == 1
