"""An indicator's own page (/indicators/<code>/<fiscal_year>/, the legacy KPI page): what it
shows in the legacy page's order, the chart's data (drawn the right way for lower-is-better),
the linked projects, the change history, the report links, the buttons each role gets, the
quarter forms that come back to it, and its pinned query count."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import EvaluationDimension, Indicator
from projects.models import AuditEntry, User
from tests import factories
from tests.conftest import login

FY = 2564


def page_url(indicator):
    return reverse("indicators:detail", args=[indicator.code, indicator.fiscal_year])


def chart(response):
    html = response.content.decode()
    match = re.search(r'<script id="indicator-chart-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match[1])


def text(html):
    """The page's text, tags dropped and spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def indicator(social_dept, social_division):
    dimension = EvaluationDimension.objects.create(number=2, name="ด้านประสิทธิภาพของการปฏิบัติราชการ")
    goal = factories.make_plan_node("3.2.1", "แรงงานนอกระบบเข้าถึงสวัสดิการ")
    indicator = factories.make_indicator(
        code="2400-1065",
        unit=social_dept,
        fiscal_year=FY,
        name="ร้อยละของแรงงานนอกระบบที่เข้าถึงสวัสดิการ",
        ordinal_display="7.",
        measure="ร้อยละ",
        target_text="80 ของแรงงานที่ลงทะเบียน",
        target=Decimal("80"),
        achieved=Decimal("85.5"),
        type=Indicator.Type.ROUTINE,
        level=Indicator.Level.OUTCOME,
        dimension=dimension,
        agreement_number="2.1",
        category_tag="ตัวชี้วัดเจรจา",
        definitions="1. แรงงานนอกระบบ หมายถึง ผู้ประกอบอาชีพอิสระ",
        calculation="(จำนวนที่เข้าถึง / จำนวนทั้งหมด) x 100",
        plan_node=goal,
        summary="ดำเนินการครบทุกกลุ่มเขต",
        supporting_factors="ความร่วมมือของสำนักงานเขต",
        obstacles="----",
        evidence="หนังสือ กท 1234/567",
        reporter_name="นายอิทธิพล อิงประสาร",
        reporter_position="ผู้อำนวยการกอง",
    )
    factories.make_indicator_quarter(
        indicator, 1, result=Decimal("20"), score_1=Decimal("100"), score_2=Decimal("100"), narrative="ไตรมาสแรก"
    )
    factories.make_indicator_quarter(indicator, 2, result=Decimal("45"), audit_score=Decimal("90"))
    factories.make_indicator_quarter(
        indicator, 3, result=Decimal("85.5"), score_1=Decimal("100"), score_2=Decimal("50"), audit_score=Decimal("100")
    )
    indicator.projects.add(
        factories.make_project(code="24000000-3029", unit=social_division, fiscal_year=FY, name="โครงการฝึกอาชีพ")
    )
    return indicator


def test_it_shows_what_the_legacy_kpi_page_shows(client, other_staff, indicator):
    response = login(client, other_staff).get(page_url(indicator))
    assert response.status_code == 200
    page = text(response.content.decode())
    for expected in [
        "7. ร้อยละของแรงงานนอกระบบที่เข้าถึงสวัสดิการ : 2400-1065",
        "สำนักพัฒนาสังคม : (2564)",
        "ค่าเป้าหมาย ร้อยละ : 80 ของแรงงานที่ลงทะเบียน",
        "ค่าที่ใช้เทียบกับผลงาน: 80",
        "ผลงานที่ทำได้ ร้อยละ : 85.50",
        "ประเภทตัวชี้วัด : ตัวชี้วัดงานประจำ",
        "(ตัวชี้วัดระดับผลลัพธ์ (outcome))",
        "มิติที่ 2 ด้านประสิทธิภาพของการปฏิบัติราชการ · ลำดับในมิติ 2.1 · [ตัวชี้วัดเจรจา]",
        "*** สยป. ตรวจประเมินตัวชี้วัด : ไตรมาสที่ 3: 100",  # the latest quarter with an audit score
        "รายงานผลฯ ไตรมาสที่ 1 ไตรมาสแรก",
        "ดำเนินการครบทุกกลุ่มเขต",
        "ความร่วมมือของสำนักงานเขต",
        "หนังสือ กท 1234/567",
        "นายอิทธิพล อิงประสาร · ผู้อำนวยการกอง",
        "1. แรงงานนอกระบบ หมายถึง ผู้ประกอบอาชีพอิสระ",
        "(จำนวนที่เข้าถึง / จำนวนทั้งหมด) x 100",
        "๓.๒.๑ แรงงานนอกระบบเข้าถึงสวัสดิการ",
    ]:
        assert expected in page, expected
    assert "ค่าน้อยดีกว่า" not in page


def test_the_quarterly_table_has_four_rows_with_result_audit_score_and_2_1_2_2(client, staff, indicator):
    html = login(client, staff).get(page_url(indicator)).content.decode()
    html = re.sub(r'<div class="d-sm-none">.*?</div>', "", html, flags=re.S)  # the status again, for phones
    rows = re.findall(r'<tr class="indicator-quarter"[^>]*data-quarter="(\d)">(.*?)</tr>', html, re.S)
    cells = {n: [text(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)][:5] for n, row in rows}
    assert cells == {
        # Short of the annual target before the fourth quarter, with no quarter target: not yet behind.
        "1": ["1", "20", "-", "100 / 100", "ระหว่างดำเนินการ"],
        "2": ["2", "45", "90", "- / -", "ระหว่างดำเนินการ"],
        "3": ["3", "85.50", "100", "100 / 50", "บรรลุ"],
        "4": ["4", "-", "-", "- / -", "ยังไม่รายงาน"],
    }


def test_it_links_the_projects_the_report_and_its_pdf(client, staff, indicator):
    html = login(client, staff).get(page_url(indicator)).content.decode()
    assert 'href="/projects/24000000-3029/"' in html and "โครงการฝึกอาชีพ" in html
    # A closed fiscal year's report is the fourth quarter's.
    assert f'href="{reverse("reports:indicator_report", args=["2400-1065", FY, 4])}"' in html
    assert f'href="{reverse("reports:indicator_report_pdf", args=["2400-1065", FY, 4])}"' in html


def test_the_chart_data_carries_results_target_and_statuses(client, staff, indicator):
    data = chart(login(client, staff).get(page_url(indicator)))
    assert data["results"] == [20.0, 45.0, 85.5, None]
    assert data["target"] == 80.0
    assert data["lower_is_better"] is False
    assert data["statuses"] == ["in_progress", "in_progress", "met", "no_result"]
    assert data["quarter_targets"] == [None, None, None, None]
    assert data["labels"]["good_side"] == "ช่วงที่บรรลุเป้าหมาย (ถึงค่าเป้าหมายขึ้นไป)"


def test_a_lower_is_better_indicator_says_so_and_is_met_below_its_target(client, staff, social_dept):
    lower = factories.make_indicator(
        code="2400-0002",
        unit=social_dept,
        fiscal_year=FY,
        measure="ร้อยละ (ลดลง)",
        lower_is_better=True,
        target=Decimal("5"),
        target_q1=Decimal("6"),  # the first quarter's own target: 7 is over it
    )
    factories.make_indicator_quarter(lower, 1, result=Decimal("7"))
    factories.make_indicator_quarter(lower, 2, result=Decimal("4"))
    response = login(client, staff).get(page_url(lower))
    assert "บรรลุเป้าหมายเมื่อผลงานไม่เกินค่าเป้าหมาย" in text(response.content.decode())
    data = chart(response)
    assert (data["lower_is_better"], data["statuses"][:2]) == (True, ["behind", "met"])
    assert data["labels"]["good_side"] == "ช่วงที่บรรลุเป้าหมาย (ไม่เกินค่าเป้าหมาย)"


def test_a_target_in_words_only_is_never_met_nor_behind(client, staff, social_dept):
    words = factories.make_indicator(
        code="2400-0003", unit=social_dept, fiscal_year=FY, target_text="มีฐานข้อมูลครบทุกเขต", target=None
    )
    factories.make_indicator_quarter(words, 1, result=Decimal("1"))
    response = login(client, staff).get(page_url(words))
    page = text(response.content.decode())
    assert "ค่าเป้าหมาย ร้อยละ : มีฐานข้อมูลครบทุกเขต" in page
    assert "ไม่มีค่าเป้าหมายที่เป็นตัวเลข" in page
    assert chart(response)["target"] is None and chart(response)["statuses"][0] == "no_target"


def test_the_history_shows_changes_of_the_indicator_and_its_quarters(client, staff, indicator):
    login(client, staff)
    client.post(reverse("indicators:result_edit", args=[indicator.code, FY, 4]), {"result": "90", "narrative": "ครบปี"})
    html = client.get(page_url(indicator)).content.decode()
    history = html[html.index('id="history"') :]
    assert "2400-1065 ไตรมาสที่ 4" in history
    assert "ผลงาน, รายงานผลการดำเนินงาน" in history  # the fields that changed
    assert "staff" in history


@pytest.mark.parametrize(
    ("role", "enter", "evaluate", "define"),
    [
        ("staff", True, False, True),  # the unit's staff: results and the definition
        ("director", True, False, True),
        ("planner", False, True, True),  # the planning office: scores and the definition
        ("other_staff", False, False, False),  # another unit's staff: reads only
    ],
)
def test_each_role_gets_its_buttons(client, request, indicator, role, enter, evaluate, define):
    html = login(client, request.getfixturevalue(role)).get(page_url(indicator)).content.decode()
    assert (reverse("indicators:result_edit", args=[indicator.code, FY, 1]) in html) is enter
    assert (reverse("indicators:evaluate", args=[indicator.code, FY, 1]) in html) is evaluate
    assert (reverse("indicators:edit", args=[indicator.code, FY]) in html) is define
    assert (reverse("indicators:copy") in html) is define


def test_after_saving_a_quarter_the_user_comes_back_to_the_page_with_the_message(client, staff, planner, indicator):
    login(client, staff)
    response = client.post(
        reverse("indicators:result_edit", args=[indicator.code, FY, 4]), {"result": "88", "narrative": ""}, follow=True
    )
    assert response.redirect_chain == [(page_url(indicator) + "#quarter-4", 302)]
    assert "บันทึกผลงานไตรมาสที่ 4 เรียบร้อยแล้ว" in response.content.decode()
    login(client, planner)
    response = client.post(
        reverse("indicators:evaluate", args=[indicator.code, FY, 4]),
        {"score_1": "100", "score_2": "100", "audit_score": "95", "version": "1"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page_url(indicator) + "#quarter-4"
    page = text(response.content.decode())
    assert "บันทึกผลประเมินไตรมาสที่ 4 เรียบร้อยแล้ว" in page
    assert "*** สยป. ตรวจประเมินตัวชี้วัด : ไตรมาสที่ 4: 95" in page


def test_the_quarter_forms_cancel_back_to_the_page(client, staff, indicator):
    html = login(client, staff).get(reverse("indicators:result_edit", args=[indicator.code, FY, 2])).content.decode()
    assert f'href="{page_url(indicator)}">ยกเลิก' in html


def test_an_unknown_indicator_or_year_is_404(client, staff, indicator):
    login(client, staff)
    assert client.get(reverse("indicators:detail", args=["2400-1065", FY - 1])).status_code == 404
    assert client.get(reverse("indicators:detail", args=["9999-0001", FY])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, indicator):
    assert client.get(page_url(indicator)).status_code == 302


def test_the_page_draws_its_chart_with_a_static_script_only(client, staff, indicator):
    html = login(client, staff).get(page_url(indicator)).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "/static/js/indicator_chart.js" in html
    assert 'data-indicator-chart="indicator-chart-data"' in html


# session, the user with their unit, the indicator with its unit, parent, dimension and plan
# path, its quarters, their evidence files, its projects with their units, its newest audit entries
# with their users.
PAGE_QUERIES = 7


def test_the_page_query_count_is_pinned_whatever_it_holds(
    client, staff, social_dept, indicator, django_assert_num_queries
):
    bare = factories.make_indicator(code="2400-0005", unit=social_dept, fiscal_year=FY)
    login(client, staff)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page_url(bare)).status_code == 200
    for _n in range(30):
        indicator.projects.add(factories.make_project(unit=social_dept, fiscal_year=FY))
        AuditEntry.objects.create(model_label="indicators.indicator", object_id=indicator.pk, action="update")
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(page_url(indicator))
    assert len(response.context["projects"]) == 31
    assert len(response.context["history"]) == 10 and response.context["history_more"]


def test_the_history_page_lists_every_entry_and_names_the_system_for_imports(
    client, staff, indicator, django_assert_num_queries
):
    AuditEntry.objects.create(
        model_label="indicators.indicator",
        object_id=indicator.pk,
        object_repr=str(indicator),
        action="create",
        note="import_legacy 000.txt",
    )
    quarter = indicator.quarters.get(quarter=1)
    AuditEntry.objects.create(
        model_label="indicators.indicatorquarter",
        object_id=quarter.pk,
        object_repr=str(quarter),
        action="update",
        changes={"result": ["10.00", "20.00"]},
        user=User.objects.get(username="staff"),
    )
    AuditEntry.objects.create(model_label="indicators.indicator", object_id=indicator.pk + 1000, action="update")
    login(client, staff)
    url = reverse("indicators:history", args=[indicator.code, FY])
    # session, user, the indicator, its quarters' ids, the entries with their users
    with django_assert_num_queries(5):
        response = client.get(url)
    page = text(response.content.decode())
    assert len(response.context["entries"]) == 2
    assert "ระบบ" in page and "import_legacy 000.txt" in page
    assert "ผลงาน 10.00 → 20.00" in page
