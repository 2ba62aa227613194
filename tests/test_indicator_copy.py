"""Copy to the next fiscal year (/indicators/copy/?fiscal_year=FY): tick indicators of the units
you may define for and copy their definitions (not results, quarters, year-end fields or
projects) into FY+1 in one transaction; those whose code exists in FY+1 are refused and named,
the rest are copied; every copy audited."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.forms import COPY_LIMIT
from indicators.models import EvaluationDimension, Indicator
from projects.models import AuditEntry
from tests import factories
from tests.conftest import login

FY = 2564
URL = reverse("indicators:copy") + f"?fiscal_year={FY}"


@pytest.fixture
def originals(social_dept, social_division, district_office):
    dimension = EvaluationDimension.objects.create(number=1, name="ด้านประสิทธิผลตามพันธกิจ")
    goal = factories.make_plan_node("3.2.1", "แรงงานนอกระบบเข้าถึงสวัสดิการ")
    full = factories.make_indicator(
        code="2400-1065",
        unit=social_dept,
        fiscal_year=FY,
        name="จำนวนกลุ่มเป้าหมายของแรงงานนอกระบบ",
        ordinal_display="7.",
        measure="กลุ่ม",
        lower_is_better=False,
        target_text="3 กลุ่มเขต",
        target=Decimal("3"),
        base_year=2563,
        achieved=Decimal("0"),
        type=Indicator.Type.STRATEGIC,
        level=Indicator.Level.OUTPUT,
        dimension=dimension,
        agreement_number="1.3",
        category_tag="ตัวชี้วัดเจรจา",
        plan_node=goal,
        definitions="นิยาม",
        calculation="สูตร",
        plan_alignment_text="๓.๒.๑ ข้อความเดิม",
        summary="สรุปปลายปี",
        supporting_factors="ปัจจัย",
        obstacles="อุปสรรค",
        evidence="หลักฐาน",
        reporter_name="นายอิทธิพล",
        reporter_position="ผู้อำนวยการ",
    )
    factories.make_indicator_quarter(full, 1, result=Decimal("1"), narrative="ผลไตรมาส 1")
    full.projects.add(factories.make_project(unit=social_dept, fiscal_year=FY))
    return {
        "full": full,
        "division": factories.make_indicator(code="2404-0001", unit=social_division, fiscal_year=FY),
        "taken": factories.make_indicator(code="2400-0002", unit=social_dept, fiscal_year=FY, name="มีแล้วปีหน้า"),
        "district": factories.make_indicator(code="5024-0001", unit=district_office, fiscal_year=FY),
        "next_year_twin": factories.make_indicator(
            code="2400-0002", unit=social_dept, fiscal_year=FY + 1, name="ของปีหน้า"
        ),
    }


def ticked(*indicators):
    return {"indicators": [str(indicator.pk) for indicator in indicators]}


def test_the_page_lists_the_indicators_you_may_copy_and_marks_those_already_there(
    client, staff, originals, django_assert_num_queries
):
    login(client, staff)
    # session, user, fiscal years, the units of the filter, the rows with their next-year twins
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.status_code == 200
    codes = [row.code for row in response.context["rows"]]
    assert codes == ["2400-0002", "2400-1065", "2404-0001"]  # not the district office's
    html = response.content.decode()
    assert "คัดลอกตัวชี้วัดจากปีงบประมาณ 2564 ไปปีงบประมาณ 2565" in html
    assert f'value="{originals["taken"].pk}" id="copy-{originals["taken"].pk}" disabled' in html
    assert "มีแล้วในปี 2565" in html
    assert "/static/js/check_all.js" in html


def test_it_copies_the_definition_only_and_audits_each_copy(client, staff, originals):
    response = login(client, staff).post(URL, ticked(originals["full"], originals["division"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("indicators:list") + "?fiscal_year=2565"
    assert "คัดลอก 2 ตัวชี้วัดจากปีงบประมาณ 2564 ไปปีงบประมาณ 2565 แล้ว (ยังไม่มีผลงาน): 2400-1065, 2404-0001" in (
        response.content.decode()
    )
    copy = Indicator.objects.get(code="2400-1065", fiscal_year=FY + 1)
    original = originals["full"]
    for name in Indicator.DEFINITION_FIELDS:
        if name != "fiscal_year":
            assert getattr(copy, name) == getattr(original, name), name
    assert copy.achieved is None and not copy.quarters.exists() and not copy.projects.exists()
    assert (copy.summary, copy.supporting_factors, copy.obstacles, copy.evidence) == ("", "", "", "")
    assert (copy.reporter_name, copy.reporter_position, copy.version) == ("", "", 1)
    assert original.quarters.count() == 1 and original.projects.count() == 1  # the original is untouched
    entries = AuditEntry.objects.filter(action="create", model_label="indicators.indicator")
    assert entries.count() == 2
    entry = entries.get(object_id=copy.pk)
    assert (entry.user, entry.note) == (staff, "คัดลอกจากตัวชี้วัด 2400-1065 ปีงบประมาณ 2564")
    assert entry.changes["fiscal_year"] == [None, 2565] and entry.changes["target"] == [None, "3.00"]


def test_it_refuses_those_already_in_the_next_year_by_name_and_copies_the_rest(client, staff, originals):
    response = login(client, staff).post(URL, ticked(originals["taken"], originals["division"]), follow=True)
    html = response.content.decode()
    assert "ไม่ได้คัดลอก 1 ตัวชี้วัด เพราะมีรหัสนี้อยู่แล้วในปีงบประมาณ 2565: 2400-0002" in html
    assert "คัดลอก 1 ตัวชี้วัด" in html
    assert Indicator.objects.get(code="2400-0002", fiscal_year=FY + 1).name == "ของปีหน้า"  # not overwritten
    assert Indicator.objects.filter(code="2404-0001", fiscal_year=FY + 1).exists()
    assert AuditEntry.objects.count() == 1


def test_copying_again_refuses_everything_and_changes_nothing(client, staff, originals):
    login(client, staff).post(URL, ticked(originals["division"]))
    before = Indicator.objects.count()
    response = client.post(URL, ticked(originals["division"]), follow=True)
    assert "มีรหัสนี้อยู่แล้วในปีงบประมาณ 2565: 2404-0001" in response.content.decode()
    assert Indicator.objects.count() == before and AuditEntry.objects.count() == 1


def test_staff_cannot_copy_another_units_indicator(client, staff, originals):
    response = login(client, staff).post(URL, ticked(originals["district"], originals["division"]))
    assert response.status_code == 200
    assert "เลือกได้เฉพาะตัวชี้วัดของปีงบประมาณนี้ที่คุณกำหนดได้" in response.content.decode()
    assert not Indicator.objects.filter(fiscal_year=FY + 1).exclude(code="2400-0002").exists()


def test_the_planning_office_copies_any_units_indicators(client, planner, originals):
    response = login(client, planner).post(URL, ticked(originals["district"]))
    assert response.status_code == 302
    assert Indicator.objects.filter(code="5024-0001", fiscal_year=FY + 1).exists()


def test_nothing_ticked_or_too_many_is_refused(client, staff, social_dept, originals):
    login(client, staff)
    assert "กรุณาเลือกตัวชี้วัดที่จะคัดลอกอย่างน้อยหนึ่งรายการ" in client.post(URL, {}).content.decode()
    many = Indicator.objects.bulk_create(
        Indicator(code=f"2400-{n:04d}", name=f"ตัวชี้วัด {n}", fiscal_year=FY, unit=social_dept)
        for n in range(100, 101 + COPY_LIMIT)
    )
    response = client.post(URL, ticked(*many))
    assert f"คัดลอกได้ครั้งละไม่เกิน {COPY_LIMIT} ตัวชี้วัด" in response.content.decode()
    assert not Indicator.objects.filter(fiscal_year=FY + 1).exclude(code="2400-0002").exists()
    assert "แสดง 300 รายการแรก" in client.get(URL).content.decode()


def test_the_plan_node_follows_the_next_years_edition_by_code(client, staff, social_dept, originals):
    new_edition = factories.make_edition(2565, "แผนฉบับปรับปรุง")
    renewed = factories.make_plan_node("3.2.1", "แรงงานนอกระบบ (ฉบับปรับปรุง)", edition=new_edition)
    orphan_node = factories.make_plan_node("9.9", "ประเด็นที่ถูกยกเลิก")
    orphan = factories.make_indicator(code="2400-0077", unit=social_dept, fiscal_year=FY, plan_node=orphan_node)
    response = login(client, staff).post(URL, ticked(originals["full"], orphan), follow=True)
    assert Indicator.objects.get(code="2400-1065", fiscal_year=FY + 1).plan_node == renewed
    assert Indicator.objects.get(code="2400-0077", fiscal_year=FY + 1).plan_node is None
    assert "ไม่ได้เชื่อมกับแผนพัฒนาฯ ในปีงบประมาณ 2565" in response.content.decode()


def test_a_user_without_a_unit_may_not_copy(client, db):
    user = factories.make_user("no-unit", unit=None)
    assert login(client, user).get(URL).status_code == 403
