"""The project list's filter form (and the filters every list shares: ListFilterForm): GET
parameters in, a filtered and sorted QuerySet out.

Invalid values never break the list: the form reports them in Thai and the list is filtered by
the values that were valid.
"""

from django import forms
from django.conf import settings
from django.db.models import Exists, F, Max, Min, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from bma_tracker import thaidate
from bma_tracker.db import thai_order
from projects.forms import WIDGETS_IN_JINJA2
from projects.models import DistrictGroup, OrgUnit, Project, ScheduleStatus, User, schedule_ref_date

SEARCH_MAX_CHARS = 200

# The seven dimensions (ด้าน) of the BMA 20-year development plan; nodes carry codes 1–7.
PLAN_DIMENSIONS = [
    ("1", _("ด้านที่ 1 มหานครปลอดภัย")),
    ("2", _("ด้านที่ 2 มหานครสีเขียว สะดวกสบาย")),
    ("3", _("ด้านที่ 3 มหานครสำหรับทุกคน")),
    ("4", _("ด้านที่ 4 มหานครกระชับ")),
    ("5", _("ด้านที่ 5 มหานครประชาธิปไตย")),
    ("6", _("ด้านที่ 6 มหานครแห่งเศรษฐกิจและการเรียนรู้")),
    ("7", _("ด้านที่ 7 การบริหารจัดการเมืองมหานคร")),
]

# Sort keys a user may ask for ("-key" for descending) and the columns they stand for; anything
# else is refused by the form.
SORT_FIELDS = {
    "code": "code",
    "name": "name",
    "unit": "unit__name",
    "percent": "latest_percent",
    "date": "latest_report_date",
}
THAI_SORTED = ("name", "unit")


def sort_ordering(sort, fields=SORT_FIELDS, thai_sorted=THAI_SORTED):
    """order_by() arguments for a whitelisted sort key: Thai order for names, rows without a
    value at the low end, the code as the tie-breaker."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    field = fields[key]
    if key == "code":  # never null: a plain order, so the (fiscal_year, code) index serves it
        return ("-code",) if descending else ("code",)
    expression = thai_order(field) if key in thai_sorted else F(field)
    primary = expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)
    return (primary, F("code").asc())


CHOICE_ERROR = _("ค่าที่เลือกไม่ถูกต้อง กรุณาเลือกจากรายการ")


def current_fiscal_year():
    return thaidate.fiscal_year(thaidate.today())


class ListFilterForm(forms.Form):
    """The filters the project and indicator lists share: fiscal year (default: the current one),
    unit with the units under it, district group, Thai search and a whitelisted sort. A
    subclass names the model whose fiscal years are on offer, its sort keys, and adds its own
    fields (field_order places them)."""

    # Its selects carry every unit and plan node (a few hundred options): Django's Jinja2 copies
    # of the widget templates render them with the same HTML at a fraction of the cost.
    default_renderer = WIDGETS_IN_JINJA2
    year_model = None
    sort_fields = SORT_FIELDS
    thai_sorted = THAI_SORTED
    search_label = _("ค้นหา (ชื่อหรือรหัสโครงการ)")

    fiscal_year = forms.TypedChoiceField(
        label=_("ปีงบประมาณ"), coerce=int, required=False, error_messages={"invalid_choice": CHOICE_ERROR}
    )
    unit = forms.ModelChoiceField(
        label=_("หน่วยงาน (รวมหน่วยงานในสังกัด)"),
        queryset=OrgUnit.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("ทุกหน่วยงาน"),
        error_messages={"invalid_choice": _("ไม่พบหน่วยงานที่เลือก")},
    )
    district_group = forms.ChoiceField(
        label=_("กลุ่มเขต"),
        choices=[("", _("ทุกกลุ่มเขต")), *DistrictGroup.choices],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    q = forms.CharField(
        max_length=SEARCH_MAX_CHARS,
        required=False,
        error_messages={"max_length": _("คำค้นหายาวเกินไป (ไม่เกิน %(limit_value)d ตัวอักษร)")},
    )
    sort = forms.ChoiceField(
        label=_("เรียงตาม"),
        required=False,
        error_messages={"invalid_choice": _("ไม่สามารถเรียงตามค่าที่ระบุได้")},
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Every year from the first on record to the current one: two index lookups, where a
        # DISTINCT over all rows would scan the table.
        bounds = self.year_model.objects.aggregate(first=Min("fiscal_year"), last=Max("fiscal_year"))
        last = max(bounds["last"] or 0, current_fiscal_year())
        first = bounds["first"] or last
        self.fields["fiscal_year"].choices = [(year, str(year)) for year in range(last, first - 1, -1)]
        self.fields["sort"].choices = [(key, key) for field in self.sort_fields for key in (field, f"-{field}")]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].label = self.search_label

    def value(self, name):
        """A field's cleaned value, or its default when it was missing or invalid."""
        if name in self.errors:
            return None if name != "fiscal_year" else current_fiscal_year()
        value = self.cleaned_data.get(name)
        if name == "fiscal_year" and value in (None, ""):
            return current_fiscal_year()
        return value

    def filter_common(self, rows):
        """The rows (a queryset of year_model) of the chosen fiscal year, unit subtree, district
        group and search text."""
        self.is_valid()  # fills cleaned_data with the valid fields and errors with the rest
        rows = rows.in_fiscal_year(self.value("fiscal_year"))
        if unit := self.value("unit"):
            rows = rows.for_unit(unit)
        if group := self.value("district_group"):
            rows = rows.for_district_group(group)
        if text := self.value("q"):
            rows = rows.search(text)
        return rows

    def ordering(self):
        """order_by() arguments of the chosen sort (default: by code)."""
        return sort_ordering(self.value("sort") or "code", self.sort_fields, self.thai_sorted)


class ProjectFilterForm(ListFilterForm):
    year_model = Project
    field_order = ["fiscal_year", "unit", "district_group", "dimension", "status", "q", "sort"]

    dimension = forms.ChoiceField(
        label=_("ยุทธศาสตร์ (ด้าน)"),
        choices=[("", _("ทุกด้าน")), *PLAN_DIMENSIONS],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    status = forms.ChoiceField(
        label=_("สถานะตามแผน"),
        choices=[("", _("ทุกสถานะ")), *ScheduleStatus.choices],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )

    @property
    def ref_date(self):
        """The day the schedule status is judged on: today, or the end of a closed fiscal year."""
        return schedule_ref_date(self.value("fiscal_year"))

    def filter(self, projects):
        """The projects matching the valid filters, annotated with schedule_status and sorted."""
        projects = self.filter_common(projects).with_schedule_status(self.ref_date, settings.SCHEDULE_BEHIND_MARGIN)
        if dimension := self.value("dimension"):
            linked = Project.plan_nodes.through.objects.filter(project_id=OuterRef("pk")).filter(
                Q(plannode__code=dimension) | Q(plannode__code__startswith=f"{dimension}.")
            )
            projects = projects.filter(Exists(linked))
        if status := self.value("status"):
            projects = projects.filter(schedule_status=status)
        return projects.order_by(*self.ordering())


class UserFilterForm(forms.Form):
    """The user list's filters: a name, a unit (with the units under it), a role, active or not."""

    q = forms.CharField(label=_("ค้นหา (ชื่อผู้ใช้ ชื่อ หรืออีเมล)"), max_length=SEARCH_MAX_CHARS, required=False)
    unit = forms.ModelChoiceField(
        label=_("หน่วยงาน (รวมหน่วยงานในสังกัด)"),
        queryset=OrgUnit.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("ทุกหน่วยงาน"),
        error_messages={"invalid_choice": _("ไม่พบหน่วยงานที่เลือก")},
    )
    role = forms.ChoiceField(
        label=_("บทบาท"),
        choices=[("", _("ทุกบทบาท")), *User.Role.choices],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    active = forms.ChoiceField(
        label=_("สถานะ"),
        choices=[("", _("ทั้งหมด")), ("1", _("ใช้งานอยู่")), ("0", _("ปิดการใช้งานแล้ว"))],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"
        self.fields["q"].widget.input_type = "search"

    def filter(self, users):
        if not self.is_valid():
            return users.none()
        data = self.cleaned_data
        if text := data["q"].strip():
            users = users.filter(
                Q(username__icontains=text)
                | Q(first_name__icontains=text)
                | Q(last_name__icontains=text)
                | Q(email__icontains=text)
            )
        if data["unit"]:
            users = users.filter(unit__in=OrgUnit.objects.subtree_of(data["unit"]))
        if data["role"]:
            users = users.filter(role=data["role"])
        if data["active"]:
            users = users.filter(is_active=data["active"] == "1")
        return users
