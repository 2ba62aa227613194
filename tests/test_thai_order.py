import pytest
from django.db import connection

from bma_tracker.db import thai_order
from projects.models import OrgUnit
from tests import factories


@pytest.mark.django_db
def test_thai_names_sort_in_dictionary_order_on_postgresql():
    names = ["สำนักงานเขตบางแค", "โครงการ", "กรุงเทพ", "เขต", "ขอนแก่น"]
    for name in names:
        factories.make_unit(name=name)
    ordered = list(OrgUnit.objects.order_by(thai_order("name")).values_list("name", flat=True))
    if connection.vendor == "postgresql":
        # เขต sorts under ข, โครงการ under ค: Thai dictionary order ignores the leading vowel.
        assert ordered == ["กรุงเทพ", "ขอนแก่น", "เขต", "โครงการ", "สำนักงานเขตบางแค"]
    else:
        assert ordered == sorted(names)
