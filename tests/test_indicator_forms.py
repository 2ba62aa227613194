"""Creating and editing an indicator's definition in the app (/indicators/new/,
/indicators/<code>/<fy>/edit/): the planning office for any unit, a unit's staff and director
for their own unit; Thai messages for bad input and nothing stored; the target as written
with its number derived; one code per fiscal year; optimistic locking; every change audited."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import EvaluationDimension, Indicator
from indicators.services import IndicatorExists, indicator_create
from projects.models import AuditEntry
from tests import factories
from tests.conftest import login

NEW = reverse("indicators:new")
FY = 2564


def edit_url(indicator):
    return reverse("indicators:edit", args=[indicator.code, indicator.fiscal_year])


def definition(**overrides):
    data = {
        "code": "2400-2001",
        "fiscal_year": str(FY),
        "unit": "",
        "ordinal_display": "",
        "name": "ร้อยละของผู้สูงอายุที่ได้รับการดูแลที่บ้าน",
        "measure": "ร้อยละ",
        "target_text": "80",
        "target": "",
        "base_year": "",
        "type": "strategic",
        "level": "outcome",
        "dimension": "",
        "agreement_number": "",
        "category_tag": "",
        "plan_node": "",
        "definitions": "ผู้สูงอายุ หมายถึง ผู้มีอายุ 60 ปีขึ้นไป",
        "calculation": "(จำนวนที่ได้รับการดูแล / จำนวนทั้งหมด) x 100",
        "project_codes": "",
        "version": "",
    }
    data.update(overrides)
    return data


def errors(response):
    form = response.context["form"]
    return {name: " ".join(str(e) for e in errs) for name, errs in form.errors.items()}


@pytest.fixture
def edition(db):
    return factories.make_edition(2561)


@pytest.fixture
def goal(edition):
    return factories.make_plan_node("3.2.1", "แรงงานนอกระบบเข้าถึงสวัสดิการ", edition=edition)


@pytest.fixture
def indicator(social_dept):
    return factories.make_indicator(
        code="2400-1065", unit=social_dept, fiscal_year=FY, name="จำนวนกลุ่มเป้าหมาย", measure="กลุ่ม", target=Decimal("3")
    )


# --- create ----------------------------------------------------------------------------------


def test_staff_create_an_indicator_of_their_unit_and_it_is_audited(
    client, staff, social_dept, social_division, goal, django_assert_max_num_queries
):
    project = factories.make_project(code="24000000-3029", unit=social_division, fiscal_year=FY)
    dimension = EvaluationDimension.objects.create(number=1, name="ด้านประสิทธิผลตามพันธกิจ")
    login(client, staff)
    with django_assert_max_num_queries(8):
        assert client.get(NEW).status_code == 200
    response = client.post(
        NEW,
        definition(
            unit=social_dept.pk,
            ordinal_display="7.",
            target_text="20 ของประชาชนที่ทำการสำรวจ",
            dimension=dimension.pk,
            agreement_number="1.3",
            category_tag="ตัวชี้วัดเจรจา",
            plan_node=goal.pk,
            project_codes="24000000-3029",
        ),
    )
    indicator = Indicator.objects.get(code="2400-2001", fiscal_year=FY)
    assert response.status_code == 302 and response.url == indicator.get_absolute_url()
    assert (indicator.unit, indicator.target_text, indicator.target) == (social_dept, "20 ของประชาชนที่ทำการสำรวจ", 20)
    assert (indicator.dimension, indicator.agreement_number, indicator.category_tag) == (dimension, "1.3", "ตัวชี้วัดเจรจา")
    assert (indicator.ordinal_display, indicator.plan_node, indicator.type) == ("7.", goal, "strategic")
    assert list(indicator.projects.all()) == [project]
    assert indicator.achieved is None and not indicator.quarters.exists()
    entry = AuditEntry.objects.get()
    assert (entry.model_label, entry.object_id, entry.action, entry.user) == (
        "indicators.indicator",
        indicator.pk,
        "create",
        staff,
    )
    assert entry.changes["target"] == [None, "20.00"]
    assert entry.changes["projects"] == [None, ["24000000-3029"]]
    assert client.get(indicator.get_absolute_url()).status_code == 200


def test_the_planning_office_creates_an_indicator_for_any_unit(client, planner, district_office):
    response = login(client, planner).post(NEW, definition(code="5024-0001", unit=district_office.pk))
    assert response.status_code == 302
    assert Indicator.objects.get(code="5024-0001").unit == district_office


def test_staff_cannot_create_an_indicator_of_another_unit(client, staff, district_office):
    response = login(client, staff).post(NEW, definition(code="5024-0001", unit=district_office.pk))
    assert response.status_code == 200
    assert "เลือกได้เฉพาะหน่วยงานที่คุณกำหนดตัวชี้วัดได้" in errors(response)["unit"]
    assert not Indicator.objects.exists() and not AuditEntry.objects.exists()


def test_a_user_without_a_unit_may_not_create_indicators(client, db):
    user = factories.make_user("no-unit", unit=None)
    assert login(client, user).get(NEW).status_code == 403
    assert client.post(NEW, definition()).status_code == 403


@pytest.mark.parametrize(
    ("target_text", "target", "expected"),
    [
        ("20 ของประชาชนที่ทำการสำรวจ", "", Decimal("20")),  # derived from the text
        ("๘๐", "", Decimal("80")),  # Thai digits
        ("1,500 คน", "", Decimal("1500")),
        ("5 จากปีที่ผ่านมา พ.ศ. 2563", "", Decimal("5")),
        ("ลดลงจากปีที่ผ่านมา", "", None),  # no number at the start: text only
        ("", "12.5", Decimal("12.5")),
        ("80 ของแรงงาน", "80", Decimal("80")),
    ],
)
def test_the_target_is_kept_as_written_with_its_number(client, staff, social_dept, target_text, target, expected):
    response = login(client, staff).post(NEW, definition(unit=social_dept.pk, target_text=target_text, target=target))
    assert response.status_code == 302, errors(response)
    stored = Indicator.objects.get()
    assert (stored.target_text, stored.target) == (target_text, expected)


def test_the_help_text_says_the_number_is_derived_from_the_text(client, staff):
    assert "ระบบจะใช้ตัวเลขนั้น" in login(client, staff).get(NEW).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target", "abc", "กรุณากรอกเป็นตัวเลข"),
        ("target", "1e3", "กรุณากรอกเป็นตัวเลข"),
        ("target", "-5", "ต้องไม่ต่ำกว่า 0"),
        ("target", "12.345", "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
        ("target", "9999999999999", "ต้องไม่เกิน"),
        ("fiscal_year", "2021", "กรุณากรอกปีเป็นปี พ.ศ. 4 หลัก"),
        ("fiscal_year", "abc", "กรุณากรอกปีเป็นปี พ.ศ. 4 หลัก"),
        ("base_year", "63", "กรุณากรอกปีเป็นปี พ.ศ. 4 หลัก"),
        ("code", "2400/1065", "รหัสตัวชี้วัดต้องอยู่ในรูป"),
        ("code", "5024-0001", "รหัสตัวชี้วัดต้องขึ้นต้นด้วยเลข 4 หลักแรกของรหัสหน่วยงาน (2400)"),
        ("name", "", "กรุณากรอกชื่อตัวชี้วัด"),
        ("name", "ก" * 1001, "ไม่เกิน 1000 ตัวอักษร"),
        ("measure", "ก" * 51, "ไม่เกิน 50 ตัวอักษร"),
        ("target_text", "ก" * 501, "ไม่เกิน 500 ตัวอักษร"),
        ("definitions", "ก" * 20001, "ไม่เกิน 20000 ตัวอักษร"),
        ("type", "secret", "ค่าที่เลือกไม่ถูกต้อง"),
        ("project_codes", "24000000-0404", "ไม่พบโครงการ: 24000000-0404"),
    ],
)
def test_bad_input_gets_a_thai_message_and_stores_nothing(client, staff, social_dept, field, value, message):
    response = login(client, staff).post(NEW, definition(unit=social_dept.pk, **{field: value}))
    assert response.status_code == 200
    assert message in errors(response).get(field, ""), errors(response)
    assert set(errors(response)) == {field}  # said once, on its field
    assert not Indicator.objects.exists() and not AuditEntry.objects.exists()


def test_a_number_that_contradicts_the_text_is_refused(client, staff, social_dept):
    response = login(client, staff).post(NEW, definition(unit=social_dept.pk, target_text="20 ของประชาชน", target="30"))
    assert "ค่าเป้าหมาย 30 ไม่ตรงกับตัวเลขต้นค่าเป้าหมายตามที่กำหนด (20)" in errors(response)["target"]
    assert not Indicator.objects.exists()


def test_a_lower_is_better_measure_must_be_ticked_as_such(client, staff, social_dept):
    response = login(client, staff).post(NEW, definition(unit=social_dept.pk, measure="ร้อยละ (ลดลง)"))
    assert "หมายถึงยิ่งน้อยยิ่งดี" in errors(response)["lower_is_better"]
    response = client.post(NEW, definition(unit=social_dept.pk, measure="ร้อยละ (ลดลง)", lower_is_better="on"))
    assert response.status_code == 302
    assert Indicator.objects.get().lower_is_better


def test_a_division_may_use_its_departments_prefix(client, staff, social_division):
    response = login(client, staff).post(NEW, definition(code="2400-3001", unit=social_division.pk))
    assert response.status_code == 302
    response = client.post(NEW, definition(code="2404-3001", unit=social_division.pk))
    assert response.status_code == 302


def test_a_code_used_in_the_fiscal_year_is_refused_clearly(client, staff, social_dept, indicator):
    response = login(client, staff).post(NEW, definition(code="2400-1065", unit=social_dept.pk, name="ซ้ำ"))
    assert response.status_code == 200
    assert errors(response) == {"code": "รหัสตัวชี้วัด 2400-1065 มีอยู่แล้วในปีงบประมาณ 2564 กรุณาใช้รหัสอื่น หรือแก้ไขตัวชี้วัดเดิม"}
    assert Indicator.objects.count() == 1 and not AuditEntry.objects.exists()
    response = client.post(NEW, definition(code="2400-1065", fiscal_year="2565", unit=social_dept.pk))
    assert response.status_code == 302  # the same code in another fiscal year is another indicator


def test_a_project_of_another_year_or_unit_is_refused_for_staff(client, staff, social_dept, district_office):
    factories.make_project(code="24000000-1", unit=social_dept, fiscal_year=FY - 1)
    factories.make_project(code="50240000-1", unit=district_office, fiscal_year=FY)
    response = login(client, staff).post(NEW, definition(unit=social_dept.pk, project_codes="24000000-1, 50240000-1"))
    message = errors(response)["project_codes"]
    assert "ไม่ใช่ของปีงบประมาณ 2564: 24000000-1" in message
    assert "เป็นของหน่วยงานที่คุณไม่ได้รับผิดชอบ: 50240000-1" in message
    assert not Indicator.objects.exists()


def test_a_plan_node_of_another_edition_is_refused(client, staff, social_dept):
    factories.make_edition(2566, "แผนฉบับใหม่")
    later = factories.make_plan_node("3.2.1", "ฉบับใหม่", edition=factories.make_edition(2566))
    response = login(client, staff).post(NEW, definition(unit=social_dept.pk, plan_node=later.pk))
    assert "ค่าที่เลือกไม่ถูกต้อง" in errors(response)["plan_node"]


# --- edit ------------------------------------------------------------------------------------


def test_staff_edit_the_definition_and_only_the_changes_are_audited(
    client, staff, social_dept, indicator, django_assert_max_num_queries
):
    login(client, staff)
    with django_assert_max_num_queries(9):
        form = client.get(edit_url(indicator)).context["form"]
    assert (form["version"].value(), form["target"].value()) == (1, "3")
    data = definition(
        code="9999-9999",  # fixed once made: ignored
        fiscal_year="2570",
        unit=social_dept.pk,
        name="จำนวนกลุ่มแรงงานนอกระบบที่เข้าถึงสวัสดิการ",
        measure="กลุ่ม",
        target_text="3 กลุ่มเขต",
        type="",
        level="",
        definitions="",
        calculation="",
        version="1",
    )
    response = client.post(edit_url(indicator), data)
    assert response.status_code == 302 and response.url == indicator.get_absolute_url()
    indicator.refresh_from_db()
    assert (indicator.code, indicator.fiscal_year, indicator.version) == ("2400-1065", FY, 2)
    assert (indicator.name, indicator.target_text, indicator.target) == (data["name"], "3 กลุ่มเขต", 3)
    entry = AuditEntry.objects.get()
    assert entry.action == "update" and entry.user == staff
    assert set(entry.changes) == {"name", "target_text"}
    # The search key follows the new name.
    assert (
        client.get(reverse("indicators:list"), {"fiscal_year": FY, "q": "แรงงานนอกระบบ"}).context["page"][0]
        == indicator
    )


def test_a_stale_form_is_shown_again_with_what_changed_and_saves_nothing(
    client, staff, planner, social_dept, indicator
):
    login(client, planner).post(
        edit_url(indicator), definition(code="2400-1065", unit=social_dept.pk, name="ชื่อของ สยป.", version="1")
    )
    indicator.refresh_from_db()
    assert (indicator.name, indicator.version) == ("ชื่อของ สยป.", 2)
    response = login(client, staff).post(
        edit_url(indicator), definition(code="2400-1065", unit=social_dept.pk, name="ชื่อของหน่วยงาน", version="1")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ยังไม่ได้บันทึก: มีผู้อื่นแก้ไขรายการนี้หลังจากที่คุณเปิดแบบฟอร์ม" in html
    assert "ชื่อของ สยป." in html
    assert response.context["form"]["version"].value() == "2"
    indicator.refresh_from_db()
    assert indicator.name == "ชื่อของ สยป." and AuditEntry.objects.count() == 1


def test_linked_projects_are_set_and_an_already_linked_one_of_another_unit_is_kept(
    client, staff, social_dept, district_office, indicator
):
    theirs = factories.make_project(code="50240000-7", unit=district_office, fiscal_year=FY)
    ours = factories.make_project(code="24000000-8", unit=social_dept, fiscal_year=FY)
    indicator.projects.add(theirs)  # linked by the planning office or the importer
    login(client, staff)
    assert client.get(edit_url(indicator)).context["form"]["project_codes"].value() == "50240000-7"
    response = client.post(
        edit_url(indicator),
        definition(
            code="2400-1065",
            unit=social_dept.pk,
            name=indicator.name,
            project_codes="50240000-7\n24000000-8",
            version="1",
        ),
    )
    assert response.status_code == 302, errors(response)
    assert set(indicator.projects.all()) == {theirs, ours}
    assert AuditEntry.objects.get().changes["projects"] == [["50240000-7"], ["24000000-8", "50240000-7"]]


def test_another_units_staff_may_not_edit(client, other_staff, indicator):
    login(client, other_staff)
    assert client.get(edit_url(indicator)).status_code == 403
    assert client.post(edit_url(indicator), definition(version="1")).status_code == 403
    indicator.refresh_from_db()
    assert indicator.version == 1


def test_the_planning_office_edits_any_units_indicator(client, planner, social_dept, indicator):
    response = login(client, planner).post(
        edit_url(indicator), definition(code="2400-1065", unit=social_dept.pk, name="แก้โดย สยป.", version="1")
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.name == "แก้โดย สยป."


def test_an_edit_form_without_a_version_is_a_conflict(client, staff, social_dept, indicator):
    response = login(client, staff).post(edit_url(indicator), definition(code="2400-1065", unit=social_dept.pk))
    assert response.status_code == 200 and response.context["conflict"] is not None
    assert not AuditEntry.objects.exists()


def test_a_code_taken_between_the_forms_check_and_the_save_stores_nothing(staff, social_dept, indicator):
    values = {"code": "2400-1065", "fiscal_year": FY, "unit": social_dept, "name": "บันทึกพร้อมกัน"}
    with pytest.raises(IndicatorExists):
        indicator_create(user=staff, values=values)
    assert Indicator.objects.count() == 1 and not AuditEntry.objects.exists()
