"""The city-development indicator base (2562–2563, legacy mykpi2563.php): the list with search,
the plan-dimension filter and paging, and the page per indicator."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import CityIndicator
from tests import factories
from tests.conftest import login

LIST_URL = reverse("indicators:city_list")


def detail_url(number):
    return reverse("indicators:city_detail", args=[number])


def numbers(response):
    return [indicator.number for indicator in response.context["page"].object_list]


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def plan(db):
    """Dimension 2 with a sub-dimension and a goal, dimension 1, and a dimension 13 whose code
    starts with "1" (it must not count as dimension 1)."""
    two = factories.make_plan_node("2", "มหานครสีเขียว สะดวกสบาย")
    sub = factories.make_plan_node("2.1", "ลดมลพิษ", edition=two.edition, parent=two)
    goal = factories.make_plan_node("2.1.1", "ประชาชนมีคุณภาพอากาศที่ดี", edition=two.edition, parent=sub)
    return {
        "2": two,
        "2.1": sub,
        "2.1.1": goal,
        "1": factories.make_plan_node("1", "มหานครปลอดภัย", edition=two.edition),
        "13.1": factories.make_plan_node("13.1", "ด้านที่สิบสาม", edition=two.edition),
    }


@pytest.fixture
def city(plan):
    air = factories.make_city_indicator(
        number=123,
        ordinal_display="๒.",
        name="ร้อยละของจำนวนวันที่มีค่าฝุ่นละอองเกินมาตรฐานลดลง",
        measure="ลดลงร้อยละ",
        lower_is_better=True,
        target_text="5 จากปีที่ผ่านมา พ.ศ. 2563",
        target=Decimal("5"),
        base_year=2563,
        data_characteristic="ตัวชี้วัดเป้าประสงค์",
        definitions="1.1 ฝุ่นละออง หมายถึง ฝุ่นขนาดไม่เกิน 2.5 ไมครอน\n1.2 มาตรฐาน หมายถึง 50 มคก./ลบ.ม.",
        sections=[
            {"number": "2", "title": "วิธีการคำนวณ", "text": "(จำนวนวันปีก่อน - จำนวนวันปีนี้) x 100 / จำนวนวันปีก่อน"},
            {"number": "3", "title": "แหล่งข้อมูล", "text": "สำนักสิ่งแวดล้อม"},
        ],
    )
    air.plan_nodes.add(plan["2.1.1"], plan["2"], plan["2.1"])
    survey = factories.make_city_indicator(
        number=7,
        ordinal_display="4.",
        name="ร้อยละของประชาชนที่พึงพอใจต่อความปลอดภัย",
        measure="ร้อยละ",
        target_text="20 ของประชาชนที่ทำการสำรวจ",
        plan_alignment_text=":ด้านที่ ๑ - มหานครปลอดภัย\n:มิติที่ ๑.๑ - ปลอดอาชญากรรม%",
    )
    books = factories.make_city_indicator(number=45, name="จำนวนคู่มือการจัดการน้ำท่วม", measure="เล่ม", target=Decimal("1"))
    books.plan_nodes.add(plan["13.1"])
    return {"air": air, "survey": survey, "books": books}


# --- who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST_URL, detail_url(123)])
def test_anonymous_visitors_are_sent_to_login(client, city, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("reader", ["staff", "other_staff", "director", "planner"])
def test_every_signed_in_user_reads_the_base(client, city, reader, request):
    login(client, request.getfixturevalue(reader))
    assert client.get(LIST_URL).status_code == 200
    assert client.get(detail_url(123)).status_code == 200


@pytest.mark.parametrize("path", ["/indicators/city/999/", f"/indicators/city/{'9' * 30}/"])
def test_an_unknown_number_is_404(client, staff, city, path):
    assert login(client, staff).get(path).status_code == 404


def test_the_pages_only_answer_get(client, staff, city):
    login(client, staff)
    assert client.post(LIST_URL).status_code == 405
    assert client.post(detail_url(123)).status_code == 405


# --- the list --------------------------------------------------------------------------------------


def test_it_lists_every_indicator_by_number(client, staff, city):
    response = login(client, staff).get(LIST_URL)
    assert numbers(response) == [7, 45, 123]
    page = text(response.content.decode())
    assert "๒. ร้อยละของจำนวนวันที่มีค่าฝุ่นละอองเกินมาตรฐานลดลง" in page
    assert "ลดลงร้อยละ 5 จากปีที่ผ่านมา พ.ศ. 2563" in page
    assert "ตัวชี้วัดเป้าประสงค์" in page
    assert "พบ 3 ตัวชี้วัด" in page
    assert f'href="{detail_url(123)}"' in response.content.decode()


def test_each_row_shows_the_plan_dimensions_it_supports(client, staff, city):
    html = login(client, staff).get(LIST_URL).content.decode()
    row = re.search(r'data-number="123">.*?</tr>', html, re.S)[0]
    assert re.findall(r'data-dimension="([^"]+)"', row) == ["2"]
    row = re.search(r'data-number="45">.*?</tr>', html, re.S)[0]
    assert re.findall(r'data-dimension="([^"]+)"', row) == ["13"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ฝุ่นละออง", [123]),
        ("ประชาชน", [7]),
        ("123", [123]),
        ("คู่มือ", [45]),
        ("ไม่มีคำนี้", []),
        ("ร้อยละ", [7, 123]),
    ],
)
def test_it_searches_names_and_numbers(client, staff, city, query, expected):
    assert numbers(login(client, staff).get(LIST_URL, {"q": query})) == expected


def test_it_finds_a_name_typed_with_the_other_spelling_of_sara_am(client, staff, city):
    factories.make_city_indicator(number=8, name="ร้อยละของน้ำเสียที่ได้รับการบำบัด")
    assert numbers(login(client, staff).get(LIST_URL, {"q": "น\u0e49\u0e4d\u0e32เสีย"})) == [8]


def test_it_filters_by_plan_dimension(client, staff, city):
    login(client, staff)
    assert numbers(client.get(LIST_URL, {"dimension": "2"})) == [123]
    assert numbers(client.get(LIST_URL, {"dimension": "1"})) == []  # 13.1 is not under dimension 1
    assert numbers(client.get(LIST_URL, {"dimension": "2", "q": "ฝุ่น"})) == [123]
    assert numbers(client.get(LIST_URL, {"dimension": "2", "q": "ประชาชน"})) == []


def test_a_bad_filter_is_reported_in_thai_and_ignored(client, staff, city):
    response = login(client, staff).get(LIST_URL, {"dimension": "99", "q": "ก" * 201})
    assert response.status_code == 200
    assert numbers(response) == [7, 45, 123]
    html = response.content.decode()
    assert "ค่าที่เลือกไม่ถูกต้อง กรุณาเลือกจากรายการ" in html
    assert "คำค้นหายาวเกินไป (ไม่เกิน 200 ตัวอักษร)" in html


def test_it_pages_by_fifty_keeping_the_filters(client, staff, plan):
    created = CityIndicator.objects.bulk_create(
        CityIndicator(number=n, name=f"ตัวชี้วัดลำดับ {n}", search_text=f"{n} ตัวชี้วัดลำดับ {n}") for n in range(1, 121)
    )
    CityIndicator.plan_nodes.through.objects.bulk_create(
        CityIndicator.plan_nodes.through(cityindicator_id=indicator.pk, plannode_id=plan["2.1.1"].pk)
        for indicator in created
    )
    login(client, staff)
    first = client.get(LIST_URL, {"q": "ลำดับ", "dimension": "2"})
    assert numbers(first) == list(range(1, 51))
    assert first.context["page"].paginator.num_pages == 3
    assert "q=%E0%B8%A5%E0%B8%B3%E0%B8%94%E0%B8%B1%E0%B8%9A&amp;dimension=2&amp;page=2" in first.content.decode()
    assert numbers(client.get(LIST_URL, {"q": "ลำดับ", "dimension": "2", "page": 3})) == list(range(101, 121))


@pytest.mark.parametrize("page", ["0", "999", "abc", "-1"])
def test_a_bad_page_number_gives_a_page_not_an_error(client, staff, city, page):
    assert login(client, staff).get(LIST_URL, {"page": page}).status_code == 200


# session, the user with their unit, the count, the page's rows, their plan nodes.
LIST_QUERIES = 5


@pytest.mark.parametrize("count", [10, 200])
def test_the_list_query_count_does_not_grow_with_the_indicators(client, staff, plan, count, django_assert_num_queries):
    created = CityIndicator.objects.bulk_create(
        CityIndicator(number=n, name=f"ตัวชี้วัด {n}", search_text=f"{n} ตัวชี้วัด {n}") for n in range(1, count + 1)
    )
    CityIndicator.plan_nodes.through.objects.bulk_create(
        CityIndicator.plan_nodes.through(cityindicator_id=indicator.pk, plannode_id=plan[code].pk)
        for indicator in created
        for code in ("2", "2.1.1")
    )
    login(client, staff)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST_URL, {"q": "ตัวชี้วัด", "dimension": "2"})
    assert len(numbers(response)) == min(count, 50)


# --- the page per indicator --------------------------------------------------------------------------


def test_the_page_shows_ordinal_name_number_measure_target_and_characteristic(client, staff, city):
    page = text(login(client, staff).get(detail_url(123)).content.decode())
    assert "๒. ร้อยละของจำนวนวันที่มีค่าฝุ่นละอองเกินมาตรฐานลดลง : 123" in page
    assert "ค่าเป้าหมาย ลดลงร้อยละ : 5 จากปีที่ผ่านมา พ.ศ. 2563" in page
    assert "หน่วยนับ ลดลงร้อยละ ค่าน้อยดีกว่า" in page
    assert "ปีฐาน พ.ศ. 2563" in page
    assert "ลักษณะข้อมูล ตัวชี้วัดเป้าประสงค์" in page


def test_higher_is_better_carries_no_lower_is_better_mark(client, staff, city):
    page = text(login(client, staff).get(detail_url(7)).content.decode())
    assert "ค่าน้อยดีกว่า" not in page
    assert "ปีฐาน" not in page


def test_the_plan_alignment_lists_the_nodes_with_their_codes_in_the_trees_order(client, staff, city):
    html = login(client, staff).get(detail_url(123)).content.decode()
    assert re.findall(r'<li class="plan-node" data-code="([^"]+)">', html) == ["2", "2.1", "2.1.1"]
    page = text(html)
    assert "ด้านที่ ๒ - มหานครสีเขียว สะดวกสบาย" in page
    assert "มิติที่ ๒.๑ - ลดมลพิษ" in page
    assert "เป้าหมายที่ ๒.๑.๑ - ประชาชนมีคุณภาพอากาศที่ดี" in page


def test_without_nodes_the_alignment_text_is_shown_as_entered(client, staff, city):
    html = login(client, staff).get(detail_url(7)).content.decode()
    assert ":ด้านที่ ๑ - มหานครปลอดภัย\n:มิติที่ ๑.๑ - ปลอดอาชญากรรม%" in html


def test_the_definitions_then_the_numbered_sections_in_order(client, staff, city):
    page = text(login(client, staff).get(detail_url(123)).content.decode())
    positions = [
        page.index(piece)
        for piece in (
            "1. นิยาม หรือความหมายของตัวชี้วัด",
            "1.1 ฝุ่นละออง หมายถึง",
            "1.2 มาตรฐาน หมายถึง",
            "2. วิธีการคำนวณ",
            "(จำนวนวันปีก่อน - จำนวนวันปีนี้) x 100 / จำนวนวันปีก่อน",
            "3. แหล่งข้อมูล",
            "สำนักสิ่งแวดล้อม",
        )
    ]
    assert positions == sorted(positions)


@pytest.mark.parametrize("sections", [{"2": "วิธีการคำนวณ"}, ["ข้อความ", {"title": "แหล่งข้อมูล"}], "ข้อความ", 12])
def test_sections_of_an_unexpected_shape_do_not_break_the_page(client, staff, db, sections):
    indicator = factories.make_city_indicator(number=9)
    CityIndicator.objects.filter(pk=indicator.pk).update(sections=sections)
    response = login(client, staff).get(detail_url(9))
    assert response.status_code == 200
    if isinstance(sections, list):
        assert "แหล่งข้อมูล" in response.content.decode()


# session, the user with their unit, the indicator, its plan nodes.
DETAIL_QUERIES = 4


def test_the_page_query_count_is_pinned(client, staff, city, django_assert_num_queries):
    login(client, staff)
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(detail_url(123)).status_code == 200


def test_english_ui_shows_english_labels(client, staff, city):
    login(client, staff)
    client.cookies["django_language"] = "en"
    page = text(client.get(detail_url(123)).content.decode())
    assert "Data characteristic ตัวชี้วัดเป้าประสงค์" in page
    assert "Base year 2563 BE" in page
    assert "Lower is better" in page
    assert "1. Definition or meaning of the indicator" in page
    assert "Dimension ๒ - มหานครสีเขียว สะดวกสบาย" in page
    assert "ลักษณะข้อมูล" not in page
    listing = text(client.get(LIST_URL).content.decode())
    assert "City-development indicators" in listing and "3 indicators found" in listing


def test_the_admin_edits_the_base_and_the_dimensions(client, admin_user, city):
    login(client, admin_user)
    assert client.get(reverse("admin:indicators_cityindicator_changelist"), {"q": "ฝุ่น"}).status_code == 200
    assert client.get(reverse("admin:indicators_cityindicator_change", args=[city["air"].pk])).status_code == 200
    assert client.get(reverse("admin:indicators_evaluationdimension_changelist")).status_code == 200
