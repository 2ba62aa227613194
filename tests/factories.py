"""Small factory functions: each makes one valid object with overridable fields."""

import itertools
from datetime import date
from decimal import Decimal

from indicators.models import Indicator, IndicatorQuarter
from projects.models import DistrictGroup, OrgUnit, PlanEdition, PlanNode, PlanStep, ProgressReport, Project, User

_seq = itertools.count(1)


def make_unit(code=None, name=None, kind=OrgUnit.Kind.DEPARTMENT, parent=None, district_group=""):
    n = next(_seq)
    if kind == OrgUnit.Kind.DISTRICT and not district_group:
        district_group = DistrictGroup.CENTRAL
    return OrgUnit.objects.create(
        code=code or f"{90000000 + n:08d}",
        name=name or f"หน่วยงานทดสอบ {n}",
        kind=kind,
        parent=parent,
        district_group=district_group,
    )


def make_user(username=None, unit=None, role=User.Role.STAFF, password="pw-test-12345", **extra):
    user = User.objects.create_user(
        username=username or f"user{next(_seq)}", password=password, unit=unit, role=role, **extra
    )
    return user


def make_edition(first_fiscal_year=2561, name="แผนพัฒนากรุงเทพมหานคร ระยะ 20 ปี ระยะที่ 2"):
    return PlanEdition.objects.get_or_create(first_fiscal_year=first_fiscal_year, defaults={"name": name})[0]


def make_plan_node(code="3.2.2.1", title="พัฒนาโรงเรียนฝึกอาชีพ", edition=None, parent=None):
    from bma_tracker.text import to_thai_digits

    return PlanNode.objects.create(
        edition=edition or make_edition(),
        parent=parent,
        level=code.count(".") + 1,
        code=code,
        code_display=to_thai_digits(code),
        title=title,
    )


def make_project(code=None, unit=None, fiscal_year=2564, name=None, **extra):
    unit = unit or make_unit()
    n = next(_seq)
    return Project.objects.create(
        code=code or f"{unit.code}-{n}",
        name=name or f"โครงการทดสอบ {n}",
        fiscal_year=fiscal_year,
        unit=unit,
        **extra,
    )


def make_report(project, report_date=date(2021, 3, 30), percent="35.00", narrative="ดำเนินการตามแผน", **extra):
    return ProgressReport.objects.create(
        project=project,
        report_date=report_date,
        percent=Decimal(percent),
        narrative=narrative,
        problems=extra.pop("problems", "ไม่มี"),
        obstacles=extra.pop("obstacles", "ไม่มี"),
        **extra,
    )


def make_step(project, number=1, name="วางแผนการดำเนินงาน", weight="20", start=date(2020, 10, 1), end=date(2020, 10, 1)):
    return PlanStep.objects.create(
        project=project, number=number, name=name, weight=Decimal(weight), start=start, end=end
    )


def make_indicator(code=None, fiscal_year=2564, unit=None, **extra):
    n = next(_seq)
    extra.setdefault("name", f"ตัวชี้วัดทดสอบ {n}")
    extra.setdefault("measure", "ร้อยละ")
    extra.setdefault("target", Decimal("100"))
    return Indicator.objects.create(code=code or f"9{n:03d}-{n:04d}", fiscal_year=fiscal_year, unit=unit, **extra)


def make_indicator_quarter(indicator, quarter=1, **extra):
    return IndicatorQuarter.objects.create(indicator=indicator, quarter=quarter, **extra)
