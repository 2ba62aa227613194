"""Small factory functions: each makes one valid object with overridable fields."""

import itertools
from datetime import date
from decimal import Decimal

from indicators.models import CityIndicator, EvaluationDimension, Indicator, IndicatorQuarter
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


# The four dimensions of the annual performance agreement (legacy index101–104).
EVALUATION_DIMENSIONS = {
    1: ("ด้านประสิทธิผลตามพันธกิจ", "Effectiveness"),
    2: ("ด้านประสิทธิภาพของการปฏิบัติราชการ", "Efficiency"),
    3: ("ด้านคุณภาพการปฏิบัติราชการ", "Quality of service"),
    4: ("ด้านการพัฒนาองค์กร", "Organisational development"),
}


def make_dimensions():
    """The four evaluation dimensions, {number: EvaluationDimension}."""
    return {
        number: EvaluationDimension.objects.get_or_create(number=number, defaults={"name": name, "name_en": name_en})[0]
        for number, (name, name_en) in EVALUATION_DIMENSIONS.items()
    }


def make_agreement_kpi(unit, dimension, agreement_number, fiscal_year=2566, **extra):
    """A KPI of the unit's performance agreement: an indicator in an evaluation dimension."""
    return make_indicator(
        unit=unit, fiscal_year=fiscal_year, dimension=dimension, agreement_number=agreement_number, **extra
    )


def make_city_indicator(number=None, name=None, **extra):
    n = next(_seq)
    return CityIndicator.objects.create(
        number=number if number is not None else 5000 + n, name=name or f"ตัวชี้วัดการพัฒนาเมืองทดสอบ {n}", **extra
    )


# --- Evidence files: small real files of each accepted kind, and the uploads that carry them ---


def pdf_bytes(text="evidence"):
    """A small well-formed PDF (one empty page)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body, offsets = b"%PDF-1.4\n%" + text.encode() + b"\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def image_bytes(fmt="PNG", size=(8, 8)):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def docx_bytes(main_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", extra=()):
    """A minimal Word document: the parts its [Content_Types].xml names."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        for name in extra:
            archive.writestr(name, b"x")
    return out.getvalue()


def xlsx_bytes():
    import io

    from openpyxl import Workbook

    out = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "ผลงาน"
    book.save(out)
    return out.getvalue()


def exe_bytes():
    """The start of a Windows executable (MZ header, PE signature)."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 44
        + b"\x80\x00\x00\x00"
        + b"PE\x00\x00" * 40
    )


def upload(name, content, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)
