"""The project page (/projects/<code>/) and its print variant, against the legacy printouts.

Each seed page is parsed here with simple regexes, loaded into the database by the legacy
importer, rendered, and the rendered text compared with the seed: every report's percent, both date forms and narrative; every plan step; the
indicator's figures and quarterly table; the header.
"""

import html
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from bma_tracker import thaidate
from bma_tracker.text import normalise_thai
from projects.models import ProgressReport, Project, ProjectEvaluation
from tests import factories
from tests.conftest import login
from tests.paths import SEEDS

SEED_000 = SEEDS / "000_ce21939e2f54dfaa.txt"
SEED_003 = SEEDS / "003_479be46a3a9ca5c2.txt"

# --- reading a seed printout ---------------------------------------------------------------

REPORT_HEAD = re.compile(r"^\((\d+)\) ความคืบหน้าโครงการฯ ร้อยละ ([\d.]+) \((\d{4}-\d{2}-\d{2})\)$", re.M)
NARRATIVE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) ?:(.*)$", re.M)
PROBLEMS = re.compile(r"^\*\* ปัญหาของโครงการ :(.*)$", re.M)
OBSTACLES = re.compile(r"^\*\* อุปสรรคของโครงการ :(.*)$", re.M)
STEP = re.compile(r"^ขั้นตอน (\d+)\n:(.*)\n:([\d.]+)%\nเริ่มต้น :(\d{4}-\d{2}-\d{2})[^\n]*\nสิ้นสุด :(\d{4}-\d{2}-\d{2})", re.M)
QUARTER = re.compile(r"^([1-4])\n([\d.]+)\n\n([\d.]+) / ([\d.]+)$", re.M)


def parse_seed(path):
    text = path.read_text(encoding="utf-8")
    name, code = re.search(r"^(.+) : (\d{8}-\d+)$", text, re.M).groups()
    unit_name, fiscal_year = re.search(r"^(\S[^\n]*) : \((\d{4})\)$", text, re.M).groups()
    responsible = re.search(r"^ความคืบหน้าโครงการ ร้อยละ [\d.]+\n\n(.+)$", text, re.M)[1]
    quarter, score = re.search(r"^\*\*\* สยป\. ประเมินโครงการ : ไตรมาสที่ (\d) ([\d.]+)$", text, re.M).groups()
    reports = []
    blocks = text.split("------------------&&&--------------------")
    for block in blocks:
        head = REPORT_HEAD.search(block)
        if not head:
            continue
        day, month, year, narrative = NARRATIVE.search(block).groups()
        reports.append(
            {
                "number": int(head[1]),
                "percent": Decimal(head[2]),
                "date": date.fromisoformat(head[3]),
                "thai_date": date(thaidate.ce_year(int(year)), int(month), int(day)),
                "narrative": narrative.strip(),
                "problems": PROBLEMS.search(block)[1].strip(),
                "obstacles": OBSTACLES.search(block)[1].strip(),
            }
        )
    steps = [
        {
            "number": int(m[1]),
            "name": m[2],
            "weight": Decimal(m[3]),
            "start": date.fromisoformat(m[4]),
            "end": date.fromisoformat(m[5]),
        }
        for m in STEP.finditer(text)
    ]
    indicator_part = text.split("สนับสนุนตัวชี้วัดตามแผนฯ", 1)[1]
    measure, target = re.search(r"^ค่าเป้าหมาย (\S+) : (\S+)$", indicator_part, re.M).groups()
    achieved = re.search(r"^ผลงานที่ทำได้ \S+ : (\S+)$", indicator_part, re.M)[1]
    indicator = {
        "code": re.search(r"^รายละเอียดเกี่ยวกับตัวชี้วัด : (\S+)$", indicator_part, re.M)[1],
        "name": re.search(r"^ตัวชี้วัด : (.+)$", indicator_part, re.M)[1],
        "measure": measure,
        "target": Decimal(target),
        "achieved": Decimal(achieved),
        "type": re.search(r"^ประเภทตัวชี้วัด : (.+)$", indicator_part, re.M)[1],
        "level": "output" if "(output)" in indicator_part else "outcome",
        "quarters": [
            {"quarter": int(m[1]), "result": Decimal(m[2]), "score_1": Decimal(m[3]), "score_2": Decimal(m[4])}
            for m in QUARTER.finditer(indicator_part)
        ],
    }
    return {
        "name": name,
        "code": code,
        "unit_name": unit_name,
        "fiscal_year": int(fiscal_year),
        "division": re.search(r"^(\d{8})/(\d{8})$", text, re.M).groups(),
        "responsible": responsible,
        "evaluation": (int(quarter), Decimal(score)),
        "alignment": text.split("สนับสนุนยุทธศาสตร์กรุงเทพมหานครฯ", 1)[1].split("ผลการดำเนินงาน", 1)[0].strip(),
        "reports": reports,
        "steps": steps,
        "indicator": indicator,
    }


@pytest.fixture
def seeds(db):
    """Both seed pages imported by the legacy importer, and what the seed files say."""
    call_command("import_legacy", str(SEED_000), str(SEED_003))
    return {path.name[:3]: parse_seed(path) for path in (SEED_000, SEED_003)}


def page_text(response):
    """The page as a reader sees it: block boundaries as spaces, inline tags gone, entities
    decoded, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(
        r"</?(td|th|tr|p|div|li|h\d|br|article|section|table|thead|tbody|tfoot|caption|ul|ol|details|summary|header)\b[^>]*>",
        " ",
        body,
    )
    body = re.sub(r"<[^>]+>", "", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


# --- the page against the seeds --------------------------------------------------------------


@pytest.mark.parametrize("seed_id", ["000", "003"])
def test_it_shows_the_seed_header(client, staff, seeds, seed_id):
    seed = seeds[seed_id]
    text = page_text(login(client, staff).get(reverse("projects:detail", args=[seed["code"]])))
    assert f"{seed['name']} : {seed['code']}" in text
    assert normalise_thai(f"{seed['unit_name']} : ({seed['fiscal_year']})") in normalise_thai(text)
    assert "ความคืบหน้าโครงการ ร้อยละ 100" in text
    assert seed["responsible"] in text
    quarter, score = seed["evaluation"]
    assert f"*** สยป. ประเมินโครงการ : ไตรมาสที่ {quarter} {score:f}".rstrip("0").rstrip(".") in text
    assert "พิมพ์ข้อมูล" in text
    assert f"{seed['division'][0]}/{seed['division'][1]}" in text


@pytest.mark.parametrize("seed_id", ["000", "003"])
def test_it_shows_every_seed_report_newest_first_with_both_date_forms(client, staff, seeds, seed_id):
    seed = seeds[seed_id]
    text = page_text(login(client, staff).get(reverse("projects:detail", args=[seed["code"]])))
    positions = []
    for report in seed["reports"]:
        head = f"({report['number']}) ความคืบหน้าโครงการฯ ร้อยละ {report['percent']:.2f} ({report['date'].isoformat()})"
        assert head in text
        line = squash(f"{thaidate.format_short(report['thai_date'])} : {report['narrative']}")
        assert line in text
        assert f"** ปัญหาของโครงการ : {report['problems']}" in text
        assert f"** อุปสรรคของโครงการ : {report['obstacles']}" in text
        positions.append(text.index(head))
    assert positions == sorted(positions)
    assert len(seed["reports"]) == {"000": 10, "003": 13}[seed_id]


@pytest.mark.parametrize("seed_id", ["000", "003"])
def test_it_shows_every_seed_plan_step_and_the_weight_total(client, staff, seeds, seed_id):
    seed = seeds[seed_id]
    text = page_text(login(client, staff).get(reverse("projects:detail", args=[seed["code"]])))
    for step in seed["steps"]:
        weight = f"{step['weight']:f}".rstrip("0").rstrip(".") if "." in f"{step['weight']:f}" else f"{step['weight']}"
        row = f"{step['number']} {step['name']} {weight}% {thaidate.format_medium(step['start'])} {thaidate.format_medium(step['end'])}"
        assert row in text
    total = sum(step["weight"] for step in seed["steps"])
    assert f"รวมน้ำหนัก {total:.0f}%" in text


@pytest.mark.parametrize("seed_id", ["000", "003"])
def test_it_shows_the_seed_indicator_and_its_quarterly_table(client, staff, seeds, seed_id):
    seed = seeds[seed_id]
    data = seed["indicator"]
    text = page_text(login(client, staff).get(reverse("projects:detail", args=[seed["code"]])))
    assert f"รายละเอียดเกี่ยวกับตัวชี้วัด : {data['code']}" in text
    assert f"ตัวชี้วัด : {data['name']}" in text
    assert f"ค่าเป้าหมาย {data['measure']} : {data['target']:.0f}" in text
    assert f"ผลงานที่ทำได้ {data['measure']} : {data['achieved']:.0f}" in text
    assert f"ประเภทตัวชี้วัด : {data['type']}" in text
    assert "ตัวชี้วัดระดับผลผลิต (output)" in text
    assert f"ผลงาน ({data['measure']})" in text
    for quarter in data["quarters"]:
        assert (
            f"{quarter['quarter']} {quarter['result']:.2f} {quarter['score_1']:.0f} / {quarter['score_2']:.0f}" in text
        )


def test_it_keeps_the_legacy_section_order(client, staff, seeds):
    text = page_text(login(client, staff).get(reverse("projects:detail", args=["24000000-3029"])))
    labels = [
        "ความคืบหน้าโครงการ ร้อยละ",
        "หลักการและเหตุผล",
        "วัตถุประสงค์ของโครงการ",
        "เป้าหมายของโครงการ",
        "สนับสนุนยุทธศาสตร์กรุงเทพมหานครฯ",
        "ผลการดำเนินงาน ",
        "แผนการดำเนินงานฯ",
        "สนับสนุนตัวชี้วัดตามแผนฯ",
        "** ผลการประเมินโครงการ (รายไตรมาส) **",
    ]
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)


def test_it_shows_the_seed_000_quality_notes_in_their_sections(client, staff, seeds):
    response = login(client, staff).get(reverse("projects:detail", args=["24000000-3029"]))
    kinds = {note.kind: note.section for note in response.context["notes"]}
    assert kinds["weights_not_100"] == "steps"
    assert kinds["step_single_day"] == "steps"
    assert kinds["indicator_achieved_mismatch"] == "indicators"
    body = response.content.decode()
    assert "น้ำหนักของขั้นตอนรวมกันได้ร้อยละ 70 ไม่ใช่ 100" in body
    # Each note sits in the section it concerns.
    steps_section = body.split('id="steps"', 1)[1].split("</section>", 1)[0]
    assert 'data-note-kind="weights_not_100"' in steps_section


def test_it_embeds_the_chart_data_once_and_has_no_inline_script(client, staff, seeds):
    response = login(client, staff).get(reverse("projects:detail", args=["24000000-3029"]))
    body = response.content.decode()
    assert body.count('id="progress-data"') == 1
    chart = response.context["chart"]
    assert chart["actual"]["name"] == "ผลการดำเนินงานจริง"
    assert chart["planned"]["name"] == "แผน"
    assert chart["actual"]["x"][0] == "2020-11-25"
    assert chart["actual"]["y"][-1] == 100.0
    assert chart["ticks"]["text"][0] == "ต.ค. 63"
    assert len(chart["ticks"]["text"]) == 12
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", body, flags=re.S)
    for attrs, content in scripts:
        assert "src=" in attrs or 'type="application/json"' in attrs, content[:80]
    assert "vendor/plotly/plotly-basic.min.js" in body
    assert "js/progress_chart.js" in body
    assert "เส้นแผนคำนวณจากแผนการดำเนินงาน" in body


# --- rules of the page -------------------------------------------------------------------------


def test_the_charts_data_table_lists_each_report_oldest_first_against_the_plan(client, staff, seeds):
    response = login(client, staff).get(reverse("projects:detail", args=["24000000-3029"]))
    project = Project.objects.get(code="24000000-3029")
    reports = list(project.reports.live().order_by("report_date", "pk"))
    table = response.content.decode().split('class="table table-sm chart-table progress-table"', 1)[1]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table.split("</tbody>", 1)[0])
    two_places = Decimal("0.01")
    expected = []
    for report in reports:
        planned = project.planned_percent(report.report_date)
        expected += [
            thaidate.format_medium(report.report_date),
            f"{report.percent:.2f}",
            f"{planned.quantize(two_places, ROUND_HALF_UP)}",
            f"{(report.percent - planned).quantize(two_places, ROUND_HALF_UP)}",
        ]
    assert cells == expected
    assert cells[0] == "25 พ.ย. 2563"


def test_it_sends_anonymous_visitors_to_login(client, project):
    for url in (reverse("projects:detail", args=[project.code]), reverse("projects:print", args=[project.code])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_lets_staff_of_another_unit_read_the_page(client, other_staff, project):
    assert login(client, other_staff).get(project.get_absolute_url()).status_code == 200


def test_it_answers_404_for_an_unknown_code(client, staff):
    assert login(client, staff).get(reverse("projects:detail", args=["99999999-1"])).status_code == 404
    assert login(client, staff).get(reverse("projects:print", args=["99999999-1"])).status_code == 404


def test_it_renders_a_project_without_reports_steps_or_indicators(client, staff, project):
    response = login(client, staff).get(project.get_absolute_url())
    assert response.status_code == 200
    text = page_text(response)
    assert "ยังไม่มีรายงานความคืบหน้า" in text
    assert "ยังไม่มีแผนการดำเนินงาน" in text


def test_it_hides_deleted_reports(client, staff, project):
    from django.utils import timezone

    factories.make_report(project, report_date=date(2021, 1, 28), percent="25", narrative="รายงานที่ยังอยู่")
    factories.make_report(
        project, report_date=date(2021, 2, 25), percent="30", narrative="รายงานที่ลบแล้ว", deleted_at=timezone.now()
    )
    text = page_text(login(client, staff).get(project.get_absolute_url()))
    assert "รายงานที่ยังอยู่" in text
    assert "รายงานที่ลบแล้ว" not in text


def test_it_escapes_what_users_typed_and_keeps_their_line_breaks(client, staff, project):
    project.rationale = "บรรทัดแรก\nบรรทัดที่สอง <script>alert(1)</script>"
    project.save()
    body = login(client, staff).get(project.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'class="text-pre long-text">บรรทัดแรก\nบรรทัดที่สอง' in body


def test_it_shows_plan_nodes_in_code_order_and_the_legacy_text_when_it_differs(client, staff, project):
    project.plan_nodes.add(
        factories.make_plan_node("3.2.10", "เป้าหมายที่สิบ"),
        factories.make_plan_node("3.2.2", "เป้าหมายที่สอง"),
    )
    project.plan_alignment_text = "ด้านที่ ๓ - มหานครสำหรับทุกคน"
    project.save()
    response = login(client, staff).get(project.get_absolute_url())
    text = page_text(response)
    assert text.index("๓.๒.๒ เป้าหมายที่สอง") < text.index("๓.๒.๑๐ เป้าหมายที่สิบ")
    assert "ข้อความตามระบบเดิม" in text
    assert "ด้านที่ ๓ - มหานครสำหรับทุกคน" in text


def test_it_shows_the_schedule_status_badge(client, staff, project):
    today = date.today()
    factories.make_step(project, 1, "ทั้งโครงการ", "100", today.replace(day=1), today.replace(day=1))
    project.fiscal_year = thaidate.fiscal_year(today)
    project.save()
    factories.make_report(project, report_date=today, percent="10")
    project.refresh_progress_summary()
    body = login(client, staff).get(project.get_absolute_url()).content.decode()
    assert 'data-status="behind"' in body
    assert "ล่าช้ากว่าแผน" in body


# --- print ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed_id", ["000", "003"])
def test_the_print_page_has_the_same_sections_the_data_tables_and_no_script(client, staff, seeds, seed_id):
    seed = seeds[seed_id]
    response = login(client, staff).get(reverse("projects:print", args=[seed["code"]]))
    body = response.content.decode()
    text = page_text(response)
    assert "<script" not in body
    assert "size: A4; margin: 15mm 15mm 17mm;" in body and "counter(pages)" in body  # numbered pages
    assert "/static/fonts/Laksaman.ttf" in body
    assert 'class="navbar' not in body
    for report in seed["reports"]:
        assert (
            f"({report['number']}) ความคืบหน้าโครงการฯ ร้อยละ {report['percent']:.2f} ({report['date'].isoformat()})"
            in text
        )
        assert f"{thaidate.format_medium(report['date'])} {report['percent']:.2f}" in text  # the chart's data table
    for step in seed["steps"]:
        assert step["name"] in text
    assert "ตรวจสอบข้อมูล" not in text  # quality notes are for the screen


def test_project_page_context_is_reusable_without_a_request(seeds):
    from reports.project_page import project_page_context

    project = Project.objects.get(code="24000000-2964")
    context = project_page_context(project)
    assert [line.number for line in context["reports"]] == list(range(1, 14))
    assert context["weight_total"] == 100


# --- query counts ---------------------------------------------------------------------------------

# session, the user with their unit (navigation bar), the project with its unit and the revisions
# of the page's key; then live reports, their evidence files, steps, plan nodes, indicators, their
# quarters, evaluations; the year's reporting calendar and closed quarters (the month statuses).
# The print page reads the same.
PAGE_QUERIES = 12
PRINT_QUERIES = PAGE_QUERIES
# Cached until anything it shows changes (reports/views.py): the session, the user and the
# project (its revisions are the page's key) are read, the page comes from the cache.
CACHED_PAGE_QUERIES = 3


def without_csrf_tokens(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _big_project(unit, reports, steps, indicators):
    project = factories.make_project(unit=unit, fiscal_year=2564)
    ProgressReport.objects.bulk_create(
        ProgressReport(project=project, report_date=date(2020, 10, 1 + i % 28), percent=Decimal(i % 100), narrative="x")
        for i in range(reports)
    )
    for n in range(1, steps + 1):
        factories.make_step(project, n, f"ขั้นตอน {n}", "10", date(2020, 10, n), date(2020, 11, n))
    for _i in range(indicators):
        indicator = factories.make_indicator(fiscal_year=2564)
        indicator.projects.add(project)
        for quarter in (1, 2, 3, 4):
            factories.make_indicator_quarter(indicator, quarter=quarter, result=Decimal(quarter * 10))
    project.plan_nodes.add(factories.make_plan_node(f"3.2.{project.pk}", "เป้าหมาย"))
    ProjectEvaluation.objects.create(project=project, quarter=1, score=Decimal(80))
    project.refresh_progress_summary()
    return project


@pytest.mark.parametrize(("reports", "steps", "indicators"), [(1, 1, 1), (100, 10, 5)])
def test_the_page_query_count_does_not_grow_with_the_project(
    client, staff, social_dept, django_assert_num_queries, reports, steps, indicators
):
    project = _big_project(social_dept, reports, steps, indicators)
    login(client, staff)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    with django_assert_num_queries(PRINT_QUERIES):
        assert client.get(reverse("projects:print", args=[project.code])).status_code == 200
    with django_assert_num_queries(CACHED_PAGE_QUERIES):
        again = client.get(project.get_absolute_url())
    assert without_csrf_tokens(again) == without_csrf_tokens(response)
    with django_assert_num_queries(CACHED_PAGE_QUERIES):
        assert client.get(reverse("projects:print", args=[project.code])).status_code == 200


# --- a chart no stored data can make unbounded (issue 19) ------------------------------------


def test_steps_spanning_centuries_draw_a_bounded_chart_and_the_page_lists_them(client, staff, project):
    """Steps stored past the form (the ORM, the admin, an old import) from 2400 to 2700: the chart
    keeps to two years around the fiscal year, with at most 16 ticks and 99 step bars, and says
    what it left out; the steps table still lists every step."""
    factories.make_step(project, number=1, name="ตั้งแต่ พ.ศ. 2400", start=date(1857, 1, 1), end=date(2157, 12, 31))
    factories.make_step(project, number=2, name="ในปีงบประมาณ", start=date(2020, 10, 1), end=date(2021, 9, 30))
    factories.make_step(project, number=3, name="ศตวรรษหน้า", start=date(2150, 1, 1), end=date(2150, 1, 2))
    for number in range(4, 160):
        factories.make_step(project, number=number, name=f"ขั้นที่ {number}", weight="0")
    factories.make_report(project, report_date=date(2021, 3, 30))

    response = login(client, staff).get(project.get_absolute_url())

    assert response.status_code == 200
    chart = response.context["chart"]
    assert chart["range"] == ["2018-10-01", "2023-10-01"]  # FY 2564 (Oct 2020–Sep 2021) ± 2 years
    assert len(chart["ticks"]["vals"]) <= 16
    assert len(chart["steps"]) == 99
    assert chart["steps"][0] == {
        "label": "ขั้นตอน 1",
        "name": "ตั้งแต่ พ.ศ. 2400",
        "start": "2018-10-01",
        "end": "2023-09-30",
        "weight": 20.0,
        "single_day": False,
    }
    assert "3" not in [step["label"].split()[-1] for step in chart["steps"]]  # wholly outside
    assert len(chart["planned"]["x"]) < 200
    page = response.content.decode()
    data = re.search(r'<script id="progress-data" type="application/json">(.*?)</script>', page, re.S)[1]
    assert len(data) < 40_000
    assert ("ขั้นตอนหรือรายงาน 60 รายการไม่ได้แสดงในกราฟ (กราฟแสดงช่วง 01/10/2561 – 30/09/2566 และไม่เกิน 99 ขั้นตอน)") in page
    assert "ศตวรรษหน้า" in page  # in the steps table


def test_a_years_plan_keeps_a_tick_a_month(client, staff, project):
    factories.make_step(project, start=date(2020, 10, 1), end=date(2021, 9, 30))
    chart = login(client, staff).get(project.get_absolute_url()).context["chart"]
    assert chart["ticks"]["text"][:3] == ["ต.ค. 63", "พ.ย. 63", "ธ.ค. 63"]
    assert len(chart["ticks"]["vals"]) == 12
    assert chart["left_out"] == ""
