"""The legacy seeds (fixtures/legacy/, imported with import_legacy as the importer's tests do)
on the indicator pages: /indicators/ lists 2400-1065 for the planning office and for the staff
of สำนักพัฒนาสังคม; its page shows target 3 กลุ่ม, achieved 0, the four quarterly rows and a link
to the project 24000000-3029."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import OrgUnit, User
from tests import factories
from tests.conftest import login
from tests.paths import SEEDS


@pytest.fixture
def seeds(db):
    out = StringIO()
    call_command(
        "import_legacy", str(SEEDS / "000_ce21939e2f54dfaa.txt"), str(SEEDS / "003_479be46a3a9ca5c2.txt"), stdout=out
    )
    call_command(
        "import_legacy", str(SEEDS / "002_b90a0f8adbbb71e4.txt"), indicator_code="2400-9001", fy=2564, stdout=out
    )


@pytest.fixture
def social_staff(seeds):
    return factories.make_user("social-staff", unit=OrgUnit.objects.get(code="24000000"), role=User.Role.STAFF)


@pytest.fixture
def seed_planner(seeds):
    return factories.make_user("seed-planner", unit=None, role=User.Role.PLANNER)


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("reader", ["social_staff", "seed_planner"])
def test_the_list_shows_the_seed_indicator(client, request, reader):
    login(client, request.getfixturevalue(reader))
    response = client.get(reverse("indicators:list"), {"fiscal_year": 2564})
    assert "2400-1065" in [indicator.code for indicator in response.context["page"]]
    assert 'href="/indicators/2400-1065/2564/"' in response.content.decode()
    mine = client.get(reverse("indicators:list"), {"fiscal_year": 2564, "unit": "24000000", "q": "แรงงานนอกระบบ"})
    assert [indicator.code for indicator in mine.context["page"]] == ["2400-1065", "2400-9001"]


@pytest.mark.parametrize("reader", ["social_staff", "seed_planner"])
def test_the_seed_indicators_page(client, request, reader):
    response = login(client, request.getfixturevalue(reader)).get(
        reverse("indicators:detail", args=["2400-1065", 2564])
    )
    assert response.status_code == 200
    html = response.content.decode()
    page = text(html)
    assert "จำนวนกลุ่มเป้าหมายของแรงงานนอกระบบในพื้นที่เขตเข้าถึงสวัสดิการทางสังคม : 2400-1065" in page
    assert "ค่าเป้าหมาย กลุ่ม : 3" in page
    assert "ผลงานที่ทำได้ กลุ่ม : 0" in page
    rows = re.findall(r'<tr class="indicator-quarter"[^>]*data-quarter="(\d)">', html)
    assert rows == ["1", "2", "3", "4"]
    assert 'href="/projects/24000000-3029/"' in html
    # The importer's entries are in the history, by the system.
    history = text(html[html.index('id="history"') :])
    assert "ระบบ" in history


def test_the_project_page_links_its_indicator(client, social_staff):
    html = login(client, social_staff).get(reverse("projects:detail", args=["24000000-3029"])).content.decode()
    assert 'href="/indicators/2400-1065/2564/"' in html


def test_the_seed_projects_history_names_the_system_for_the_importers_entries(client, social_staff):
    response = login(client, social_staff).get(reverse("projects:history", args=["24000000-3029"]))
    assert response.status_code == 200
    assert "ระบบ" in text(response.content.decode())
