"""The signed-in user is loaded from the cache on every request after the first
(projects/backends.py), and that cached copy is never out of date on anything that matters: a
deactivated account or a changed password signs the session out at once, a renamed unit shows at
once, and the copy never holds the password hash."""

import pickle

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.backends import UserWithUnitBackend
from tests.conftest import login

PASSWORD = "a-long-old-password-2568"  # noqa: S105 (test data)


def user_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries if '"projects_user"' in q["sql"]]


def test_the_user_is_read_from_the_database_once_then_from_the_cache(client, staff):
    login(client, staff)
    response, first = user_queries(client, reverse("home"))
    assert response.status_code == 200 and len(first) == 1
    response, second = user_queries(client, reverse("home"))
    assert response.status_code == 200 and second == []
    assert response.context["user"] == staff and response.context["user"].unit == staff.unit


def test_a_deactivated_account_is_signed_out_at_its_next_request(client, staff):
    login(client, staff)
    assert client.get(reverse("home")).status_code == 200
    staff.is_active = False
    staff.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_password_changed_elsewhere_signs_the_old_session_out(client, staff):
    login(client, staff)
    assert client.get(reverse("home")).status_code == 200
    staff.set_password("somebody-elses-new-password")
    staff.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_changing_ones_own_password_keeps_the_session_and_the_new_password_works(client, staff):
    staff.set_password(PASSWORD)
    staff.save()
    login(client, staff)
    assert client.get(reverse("home")).status_code == 200  # the user is cached now
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-password-2569",
            "new_password2": "a-new-long-password-2569",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    staff.refresh_from_db()
    assert staff.check_password("a-new-long-password-2569")


def test_a_renamed_unit_shows_at_once(client, staff):
    login(client, staff)
    assert client.get(reverse("home")).context["user"].unit.name == "สำนักพัฒนาสังคม"
    staff.unit.name = "สำนักพัฒนาสังคม (ชื่อใหม่)"
    staff.unit.save()
    assert client.get(reverse("home")).context["user"].unit.name == "สำนักพัฒนาสังคม (ชื่อใหม่)"


def test_the_cached_copy_holds_no_password_hash(client, staff):
    login(client, staff)
    client.get(reverse("home"))
    stored = cache.get(f"auth-user:{staff.pk}")
    assert stored is not None
    assert staff.password.encode() not in pickle.dumps(stored)
    assert staff.password.split("$")[-1].encode() not in pickle.dumps(stored)


def test_saving_the_cached_copy_keeps_the_password(staff):
    staff.set_password(PASSWORD)
    staff.save()
    backend = UserWithUnitBackend()
    backend.get_user(staff.pk)
    cached = backend.get_user(staff.pk)  # from the cache: password deferred
    assert "password" in cached.get_deferred_fields()
    cached.first_name = "สมชาย"
    cached.save()
    again = get_user_model().objects.get(pk=staff.pk)
    assert again.first_name == "สมชาย" and again.check_password(PASSWORD)


@pytest.mark.parametrize("user_id", ["not-a-number", 987654321])
def test_a_session_naming_no_valid_user_gives_no_user(db, user_id):
    assert UserWithUnitBackend().get_user(user_id) is None
