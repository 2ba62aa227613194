"""User management for the planning office without the Django admin (issue 21): the planning
office creates an account for a district office, its owner sets the password from the mailed
link, the planning office deactivates and reactivates it; every change is in the account's
history. Only the planning office and admins manage accounts; only admins make admins."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import AuditEntry, User
from tests import factories
from tests.conftest import login

NEW_STAFF = {
    "username": "somsri.k",
    "first_name": "สมศรี",
    "last_name": "ขยันดี",
    "email": "Somsri.K@bangkok.go.th",
    "role": "staff",
    "invite": "1",
}


def create(client, district_office, **changes):
    return client.post(reverse("users:new"), {**NEW_STAFF, "unit": district_office.pk, **changes})


def history(account):
    return list(AuditEntry.objects.filter(model_label="projects.user", object_id=account.pk).order_by("pk"))


def test_the_planning_office_creates_a_district_account_and_its_owner_sets_the_password(
    client, planner, district_office
):
    login(client, planner)
    response = create(client, district_office)

    account = User.objects.get(username="somsri.k")
    assert response.status_code == 302 and response["Location"] == reverse("users:edit", kwargs={"pk": account.pk})
    assert (account.unit, account.role, account.email) == (district_office, "staff", "somsri.k@bangkok.go.th")
    assert not account.has_usable_password()  # nobody but the owner ever knows it
    [create_entry, invite_entry] = history(account)
    assert create_entry.action == "create" and create_entry.user == planner
    assert create_entry.changes["unit"] == [None, str(district_office)]
    assert invite_entry.note == "ส่งลิงก์ตั้งรหัสผ่านทางอีเมล"

    [invite] = mail.outbox
    assert invite.to == ["somsri.k@bangkok.go.th"] and "ตั้งรหัสผ่าน" in invite.subject
    link = re.search(r"https?://\S+", invite.body)[0]

    client.logout()
    form = client.get(link, follow=True)
    assert "ตั้งรหัสผ่านใหม่" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Bangkok-2570!x", "new_password2": "Bangkok-2570!x"}
    )
    assert done.status_code == 302
    signed_in = client.post(reverse("login"), {"username": "somsri.k", "password": "Bangkok-2570!x"})
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("home")


def test_deactivating_ends_the_accounts_sessions_and_is_audited_with_its_reason(client, planner, district_office):
    account = factories.make_user("somchai", unit=district_office)
    owner = client.__class__()
    login(owner, account)
    assert owner.get(reverse("home")).status_code == 200

    login(client, planner)
    response = client.post(
        reverse("users:set_active", kwargs={"pk": account.pk}), {"active": "0", "note": "ย้ายไปสำนักอื่น"}
    )

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.is_active is False
    assert owner.get(reverse("home")).status_code == 302  # signed out on the very next request
    [entry] = history(account)
    assert (entry.action, entry.note, entry.changes) == ("delete", "ย้ายไปสำนักอื่น", {"is_active": [True, False]})
    page = client.get(reverse("users:edit", kwargs={"pk": account.pk})).content.decode()
    assert "ปิดการใช้งาน" in page and "ย้ายไปสำนักอื่น" in page

    client.post(reverse("users:set_active", kwargs={"pk": account.pk}), {"active": "1"})
    account.refresh_from_db()
    assert account.is_active and history(account)[-1].action == "restore"


def test_a_save_that_changes_nothing_leaves_no_history(client, planner, district_office):
    account = factories.make_user("somchai", unit=district_office, first_name="สมชาย", email="s@bangkok.go.th")
    login(client, planner)
    values = {
        "first_name": "สมชาย",
        "last_name": "",
        "email": "s@bangkok.go.th",
        "unit": district_office.pk,
        "role": "staff",
    }

    client.post(reverse("users:edit", kwargs={"pk": account.pk}), values)
    assert history(account) == []

    response = client.post(reverse("users:edit", kwargs={"pk": account.pk}), {**values, "role": "director"})
    assert response.status_code == 302, response.context["form"].errors
    [entry] = history(account)
    assert entry.changes == {"role": ["staff", "director"]}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"username": "ชื่อไทย"}, "ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ"),
        ({"username": "planner"}, "มีผู้ใช้ชื่อนี้แล้ว"),
        ({"email": ""}, "กรุณากรอกช่องนี้"),
        ({"role": "admin"}, "เลือก"),
        ({"unit": "999999"}, "ไม่พบหน่วยงานที่เลือก"),
    ],
)
def test_bad_input_is_refused_in_thai_and_stores_nothing(client, planner, district_office, changes, message):
    login(client, planner)
    before = User.objects.count()

    response = create(client, district_office, **changes)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == before and mail.outbox == []


def test_only_admins_give_or_touch_the_admin_role(client, planner, admin_user, district_office):
    login(client, planner)
    assert client.get(reverse("users:edit", kwargs={"pk": admin_user.pk})).status_code == 403
    assert client.post(reverse("users:set_active", kwargs={"pk": admin_user.pk}), {"active": "0"}).status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active

    login(client, admin_user)
    create(client, district_office, role="admin", username="second-admin")
    assert User.objects.get(username="second-admin").role == "admin"


def test_nobody_deactivates_themselves(client, planner):
    login(client, planner)
    client.post(reverse("users:set_active", kwargs={"pk": planner.pk}), {"active": "0"})
    planner.refresh_from_db()
    assert planner.is_active


@pytest.mark.parametrize("who", ["staff", "director", "other_staff"])
def test_staff_and_directors_cannot_manage_accounts(client, request, who, district_office, planner):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("users:list")).status_code == 403
    assert create(client, district_office).status_code == 403
    assert client.get(reverse("users:edit", kwargs={"pk": planner.pk})).status_code == 403
    assert client.post(reverse("users:invite", kwargs={"pk": planner.pk})).status_code == 403
    assert not User.objects.filter(username="somsri.k").exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, planner):
    response = client.get(reverse("users:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_menu_leads_the_planning_office_to_user_management_and_nobody_else(client, planner, staff):
    login(client, planner)
    assert f'href="{reverse("users:list")}"' in client.get(reverse("home")).content.decode()
    login(client, staff)
    assert f'href="{reverse("users:list")}"' not in client.get(reverse("home")).content.decode()


def test_the_list_filters_by_unit_role_and_name(client, planner, social_dept, social_division, district_office):
    factories.make_user("division-staff", unit=social_division)
    factories.make_user("district-director", unit=district_office, role=User.Role.DIRECTOR)
    factories.make_user("left", unit=social_dept, is_active=False)
    login(client, planner)

    def names(**query):
        html = client.get(reverse("users:list"), query).content.decode()
        return re.findall(r'data-username="([^"]+)"', html)

    assert names(unit=social_dept.code) == ["division-staff", "left"]
    assert names(role="director") == ["district-director"]
    assert names(active="0") == ["left"]
    assert names(q="DISTRICT") == ["district-director"]
    assert "ไม่พบหน่วยงานที่เลือก" in client.get(reverse("users:list"), {"unit": "nope"}).content.decode()


def test_the_list_and_the_account_page_pin_their_queries(client, planner, district_office, django_assert_num_queries):
    for n in range(30):
        factories.make_user(f"user-{n:02}", unit=district_office)
    account = User.objects.get(username="user-00")
    login(client, planner)
    # the session, the user, the filter's unit choices, the count, a page of users with their units
    with django_assert_num_queries(5):
        assert client.get(reverse("users:list")).status_code == 200
    # the session, the user, the account with its unit, its history, the form's unit choices
    with django_assert_num_queries(5):
        assert client.get(reverse("users:edit", kwargs={"pk": account.pk})).status_code == 200


def test_the_login_page_links_to_a_password_reset_page_in_the_apps_look(client):
    login_page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in login_page
    reset = client.get(reverse("password_reset")).content.decode()
    assert "ลืมรหัสผ่าน" in reset and "navbar" in reset and "Django" not in reset
