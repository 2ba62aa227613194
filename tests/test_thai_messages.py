"""Every message a user can see is in Thai when Thai is chosen, Django's own included: bad input
posted to the app's forms and to Django's login, password-change and password-reset forms
shows no English sentence. Django's Thai catalogue lacks many of its messages, and its msgids
are of older versions: locale/th/LC_MESSAGES/django.po (in LOCALE_PATHS, ahead of Django's)
has the rest, with the msgids of the Django in use."""

import ast
import re
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext, override

from tests import factories
from tests.conftest import login

DJANGO = Path(django.__file__).parent
OUR_CATALOGUE = settings.BASE_DIR / "locale" / "th" / "LC_MESSAGES" / "django.po"
# An English sentence: four or more Latin words in a row.
ENGLISH = re.compile(r"[A-Za-z][A-Za-z’']*(?:[ ,]+[A-Za-z’'/]+){3,}")


def msgids(path):
    text = path.read_text(encoding="utf-8")
    found = set()
    for block in re.findall(r'^msgid ((?:".*"\n)+)', text, re.M):
        found.add("".join(ast.literal_eval(part) for part in re.findall(r'^".*"$', block, re.M)))
    return found - {""}


def visible_text(response):
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<option\b[^>]*value="[^"]*"[^>]*>', " ", page)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def error_messages(response):
    """Every error the page's forms and formsets carry, and the page's visible text."""
    messages = []
    for name in ("form", "formset"):
        form = response.context.get(name) if response.context else None
        if form is None:
            continue
        if hasattr(form, "forms"):
            messages += list(form.non_form_errors())
            for each in form.forms:
                messages += [m for errors in each.errors.values() for m in errors]
        else:
            messages += [m for errors in form.errors.values() for m in errors]
    return messages


def assert_thai(response, *, expect_errors=True):
    errors = error_messages(response)
    if expect_errors:
        assert errors, "the bad input was refused with a message"
    for message in errors:
        assert not ENGLISH.search(message), message
        assert re.search("[\u0e00-\u0e7f]", message), message
    english = ENGLISH.findall(visible_text(response))
    assert not [words for words in english if words not in ALLOWED_ENGLISH], english


# Names, not sentences: the language switcher and the organisation's English name.
ALLOWED_ENGLISH = {"Bangkok Metropolitan Administration"}


def test_every_entry_of_our_thai_catalogue_is_one_of_djangos_messages():
    django_ids = msgids(DJANGO / "conf/locale/en/LC_MESSAGES/django.po") | msgids(
        DJANGO / "contrib/auth/locale/en/LC_MESSAGES/django.po"
    )
    ours = msgids(OUR_CATALOGUE)
    assert len(ours) > 90
    assert ours <= django_ids, sorted(ours - django_ids)


def test_it_overrides_djangos_thai_catalogue_and_leaves_english_alone():
    with override("th"):
        assert gettext("Null characters are not allowed.") == "ข้อความมีอักขระที่ใช้ไม่ได้ (NUL) กรุณาพิมพ์ใหม่"
        assert gettext("กรุณากรอกวันที่") == "กรุณากรอกวันที่"  # the app's own Thai source
    with override("en"):
        assert gettext("Null characters are not allowed.") == "Null characters are not allowed."


@pytest.fixture
def reference(staff, social_dept, project):
    factories.make_step(project)
    return factories.make_indicator(unit=social_dept)


BAD_PROJECT = {
    "code": "x" * 30,
    "name": "ก\x00",
    "fiscal_year": "9" * 30,
    "unit": "abc",
    "responsible_phone": "0" * 60,
    "division_code": "1" * 9,
    "plan_nodes": ["abc", "99999999999"],
}


def test_the_project_forms_refuse_crafted_input_in_thai(client, staff, project, reference):
    login(client, staff)
    assert_thai(client.post(reverse("projects:new"), BAD_PROJECT))
    data = {**BAD_PROJECT, "version": "x", "fiscal_year": "2564"}
    assert_thai(client.post(reverse("projects:edit", args=[project.code]), data))


def test_the_steps_and_progress_forms_refuse_crafted_input_in_thai(client, staff, project, reference):
    login(client, staff)
    steps = {
        "version": "1",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-number": "30000",
        "steps-0-name": "ก" * 600,
        "steps-0-weight": "1e9",
        "steps-0-start": "2021-01-01",
        "steps-0-end": "\x00",
    }
    assert_thai(client.post(reverse("projects:steps", args=[project.code]), steps))
    assert_thai(client.post(reverse("projects:steps", args=[project.code]), {"version": "1"}))
    progress = {"report_date": "x", "percent": "9" * 40, "narrative": "\x00", "lower_reason": "x" * 600}
    assert_thai(client.post(reverse("projects:progress_new", args=[project.code]), progress))


def test_the_indicator_forms_refuse_crafted_input_in_thai(client, staff, reference):
    login(client, staff)
    data = {
        "code": "\x00",
        "fiscal_year": "9" * 30,
        "base_year": "abc",
        "unit": "abc",
        "name": "x" * 1001,
        "measure": "x" * 51,
        "type": "nonsense",
        "level": "nonsense",
        "dimension": "abc",
        "plan_node": "99999999999",
        "target": "NaN",
    }
    assert_thai(client.post(reverse("indicators:new"), data))
    url = reverse("indicators:result_edit", args=[reference.code, reference.fiscal_year, 1])
    assert_thai(client.post(url, {"result": "9" * 40, "narrative": "\x00"}))


def test_djangos_login_and_password_forms_speak_thai(client, staff):
    assert_thai(client.post(reverse("login"), {"username": "staff", "password": "wrong"}))
    login(client, staff)
    for new in ("short", "1234567890123", "password123", "staffstaff1"):
        response = client.post(
            reverse("password_change"), {"old_password": "wrong", "new_password1": new, "new_password2": new + "x"}
        )
        assert_thai(response)
    client.logout()
    assert_thai(client.post("/accounts/password_reset/", {"email": "not an address\x00"}))
    token = default_token_generator.make_token(staff)
    url = reverse("password_reset_confirm", args=[urlsafe_base64_encode(force_bytes(staff.pk)), token])
    form_url = client.get(url).url  # Django moves the token into the session
    page = client.get(form_url)
    assert_thai(page, expect_errors=False)  # the password rules, listed as help
    assert "รหัสผ่านต้องมีอย่างน้อย 10 ตัวอักษร" in page.content.decode()
    assert_thai(client.post(form_url, {"new_password1": "1234567890", "new_password2": "1234567890"}))
