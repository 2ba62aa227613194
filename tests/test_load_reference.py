"""`manage.py load_reference`: the reference data of fixtures/reference/ (units, the 20-year plan,
the evaluation dimensions) created or updated by natural key, idempotent, never deleting, and a
broken file refused with nothing stored."""

import csv
import re
import shutil
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from indicators.models import EvaluationDimension
from projects.models import DistrictGroup, OrgUnit, PlanEdition, PlanNode
from tests import factories
from tests.paths import ROOT

REFERENCE = ROOT / "fixtures" / "reference"

pytestmark = pytest.mark.django_db


def load(directory=REFERENCE, verbosity=1):
    out = StringIO()
    call_command("load_reference", "--dir", str(directory), verbosity=verbosity, stdout=out)
    return out.getvalue()


def entries(name):
    with open(REFERENCE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def database_rows():
    """Every row of every table the apps own (not the change counters the database keeps)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and model._meta.label != "projects.ChangeCounter"
    }


@pytest.fixture
def broken(tmp_path):
    """A copy of the reference files to break: returns (directory, edit(file, old, new))."""
    directory = tmp_path / "reference"
    shutil.copytree(REFERENCE, directory)

    def edit(name, old, new):
        path = directory / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return directory, edit


def test_it_stores_every_entry_of_the_files(reference_data):
    assert OrgUnit.objects.count() == len(entries("units.csv"))
    assert PlanEdition.objects.count() == len(entries("plan_editions.csv"))
    assert PlanNode.objects.count() == len(entries("plan_nodes.csv"))
    assert EvaluationDimension.objects.count() == 4

    division = OrgUnit.objects.get(code="24040000")
    assert (division.name, division.kind, division.parent.code) == (
        "สำนักงานการส่งเสริมอาชีพ",
        OrgUnit.Kind.DIVISION,
        "24000000",
    )
    node = PlanNode.objects.get(edition__first_fiscal_year=2561, code="3.2.2.1")
    assert (node.code_display, node.level, node.title) == (
        "๓.๒.๒.๑",
        PlanNode.Level.TACTIC,
        "พัฒนาโรงเรียนฝึกอาชีพกรุงเทพมหานคร ศูนย์ฝึกอาชีพ และการจัดฝึกอาชีพ",
    )
    assert [node.parent.code, node.parent.parent.code, node.parent.parent.parent.code] == ["3.2.2", "3.2", "3"]
    assert node.parent.parent.parent.title_en == "Bangkok as a City for All"
    assert [(d.number, d.name) for d in EvaluationDimension.objects.all()] == [
        (1, "ด้านประสิทธิผลตามพันธกิจ"),
        (2, "ด้านประสิทธิภาพของการปฏิบัติราชการ"),
        (3, "ด้านคุณภาพการปฏิบัติราชการ"),
        (4, "ด้านการพัฒนาองค์กร"),
    ]
    assert all(d.name_en for d in EvaluationDimension.objects.all())


def test_all_50_district_offices_exist_with_distinct_codes_and_a_district_group(reference_data):
    districts = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.DISTRICT))
    assert len(districts) == 50
    assert len({d.code for d in districts}) == 50 and len({d.name for d in districts}) == 50
    assert all(re.fullmatch(r"50\d{2}0000", d.code) for d in districts)
    assert all(d.name.startswith("สำนักงานเขต") for d in districts)
    assert all(d.district_group in DistrictGroup.values for d in districts)
    assert {d.district_group for d in districts} == set(DistrictGroup.values)
    by_name = {d.name: d for d in districts}
    assert by_name["สำนักงานเขตธนบุรี"].district_group == DistrictGroup.THON_NORTH
    assert by_name["สำนักงานเขตราษฎร์บูรณะ"].district_group == DistrictGroup.THON_SOUTH
    assert by_name["สำนักงานเขตพระนคร"].district_group == DistrictGroup.CENTRAL
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT).count() >= 20


def test_the_unit_codes_seen_on_real_legacy_pages_carry_their_own_names_and_are_marked_real(reference_data):
    real = {
        "15000000": "สำนักเทศกิจ",
        "18000000": "สำนักการวางผังและพัฒนาเมือง",
        "24000000": "สำนักพัฒนาสังคม",
        "24040000": "สำนักงานการส่งเสริมอาชีพ",
        "50010000": "สำนักงานเขตพระนคร",
        "50160000": "สำนักงานเขตธนบุรี",
        "50240000": "สำนักงานเขตราษฎร์บูรณะ",
    }
    assert dict(OrgUnit.objects.filter(code__in=real).values_list("code", "name")) == real
    assert OrgUnit.objects.filter(name__in=real.values()).count() == len(real)
    assert {row["code"] for row in entries("units.csv") if row["status"] == "real"} == set(real)
    assert OrgUnit.objects.get(code="11000000").name == "สำนักยุทธศาสตร์และประเมินผล"


def test_every_entry_says_whether_it_is_real_and_where_it_comes_from():
    for name in ("units.csv", "plan_editions.csv", "plan_nodes.csv", "evaluation_dimensions.csv"):
        rows = entries(name)
        assert rows
        assert {row["status"] for row in rows} <= {"real", "illustrative"}, name
        assert all(row["source"] for row in rows), name


def test_the_plan_nodes_seen_in_the_seeds_are_marked_real_with_their_printed_titles():
    real = {row["code"]: row for row in entries("plan_nodes.csv") if row["status"] == "real"}
    assert set(real) == {"1", "1.4", "1.4.1", "1.4.1.1", "3", "3.2", "3.2.1", "3.2.2", "3.2.2.1"} | {
        "5",
        "5.2",
        "5.2.1",
        "5.2.1.1",
    }
    seed_000 = (ROOT / "fixtures" / "legacy" / "000_ce21939e2f54dfaa.txt").read_text(encoding="utf-8")
    assert f"๓.๒.๒.๑ {real['3.2.2.1']['title']}" in seed_000
    assert f"ด้านที่ ๓ - {real['3']['title']} : {real['3']['title_en']}" in seed_000


def test_running_it_twice_changes_nothing_the_second_time():
    first = load()
    assert "units: 72 created, 0 updated, 0 unchanged" in first
    before = database_rows()
    second = load()
    assert database_rows() == before
    units, editions, nodes = (
        len(entries("units.csv")),
        len(entries("plan_editions.csv")),
        len(entries("plan_nodes.csv")),
    )
    assert f"units: 0 created, 0 updated, {units} unchanged" in second
    assert f"plan editions: 0 created, 0 updated, {editions} unchanged" in second
    assert f"plan nodes: 0 created, 0 updated, {nodes} unchanged" in second
    assert "evaluation dimensions: 0 created, 0 updated, 4 unchanged" in second
    assert "updated unit" not in second


def test_it_updates_what_differs_and_prints_the_old_and_the_new_value():
    unit = factories.make_unit(code="18000000", name="สำนักการจราจรและขนส่ง")
    edition = factories.make_edition(first_fiscal_year=2561, name="ชื่อเดิม")
    node = factories.make_plan_node(code="3", title="ด้านเดิม", edition=edition)
    dimension = EvaluationDimension.objects.create(number=2, name="ชื่อเดิม")
    out = load()
    unit.refresh_from_db()
    node.refresh_from_db()
    dimension.refresh_from_db()
    assert unit.name == "สำนักการวางผังและพัฒนาเมือง"
    assert (node.title, node.title_en) == ("มหานครสำหรับทุกคน", "Bangkok as a City for All")
    assert dimension.name == "ด้านประสิทธิภาพของการปฏิบัติราชการ"
    assert "updated unit 18000000: name 'สำนักการจราจรและขนส่ง' -> 'สำนักการวางผังและพัฒนาเมือง'" in out
    assert "updated plan node 2561 3: title 'ด้านเดิม' -> 'มหานครสำหรับทุกคน'" in out
    assert "units: 71 created, 1 updated, 0 unchanged" in out
    assert "plan editions: 0 created, 1 updated, 0 unchanged" in out
    assert "evaluation dimensions: 3 created, 1 updated, 0 unchanged" in out


def test_it_never_deletes_nor_changes_what_the_files_do_not_list():
    unit = factories.make_unit(code="24090000", name="กองที่ไม่มีในไฟล์", kind=OrgUnit.Kind.DIVISION)
    other_edition = factories.make_edition(first_fiscal_year=2570, name="ฉบับอื่น")
    node = factories.make_plan_node(code="9", title="ด้านที่ไม่มีในไฟล์", edition=other_edition)
    load()
    assert OrgUnit.objects.get(pk=unit.pk).name == "กองที่ไม่มีในไฟล์"
    assert PlanNode.objects.get(pk=node.pk).title == "ด้านที่ไม่มีในไฟล์"
    assert PlanEdition.objects.get(pk=other_edition.pk).name == "ฉบับอื่น"


def test_it_lists_what_it_created_when_asked_for_detail():
    out = load(verbosity=2)
    assert "created unit 50160000" in out and "created plan node 2561 3.2.2.1" in out
    assert "created evaluation dimension มิติที่ 4" in out
    assert load(verbosity=0) == ""


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("units.csv", "50160000,สำนักงานเขตธนบุรี", "50150000,สำนักงานเขตธนบุรี",
         r"units\.csv line 39 \(50150000\): code 50150000 is listed twice \(first on line 38\)"),
        ("units.csv", "50020000,สำนักงานเขตดุสิต,district,,central", "50020000,สำนักงานเขตดุสิต,district,,",
         r"units\.csv line 25 \(50020000\): a district office needs a district_group"),
        ("units.csv", "50020000,สำนักงานเขตดุสิต,district,,central", "50020000,สำนักงานเขตดุสิต,district,,middle",
         r"units\.csv line 25 \(50020000\): district_group must be one of central, "),
        ("units.csv", "24040000,สำนักงานการส่งเสริมอาชีพ,division,24000000",
         "24040000,สำนักงานการส่งเสริมอาชีพ,office,24000000", r"units\.csv line 23 \(24040000\): kind must be one of"),
        ("units.csv", "24040000,สำนักงานการส่งเสริมอาชีพ,division,24000000",
         "24040000,สำนักงานการส่งเสริมอาชีพ,division,24990000",
         r"units\.csv line 23 \(24040000\): parent 24990000 is neither listed above it nor stored"),
        ("units.csv", "15000000,สำนักเทศกิจ", "1500000,สำนักเทศกิจ", r"units\.csv line 13 \(1500000\): code: "),
        ("units.csv", "15000000,สำนักเทศกิจ,department,,,real", "15000000,สำนักเทศกิจ,department,,,maybe",
         r"units\.csv line 13 \(15000000\): status must be real or illustrative"),
        ("units.csv", "code,name,kind", "code,title,kind", r"units\.csv line 1: the columns must be code,name,kind"),
        ("plan_nodes.csv", "2561,3.2.2.1,๓.๒.๒.๑", "2561,3.2.2.1,๓.๒.๒.๒",
         r"plan_nodes\.csv line 27 \(2561 3\.2\.2\.1\): code_display '๓\.๒\.๒\.๒' is not code 3\.2\.2\.1"),
        ("plan_nodes.csv", "2561,3.2.2.1,๓.๒.๒.๑", "2561,3.9.2.1,๓.๙.๒.๑",
         r"plan_nodes\.csv line 27 \(2561 3\.9\.2\.1\): parent node 3\.9\.2 is neither listed above it nor stored"),
        ("plan_nodes.csv", "2561,3.2.2.1,", "2566,3.2.2.1,",
         r"plan_nodes\.csv line 27 \(2566 3\.2\.2\.1\): edition 2566 is neither in plan_editions\.csv nor stored"),
        ("plan_nodes.csv", "2561,3.2.2.1,๓.๒.๒.๑", "2561,3.2.2.1.1,๓.๒.๒.๑.๑",
         r"plan_nodes\.csv line 27 \(2561 3\.2\.2\.1\.1\): code '3\.2\.2\.1\.1' is not a plan code"),
        ("plan_editions.csv", "2561,", "256x,", r"plan_editions\.csv line 2 \(256x\): first_fiscal_year must be a whole"),
        ("evaluation_dimensions.csv", "4,ด้านการพัฒนาองค์กร", "5,ด้านการพัฒนาองค์กร",
         r"evaluation_dimensions\.csv line 5 \(มิติที่ 5\): number: "),
    ],
)  # fmt: skip
def test_a_broken_file_is_refused_naming_the_file_line_and_entry_and_nothing_is_stored(broken, name, old, new, message):
    directory, edit = broken
    load()  # what a broken file must leave as it is
    OrgUnit.objects.filter(code="18000000").update(name="ชื่อที่ต้องคงไว้")
    EvaluationDimension.objects.filter(number=1).delete()
    before = database_rows()
    edit(name, old, new)
    with pytest.raises(CommandError) as refused:
        load(directory)
    assert "Reference data refused, nothing was stored" in str(refused.value)
    assert re.search(message, str(refused.value)), str(refused.value)
    # The valid entries of the other files are not stored either: no rename, no new dimension.
    assert database_rows() == before


def test_a_missing_file_is_refused_by_name(broken):
    directory, _edit = broken
    (directory / "plan_nodes.csv").unlink()
    with pytest.raises(CommandError, match=r"plan_nodes\.csv: file missing"):
        load(directory)
    assert not OrgUnit.objects.exists()


def test_it_lists_every_problem_of_a_file_at_once(broken):
    directory, edit = broken
    edit("units.csv", "50020000,สำนักงานเขตดุสิต,district,,central", "50020000,สำนักงานเขตดุสิต,district,,")
    edit("evaluation_dimensions.csv", "4,ด้านการพัฒนาองค์กร", "3,ด้านการพัฒนาองค์กร")
    with pytest.raises(CommandError) as refused:
        load(directory)
    assert "units.csv line 25 (50020000): a district office needs a district_group" in str(refused.value)
    assert "evaluation_dimensions.csv line 5 (มิติที่ 3): dimension 3 is listed twice" in str(refused.value)


def test_the_readme_counts_agree_with_the_data():
    readme = (REFERENCE / "README.md").read_text(encoding="utf-8")
    table = re.findall(r"^\| `(\w+\.csv)` \| `(\w+)(?:=(\w+))?` [^|]+\| (\d+) \| (\d+) \| (\d+) \|$", readme, re.M)
    assert len(table) == 9
    covered = {}
    for name, column, value, count, real, illustrative in table:
        rows = entries(name)
        if column == "level":
            rows = [row for row in rows if str(row["code"].count(".") + 1) == value]
        elif column != "all":
            rows = [row for row in rows if row[column] == value]
        statuses = [row["status"] for row in rows]
        assert (len(rows), statuses.count("real"), statuses.count("illustrative")) == (
            int(count),
            int(real),
            int(illustrative),
        ), f"{name} {column}={value}"
        covered[name] = covered.get(name, 0) + len(rows)
    assert covered == {
        name: len(entries(name))
        for name in ("units.csv", "plan_editions.csv", "plan_nodes.csv", "evaluation_dimensions.csv")
    }
