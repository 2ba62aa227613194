"""What a unit scope and a district group hold: one rule (OrgUnitQuerySet.subtree_of and
in_district_group) for the dashboards, the books, the indicator Excel export and the project
list. A district office's sub-units belong to its group even with their own group left blank."""

import pytest
from django.urls import reverse

from projects.models import DistrictGroup, OrgUnit, Project
from reports.book import book_indicators
from reports.dashboard import Period, dashboard_data
from reports.excel import indicator_quarter_table
from reports.scopes import Scope
from tests import factories
from tests.conftest import login


@pytest.fixture
def office_section(district_office):
    """A section under a district office, its own district group left blank (as divisions are)."""
    return factories.make_unit(code="50240100", kind=OrgUnit.Kind.DIVISION, parent=district_office)


@pytest.fixture
def office_subsection(office_section):
    return factories.make_unit(code="50240101", kind=OrgUnit.Kind.DIVISION, parent=office_section)


@pytest.fixture
def owned(district_office, office_section, office_subsection, social_dept):
    for unit in (district_office, office_section, office_subsection, social_dept):
        factories.make_project(code=f"{unit.code}-1", unit=unit, fiscal_year=2564)
        factories.make_indicator(code=f"{unit.code[:4]}-{unit.code[4:]}", fiscal_year=2564, unit=unit)


def test_a_district_group_holds_its_offices_and_every_unit_under_them(
    district_office, office_section, office_subsection, social_dept
):
    group = OrgUnit.objects.in_district_group(district_office.district_group)
    assert set(group) == {district_office, office_section, office_subsection}
    assert not OrgUnit.objects.in_district_group(DistrictGroup.SOUTH).exists()


def test_the_scopes_hold_the_same_units(district_office, office_section, office_subsection, social_dept):
    assert set(Scope.for_group(district_office.district_group).units()) == {
        district_office,
        office_section,
        office_subsection,
    }
    assert set(Scope.for_unit(district_office).units()) == {district_office, office_section, office_subsection}
    assert set(Scope.bma().units()) == set(OrgUnit.objects.all())


def test_the_group_dashboard_counts_the_projects_of_an_offices_sub_units(owned, district_office):
    group = Scope.for_group(district_office.district_group)
    assert dashboard_data(group, 2564, Period.default(2564)).headline["total"] == 3
    whole = dashboard_data(Scope.bma(), 2564, Period.default(2564))
    # In the whole BMA's rows, the section's projects count in its office's group.
    rows = {row["key"]: row["n_projects"] for row in whole.by_child}
    assert rows[("group", district_office.district_group)] == 3


def test_the_group_book_holds_the_indicators_of_an_offices_sub_units(owned, district_office):
    indicators = book_indicators(Scope.for_group(district_office.district_group), 2564)
    assert [i.unit.code for i in indicators] == ["50240000", "50240100", "50240101"]


def test_the_excel_export_of_a_group_holds_the_indicators_of_an_offices_sub_units(owned, district_office):
    table = indicator_quarter_table(2564, 1, Scope.for_group(district_office.district_group))
    assert [row[0] for row in table.rows] == ["5024-0000", "5024-0100", "5024-0101"]
    assert table.filename == f"indicators-group-{district_office.district_group}-2564-q1"


def test_the_project_list_group_filter_holds_the_projects_of_an_offices_sub_units(
    client, staff, owned, district_office
):
    response = login(client, staff).get(
        reverse("projects:list"), {"fiscal_year": 2564, "district_group": district_office.district_group}
    )
    assert [p.code for p in response.context["page"].object_list] == ["50240000-1", "50240100-1", "50240101-1"]
    assert set(Project.objects.for_district_group(district_office.district_group)) == set(
        response.context["page"].object_list
    )


def test_a_scope_key_names_the_unit_by_code(social_dept):
    assert [Scope.bma().key, Scope.for_unit(social_dept).key, Scope.for_group("south").key] == [
        "bma",
        "unit:24000000",
        "group:south",
    ]
    assert Scope.for_unit(social_dept).slug == "unit-24000000"
    assert Scope.of("group", unit=social_dept, group="south") == Scope.for_group("south")
