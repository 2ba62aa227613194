"""Project create and edit (/projects/new/, /projects/<code>/edit/) and the plan-steps formset
(/projects/<code>/steps/)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from projects import services
from projects.models import AuditEntry, Project
from tests import factories
from tests.conftest import login


@pytest.fixture
def nodes(db):
    old = factories.make_edition(first_fiscal_year=2561, name="ระยะที่ 2")
    new = factories.make_edition(first_fiscal_year=2566, name="ระยะที่ 3")
    return {
        "old": factories.make_plan_node("3.2.2.1", edition=old),
        "new": factories.make_plan_node("3.2.2.1", title="ฉบับใหม่", edition=new),
    }


def project_data(**overrides):
    data = {
        "code": "24000000-5001",
        "name": "โครงการฝึกอาชีพผู้สูงอายุ",
        "fiscal_year": "2564",
        "responsible_person": "นายอิทธิพล อิงประสาร",
        "responsible_phone": "6822-3",
        "targets": "ผู้สูงอายุ 300 คน",
    }
    data.update(overrides)
    return data


def test_staff_create_a_project_for_their_unit(client, staff, social_dept, nodes, django_assert_max_num_queries):
    login(client, staff)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("projects:new")).status_code == 200
    response = client.post(reverse("projects:new"), project_data(unit=social_dept.pk, plan_nodes=[nodes["old"].pk]))
    project = Project.objects.get(code="24000000-5001")
    assert response.url == project.get_absolute_url()
    assert (project.unit, project.fiscal_year, project.responsible_phone) == (social_dept, 2564, "6822-3")
    assert list(project.plan_nodes.all()) == [nodes["old"]]
    assert project.search_text  # save() keeps the search key
    entry = AuditEntry.objects.get(project=project)
    assert entry.action == "create"
    assert entry.changes["plan_nodes"] == [None, ["3.2.2.1"]]


def test_plan_links_come_from_the_edition_of_the_fiscal_year(client, staff, social_dept, nodes):
    login(client, staff)
    form = client.get(reverse("projects:new")).context["form"]  # this fiscal year (2570): the new edition
    assert list(form.fields["plan_nodes"].queryset) == [nodes["new"]]
    response = client.post(reverse("projects:new"), project_data(unit=social_dept.pk, plan_nodes=[nodes["new"].pk]))
    assert response.status_code == 200
    assert "ค่าที่เลือกไม่ถูกต้อง กรุณาเลือกจากรายการ" in response.content.decode()
    assert not Project.objects.exists()


def test_it_rejects_a_ce_fiscal_year_and_a_duplicate_code(client, staff, social_dept, project):
    login(client, staff)
    response = client.post(reverse("projects:new"), project_data(unit=social_dept.pk, fiscal_year="2021"))
    assert "กรุณากรอกปีงบประมาณเป็นปี พ.ศ. 4 หลัก เช่น 2564" in response.content.decode()
    response = client.post(reverse("projects:new"), project_data(unit=social_dept.pk, code=project.code))
    assert response.status_code == 200
    assert Project.objects.count() == 1


def test_planners_do_not_create_projects(client, planner):
    login(client, planner)
    assert client.get(reverse("projects:new")).status_code == 403


def test_editing_keeps_the_code_and_fiscal_year(client, staff, project, django_assert_max_num_queries):
    login(client, staff)
    url = reverse("projects:edit", args=[project.code])
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert response.context["form"].fields["code"].disabled
    data = project_data(code="99999999-1", fiscal_year="2599", unit=project.unit_id, version=project.version)
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.code, project.fiscal_year, project.name, project.version) == (
        "24000000-9999",
        2564,
        "โครงการฝึกอาชีพผู้สูงอายุ",
        2,
    )
    assert "ฝึกอาชีพ" in project.search_text


def steps_data(version, *rows, initial=0):
    data = {"version": version, "steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{i}-{key}"] = value
    return data


def step(number, name, weight, start, end, **extra):
    return {"number": str(number), "name": name, "weight": weight, "start": start, "end": end, **extra}


def test_it_saves_steps_with_thai_dates_and_warns_when_weights_miss_100(client, staff, project):
    login(client, staff)
    url = reverse("projects:steps", args=[project.code])
    data = steps_data(
        1,
        step(1, "วางแผน", "20", "01/10/2563", "01/10/2563"),
        step(2, "ดำเนินการ", "50", "01/11/2563", "31/03/2564"),
    )
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    assert "บันทึกแผนการดำเนินงานเรียบร้อยแล้ว" in page
    assert "น้ำหนักของทุกขั้นตอนรวมกันได้ 70% (ไม่ครบ 100%) กรุณาตรวจสอบ" in page
    assert list(project.steps.values_list("number", "weight", "end")) == [
        (1, Decimal("20"), date(2020, 10, 1)),
        (2, Decimal("50"), date(2021, 3, 31)),
    ]


def test_it_refuses_a_step_that_ends_before_it_starts(client, staff, project):
    login(client, staff)
    url = reverse("projects:steps", args=[project.code])
    response = client.post(url, steps_data(1, step(1, "วางแผน", "20", "31/03/2564", "01/10/2563")))
    assert "วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น" in response.content.decode()
    assert not project.steps.exists()


def test_it_refuses_duplicate_step_numbers(client, staff, project):
    login(client, staff)
    url = reverse("projects:steps", args=[project.code])
    rows = [step(1, "ก", "20", "01/10/2563", "01/10/2563"), step(1, "ข", "20", "01/10/2563", "01/10/2563")]
    response = client.post(url, steps_data(1, *rows))
    assert "เลขขั้นตอนซ้ำกัน" in response.content.decode()
    assert not project.steps.exists()


def test_it_swaps_step_numbers_edits_and_deletes_steps(client, staff, project, django_assert_max_num_queries):
    first = factories.make_step(project, number=1, name="ก")
    second = factories.make_step(project, number=2, name="ข")
    third = factories.make_step(project, number=3, name="ค")
    login(client, staff)
    url = reverse("projects:steps", args=[project.code])
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    rows = [
        step(2, "ก", "20", "01/10/2563", "01/10/2563", id=first.pk),
        step(1, "ข", "30", "01/10/2563", "01/10/2563", id=second.pk),
        step(3, "ค", "20", "01/10/2563", "01/10/2563", id=third.pk, DELETE="on"),
    ]
    response = client.post(url, steps_data(project.version, *rows, initial=3))
    assert response.status_code == 302
    assert list(project.steps.order_by("number").values_list("number", "name", "weight")) == [
        (1, "ข", Decimal("30")),
        (2, "ก", Decimal("20")),
    ]
    assert sorted(AuditEntry.objects.values_list("model_label", "action")) == [
        ("projects.planstep", "delete"),
        ("projects.planstep", "update"),
        ("projects.planstep", "update"),
    ]


def test_saving_steps_refreshes_the_planned_percent(client, staff, project):
    factories.make_report(project, report_date=date(2021, 3, 31), percent="40")
    project.refresh_progress_summary()
    login(client, staff)
    client.post(
        reverse("projects:steps", args=[project.code]),
        steps_data(1, step(1, "ทั้งหมด", "100", "01/10/2563", "31/03/2564")),
    )
    project.refresh_from_db()
    assert project.planned_percent_at_latest == Decimal("100")


# Every entry page's GET, pinned: session + user + the object + what its form lists.
FORM_QUERY_COUNTS = [
    ("staff", "projects:progress_new", lambda p, r, i: [p.code], 5),  # + the month's other reports (a warning)
    ("staff", "projects:progress_edit", lambda p, r, i: [p.code, r.pk], 6),  # + the closed quarters
    ("staff", "projects:progress_delete", lambda p, r, i: [p.code, r.pk], 5),
    ("staff", "projects:new", lambda p, r, i: [], 6),
    ("staff", "projects:edit", lambda p, r, i: [p.code], 9),
    ("staff", "projects:steps", lambda p, r, i: [p.code], 5),
    ("staff", "projects:history", lambda p, r, i: [p.code], 6),
    ("planner", "projects:evaluate", lambda p, r, i: [p.code, 1], 5),
    ("staff", "indicators:result_edit", lambda p, r, i: [i.code, i.fiscal_year, 1], 5),
    ("planner", "indicators:evaluate", lambda p, r, i: [i.code, i.fiscal_year, 1], 5),
]


@pytest.mark.parametrize(
    ("who", "name", "args", "queries"), FORM_QUERY_COUNTS, ids=[row[1] for row in FORM_QUERY_COUNTS]
)
def test_entry_pages_query_counts_are_pinned(
    client, request, project, social_dept, who, name, args, queries, django_assert_max_num_queries
):
    report = factories.make_report(project)
    indicator = factories.make_indicator(unit=social_dept)
    for n in range(5):
        factories.make_step(project, number=n + 1)
    client.force_login(request.getfixturevalue(who))
    url = reverse(name, args=args(project, report, indicator))
    with django_assert_max_num_queries(queries):
        assert client.get(url).status_code == 200


def test_an_edit_keeps_the_search_key_by_the_models_rule(staff, project):
    """project_update writes with update(), past save(): the key still comes from refresh_search_text()."""
    services.project_update(project=project, user=staff, version=project.version, values={"name": "สํานักงานเขต ๒"})
    stored = Project.objects.get(pk=project.pk)
    expected = Project(code=project.code, name="สํานักงานเขต ๒")
    expected.refresh_search_text()
    assert stored.search_text == expected.search_text == f"{project.code} สำนักงานเขต 2"


# --- crafted and out-of-range steps (issue 19): a Thai message, nothing stored ----------------


def post_steps(client, project, *rows, initial=0, **management):
    data = steps_data(project.version, *rows, initial=initial)
    data.update({f"steps-{key}": value for key, value in management.items()})
    before = list(project.steps.order_by("pk").values())
    response = client.post(reverse("projects:steps", args=[project.code]), data)
    assert response.status_code == 200, "shown again, not saved, not a 500"
    assert list(project.steps.order_by("pk").values()) == before
    return response.content.decode()


@pytest.mark.parametrize("number", ["0", "100", "30000", "9" * 40, "-1", "abc", "1.5", ""])
def test_it_refuses_a_step_number_outside_1_to_99(client, staff, project, number):
    login(client, staff)
    page = post_steps(client, project, step(number, "วางแผน", "20", "01/10/2563", "01/10/2563"))
    assert "เลขขั้นตอนต้องเป็นตัวเลข 1–99" in page


def test_it_refuses_a_new_step_with_the_number_of_a_stored_step_the_post_left_out(client, staff, project):
    factories.make_step(project, number=1)
    login(client, staff)
    page = post_steps(client, project, step(1, "ซ้ำ", "20", "01/10/2563", "01/10/2563"))  # INITIAL_FORMS=0
    assert "เลขขั้นตอนซ้ำกัน กรุณาใช้เลขขั้นตอนไม่ซ้ำ" in page


def test_it_refuses_one_stored_step_posted_twice(client, staff, project):
    first = factories.make_step(project, number=1)
    factories.make_step(project, number=2)
    login(client, staff)
    rows = [
        step(3, "ก", "20", "01/10/2563", "01/10/2563", id=first.pk),
        step(4, "ก", "20", "01/10/2563", "01/10/2563", id=first.pk, DELETE="on"),
    ]
    page = post_steps(client, project, *rows, initial=2)
    assert "ขั้นตอนเดียวกันถูกส่งมาสองครั้ง" in page


def test_it_refuses_another_projects_step(client, staff, project, social_dept):
    other = factories.make_step(factories.make_project(unit=social_dept), number=1)
    factories.make_step(project, number=1)
    login(client, staff)
    page = post_steps(client, project, step(2, "ก", "20", "01/10/2563", "01/10/2563", id=other.pk), initial=1)
    assert "ไม่พบขั้นตอนที่แก้ไข" in page
    assert other.__class__.objects.get(pk=other.pk).number == 1


def test_it_refuses_more_than_99_steps(client, staff, project):
    login(client, staff)
    rows = [step(n % 99 + 1, "ก", "1", "01/10/2563", "01/10/2563") for n in range(150)]
    page = post_steps(client, project, *rows)
    assert "แผนการดำเนินงานมีได้ไม่เกิน 99 ขั้นตอน" in page


@pytest.mark.parametrize("total", [None, "abc", "-1", "9" * 40])
def test_it_refuses_a_missing_or_tampered_management_form(client, staff, project, total):
    login(client, staff)
    data = {"version": project.version, "steps-0-number": "1", "steps-0-name": "ก"}
    if total is not None:
        data |= {"steps-TOTAL_FORMS": total, "steps-INITIAL_FORMS": "0"}
    response = client.post(reverse("projects:steps", args=[project.code]), data)
    assert response.status_code in (200, 302)
    if total in (None, "abc"):
        assert "แบบฟอร์มไม่สมบูรณ์ จึงยังไม่ได้บันทึก" in response.content.decode()
    assert "ManagementForm" not in response.content.decode()
    assert not project.steps.exists()


def test_it_refuses_a_step_name_over_500_characters(client, staff, project):
    login(client, staff)
    page = post_steps(client, project, step(1, "ก" * 501, "20", "01/10/2563", "01/10/2563"))
    assert "ข้อความยาวเกินกำหนด: ไม่เกิน 500 ตัวอักษร (กรอกมา 501 ตัวอักษร)" in page


def test_steps_renumber_beside_an_old_step_numbered_30000(client, staff, project):
    """A step 30000 stored before the form's limit: every later save of the plan failed with
    "smallint out of range" (the renumbering parked steps on 30000 + 10000)."""
    old = factories.make_step(project, number=30000, name="เก่า")
    first = factories.make_step(project, number=1, name="ก")
    second = factories.make_step(project, number=2, name="ข")
    login(client, staff)
    rows = [
        step(2, "ก", "20", "01/10/2563", "01/10/2563", id=first.pk),
        step(1, "ข", "20", "01/10/2563", "01/10/2563", id=second.pk),
    ]
    response = client.post(
        reverse("projects:steps", args=[project.code]), steps_data(project.version, *rows, initial=2)
    )
    assert response.status_code == 302
    assert dict(project.steps.values_list("pk", "number")) == {old.pk: 30000, first.pk: 2, second.pk: 1}
