"""seed_demo also builds performance agreements (from its indicators) and a city-development
base, so that a fresh `make run` shows those pages with data."""

from collections import defaultdict

from django.urls import reverse

from devtools import demo
from indicators.models import CityIndicator, EvaluationDimension, Indicator
from projects.models import User
from tests.conftest import login
from tests.test_seed_demo import seed


def test_it_gives_units_agreements_numbered_inside_each_dimension(db):
    seed()
    assert list(EvaluationDimension.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    agreement = Indicator.objects.in_agreement()
    assert 0 < agreement.count() < Indicator.objects.count()  # some indicators, not all
    numbers = defaultdict(list)
    for fiscal_year, unit, dimension, number in agreement.values_list(
        "fiscal_year", "unit_id", "dimension__number", "agreement_number"
    ):
        numbers[fiscal_year, unit, dimension].append(number)
    for (_fy, _unit, dimension), found in numbers.items():
        assert sorted(found) == sorted(f"{dimension}.{n}" for n in range(1, len(found) + 1))


def test_it_builds_the_city_base_once_aligned_to_the_plan(db):
    seed()
    assert CityIndicator.objects.count() == len(demo.CITY_INDICATORS)
    assert all(indicator.plan_nodes.count() == 3 for indicator in CityIndicator.objects.all())
    assert CityIndicator.objects.filter(lower_is_better=True, base_year__isnull=False).exists()
    seed("--reset")
    assert CityIndicator.objects.count() == len(demo.CITY_INDICATORS)


def test_the_pages_answer_on_the_demo_data(client, db):
    seed()
    indicator = Indicator.objects.in_agreement().select_related("unit").first()
    login(client, User.objects.get(username="demo-staff"))
    assert client.get(reverse("indicators:performance_index"), {"fy": indicator.fiscal_year}).status_code == 200
    url = reverse("indicators:performance", args=[indicator.unit.code, indicator.fiscal_year])
    assert indicator.name in client.get(url).content.decode()
    assert client.get(reverse("indicators:city_list")).status_code == 200
    assert client.get(reverse("indicators:city_detail", args=[demo.CITY_NUMBER_START])).status_code == 200
