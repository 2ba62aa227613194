"""The daily reminder mails (projects/reminders.py, `manage.py send_reminders`), sent through a
real SMTP server on the loopback (aiosmtpd, started by the test) and read back as they arrived.

On 3 December 2569 (fiscal year 2570) November's report is due on 5 December: staff are told
from 3 days before, and every day once it is late; directors get a digest of their unit and the
units below it. At most one mail per person per day, however often the job runs."""

import email
import socket
from datetime import date
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.urls import reverse

from projects.models import ReminderMail, User
from projects.reminders import reminders, send_reminders
from tests import factories
from tests.conftest import login

DEC_3 = date(2026, 12, 3)  # BE 2569, fiscal year 2570; November's report is due on 5 December
DEC_8 = date(2026, 12, 8)


class Inbox:
    """What the SMTP server received: one email.message.EmailMessage per mail."""

    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message.recipients = list(envelope.rcpt_tos)
        self.mails.append(message)
        return "250 OK"

    def to(self, address):
        return [mail for mail in self.mails if address in mail.recipients]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", controller.port, False
    settings.SITE_URL = "https://tracker.example.go.th"
    yield inbox
    controller.stop()


def text_of(mail):
    return mail.get_body(preferencelist=("plain",)).get_content()


def html_of(mail):
    return mail.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def cast(social_dept, social_division, district_office):
    """Staff and a director of สำนักพัฒนาสังคม, staff of a district office, one project each in
    fiscal year 2570 without November's report, and one of สำนักพัฒนาสังคม that has it."""
    people = {
        "staff": factories.make_user("staff", unit=social_dept, email="staff@bangkok.go.th"),
        "director": factories.make_user(
            "director", unit=social_dept, role=User.Role.DIRECTOR, email="director@bangkok.go.th"
        ),
        "district": factories.make_user("district", unit=district_office, email="district@bangkok.go.th"),
    }
    projects = {
        "missing": factories.make_project(code="24000000-7001", unit=social_division, fiscal_year=2570, name="ฝึกอาชีพ"),
        "district": factories.make_project(code="50240000-7002", unit=district_office, fiscal_year=2570),
        "reported": factories.make_project(code="24000000-7003", unit=social_dept, fiscal_year=2570),
    }
    factories.make_report(projects["reported"], report_date=date(2026, 11, 28), status="approved")
    return people, projects


def test_staff_are_told_three_days_ahead_of_their_units_reports_due(smtp, cast):
    people, projects = cast
    result = send_reminders(today=DEC_3)

    [mail] = smtp.to("staff@bangkok.go.th")
    assert "ใกล้ถึงกำหนด 1 โครงการ" in mail["Subject"]
    body = text_of(mail)
    assert "24000000-7001 ฝึกอาชีพ" in body  # a project of a unit below theirs
    assert "รายงานเดือนพฤศจิกายน 2569 (กำหนดส่ง 5 ธ.ค. 2569)" in body
    assert "https://tracker.example.go.th" + reverse("projects:progress_new", args=["24000000-7001"]) in body
    assert "24000000-7003" not in body  # reported in November
    assert "50240000-7002" not in body  # another unit's
    assert 'href="https://tracker.example.go.th/projects/24000000-7001/progress/new/"' in html_of(mail)
    assert result.sent == 3 and result.failed == 0


def test_running_twice_on_one_day_sends_each_person_one_mail(smtp, cast):
    call_command("send_reminders", "--date", "03/12/2569")
    call_command("send_reminders", "--date", "03/12/2569")

    assert sorted(address for mail in smtp.mails for address in mail.recipients) == [
        "director@bangkok.go.th",
        "district@bangkok.go.th",
        "staff@bangkok.go.th",
    ]
    assert ReminderMail.objects.filter(day=DEC_3).count() == 3

    call_command("send_reminders", "--date", "04/12/2569")  # the next day: everyone again
    assert len(smtp.mails) == 6


def test_after_the_due_date_the_report_is_late(smtp, cast):
    send_reminders(today=DEC_8)

    [mail] = smtp.to("district@bangkok.go.th")
    assert "เลยกำหนด 1 โครงการ" in mail["Subject"]
    assert "เลยกำหนดส่งแล้ว" in text_of(mail)
    assert "50240000-7002" in text_of(mail)


def test_a_director_gets_a_digest_of_the_units_under_them(smtp, cast):
    send_reminders(today=DEC_8)

    [mail] = smtp.to("director@bangkok.go.th")
    body = text_of(mail)
    assert "สำนักงานการส่งเสริมอาชีพ: เลยกำหนด 1 โครงการ" in body
    assert "24000000-7001" in body and "50240000-7002" not in body


def test_nobody_is_mailed_with_nothing_to_say(smtp, cast):
    people, projects = cast
    factories.make_report(projects["missing"], report_date=date(2026, 11, 30), status="approved")
    factories.make_report(projects["district"], report_date=date(2026, 11, 15), status="approved")

    result = send_reminders(today=DEC_3)

    assert smtp.mails == [] and result.sent == 0 and result.nothing_to_say == 3


def test_a_deleted_report_does_not_count_as_made(smtp, cast):
    people, projects = cast
    report = factories.make_report(projects["missing"], report_date=date(2026, 11, 30))
    report.deleted_at = report.entered_at or report.updated_at
    report.save()

    send_reminders(today=DEC_3)

    assert "24000000-7001" in text_of(smtp.to("staff@bangkok.go.th")[0])


def test_users_who_turned_reminders_off_have_no_address_or_left_get_none(smtp, cast):
    people, _ = cast
    User.objects.filter(pk=people["staff"].pk).update(reminder_mails=False)
    User.objects.filter(pk=people["director"].pk).update(is_active=False)
    User.objects.filter(pk=people["district"].pk).update(email="")

    assert send_reminders(today=DEC_3).sent == 0
    assert smtp.mails == []


def test_a_relay_that_is_down_leaves_everyone_to_the_next_run(smtp, cast, settings):
    relay = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there

    with pytest.raises(CommandError, match="could not be sent"):
        call_command("send_reminders", "--date", "03/12/2569")
    assert ReminderMail.objects.count() == 0

    settings.EMAIL_PORT = relay
    call_command("send_reminders", "--date", "03/12/2569")
    assert len(smtp.mails) == 3


def test_reminders_are_read_in_the_same_queries_for_two_or_twenty_people(cast, social_dept, django_assert_num_queries):
    # units, the year's calendar and closed quarters, November's reports, projects, the reports
    # awaiting approval, people
    with django_assert_num_queries(7):
        assert len(reminders(DEC_3, 3)) == 3
    for n in range(18):
        factories.make_user(f"more{n}", unit=social_dept, email=f"more{n}@bangkok.go.th")
    with django_assert_num_queries(7):  # units, November's reports, projects, people
        assert len(reminders(DEC_3, 3)) == 21


def test_a_bad_date_is_refused_in_words(cast):
    with pytest.raises(CommandError, match="วว/ดด/ปปปป"):
        call_command("send_reminders", "--date", "2026-12-03")


def test_users_turn_reminders_off_on_their_profile_page_linked_from_every_page(client, staff):
    login(client, staff)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("profile")}"' in home

    response = client.post(reverse("profile"), {"email": "Staff@Bangkok.go.th"})  # box unticked

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.reminder_mails is False and staff.email == "staff@bangkok.go.th"


def test_the_profile_page_refuses_a_bad_address_in_thai(client, staff):
    login(client, staff)
    response = client.post(reverse("profile"), {"email": "not an address", "reminder_mails": "on"})
    assert response.status_code == 200
    assert "ที่อยู่อีเมล" in response.content.decode() or "อีเมล" in response.content.decode()
    staff.refresh_from_db()
    assert staff.email == ""
    response = client.post(reverse("profile"), {"reminder_mails": "on"})
    assert "กรุณากรอก" in response.content.decode() or "จำเป็น" in response.content.decode()


def test_the_profile_page_needs_a_login_and_pins_its_queries(client, staff, django_assert_num_queries):
    assert client.get(reverse("profile")).status_code == 302
    login(client, staff)
    with django_assert_num_queries(2):  # the session, the user with their unit
        assert client.get(reverse("profile")).status_code == 200


# --- With the reporting cycle (projects/cycle.py) ---------------------------------------------


def test_the_due_day_is_the_planning_offices(smtp, cast):
    """With reports due by the 10th, November's report is still due (not late) on 8 December."""
    from projects.models import ReportingCalendar

    calendar = ReportingCalendar.default_for(2570)
    calendar.report_due_day = 10
    calendar.save()
    send_reminders(today=DEC_8)

    [mail] = smtp.to("district@bangkok.go.th")
    assert "ใกล้ถึงกำหนด 1 โครงการ" in mail["Subject"]
    assert "กำหนดส่ง 10 ธ.ค. 2569" in text_of(mail)


def test_a_draft_and_a_returned_report_are_still_to_do_with_a_link_to_their_form(smtp, cast):
    people, projects = cast
    draft = factories.make_report(projects["missing"], report_date=date(2026, 11, 29), status="draft")
    returned = factories.make_report(
        projects["district"], report_date=date(2026, 11, 20), status="returned", review_comment="แก้ตัวเลข"
    )
    send_reminders(today=DEC_3)

    staff_mail = text_of(smtp.to("staff@bangkok.go.th")[0])
    assert "ร่าง ยังไม่ได้ส่ง" in staff_mail
    assert reverse("projects:progress_edit", args=["24000000-7001", draft.pk]) in staff_mail
    district_mail = smtp.to("district@bangkok.go.th")[0]
    assert "ต้องส่งหรือแก้ไข 1 ฉบับ" in district_mail["Subject"]
    assert "ส่งกลับให้แก้ไข" in text_of(district_mail)
    assert reverse("projects:progress_edit", args=["50240000-7002", returned.pk]) in text_of(district_mail)


def test_a_director_is_told_what_waits_for_their_approval(smtp, cast):
    people, projects = cast
    waiting = factories.make_report(projects["missing"], report_date=date(2026, 11, 30))  # submitted
    factories.make_report(projects["district"], report_date=date(2026, 11, 30))  # another unit's
    send_reminders(today=DEC_3)

    [mail] = smtp.to("director@bangkok.go.th")
    body = text_of(mail)
    assert "รายงานรอการอนุมัติของท่าน 1 ฉบับ" in body
    assert reverse("projects:progress_review", args=["24000000-7001", waiting.pk]) in body
    assert "50240000-7002" not in body
    assert smtp.to("staff@bangkok.go.th") == []  # the submitted report is the staff's part done


def test_a_month_of_a_closed_quarter_is_nobodys_to_do(smtp, cast, planner):
    from projects import services

    people, projects = cast
    services.quarter_close(user=planner, fiscal_year=2570, quarter=1, unit=None)
    assert send_reminders(today=DEC_8).sent == 0
    assert smtp.mails == []
