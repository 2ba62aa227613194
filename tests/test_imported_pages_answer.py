"""Every page of every imported record answers (issue 18): after the legacy printouts in
fixtures/legacy/ are imported (the three seeds and the three pages written in the other
layouts) on the reference data, each imported project's page, print page, PDF and history,
each imported indicator's page, history, report and its PDF, the unit performance page and the
city-development indicator page answer 200 to every role that may read them; the edit pages
answer 200 to the owning unit's staff and 403 to another unit's."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.models import CityIndicator, Indicator
from projects.models import OrgUnit, Project, User
from tests import factories
from tests.paths import SEEDS
from tests.test_import_legacy import import_ok

READERS = ("staff_owner", "staff_other", "planner")


@pytest.fixture
def imported(db):
    call_command("load_reference", verbosity=0)
    import_ok(SEEDS / "000_ce21939e2f54dfaa.txt", SEEDS / "003_479be46a3a9ca5c2.txt")
    import_ok(SEEDS / "002_b90a0f8adbbb71e4.txt", indicator_code="2400-9001", fy=2564)
    written = ["kpi_detail_written_5012-0456.txt", "unit_performance_written_50120000_dim1.txt"]
    import_ok(*(SEEDS / name for name in written), SEEDS / "city_indicator_written_123.txt", fy=2564)
    social = OrgUnit.objects.get(code="24000000")
    return {
        "staff_owner": factories.make_user("owner-staff", unit=social, role=User.Role.STAFF),
        "staff_other": factories.make_user("other-staff", unit=OrgUnit.objects.get(code="50240000")),
        "planner": factories.make_user("the-planner", unit=OrgUnit.objects.get(code="11000000"), role="planner"),
    }


def read_urls():
    urls = []
    for project in Project.objects.all():
        for name in ("projects:detail", "projects:print", "projects:print_pdf", "projects:history"):
            urls.append(reverse(name, args=[project.code]))
    for indicator in Indicator.objects.all():
        args = [indicator.code, indicator.fiscal_year]
        urls += [reverse("indicators:detail", args=args), reverse("indicators:history", args=args)]
        urls += [reverse("reports:indicator_report", args=[*args, 1])]
        urls += [reverse("reports:indicator_report_pdf", args=[*args, 1])]
        if indicator.dimension_id and indicator.unit_id:
            urls.append(reverse("indicators:performance", args=[indicator.unit.code, indicator.fiscal_year]))
    for city in CityIndicator.objects.all():
        urls.append(reverse("indicators:city_detail", args=[city.number]))
    return sorted(set(urls))


def test_every_imported_record_has_its_pages(imported):
    assert Project.objects.count() == 2
    assert Indicator.objects.count() >= 5
    assert CityIndicator.objects.filter(number=123).exists()


@pytest.mark.parametrize("role", READERS)
def test_every_page_of_every_imported_record_answers_200_to_each_reader(client, imported, role):
    client.force_login(imported[role])
    urls = read_urls()
    if role != "planner":  # the PDFs take WeasyPrint a second each: one reader is enough
        urls = [url for url in urls if not url.endswith(".pdf")]
    failures = [(url, status) for url in urls if (status := client.get(url).status_code) != 200]
    assert not failures


def test_the_history_of_an_imported_project_says_system_for_the_importer(client, imported):
    client.force_login(imported["planner"])
    assert "ระบบ" in client.get(reverse("projects:history", args=["24000000-3029"])).content.decode()


def test_edit_pages_answer_the_owning_unit_and_refuse_another(client, imported):
    project = Project.objects.get(code="24000000-3029")
    indicator = Indicator.objects.get(code="2400-1065")
    edit_urls = [
        reverse("projects:edit", args=[project.code]),
        reverse("projects:steps", args=[project.code]),
        reverse("projects:progress_new", args=[project.code]),
        reverse("indicators:edit", args=[indicator.code, indicator.fiscal_year]),
        reverse("indicators:result_edit", args=[indicator.code, indicator.fiscal_year, 1]),
    ]
    for role, expected in (("staff_owner", 200), ("staff_other", 403)):
        client.force_login(imported[role])
        assert [client.get(url).status_code for url in edit_urls] == [expected] * len(edit_urls), role
