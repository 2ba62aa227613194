"""Rendered pages are cached (bma_tracker/caching.py, keys of database revisions) and never shown
stale: every kind of write a page shows makes it render again, whoever wrote it and however
(form, service, admin, import; tests/test_freshness.py has the writers that bypass the app)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bma_tracker import thaidate
from indicators.services import indicator_quarter_save
from projects.services import plan_steps_save, project_evaluation_save, project_update
from tests import factories
from tests.conftest import login


@pytest.fixture
def current_project(social_division):
    fiscal_year = thaidate.fiscal_year(timezone.localdate())
    return factories.make_project(code="24040000-7001", unit=social_division, fiscal_year=fiscal_year)


def page(client, project, name="projects:detail"):
    response = client.get(reverse(name, args=[project.code]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_view_of_a_project_page_is_served_from_the_cache(
    client, staff, current_project, django_assert_num_queries
):
    login(client, staff)
    page(client, current_project)
    # The page comes from the cache. The session, the signed-in user and the project (with the
    # revisions of the page's key) are read from the database, every time.
    for _ in range(2):
        with django_assert_num_queries(3):
            page(client, current_project)


def test_a_report_posted_through_the_form_shows_at_once_on_the_page_and_on_my_projects(client, staff, current_project):
    login(client, staff)
    assert "ยังไม่รายงาน" in client.get(reverse("home")).content.decode()
    assert "รายงานใหม่ในแคช" not in page(client, current_project)
    form = client.get(reverse("projects:progress_new", args=[current_project.code])).context["form"]
    response = client.post(
        reverse("projects:progress_new", args=[current_project.code]),
        {
            "report_date": form.initial["report_date"].strftime("%d/%m/") + str(form.initial["report_date"].year + 543),
            "percent": "40",
            "narrative": "รายงานใหม่ในแคช",
            "problems": "ไม่มี",
            "obstacles": "ไม่มี",
            "submission_key": form.initial["submission_key"],
            "version": "",
        },
    )
    assert response.status_code == 302
    assert "รายงานใหม่ในแคช" in page(client, current_project)
    assert "รายงานใหม่ในแคช" in page(client, current_project, "projects:print")
    home = client.get(reverse("home")).content.decode()
    assert "รายงานแล้ว" in home and "ยังไม่รายงาน" not in home


def test_an_evaluation_and_an_indicator_result_show_at_once(client, planner, current_project):
    indicator = factories.make_indicator(fiscal_year=current_project.fiscal_year, unit=current_project.unit)
    indicator.projects.add(current_project)
    login(client, planner)
    before = page(client, current_project)
    assert "87.5" not in before and "42.25" not in before
    project_evaluation_save(project=current_project, user=planner, quarter=1, score=Decimal("87.5"))
    assert "87.5" in page(client, current_project)
    indicator_quarter_save(indicator=indicator, user=planner, quarter=1, values={"result": Decimal("42.25")})
    assert "42.25" in page(client, current_project)


def test_renaming_a_unit_in_the_admin_shows_on_every_cached_page(client, staff, current_project, social_division):
    login(client, staff)
    assert "สำนักงานการส่งเสริมอาชีพ" in page(client, current_project)
    social_division.name = "สำนักงานส่งเสริมอาชีพ (ชื่อใหม่)"
    social_division.save()  # what the admin does: no service involved
    assert "สำนักงานส่งเสริมอาชีพ (ชื่อใหม่)" in page(client, current_project)


def test_linking_an_indicator_in_the_admin_shows_on_the_project_page(client, staff, current_project):
    indicator = factories.make_indicator(fiscal_year=current_project.fiscal_year, name="ตัวชี้วัดที่เพิ่งผูก")
    login(client, staff)
    assert "ตัวชี้วัดที่เพิ่งผูก" not in page(client, current_project)
    current_project.indicators.add(indicator)
    assert "ตัวชี้วัดที่เพิ่งผูก" in page(client, current_project)
    indicator.projects.clear()
    assert "ตัวชี้วัดที่เพิ่งผูก" not in page(client, current_project)


def test_readers_who_may_do_less_never_get_the_buttons_cached_for_those_who_may_do_more(
    client, staff, other_staff, current_project
):
    edit_url = reverse("projects:progress_new", args=[current_project.code])
    login(client, staff)
    assert edit_url in page(client, current_project)
    login(client, other_staff)
    assert edit_url not in page(client, current_project)


def test_each_language_has_its_own_cached_page(client, staff, current_project):
    login(client, staff)
    thai = page(client, current_project)
    client.cookies["django_language"] = "en"
    english = page(client, current_project)
    assert 'lang="en"' in english and 'lang="th"' in thai
    assert "ความคืบหน้าเทียบกับแผน" in thai and "ความคืบหน้าเทียบกับแผน" not in english


def test_with_caching_off_every_view_renders_the_page(
    client, staff, current_project, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    login(client, staff)
    page(client, current_project)
    with django_assert_num_queries(10):  # the whole page again (no indicators: no quarters to read)
        page(client, current_project)


def test_a_project_whose_code_changed_is_found_under_its_new_code_and_not_under_its_old_one(
    client, staff, current_project
):
    login(client, staff)
    for _ in range(3):  # cached by now
        page(client, current_project)
    old_code = current_project.code
    current_project.code, current_project.name = "24040000-7002", "โครงการเปลี่ยนรหัสแล้ว"
    current_project.save()
    assert client.get(reverse("projects:detail", args=[old_code])).status_code == 404
    assert client.get(reverse("projects:progress_new", args=[old_code])).status_code == 404
    assert "โครงการเปลี่ยนรหัสแล้ว" in page(client, current_project)
    # A new project may take the freed code: that code now leads to it, not to the renamed one.
    newcomer = factories.make_project(code=old_code, unit=current_project.unit, name="โครงการใหม่รหัสเดิม")
    assert "โครงการใหม่รหัสเดิม" in page(client, newcomer)
    assert "โครงการเปลี่ยนรหัสแล้ว" in page(client, current_project)


def test_the_edit_forms_see_a_change_made_elsewhere_at_once(client, staff, current_project):
    """The report form reads the project (its version, its unit for the access check): a change
    made elsewhere shows there at once, like on the page."""
    login(client, staff)
    url = reverse("projects:progress_new", args=[current_project.code])
    for _ in range(3):
        assert client.get(url).status_code == 200
    current_project.name = "ชื่อใหม่จากที่อื่น"
    current_project.save()
    assert "ชื่อใหม่จากที่อื่น" in client.get(url).content.decode()


def _post_report(client, project, narrative, percent="40"):
    form = client.get(reverse("projects:progress_new", args=[project.code])).context["form"]
    day = form.initial["report_date"]
    response = client.post(
        reverse("projects:progress_new", args=[project.code]),
        {
            "report_date": day.strftime("%d/%m/") + str(day.year + 543),
            "percent": percent,
            "narrative": narrative,
            "problems": "ไม่มี",
            "obstacles": "ไม่มี",
            "submission_key": form.initial["submission_key"],
            "version": "",
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize("change", ["steps", "project", "evaluation"])
def test_every_writer_of_the_plan_shows_at_once(client, staff, planner, current_project, change):
    step = factories.make_step(current_project, number=1, name="ชื่อขั้นตอนเดิม")
    login(client, planner)
    assert "ชื่อขั้นตอนเดิม" in page(client, current_project)
    if change == "steps":
        plan_steps_save(
            project=current_project, user=staff, version=current_project.version,
            changed=[(step, {"name": "ชื่อขั้นตอนใหม่"})], created=[], deleted=[],
        )  # fmt: skip
        expected = '<td class="step-name">ชื่อขั้นตอนใหม่</td>'  # the steps table, not the chart's data
    elif change == "project":
        project_update(
            project=current_project, user=staff, version=current_project.version,
            values={"rationale": "หลักการและเหตุผลฉบับแก้ไข"},
        )  # fmt: skip
        expected = "หลักการและเหตุผลฉบับแก้ไข"
    else:
        project_evaluation_save(project=current_project, user=planner, quarter=2, score=Decimal("91.25"))
        expected = '<tr><td>2</td><td class="num">91.25</td>'  # the evaluations table, not the header
    assert expected in page(client, current_project)


def test_the_navigation_bar_follows_the_readers_language_and_sign_in(client, staff, current_project):
    # base.html renders its fixed parts once per process and language (the "fragments" cache):
    # a page in one language or for a signed-out reader must never lend its bar to another.
    anonymous = client.get(reverse("login")).content.decode()
    assert "ออกจากระบบ" not in anonymous and 'href="/dashboard/"' not in anonymous
    login(client, staff)
    thai = page(client, current_project)
    assert "ข้ามไปยังเนื้อหา" in thai and "แดชบอร์ด" in thai and "ออกจากระบบ" in thai
    assert 'href="/dashboard/"' in thai and f"{staff.unit.name}</a>" in thai
    client.cookies["django_language"] = "en"
    english = page(client, current_project)
    assert "Skip to content" in english and ">Dashboard</a>" in english and "Log out" in english
    assert "แดชบอร์ด" not in english and "ออกจากระบบ" not in english
    assert 'value="th" lang="th">ภาษาไทย</button>' in english and 'value="en"' not in english
    assert 'value="en" lang="en">English</button>' in thai and 'value="th"' not in thai
    # Each form of the bar carries this reader's own CSRF token.
    token = client.cookies["csrftoken"].value
    assert thai.count('name="csrfmiddlewaretoken"') == 2 and token


def test_a_release_that_changes_a_template_or_the_code_gets_keys_of_its_own(settings, tmp_path):
    """Processes of the old and the new release share Redis during a deployment: neither may
    serve a page the other rendered."""
    from bma_tracker import caching

    settings.BASE_DIR = tmp_path
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("<p>{{ old }}</p>", encoding="utf-8")
    caching.release.cache_clear()
    try:
        before = caching.cache_key("project", 1, 2)
        template.write_text("<p>{{ new }}</p>", encoding="utf-8")
        caching.release.cache_clear()
        assert caching.cache_key("project", 1, 2) != before
    finally:
        caching.release.cache_clear()
