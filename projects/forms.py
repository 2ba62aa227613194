"""Entry forms: monthly progress, project, plan steps, the planning office's evaluation.

Forms turn what people type into domain values (Thai dates, percents) and say in Thai what is
wrong; saving happens in projects.services."""

import re
import uuid
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.forms.renderers import Jinja2
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from bma_tracker import thaidate
from bma_tracker.text import to_arabic_digits
from projects.access import units_for_edit
from projects.cycle import Locks, locked_message, open_report_day, steps_window_message
from projects.models import OrgUnit, PlanEdition, PlanNode, PlanStep, ProgressReport, Project, ReportingCalendar

_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")


class LoginForm(AuthenticationForm):
    """Django's login form, except that a login name no account can have (longer than a
    username may be, or with control characters such as NUL) is a failed login like any other:
    the same message, and counted by the lockout. Django's own form refuses such a name before
    authenticating, in English and uncounted, and the database cannot look up a NUL."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.max_length = None
        field.validators = []  # no length or NUL check: clean() counts such names as failures

    def clean(self):
        name = self.cleaned_data.get("username")
        if name and (len(name) > self.username_field.max_length or any(ord(c) < 32 or ord(c) == 127 for c in name)):
            user_login_failed.send(sender=__name__, credentials={"username": name}, request=self.request)
            raise self.get_invalid_login_error()
        return super().clean()


class ThaiDateField(forms.Field):
    """A date typed and shown as d/m/BE-year (30/08/2564); Thai or Arabic digits."""

    widget = forms.TextInput
    default_error_messages = {"required": _("กรุณากรอกวันที่")}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("วว/ดด/ปปปป (พ.ศ.) เช่น 30/08/2564"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "placeholder": "วว/ดด/ปปปป", "autocomplete": "off"}

    def prepare_value(self, value):
        if hasattr(value, "year") and hasattr(value, "day"):
            return thaidate.format_short(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year") and hasattr(value, "day"):
            return value
        try:
            return thaidate.parse_thai_date(str(value))
        except thaidate.ThaiDateError as exc:
            raise ValidationError(str(exc), code="invalid") from None


class NumberField(forms.Field):
    """A plain decimal number: digits and at most one point, at most 2 decimals, between
    min_value and max_value. Refuses what Python would read but people do not mean: 1e3, NaN,
    Infinity, thousands separators."""

    widget = forms.TextInput
    default_error_messages = {"required": _("กรุณากรอกตัวเลข")}

    def __init__(self, *, min_value=Decimal("0"), max_value=None, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.normalize():f}" if value == value.to_integral() else str(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = to_arabic_digits(str(value)).strip()
        if text.startswith("-") and _NUMBER.match(text[1:]):
            raise ValidationError(_("ต้องไม่ต่ำกว่า %(min)s") % {"min": self.min_value}, code="min_value")
        if not _NUMBER.match(text):
            raise ValidationError(_("กรุณากรอกเป็นตัวเลข เช่น 45 หรือ 45.50"), code="invalid")
        number = Decimal(text)
        if "." in text and len(text.split(".")[1]) > 2:
            raise ValidationError(_("ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"), code="max_decimal_places")
        if number < self.min_value:
            raise ValidationError(_("ต้องไม่ต่ำกว่า %(min)s") % {"min": self.min_value}, code="min_value")
        if self.max_value is not None and number > self.max_value:
            raise ValidationError(_("ต้องไม่เกิน %(max)s") % {"max": self.max_value}, code="max_value")
        return number


class PercentField(NumberField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("ตัวเลข 0–100 ทศนิยมไม่เกิน 2 ตำแหน่ง"))
        super().__init__(min_value=Decimal("0"), max_value=Decimal("100"), **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as exc:
            if exc.code == "max_value":
                raise ValidationError(_("ร้อยละต้องไม่เกิน 100"), code="max_value") from None
            if exc.code == "min_value":
                raise ValidationError(_("ร้อยละต้องไม่ต่ำกว่า 0"), code="min_value") from None
            raise


def _format_limit_help(limit):
    return _("ไม่เกิน %(limit)s ตัวอักษร") % {"limit": f"{limit:,}"}


# Lazy: the form classes are built at import, the language is chosen per request.
_limit_help = lazy(_format_limit_help, str)


def text_field(label, *, limit=None, initial=None, required=False):
    """A free-text box with its length limit stated in the help text and enforced in Thai."""
    limit = limit or settings.MAX_NARRATIVE_CHARS
    return forms.CharField(
        label=label,
        required=required,
        initial=initial,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_limit_help(limit),
        error_messages={
            "max_length": _("ข้อความยาวเกินกำหนด: ไม่เกิน %(limit_value)d ตัวอักษร (กรอกมา %(show_value)d ตัวอักษร)"),
            "null_characters_not_allowed": _("ข้อความมีอักขระที่ใช้ไม่ได้ (NUL) กรุณาพิมพ์ใหม่"),
        },
    )


class VersionForm(forms.Form):
    """The version of the record the form was rendered from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


# The monthly report form is the form staff fill in most (every project, every month): its
# widgets render with Django's Jinja2 copies of its widget templates: the same HTML, and the
# page costs about a tenth less CPU (2.4 instead of 2.7 ms). The admin's widgets have no Jinja2
# templates, so the other forms keep the default renderer. One instance: one template engine.
WIDGETS_IN_JINJA2 = Jinja2()


class ProgressReportForm(VersionForm):
    default_renderer = WIDGETS_IN_JINJA2
    report_date = ThaiDateField(label=_("วันที่รายงาน"))
    percent = PercentField(label=_("ความคืบหน้าสะสม (ร้อยละ)"))
    narrative = text_field(_("ผลการดำเนินงาน"))
    problems = text_field(_("ปัญหาของโครงการ"), initial="ไม่มี")
    obstacles = text_field(_("อุปสรรคของโครงการ"), initial="ไม่มี")
    confirm_lower = forms.BooleanField(label=_("ยืนยันว่าความคืบหน้าลดลงจากรายงานก่อนหน้าจริง"), required=False)
    lower_reason = forms.CharField(
        label=_("เหตุผลที่ความคืบหน้าลดลง"),
        required=False,
        max_length=500,
        help_text=_("ไม่เกิน 500 ตัวอักษร"),
        error_messages={"max_length": _("ข้อความยาวเกินกำหนด: ไม่เกิน %(limit_value)d ตัวอักษร")},
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, project, report=None, today=None, locks=None, **kwargs):
        self.project, self.report = project, report
        self.locks = locks or Locks.load(project.fiscal_year)
        super().__init__(*args, **kwargs)
        self.date_note = None
        if report is not None:
            self.initial.update({name: getattr(report, name) for name in ProgressReport.EDITABLE_FIELDS})
            self.initial["version"] = report.version
        else:
            # A date inside an open period (issue 20): today, else the last open day of the
            # project's year; None with the reason when none is open.
            day, self.date_note = open_report_day(project, today=today or thaidate.today(), locks=self.locks)
            self.initial.setdefault("report_date", day)
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    @property
    def is_draft(self):
        """Whether the user pressed "save as draft" rather than "submit"."""
        return self.data.get("action") == "draft"
        self.previous = None
        self.needs_confirmation = bool(self.data.get("confirm_lower")) if self.is_bound else False

    def clean_report_date(self):
        day = self.cleaned_data["report_date"]
        first, last = thaidate.fiscal_year_range(self.project.fiscal_year)
        if not first <= day <= last:
            raise ValidationError(
                _("วันที่รายงานต้องอยู่ในปีงบประมาณ %(fy)s (%(first)s – %(last)s)")
                % {
                    "fy": self.project.fiscal_year,
                    "first": thaidate.format_short(first),
                    "last": thaidate.format_short(last),
                },
                code="outside_fiscal_year",
            )
        quarter = thaidate.fiscal_quarter(day)
        if quarter in self.locks.quarters_for(self.project.unit):
            raise ValidationError(locked_message(self.project.fiscal_year, quarter), code="closed_quarter")
        return day

    def clean(self):
        data = super().clean()
        day, percent = data.get("report_date"), data.get("percent")
        if day is None or percent is None:
            return data
        previous = self.project.reports.live().filter(report_date__lte=day)
        if self.report is not None:
            previous = previous.exclude(pk=self.report.pk)
        self.previous = previous.newest_first().first()
        if self.previous and percent < self.previous.percent:
            self.needs_confirmation = True
            if not data.get("confirm_lower"):
                self.add_error(
                    "percent",
                    _("ร้อยละ %(new)s ต่ำกว่ารายงานก่อนหน้า (ร้อยละ %(old)s เมื่อ %(date)s) หากถูกต้อง กรุณาติ๊กยืนยันและระบุเหตุผล")
                    % {
                        "new": percent,
                        "old": self.previous.percent,
                        "date": thaidate.format_short(self.previous.report_date),
                    },
                )
            elif not data.get("lower_reason", "").strip():
                self.add_error("lower_reason", _("กรุณาระบุเหตุผลที่ความคืบหน้าลดลง"))
        return data

    def report_values(self):
        return {name: self.cleaned_data[name] for name in ProgressReport.EDITABLE_FIELDS}

    def note(self):
        """The reason for a lower percent, kept with the audit entry."""
        if self.cleaned_data.get("confirm_lower") and self.needs_confirmation:
            return str(_("ความคืบหน้าลดลง: %(reason)s") % {"reason": self.cleaned_data["lower_reason"].strip()})
        return ""


def edition_nodes(fiscal_year):
    """The plan nodes of the edition in force in a fiscal year (a form's choices)."""
    edition = PlanEdition.for_fiscal_year(fiscal_year) if fiscal_year else None
    return PlanNode.objects.filter(edition=edition).order_by("code") if edition else PlanNode.objects.none()


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = Project
        # plan_alignment_text is the legacy page's own wording, kept as imported, not edited.
        fields = [*(name for name in Project.EDITABLE_FIELDS if name != "plan_alignment_text"), "plan_nodes"]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 4}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "targets": forms.Textarea(attrs={"rows": 3}),
            "plan_nodes": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, user, default_fiscal_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        self.fields["unit"].queryset = units_for_edit(user)
        self.fields["unit"].empty_label = None
        if editing:
            # The code is the project's address and the fiscal year its reports' frame: fixed once made.
            for name in ("code", "fiscal_year"):
                self.fields[name].disabled = True
            self.initial["version"] = self.instance.version
        else:
            self.initial.setdefault("fiscal_year", default_fiscal_year)
            if user.unit_id and not user.is_admin_role:
                self.initial.setdefault("unit", user.unit_id)
        fiscal_year = self.instance.fiscal_year if editing else self._typed_fiscal_year(default_fiscal_year)
        self.fields["plan_nodes"].queryset = edition_nodes(fiscal_year)
        self.fields["plan_nodes"].help_text = _("เฉพาะประเด็นของแผนฉบับที่ใช้ในปีงบประมาณของโครงการ")
        for name in ("rationale", "objectives", "targets"):
            field = self.fields[name]
            field.max_length = settings.MAX_LONG_TEXT_CHARS
            field.validators.append(_max_length(settings.MAX_LONG_TEXT_CHARS))
            field.help_text = _("ไม่เกิน %(limit)s ตัวอักษร") % {"limit": f"{settings.MAX_LONG_TEXT_CHARS:,}"}
        for name in ("name", "responsible_person"):
            self.fields[name].error_messages["max_length"] = _("ข้อความยาวเกินกำหนด: ไม่เกิน %(limit_value)d ตัวอักษร")

    def _typed_fiscal_year(self, default):
        raw = self.data.get(self.add_prefix("fiscal_year")) if self.is_bound else None
        try:
            return int(to_arabic_digits(raw)) if raw else default
        except ValueError:
            return default

    def clean_fiscal_year(self):
        fiscal_year = self.cleaned_data["fiscal_year"]
        if not 2500 <= fiscal_year <= 2700:
            raise ValidationError(_("กรุณากรอกปีงบประมาณเป็นปี พ.ศ. 4 หลัก เช่น 2564"), code="invalid")
        return fiscal_year

    def clean_code(self):
        code = self.cleaned_data["code"]
        raw_unit = self.data.get(self.add_prefix("unit")) if self.is_bound else None
        if not self.instance.pk and raw_unit:
            # The unit field is cleaned after this one: read it here the way it will be (a
            # tampered, non-numeric unit is that field's error, not this one's).
            try:
                unit = self.fields["unit"].clean(raw_unit)
            except ValidationError:
                return code
            if unit and not code.startswith(unit.code[:2]):
                raise ValidationError(_("รหัสโครงการควรขึ้นต้นด้วยรหัสหน่วยงาน (%(code)s)") % {"code": unit.code})
        return code

    def clean(self):
        data = super().clean()
        fiscal_year = data.get("fiscal_year") or self.instance.fiscal_year
        nodes = data.get("plan_nodes")
        if fiscal_year and nodes:
            edition = PlanEdition.for_fiscal_year(fiscal_year)
            if any(node.edition_id != getattr(edition, "pk", None) for node in nodes):
                self.add_error(
                    "plan_nodes", _("ประเด็นยุทธศาสตร์ต้องมาจากแผนฉบับที่ใช้ในปีงบประมาณ %(fy)s") % {"fy": fiscal_year}
                )
        return data

    def project_values(self):
        fields = [f for f in self.Meta.fields if f != "plan_nodes" and not self.fields[f].disabled]
        return {name: self.cleaned_data[name] for name in fields}


def _max_length(limit):
    from django.core.validators import MaxLengthValidator

    return MaxLengthValidator(
        limit, message=_("ข้อความยาวเกินกำหนด: ไม่เกิน %(limit_value)d ตัวอักษร (กรอกมา %(show_value)d ตัวอักษร)")
    )


class PlanStepForm(forms.ModelForm):
    weight = PercentField(label=_("น้ำหนัก (%)"))
    start = ThaiDateField(label=_("เริ่มต้น"))
    end = ThaiDateField(label=_("สิ้นสุด"))

    class Meta:
        model = PlanStep
        fields = PlanStep.EDITABLE_FIELDS

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"))
        return data


class BasePlanStepFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, calendar=None, **kwargs):
        self.calendar = calendar  # the project's year: its plan-step window (ReportingCalendar)
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.calendar is not None:
            window = (self.calendar.steps_window_start, self.calendar.steps_window_end)
            for form in self.forms:
                if self._should_delete_form(form) or not (form.has_changed() or form.instance.pk):
                    continue
                for name in ("start", "end"):
                    day = form.cleaned_data.get(name)
                    if day is not None and not window[0] <= day <= window[1] and name not in form.errors:
                        form.add_error(name, steps_window_message(self.calendar))
        numbers = [
            form.cleaned_data.get("number")
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not self._should_delete_form(form) and form.cleaned_data.get("number") is not None
        ]
        if len(numbers) != len(set(numbers)):
            raise ValidationError(_("เลขขั้นตอนซ้ำกัน กรุณาใช้เลขขั้นตอนไม่ซ้ำ"))

    def total_weight(self):
        return sum(
            (
                form.cleaned_data.get("weight") or Decimal("0")
                for form in self.forms
                if (form.has_changed() or form.instance.pk) and not self._should_delete_form(form)
            ),
            Decimal("0"),
        )


PlanStepFormSet = forms.modelformset_factory(
    PlanStep, form=PlanStepForm, formset=BasePlanStepFormSet, extra=2, can_delete=True
)


class EvaluationForm(VersionForm):
    score = PercentField(label=_("คะแนนประเมิน"))


class ReportingCalendarForm(VersionForm):
    """A fiscal year's reporting calendar, as the planning office edits it."""

    report_due_day = forms.IntegerField(
        label=_("กำหนดส่งรายงานภายในวันที่ของเดือนถัดไป"),
        min_value=1,
        max_value=28,
        help_text=_("1–28 เช่น 5 = รายงานของเดือนตุลาคมส่งภายในวันที่ 5 พฤศจิกายน"),
        error_messages={
            "min_value": _("ต้องเป็นวันที่ 1–28"),
            "max_value": _("ต้องเป็นวันที่ 1–28"),
            "invalid": _("กรุณากรอกเป็นตัวเลข"),
            "required": _("กรุณากรอกตัวเลข"),
        },
    )
    q1_closes = ThaiDateField(label=_("วันปิดไตรมาสที่ 1"))
    q2_closes = ThaiDateField(label=_("วันปิดไตรมาสที่ 2"))
    q3_closes = ThaiDateField(label=_("วันปิดไตรมาสที่ 3"))
    q4_closes = ThaiDateField(label=_("วันปิดไตรมาสที่ 4"))
    approval_required = forms.BooleanField(
        label=_("รายงานต้องได้รับการอนุมัติ"),
        required=False,
        help_text=_("ถ้าไม่ต้องอนุมัติ รายงานที่ส่งแล้วถือเป็นรายงานฉบับสมบูรณ์"),
    )
    steps_window_start = ThaiDateField(label=_("วันที่ของขั้นตอนตามแผนได้ตั้งแต่"))
    steps_window_end = ThaiDateField(label=_("วันที่ของขั้นตอนตามแผนได้ถึง"))

    def __init__(self, *args, calendar, **kwargs):
        self.calendar = calendar
        super().__init__(*args, **kwargs)
        self.initial.update({name: getattr(calendar, name) for name in ReportingCalendar.EDITABLE_FIELDS})
        self.initial["version"] = calendar.version if calendar.pk else None

    def clean(self):
        data = super().clean()
        if not self.errors:
            candidate = ReportingCalendar(fiscal_year=self.calendar.fiscal_year, **self.calendar_values())
            try:
                candidate.clean()
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages)
        return data

    def calendar_values(self):
        return {name: self.cleaned_data[name] for name in ReportingCalendar.EDITABLE_FIELDS}


class QuarterCloseForm(forms.Form):
    quarter = forms.TypedChoiceField(
        label=_("ไตรมาส"),
        choices=[(q, q) for q in (1, 2, 3, 4)],
        coerce=int,
        error_messages={"invalid_choice": _("กรุณาเลือกไตรมาส 1–4")},
    )
    unit = forms.ModelChoiceField(
        label=_("หน่วยงาน"),
        queryset=OrgUnit.objects.order_by("code"),
        required=False,
        empty_label=_("ทุกหน่วยงาน"),
        error_messages={"invalid_choice": _("ไม่พบหน่วยงานนี้")},
    )


class ReasonForm(forms.Form):
    """A required reason or comment (reopening a quarter, returning a report)."""

    reason = forms.CharField(
        label=_("เหตุผล"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("กรุณาระบุเหตุผล"),
            "max_length": _("ข้อความยาวเกินกำหนด: ไม่เกิน %(limit_value)d ตัวอักษร"),
            "null_characters_not_allowed": _("ข้อความมีอักขระที่ใช้ไม่ได้ (NUL) กรุณาพิมพ์ใหม่"),
        },
    )
