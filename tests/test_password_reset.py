"""Password reset (/accounts/password_reset/): Thai pages linked from the login page, and rate
limits that hold across processes (the counts are rows in the database): at most 3 mails an
hour to one account and 10 requests an hour from one address; beyond them the same neutral
page, and no mail."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects.models import PasswordResetRequest
from tests import factories

URL = "/accounts/password_reset/"


@pytest.fixture
def staff(social_dept):
    return factories.make_user("staff", unit=social_dept, email="staff@bma.example")


def without_tokens(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def ask(client, email, address="10.0.0.1"):
    response = client.post(URL, {"email": email}, REMOTE_ADDR=address)
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    return response


def test_the_login_page_links_to_a_thai_reset_page_that_mails_a_thai_link(client, staff):
    assert f'href="{URL}"' in client.get(reverse("login")).content.decode()
    page = client.get(URL).content.decode()
    assert "กรอกอีเมลที่ลงทะเบียนไว้กับบัญชีของคุณ" in page
    done = client.post(URL, {"email": "staff@bma.example"}, follow=True).content.decode()
    assert "หากมีบัญชีที่ใช้อีเมลนี้ ระบบได้ส่งลิงก์สำหรับตั้งรหัสผ่านใหม่ไปแล้ว" in done
    [message] = mail.outbox
    assert message.subject == "ตั้งรหัสผ่านใหม่ ระบบติดตามโครงการ กทม."
    assert "เปิดลิงก์นี้เพื่อตั้งรหัสผ่านใหม่:" in message.body
    assert "/accounts/reset/" in message.body and "staff" in message.body


def test_an_account_gets_at_most_3_mails_an_hour_from_any_addresses(client, staff):
    for n in range(6):
        ask(client, "staff@bma.example", address=f"10.0.0.{n}")
    assert len(mail.outbox) == 3
    assert PasswordResetRequest.objects.filter(user=staff).count() == 3


def test_an_address_makes_at_most_10_requests_an_hour_whatever_the_accounts(client, staff):
    for n in range(10):
        ask(client, f"nobody{n}@bma.example")
    ask(client, "staff@bma.example")  # the 11th: a real account, and still no mail
    assert mail.outbox == []
    assert PasswordResetRequest.objects.filter(address="10.0.0.1").count() == 10
    ask(client, "staff@bma.example", address="10.0.0.2")  # another address is not held back
    assert len(mail.outbox) == 1


def test_the_limited_answer_is_the_answer_for_an_unknown_address(client, staff):
    for _ in range(3):
        ask(client, "staff@bma.example")
    limited = client.post(URL, {"email": "staff@bma.example"}, REMOTE_ADDR="10.0.0.1", follow=True)
    unknown = client.post(URL, {"email": "nobody@bma.example"}, REMOTE_ADDR="10.0.0.9", follow=True)
    assert limited.redirect_chain == unknown.redirect_chain
    assert without_tokens(limited) == without_tokens(unknown)
    assert len(mail.outbox) == 3


def test_the_limits_forget_requests_older_than_an_hour(client, staff):
    for _ in range(3):
        ask(client, "staff@bma.example")
    PasswordResetRequest.objects.update(at=timezone.now() - timedelta(minutes=61))
    ask(client, "staff@bma.example")
    assert len(mail.outbox) == 4
    assert PasswordResetRequest.objects.count() == 2  # the old rows are gone: this request's two


def test_the_limits_are_settings(client, staff, settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 1
    ask(client, "staff@bma.example")
    ask(client, "staff@bma.example", address="10.0.0.2")
    assert len(mail.outbox) == 1


def test_a_refused_request_is_not_counted(staff):
    """Beyond the limit nothing is kept: a flood from one address leaves at most the limit's rows."""
    for _ in range(50):
        PasswordResetRequest.admit(address="10.0.0.1", limit=10)
    assert PasswordResetRequest.objects.count() == 10
    assert not PasswordResetRequest.admit(address="10.0.0.1", limit=10)
    assert PasswordResetRequest.admit(address="10.0.0.2", limit=10)
