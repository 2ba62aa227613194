"""Demo data at BMA scale (`manage.py seed_demo`), built on the reference data of
fixtures/reference/ (`load_reference`: departments, district offices, the 20-year plan): the
departments' divisions, the plan's fourth level and a revised edition, projects with steps,
monthly reports and evaluations, indicators with quarterly results, and one user per role.

Deterministic: every random choice comes from a `random.Random` seeded with the seed and the
fiscal year, and nothing depends on dict/set order or the clock except `today`, which bounds
the current fiscal year. Projects and their children are built in memory and bulk-inserted;
since bulk_create bypasses save(), the derived fields are set on the instances by the models'
own methods before the insert: `Project.summarise()` (the progress summary, as
`refresh_progress_summary()` does) and `refresh_search_text()` (as `save()` does).

Demo projects are recognised by their serial: `UNITCODE-9NNNN` (90001 and up), a range the
legacy system never used; demo indicators are the ones linked to demo projects.
"""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bma_tracker import thaidate
from bma_tracker.text import to_thai_digits
from devtools import demo_data as data
from indicators.models import CityIndicator, EvaluationDimension, Indicator, IndicatorQuarter
from projects.models import (
    OrgUnit,
    PlanEdition,
    PlanNode,
    PlanStep,
    ProgressReport,
    Project,
    ProjectEvaluation,
    QuarterLock,
    ReportingCalendar,
    User,
)

DEMO_SERIAL_START = 90001
DEMO_SERIAL_END = 99999
DEMO_CODE_REGEX = r"^[0-9]{8}-9[0-9]{4}$"
INDICATOR_SERIAL_START = 501
BATCH = 2000
BANGKOK = ZoneInfo("Asia/Bangkok")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

DEMO_USERS = [
    # username, role, unit code (None: the first district office), first name, last name
    ("demo-staff", User.Role.STAFF, data.SOCIAL_DEPARTMENT_CODE, "สมชาย", "ใจดี"),
    ("demo-district", User.Role.STAFF, None, "วรรณา", "ศรีสุข"),
    ("demo-director", User.Role.DIRECTOR, data.SOCIAL_DEPARTMENT_CODE, "ประเสริฐ", "ทองดี"),
    ("demo-planner", User.Role.PLANNER, data.PLANNING_OFFICE_CODE, "กาญจนา", "วงศ์สวัสดิ์"),
    ("demo-admin", User.Role.ADMIN, data.PLANNING_OFFICE_CODE, "ผู้ดูแล", "ระบบ"),
]


def demo_projects():
    """The projects this module made (by their serial range)."""
    return Project.objects.filter(code__regex=DEMO_CODE_REGEX)


def demo_delete():
    """Delete every demo project with its steps, reports and evaluations, and the indicators
    linked to demo projects with their quarters. Returns the number of projects deleted."""
    projects = demo_projects()
    # The demo's closed quarters first: the database refuses to delete rows of a closed quarter.
    QuarterLock.objects.filter(locked_by__username__startswith="demo-").delete()
    indicator_ids = list(Indicator.objects.filter(projects__in=projects).values_list("pk", flat=True).distinct())
    IndicatorQuarter.objects.filter(indicator_id__in=indicator_ids).delete()
    Indicator.projects.through.objects.filter(indicator_id__in=indicator_ids).delete()
    Indicator.objects.filter(pk__in=indicator_ids).delete()
    for model in (ProgressReport, PlanStep, ProjectEvaluation):
        model.objects.filter(project__in=projects).delete()
    Project.plan_nodes.through.objects.filter(project__in=projects).delete()
    return projects.delete()[1].get("projects.Project", 0)


# --- Units, plan tree and users, on the reference data: get-or-create, existing rows kept ------


def units_ensure():
    """Create the demo divisions that are missing under the reference departments (load the
    reference data first: manage.py load_reference). Returns {code: OrgUnit} of every unit."""
    existing = {u.code: u for u in OrgUnit.objects.all()}
    divisions = [
        OrgUnit(code=code, name=name, kind=OrgUnit.Kind.DIVISION, parent=existing[dept_code])
        for dept_code, dept_divisions in data.DIVISIONS.items()
        if dept_code in existing
        for code, name in dept_divisions
        if code not in existing
    ]
    for unit in OrgUnit.objects.bulk_create(divisions):
        existing[unit.code] = unit
    return existing


def plan_ensure():
    """Add the demo's fourth-level nodes to the reference edition and build the revised edition
    as its copy with the revised titles; nodes that exist are kept, matched by (edition, code)
    like the legacy importer. Returns [(edition, {code: PlanNode})], oldest edition first."""
    base = PlanEdition.objects.filter(first_fiscal_year=data.BASE_EDITION).first()
    if base is None:
        raise LookupError(f"plan edition {data.BASE_EDITION} missing: load the reference data first (load_reference)")
    nodes = {n.code: n for n in base.nodes.all()}
    tactics = [
        PlanNode(
            edition=base,
            parent=nodes[code.rsplit(".", 1)[0]],
            level=PlanNode.Level.TACTIC,
            code=code,
            code_display=to_thai_digits(code),
            title=title,
        )
        for code, title in data.DEMO_TACTICS
        if code not in nodes
    ]
    for node in PlanNode.objects.bulk_create(tactics):
        nodes[node.code] = node

    first_fy, name = data.REVISED_EDITION
    revised = PlanEdition.objects.get_or_create(first_fiscal_year=first_fy, defaults={"name": name})[0]
    revised_nodes = {n.code: n for n in revised.nodes.all()}
    for level in PlanNode.Level.values:
        new = [
            PlanNode(
                edition=revised,
                parent=revised_nodes.get(code.rsplit(".", 1)[0]) if level > 1 else None,
                level=level,
                code=code,
                code_display=node.code_display,
                title=data.PLAN_REVISIONS.get(code, node.title),
                title_en=node.title_en,
            )
            for code, node in sorted(nodes.items())
            if node.level == level and code not in revised_nodes
        ]
        for node in PlanNode.objects.bulk_create(new):
            revised_nodes[node.code] = node
    return [(base, nodes), (revised, revised_nodes)]


def users_ensure(*, password, units):
    """Create or update one user per role with the password; returns [(user, unit)]."""
    first_district = units[data.FIRST_DISTRICT_CODE]
    result = []
    for username, role, unit_code, first_name, last_name in DEMO_USERS:
        unit = units[unit_code] if unit_code else first_district
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = role
        user.unit = unit
        user.first_name, user.last_name = first_name, last_name
        # example.invalid never delivers (RFC 2606): reminders can be tried with a local relay.
        user.email = user.email or f"{username}@example.invalid"
        user.is_active = True
        user.is_staff = user.is_superuser = role == User.Role.ADMIN
        user.set_password(password)
        user.save()
        result.append((user, unit))
    return result


# --- Projects and indicators, one fiscal year at a time ---------------------------------------


@dataclass
class Counts:
    projects: int = 0
    steps: int = 0
    reports: int = 0
    evaluations: int = 0
    indicators: int = 0
    indicator_quarters: int = 0


@dataclass
class _Owner:
    unit: OrgUnit
    themes: list
    division_code: str
    subunit_code: str
    office_name: str  # for position titles: the division or the district office
    district: str = ""


@dataclass
class _Built:
    project: Project
    theme: str
    target: str
    steps: list
    reports: list
    evaluations: list
    tactic_codes: list


class DemoGenerator:
    """Builds and inserts the demo projects and indicators of the requested fiscal years."""

    def __init__(self, *, seed, today, units, plan, evaluator=None):
        self.seed = seed
        self.today = today
        self.units = units
        self.plan = plan  # [(edition, {code: node})], oldest first
        self.evaluator = evaluator
        self.counts = Counts()
        self.existing_codes = set(Project.objects.values_list("code", flat=True))
        self.existing_indicators = set(Indicator.objects.values_list("code", "fiscal_year"))
        self.next_serial = {}
        self.next_indicator_serial = {}
        self._build_owners()

    def _build_owners(self):
        # The units of the reference data (and the demo's divisions), in code order.
        units = sorted(self.units.values(), key=lambda unit: unit.code)
        self.department_owners = []  # (weight, [owners]) per department
        for dept in (u for u in units if u.kind == OrgUnit.Kind.DEPARTMENT and u.parent_id is None):
            themes = data.DEPARTMENT_THEMES.get(dept.code, ["admin"])
            owners = []
            for division in (u for u in units if u.parent_id == dept.pk and u.kind == OrgUnit.Kind.DIVISION):
                # Most projects are filed under the department with the division's code
                # (as the legacy pages show); some directly under the division.
                owner = _Owner(dept, themes, division.code, division.code, division.name)
                owners += [owner, owner, _Owner(division, themes, division.code, division.code, division.name)]
            owners = owners or [_Owner(dept, themes, dept.code, dept.code, dept.name)]
            weight = 4 if dept.code == data.SOCIAL_DEPARTMENT_CODE else 1
            self.department_owners.append((weight, owners))
        self.district_owners = [
            _Owner(unit, data.DISTRICT_THEMES, unit.code, unit.code, unit.name, unit.name.removeprefix("สำนักงานเขต"))
            for unit in units
            if unit.kind == OrgUnit.Kind.DISTRICT
        ]

    def nodes_for(self, fiscal_year):
        nodes = self.plan[0][1]
        for edition, edition_nodes in self.plan:
            if edition.first_fiscal_year <= fiscal_year:
                nodes = edition_nodes
        return nodes

    # -- one fiscal year ---------------------------------------------------------------------

    def generate_year(self, fiscal_year, count):
        rng = random.Random(f"{self.seed}:{fiscal_year}")
        nodes = self.nodes_for(fiscal_year)
        built = [self._project(rng, fiscal_year, nodes) for _ in range(count)]

        projects = Project.objects.bulk_create([b.project for b in built], batch_size=BATCH)
        steps, reports, evaluations, links = [], [], [], []
        through = Project.plan_nodes.through
        for b, project in zip(built, projects, strict=True):
            for obj in b.steps + b.reports + b.evaluations:
                obj.project_id = project.pk
            steps += b.steps
            reports += b.reports
            evaluations += b.evaluations
            links += [through(project_id=project.pk, plannode_id=nodes[c].pk) for c in b.tactic_codes]
        PlanStep.objects.bulk_create(steps, batch_size=BATCH)
        ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
        ProjectEvaluation.objects.bulk_create(evaluations, batch_size=BATCH)
        through.objects.bulk_create(links, batch_size=BATCH)
        indicators, quarters = self._indicators(rng, fiscal_year, nodes, built)

        year = {
            "projects": len(projects),
            "steps": len(steps),
            "reports": len(reports),
            "evaluations": len(evaluations),
            "indicators": indicators,
            "indicator_quarters": quarters,
        }
        for name, value in year.items():
            setattr(self.counts, name, getattr(self.counts, name) + value)
        return year

    def _owner(self, rng):
        if rng.random() < 0.5:
            return rng.choice(self.district_owners)
        weights = [w for w, _ in self.department_owners]
        owners = rng.choices(self.department_owners, weights=weights)[0][1]
        return rng.choice(owners)

    def _code(self, unit):
        serial = self.next_serial.get(unit.code, DEMO_SERIAL_START)
        while f"{unit.code}-{serial}" in self.existing_codes:
            serial += 1
        if serial > DEMO_SERIAL_END:
            raise OverflowError(f"{unit.code}: demo serials 90001–99999 used up")
        self.next_serial[unit.code] = serial + 1
        code = f"{unit.code}-{serial}"
        self.existing_codes.add(code)
        return code

    def _project(self, rng, fy, nodes):
        owner = self._owner(rng)
        theme_key = rng.choice(owner.themes)
        theme = data.THEMES[theme_key]
        target = rng.choice(theme["targets"])
        activity = rng.choice(theme["activities"])
        place = f" พื้นที่เขต{owner.district}" if owner.district and rng.random() < 0.3 else ""
        suffix = rng.choice(data.NAME_SUFFIXES).format(fy=fy)
        name = f"โครงการ{activity}{target}{place}{suffix}"
        code = self._code(owner.unit)
        person, phone = self._responsible(rng, owner)
        subunit = owner.subunit_code
        if owner.district and rng.random() < 0.4:
            suffix_code, _section = rng.choice(data.DISTRICT_SECTIONS)
            subunit = owner.unit.code[:4] + suffix_code

        project = Project(
            code=code,
            name=name,
            fiscal_year=fy,
            unit=owner.unit,
            division_code=owner.division_code,
            subunit_code=subunit,
            responsible_person=person,
            responsible_phone=phone,
            rationale=self._rationale(rng, theme, owner, fy),
            objectives="\n".join(
                "- " + line.format(target=target) for line in rng.sample(data.OBJECTIVES, rng.randint(1, 3))
            ),
            targets=self._targets(rng, target),
        )
        project.refresh_search_text()
        tactic_codes = self._tactics(rng, theme, nodes)
        steps = self._steps(rng, fy)
        reports = self._reports(rng, fy, project, steps)
        self._budget(project, reports)
        self._summarise(project, steps, reports)
        evaluations = self._evaluations(rng, fy, project, steps, reports)
        return _Built(project, theme_key, target, steps, reports, evaluations, tactic_codes)

    def _responsible(self, rng, owner):
        roll = rng.random()
        if roll < 0.45:
            person = _person_name(rng)
        elif roll < 0.9:
            office = owner.office_name
            if owner.district and rng.random() < 0.5:
                office = rng.choice(data.DISTRICT_SECTIONS)[1] + " " + owner.office_name
            person = rng.choice(data.POSITIONS).format(unit=office)
        else:
            person = ""
        phone = ""
        roll = rng.random()
        if person and roll < 0.1:
            # As legacy users typed it: the extension inside the name field.
            person += f" (โทร. {rng.randint(1000, 9999)}-{rng.randint(1, 9)} )"
        elif roll < 0.4:
            phone = rng.choice([f"{rng.randint(1000, 9999)}", f"0 2{rng.randint(100, 999)} {rng.randint(1000, 9999)}"])
        return person, phone

    def _rationale(self, rng, theme, owner, fy):
        text = theme["rationale"]
        if rng.random() < 0.5:
            text += f" {owner.unit.name}จึงได้จัดทำโครงการนี้ขึ้นในปีงบประมาณ {fy}"
        if rng.random() < 0.15:
            text = "- " + text
        return text

    def _targets(self, rng, target):
        lines = rng.sample(data.TARGET_LINES, rng.randint(1, 2))
        n, k, pct = rng.choice([50, 100, 200, 300, 500, 1000]), rng.randint(2, 50), rng.choice([70, 80, 100])
        return "\n".join("-" + line.format(target=target, n=n, k=k, pct=pct) for line in lines)

    def _tactics(self, rng, theme, nodes):
        if rng.random() < 0.1:
            return []  # not yet aligned to the plan: left empty on purpose
        goals = theme["nodes"]
        first_goal = rng.choice(goals)
        candidates = sorted(code for code in nodes if code.startswith(first_goal + ".") and code.count(".") == 3)
        codes = [rng.choice(candidates)]
        if rng.random() < 0.25:
            other = sorted(c for c in nodes if c.count(".") == 3 and c not in codes)
            codes.append(rng.choice(other))
        return codes

    def _steps(self, rng, fy):
        start, end = thaidate.fiscal_year_range(fy)
        count = rng.randint(2, 8)
        names = [data.STEP_NAMES[0]]
        middle = sorted(rng.sample(range(1, len(data.STEP_NAMES) - 1), count - 2)) if count > 2 else []
        names += [data.STEP_NAMES[i] for i in middle] + [data.STEP_NAMES[-1]]
        # Cut the year into consecutive periods.
        days = (end - start).days
        cuts = sorted(rng.sample(range(10, days - 10), count - 1))
        bounds = [0, *cuts, days]
        weights = self._weights(rng, count)
        point_steps = rng.random() < 0.15  # legacy plans often give one date per step
        steps = []
        for number, name in enumerate(names, start=1):
            s = start + timedelta(days=bounds[number - 1])
            e = start + timedelta(days=bounds[number])
            steps.append(
                PlanStep(number=number, name=name, weight=weights[number - 1], start=s, end=s if point_steps else e)
            )
        return steps

    def _weights(self, rng, count):
        # A composition of 100 in steps of 5, each step at least 5.
        units = 20
        cuts = sorted(rng.sample(range(1, units), count - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, units], strict=True)]
        weights = [Decimal(p * 5) for p in parts]
        roll = rng.random()
        if roll < 0.05:
            weights[-1] = Decimal("0")  # seed 000: 20 + 50 + 0
        elif roll < 0.12:
            i = rng.randrange(count)
            change = rng.choice([Decimal(-10), Decimal(-5), Decimal(5), Decimal(10)])
            weights[i] = min(HUNDRED, max(Decimal("0"), weights[i] + change))
        return weights

    def _reports(self, rng, fy, project, steps):
        fy_start, fy_end = thaidate.fiscal_year_range(fy)
        last_day = min(fy_end, self.today)
        profile = rng.choices(
            ["on_track", "ahead", "behind", "stalled", "late_start", "silent"], weights=[50, 10, 18, 8, 9, 5]
        )[0]
        if profile == "silent" or last_day < fy_start:
            return []
        pace = {"on_track": (0.85, 1.05), "ahead": (1.1, 1.4), "behind": (0.2, 0.55)}.get(profile, (0.8, 1.0))
        pace = rng.uniform(*pace)
        wobbly = rng.random() < 0.1
        finishes = profile in ("on_track", "ahead") and rng.random() < 0.85
        stall_at = rng.choice([20, 30, 40, 50]) if profile == "stalled" else None
        late_months = rng.randint(3, 5) if profile == "late_start" else 0
        total = sum((s.weight for s in steps), Decimal("0"))
        covid = 2563 <= fy <= 2565

        reports = []
        prev = Decimal("0")
        month = fy_start
        index = 0
        while month <= last_day:
            index += 1
            next_month = (month + timedelta(days=32)).replace(day=1)
            month_end = next_month - timedelta(days=1)
            current = month_end >= self.today
            if rng.random() < 0.08 or (current and rng.random() < 0.35):
                month = next_month
                continue  # a month without a report (or not reported yet this month)
            if current:
                day = month.replace(day=rng.randint(1, self.today.day))
            else:
                day = month.replace(day=min(month_end.day, rng.randint(20, 31)))
            if index <= late_months:
                value = Decimal("0")
            else:
                planned = project.planned_percent(day, steps=steps)
                share = planned / total * HUNDRED if total else Decimal(index * 100 // 12)
                value = share * Decimal(str(round(pace, 3))) + Decimal(rng.randint(-4, 4))
            if stall_at is not None:
                value = min(value, Decimal(stall_at))
            if finishes and month.month == 9:
                value = HUNDRED
            value = self._round(rng, value)
            if wobbly and prev > 10 and rng.random() < 0.3:
                value = prev - Decimal(rng.choice([5, 10]))  # a correction downwards
            elif value < prev:
                value = prev
            if rng.random() < 0.05 and day.day > 3:
                # Two reports in a month: one a few days before, progress jumping in between.
                early = day - timedelta(days=rng.randint(1, 3))
                middle = self._round(rng, (prev + value) / 2)
                reports.append(self._report(rng, project, early, middle, profile, fy, covid))
            reports.append(self._report(rng, project, day, value, profile, fy, covid))
            if rng.random() < 0.01:
                reports.append(self._report(rng, project, day, min(HUNDRED, value + 5), profile, fy, covid))
            prev = reports[-1].percent
            month = next_month
        return reports

    @staticmethod
    def _round(rng, value):
        value = min(HUNDRED, max(Decimal("0"), value))
        if rng.random() < 0.75:
            return Decimal(int((value / 5).to_integral_value()) * 5)
        return value.quantize(CENT)

    def _report(self, rng, project, day, percent, profile, fy, covid):
        stage = "start" if percent < 20 else "middle" if percent < 70 else "late" if percent < 100 else "done"
        narrative = rng.choice(data.NARRATIVES[stage]).format(
            k=rng.randint(1, 12), n=rng.choice([15, 20, 50, 120, 300]), p=int(percent)
        )
        if rng.random() < 0.04:
            narrative = ""
        troubled = profile in ("behind", "stalled", "late_start") and rng.random() < 0.5
        problems = rng.choice(data.PROBLEMS) if troubled else rng.choice(data.NOTHING)
        if covid and rng.random() < 0.2:
            obstacles = data.COVID_OBSTACLE
        else:
            obstacles = rng.choice(data.OBSTACLES) if troubled and rng.random() < 0.5 else rng.choice(data.NOTHING)
        entered = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=BANGKOK)
        return ProgressReport(
            report_date=day,
            percent=percent.quantize(CENT),
            narrative=narrative,
            problems=problems,
            obstacles=obstacles,
            source=ProgressReport.Source.DEMO,
            entered_at=entered,
            submitted_at=entered,
        )

    @staticmethod
    def _budget(project, reports):
        """Most projects get a budget (a few a budget after transfers) and their reports a
        cumulative disbursement that follows the progress, a little behind it. From a generator
        of the project's own code, so that the rest of the demo data stays as it was."""
        rng = random.Random(f"budget-{project.code}")
        if rng.random() < 0.25:
            return
        project.budget = Decimal(rng.randrange(50, 5000) * 10_000)
        if rng.random() < 0.2:
            project.budget_after_transfer = (project.budget * Decimal(rng.uniform(0.8, 1.05))).quantize(Decimal("1000"))
        budget, share = project.effective_budget, Decimal(rng.uniform(0.5, 1.0))
        floor = Decimal("0")
        for report in sorted(reports, key=lambda r: r.report_date):
            floor = max(floor, (budget * report.percent / HUNDRED * share).quantize(CENT))
            report.disbursed_to_date = min(floor, budget)

    @staticmethod
    def _summarise(project, steps, reports):
        """Project.refresh_progress_summary() in memory: the newest report by date, then by
        entry order (reports are inserted in list order, so a later one has the higher pk)."""
        newest = max(enumerate(reports), key=lambda pair: (pair[1].report_date, pair[0]))[1] if reports else None
        project.summarise(
            newest and {"percent": newest.percent, "report_date": newest.report_date},
            [report.report_date for report in reports],
            steps=steps,
        )
        project.disbursed_to_date = newest.disbursed_to_date if newest else None

    def _evaluations(self, rng, fy, project, steps, reports):
        if rng.random() < 0.15:
            return []
        total = sum((s.weight for s in steps), Decimal("0")) or HUNDRED
        result = []
        for quarter in (1, 2, 3, 4):
            q_end = thaidate.quarter_range(fy, quarter)[1]
            evaluated_on = q_end + timedelta(days=rng.randint(10, 25))
            if evaluated_on > self.today or rng.random() < 0.05:
                continue
            done = [r.percent for r in reports if r.report_date <= q_end]
            actual = done[-1] if done else Decimal("0")
            planned = project.planned_percent(q_end, steps=steps) / total * HUNDRED
            ratio = actual / planned if planned else Decimal("1")
            if ratio >= Decimal("0.9"):
                score = HUNDRED
            elif ratio >= Decimal("0.6"):
                score = Decimal(rng.choice([70, 75, 80]))
            else:
                score = Decimal(rng.choice([0, 25, 50]))
            result.append(
                ProjectEvaluation(
                    quarter=quarter,
                    score=score,
                    evaluated_by=self.evaluator,
                    evaluated_at=datetime.combine(evaluated_on, time(10, 0), tzinfo=BANGKOK),
                )
            )
        return result

    # -- indicators --------------------------------------------------------------------------

    def _indicator_code(self, unit, fy):
        prefix = unit.code[:4]
        serial = self.next_indicator_serial.get((prefix, fy), INDICATOR_SERIAL_START)
        while (f"{prefix}-{serial:04d}", fy) in self.existing_indicators:
            serial += 1
        self.next_indicator_serial[(prefix, fy)] = serial + 1
        code = f"{prefix}-{serial:04d}"
        self.existing_indicators.add((code, fy))
        return code

    def _indicators(self, rng, fy, nodes, built):
        if not built:
            return 0, 0
        by_unit = {}
        for b in built:
            by_unit.setdefault(b.project.unit.code, []).append(b)
        order = list(range(len(built)))
        rng.shuffle(order)
        past_year = thaidate.fiscal_year_range(fy)[1] < self.today
        indicators, links, quarter_rows = [], [], []
        through = Indicator.projects.through
        for i in order[: max(1, len(built) // 2)]:
            lead = built[i]
            siblings = [b for b in by_unit[lead.project.unit.code] if b is not lead]
            linked = [lead, *rng.sample(siblings, min(len(siblings), rng.choice([0, 0, 1, 2])))]
            indicator, quarters = self._indicator(rng, fy, nodes, lead, past_year)
            indicators.append(indicator)
            quarter_rows.append(quarters)
            links.append(linked)
        Indicator.objects.bulk_create(indicators, batch_size=BATCH)
        rows, through_rows = [], []
        for indicator, quarters, linked in zip(indicators, quarter_rows, links, strict=True):
            for q in quarters:
                q.indicator_id = indicator.pk
            rows += quarters
            through_rows += [through(indicator_id=indicator.pk, project_id=b.project.pk) for b in linked]
        IndicatorQuarter.objects.bulk_create(rows, batch_size=BATCH)
        through.objects.bulk_create(through_rows, batch_size=BATCH)
        return len(indicators), len(rows)

    def _indicator(self, rng, fy, nodes, lead, past_year):
        theme = data.THEMES[lead.theme]
        template, measure, targets, lower = rng.choice(theme["indicators"])
        name = template.format(target=lead.target)
        target = Decimal(rng.choice(targets))
        code = self._indicator_code(lead.project.unit, fy)
        if lead.tactic_codes and rng.random() < 0.9:
            goal_code = lead.tactic_codes[0].rsplit(".", 1)[0]
        else:
            goal_code = rng.choice(theme["nodes"])
        plan_node = nodes[goal_code] if rng.random() < 0.92 else None

        quarters = []
        pace = rng.uniform(0.5, 1.2)
        lumpy = rng.random() < 0.1  # seed 000: 0, 0, 0 then everything in Q4
        result = None
        for quarter in (1, 2, 3, 4):
            q_end = thaidate.quarter_range(fy, quarter)[1]
            if q_end + timedelta(days=15) > self.today:
                break
            share = Decimal(str(round(min(1.0, quarter / 4 * pace), 3)))
            if lumpy:
                share = Decimal(1 if quarter == 4 else 0)
            result = self._indicator_value(measure, target, share, lower)
            due = Decimal(quarter) / 4
            met = share >= due * Decimal("0.9")
            score_1 = HUNDRED if met else Decimal(rng.choice([0, 50]))
            score_2 = score_1 if rng.random() < 0.8 else Decimal(rng.choice([0, 50, 100]))
            if rng.random() < 0.1:
                score_1 = score_2 = Decimal("0")  # seed 000's "0 / 0"
            narrative = rng.choice(data.QUARTER_NARRATIVES).format(
                result=_plain(result), target=_plain(target), measure=measure
            )
            quarters.append(
                IndicatorQuarter(
                    quarter=quarter,
                    result=result,
                    narrative=narrative,
                    score_1=score_1,
                    score_2=score_2,
                    audit_score=Decimal(rng.choice([80, 90, 100])) if rng.random() < 0.3 else None,
                )
            )

        achieved = None
        if past_year and result is not None:
            roll = rng.random()
            achieved = Decimal("0") if roll < 0.1 else None if roll < 0.15 else result  # seed 000: 0 vs 100
        year_end = {}
        if past_year:
            person = _person_name(rng)
            year_end = {
                "summary": f"ผลการดำเนินงานปีงบประมาณ {fy} ได้ {_plain(result)} {measure} จากเป้าหมาย {_plain(target)} {measure}"
                if result is not None
                else "-",
                "supporting_factors": rng.choice(data.SUPPORTING_FACTORS),
                "obstacles": rng.choice(data.OBSTACLES + data.NOTHING),
                "evidence": rng.choice(data.EVIDENCE),
                "reporter_name": person,
                "reporter_position": rng.choice(data.POSITIONS).format(unit=lead.project.unit.name),
            }
        if measure == "ร้อยละ":
            calculation = f"(จำนวน{lead.target}ที่ดำเนินการได้ / จำนวน{lead.target}ทั้งหมด) x 100"
        elif measure == "ระดับ":
            calculation = "ประเมินตามเกณฑ์ระดับความสำเร็จ 5 ระดับ (ระดับ 1 – 5)"
        else:
            calculation = f"นับจำนวน ({measure}) ที่ดำเนินการแล้วเสร็จ ณ สิ้นไตรมาส"
        definitions = "\n".join(
            line.format(target=lead.target) for line in data.INDICATOR_DEFINITIONS[: rng.randint(1, 3)]
        )
        indicator = Indicator(
            code=code,
            fiscal_year=fy,
            name=name,
            unit=lead.project.unit,
            measure=measure,
            lower_is_better=lower,
            target=target,
            achieved=achieved,
            type=rng.choices(
                [Indicator.Type.STRATEGIC, Indicator.Type.ROUTINE, Indicator.Type.NEGOTIATED, Indicator.Type.NOT_SET],
                weights=[60, 20, 10, 10],
            )[0],
            level=rng.choices(
                [Indicator.Level.OUTPUT, Indicator.Level.OUTCOME, Indicator.Level.NOT_SET], weights=[55, 35, 10]
            )[0],
            definitions=definitions,
            calculation=calculation,
            plan_node=plan_node,
            **year_end,
        )
        indicator.refresh_search_text()
        return indicator, quarters

    @staticmethod
    def _indicator_value(measure, target, share, lower):
        if measure == "ระดับ":
            return Decimal(max(1, min(5, int((share * 5).to_integral_value()))))
        if lower:
            # Starts well above the ceiling and comes down towards it.
            return (target * (2 - share)).quantize(CENT)
        value = target * share
        return value.quantize(CENT) if measure == "ร้อยละ" else value.to_integral_value()


def _person_name(rng):
    """นายสมชาย ใจดี, นางสาววรรณา ศรีสุข: title matching the first name."""
    if rng.random() < 0.5:
        title, first = "นาย", rng.choice(data.MALE_FIRST_NAMES)
    else:
        title, first = rng.choice(["นาง", "นางสาว"]), rng.choice(data.FEMALE_FIRST_NAMES)
    return f"{title}{first} {rng.choice(data.LAST_NAMES)}"


def _plain(value):
    """45.00 -> '45', 12.50 -> '12.5'."""
    if value is None:
        return "-"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def demo_fiscal_years(*, years, today):
    """The last `years` fiscal years, ending with today's."""
    current = thaidate.fiscal_year(today)
    return list(range(current - years + 1, current + 1))


# --- The annual performance agreement and the city-development indicator base ----------------

# The four dimensions of the agreement (legacy index101–104). Dimensions 1–3 are named on the
# legacy pages; the name of dimension 4 is the usual one of Thai performance agreements.
EVALUATION_DIMENSIONS = [
    (1, "ด้านประสิทธิผลตามพันธกิจ", "Effectiveness"),
    (2, "ด้านประสิทธิภาพของการปฏิบัติราชการ", "Efficiency"),
    (3, "ด้านคุณภาพการปฏิบัติราชการ", "Quality of service"),
    (4, "ด้านการพัฒนาองค์กร", "Organisational development"),
]
# The dimension of a unit's first, second … agreement KPI: most in dimension 1 (so that numbers
# run past 1.9), one each in 2 and 3, none in 4 (a page then shows an empty dimension).
AGREEMENT_LAYOUT = (1, 1, 1, 1, 1, 2, 1, 1, 3, 1, 1, 1)
NEGOTIATED_TAG = "ตัวชี้วัดเจรจา"
# Demo city indicators have numbers from here up; the legacy base's own numbers are far below.
CITY_NUMBER_START = 9001


def evaluation_dimensions_ensure():
    """Create the evaluation dimensions that are missing (kept when present); {number: dimension}."""
    existing = {dimension.number: dimension for dimension in EvaluationDimension.objects.all()}
    missing = [
        EvaluationDimension(number=number, name=name, name_en=name_en)
        for number, name, name_en in EVALUATION_DIMENSIONS
        if number not in existing
    ]
    for dimension in EvaluationDimension.objects.bulk_create(missing):
        existing[dimension.number] = dimension
    return existing


def agreements_assign(fiscal_years, *, seed):
    """Make about two in three demo indicators of each unit and year, up to len(AGREEMENT_LAYOUT)
    (by code), the unit's performance agreement: a dimension, a number inside it, for some the negotiated tag;
    a lower-is-better one gets its target in words against the year before. Returns the count."""
    dimensions = evaluation_dimensions_ensure()
    demo = Indicator.objects.filter(projects__in=demo_projects()).values("pk")
    indicators = Indicator.objects.filter(pk__in=demo, fiscal_year__in=fiscal_years).order_by(
        "fiscal_year", "unit_id", "code"
    )
    chosen, places = [], {}
    updated = ["dimension", "agreement_number", "category_tag", "target_text", "base_year"]
    read = ["fiscal_year", "unit_id", "code", "target", "lower_is_better"]
    for indicator in indicators.only(*read, *updated):
        place = places.get((indicator.fiscal_year, indicator.unit_id), 0)
        rng = random.Random(f"{seed}:agreement:{indicator.fiscal_year}:{indicator.code}")
        if place >= len(AGREEMENT_LAYOUT) or rng.random() < 0.3:
            continue  # not every indicator of a unit is in its agreement
        places[(indicator.fiscal_year, indicator.unit_id)] = place + 1
        number = AGREEMENT_LAYOUT[place]
        in_dimension = AGREEMENT_LAYOUT[: place + 1].count(number)
        indicator.dimension = dimensions[number]
        indicator.agreement_number = f"{number}.{in_dimension}"
        indicator.category_tag = NEGOTIATED_TAG if number == 1 and rng.random() < 0.4 else ""
        if indicator.lower_is_better and indicator.target is not None:
            indicator.target_text = f"{_plain(indicator.target)} จากปีที่ผ่านมา พ.ศ. {indicator.fiscal_year - 1}"
            indicator.base_year = indicator.fiscal_year - 1
        chosen.append(indicator)
    Indicator.objects.bulk_update(chosen, updated, batch_size=BATCH)
    return len(chosen)


# (plan goal, name, measure, target as written, its number, lower is better, data characteristic,
# calculation, data source)
CITY_INDICATORS = [
    ("1.1.1", "ร้อยละของจำนวนวันที่มีค่าฝุ่นละอองขนาดไม่เกิน 2.5 ไมครอนเกินค่ามาตรฐานลดลง", "ลดลงร้อยละ",
     "5 จากปีที่ผ่านมา พ.ศ. 2563", "5", True, "ตัวชี้วัดเป้าประสงค์",
     "(จำนวนวันที่เกินมาตรฐานปีก่อน - จำนวนวันที่เกินมาตรฐานปีนี้) x 100 / จำนวนวันที่เกินมาตรฐานปีก่อน",
     "สำนักสิ่งแวดล้อม"),
    ("1.1.2", "ปริมาณมูลฝอยที่ต้องกำจัดต่อวันลดลง", "ลดลงร้อยละ", "3 จากปีที่ผ่านมา พ.ศ. 2563", "3", True,
     "ตัวชี้วัดเป้าประสงค์", "(ปริมาณมูลฝอยปีก่อน - ปริมาณมูลฝอยปีนี้) x 100 / ปริมาณมูลฝอยปีก่อน", "สำนักสิ่งแวดล้อม"),
    ("1.2.1", "ร้อยละของประชาชนที่รู้สึกปลอดภัยในชีวิตและทรัพย์สิน", "ร้อยละ", "20 ของประชาชนที่ทำการสำรวจ", "20",
     False, "ตัวชี้วัดเป้าประสงค์", "จำนวนผู้ตอบว่ารู้สึกปลอดภัย x 100 / จำนวนผู้ตอบแบบสำรวจทั้งหมด", "สำนักเทศกิจ"),
    ("1.3.1", "อัตราการป่วยด้วยโรคไข้เลือดออกต่อประชากรแสนคนลดลง", "ร้อยละ (ลดลง)", "10", "10", True,
     "ตัวชี้วัดเป้าประสงค์", "จำนวนผู้ป่วย x 100,000 / จำนวนประชากรกลางปี", "สำนักอนามัย"),
    ("1.4.1", "จำนวนจุดเสี่ยงน้ำท่วมที่ได้รับการแก้ไข", "แห่ง", "12", "12", False, "ตัวชี้วัดผลผลิต",
     "นับจำนวนจุดเสี่ยงที่แก้ไขแล้วเสร็จ ณ สิ้นปี", "สำนักการระบายน้ำ"),
    ("2.1.1", "พื้นที่สีเขียวที่ประชาชนเข้าถึงได้ต่อประชากร", "ตร.ม./คน", "10", "10", False, "ตัวชี้วัดเป้าประสงค์",
     "พื้นที่สีเขียวสาธารณะทั้งหมด / จำนวนประชากรตามทะเบียนราษฎร์", "สำนักสิ่งแวดล้อม"),
    ("2.1.2", "ร้อยละของคลองที่มีคุณภาพน้ำผ่านเกณฑ์มาตรฐาน", "ร้อยละ", "80", "80", False, "ตัวชี้วัดเป้าประสงค์",
     "จำนวนจุดตรวจที่ผ่านเกณฑ์ x 100 / จำนวนจุดตรวจทั้งหมด", "สำนักการระบายน้ำ"),
    ("2.2.1", "ระยะเวลาเฉลี่ยในการเดินทางช่วงเร่งด่วนลดลง", "ลดลงร้อยละ", "5 จากปีที่ผ่านมา พ.ศ. 2562", "5", True,
     "ตัวชี้วัดเป้าประสงค์", "(เวลาเดินทางเฉลี่ยปีก่อน - ปีนี้) x 100 / เวลาเดินทางเฉลี่ยปีก่อน", "สำนักการจราจรและขนส่ง"),
    ("3.1.1", "ร้อยละของผู้สูงอายุที่ได้รับการดูแลตามมาตรฐาน", "ร้อยละ", "80", "80", False, "ตัวชี้วัดเป้าประสงค์",
     "จำนวนผู้สูงอายุที่ได้รับการดูแล x 100 / จำนวนผู้สูงอายุที่ขึ้นทะเบียน", "สำนักพัฒนาสังคม"),
    ("3.2.2", "จำนวนผู้ผ่านการฝึกอาชีพที่นำความรู้ไปประกอบอาชีพ", "คน", "1,000", "1000", False, "ตัวชี้วัดผลลัพธ์",
     "นับจำนวนผู้ผ่านการฝึกที่มีรายได้จากอาชีพที่ฝึก", "สำนักพัฒนาสังคม"),
    ("5.1.1", "ร้อยละของชุมชนที่มีส่วนร่วมในการจัดทำแผนพัฒนาเขต", "ร้อยละ", "70", "70", False, "ตัวชี้วัดเป้าประสงค์",
     "จำนวนชุมชนที่ร่วมจัดทำแผน x 100 / จำนวนชุมชนทั้งหมด", "สำนักงานเขต"),
    ("6.2.1", "คะแนนเฉลี่ยผลการทดสอบทางการศึกษาระดับชาติของนักเรียนสังกัดกรุงเทพมหานครเพิ่มขึ้น", "ร้อยละ",
     "2 จากปีที่ผ่านมา พ.ศ. 2562", "2", False, "ตัวชี้วัดเป้าประสงค์",
     "(คะแนนเฉลี่ยปีนี้ - คะแนนเฉลี่ยปีก่อน) x 100 / คะแนนเฉลี่ยปีก่อน", "สำนักการศึกษา"),
    ("7.1.1", "จำนวนคู่มือมาตรฐานการให้บริการที่เผยแพร่", "เล่ม", "1", "1", False, "ตัวชี้วัดผลผลิต",
     "นับจำนวนคู่มือที่เผยแพร่แล้ว", "สำนักงาน ก.ก."),
    ("7.3.1", "ร้อยละของงานบริการที่ประชาชนขอรับผ่านระบบดิจิทัลได้", "ร้อยละ", "60", "60", False,
     "ตัวชี้วัดเป้าประสงค์", "จำนวนงานบริการที่ให้บริการออนไลน์ x 100 / จำนวนงานบริการทั้งหมด", "สำนักยุทธศาสตร์และประเมินผล"),
]  # fmt: skip


def city_indicators_ensure(plan):
    """Create the demo city-development indicators that are missing (numbers 9001 and up),
    aligned to the plan's goals with their sub-dimension and dimension; returns the count made."""
    nodes = plan[0][1]  # the base was built in 2562–2563: the first edition's tree
    existing = set(CityIndicator.objects.filter(number__gte=CITY_NUMBER_START).values_list("number", flat=True))
    made, goals = [], []
    for place, row in enumerate(CITY_INDICATORS):
        goal, name, measure, target_text, target, lower, characteristic, calculation, source = row
        number = CITY_NUMBER_START + place
        if number in existing:
            continue
        indicator = CityIndicator(
            number=number,
            # Both forms occur on the legacy pages: a Thai digit (the plan dimension's) or an Arabic one.
            ordinal_display=f"{to_thai_digits(goal.split('.')[0])}." if place % 2 == 0 else f"{place + 1}.",
            name=name,
            measure=measure,
            lower_is_better=lower,
            target_text=target_text,
            target=Decimal(target),
            base_year=int(target_text[-4:]) if "พ.ศ." in target_text else None,
            data_characteristic=characteristic,
            definitions=f"1.1 {name} หมายถึง ผลการดำเนินงานตามเป้าหมายที่ {to_thai_digits(goal)} ของแผนพัฒนากรุงเทพมหานคร\n"
            "1.2 ข้อมูลที่ใช้ หมายถึง ข้อมูลที่หน่วยงานเจ้าของข้อมูลรวบรวม ณ สิ้นปีงบประมาณ",
            sections=[
                {"number": "2", "title": "วิธีการคำนวณ", "text": calculation},
                {"number": "3", "title": "แหล่งข้อมูล", "text": source},
                {"number": "4", "title": "ความถี่ในการจัดเก็บข้อมูล", "text": "ปีละ 1 ครั้ง"},
            ],
        )
        indicator.refresh_search_text()  # as save() does; bulk_create bypasses it
        made.append(indicator)
        goals.append(goal)
    through = CityIndicator.plan_nodes.through
    links = [
        through(cityindicator_id=indicator.pk, plannode_id=nodes[code].pk)
        for indicator, goal in zip(CityIndicator.objects.bulk_create(made), goals, strict=True)
        for code in (goal.split(".")[0], goal.rsplit(".", 1)[0], goal)
        if code in nodes
    ]
    through.objects.bulk_create(links)
    return len(made)


# --- The reporting cycle (issue 20): every month status shows somewhere ----------------------


def cycle_ensure(fiscal_years, *, today, users):
    """Calendars for the demo years (the past ones without approval, as the years that held data
    when the cycle came in; the current one with approval), then, through the services, some of
    this year's reports of สำนักพัฒนาสังคม approved by its director, one
    returned with a comment, one turned back into a draft, and Q1 of the previous year closed
    for every unit. Returns {status: count} of what it changed."""
    from projects import services  # the domain's own rules write the review and the lock

    current = thaidate.fiscal_year(today)
    for fiscal_year in fiscal_years:
        values = {
            name: getattr(ReportingCalendar.default_for(fiscal_year), name)
            for name in ReportingCalendar.EDITABLE_FIELDS
        }
        values["approval_required"] = fiscal_year >= current
        ReportingCalendar.objects.update_or_create(fiscal_year=fiscal_year, defaults=values)
    for fiscal_year in Project.objects.filter(fiscal_year__lt=current).values_list("fiscal_year", flat=True).distinct():
        ReportingCalendar.legacy_year_ensure(fiscal_year)  # the imported seed printouts' years
    by_role = {user.role: user for user, _unit in users}
    director, planner = by_role[User.Role.DIRECTOR], by_role[User.Role.PLANNER]
    since = thaidate.fiscal_year_range(current)[0]
    reports = list(
        ProgressReport.objects.live()
        .filter(
            project__in=demo_projects().filter(fiscal_year=current, unit__in=OrgUnit.objects.subtree_of(director.unit)),
            report_date__gte=since,
        )
        .select_related("project__unit")
        .order_by("project__code", "report_date", "pk")
    )
    done = {"approved": 0, "returned": 0, "draft": 0}
    for n, report in enumerate(reports):
        if n % 4 == 0:
            services.progress_report_approve(report=report, user=director, version=report.version)
            done["approved"] += 1
        elif n == 1:
            services.progress_report_return(
                report=report,
                user=director,
                version=report.version,
                comment="ตัวเลขร้อยละไม่ตรงกับผลการดำเนินงานที่บรรยาย กรุณาตรวจสอบและแก้ไข",
            )
            done["returned"] += 1
        elif n == 2:
            ProgressReport.objects.filter(pk=report.pk).update(status=ProgressReport.Status.DRAFT, submitted_at=None)
            report.project.refresh_progress_summary()
            done["draft"] += 1
    if (
        current - 1 in fiscal_years
        and not QuarterLock.objects.active().filter(fiscal_year=current - 1, quarter=1, unit=None).exists()
    ):
        services.quarter_close(user=planner, fiscal_year=current - 1, quarter=1)
    return done
