"""Entry forms: monthly progress, project, plan steps, the planning office's evaluation.

Forms turn what people type into domain values (Thai dates, percents) and say in Thai what is
wrong; saving happens in projects.services."""

import re
import uuid
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.forms.renderers import Jinja2
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from bma_tracker import thaidate
from bma_tracker.security import client_ip
from bma_tracker.text import to_arabic_digits
from projects.access import roles_assignable_by, units_for_edit
from projects.cycle import Locks, locked_message, open_report_day, steps_window_message
from projects.models import (
    MAX_AMOUNT,
    OrgUnit,
    PasswordResetRequest,
    PlanEdition,
    PlanNode,
    PlanStep,
    ProgressReport,
    Project,
    ReportingCalendar,
    User,
    disbursement_error,
)

_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")

# Django's own messages for the checks every field makes, in the app's words and in Thai
# (Django's Thai catalogue lacks some; locale/th/ has the rest for any field not listed here).
TEXT_TOO_LONG = _("ข้อความยาวเกินกำหนด: ไม่เกิน %(limit_value)d ตัวอักษร (กรอกมา %(show_value)d ตัวอักษร)")
NUL_REFUSED = _("ข้อความมีอักขระที่ใช้ไม่ได้ (NUL) กรุณาพิมพ์ใหม่")
CHOICE_REFUSED = _("ค่าที่เลือกไม่ถูกต้อง กรุณาเลือกจากรายการ")
# The largest number a PositiveIntegerField column holds on every database.
INTEGER_MAX = 2_147_483_647


def thai_field_messages(form):
    """Give every field of the form the app's Thai messages for a text too long, a NUL byte and
    a choice not on the list (a crafted post). Call it first in __init__: messages a form sets
    for one field afterwards win."""
    for field in form.fields.values():
        field.error_messages["null_characters_not_allowed"] = NUL_REFUSED
        if getattr(field, "max_length", None):
            field.error_messages["max_length"] = TEXT_TOO_LONG
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            for code in ("invalid_choice", "invalid_pk_value", "invalid_list"):
                field.error_messages[code] = CHOICE_REFUSED


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


class _RawCheckboxInput(forms.CheckboxInput):
    def value_from_datadict(self, data, files, name):
        return data.get(name)  # the field judges it; Django's widget reads any string as ticked


class CheckboxField(forms.BooleanField):
    """A tick box that takes what a browser sends (nothing, or "on") and refuses anything else,
    instead of reading every other string as ticked."""

    widget = _RawCheckboxInput
    ACCEPTED = {None: False, "": False, "on": True, "true": True, "false": False, True: True, False: False}

    def to_python(self, value):
        if value not in self.ACCEPTED:
            raise ValidationError(_("ค่าที่ส่งมาไม่ถูกต้อง"), code="invalid")
        return self.ACCEPTED[value]


class ProfileForm(forms.ModelForm):
    """What users change about themselves: the address mails go to and whether they take the
    daily reminders. Name, unit and role are the administrators' business."""

    class Meta:
        model = User
        fields = ["email", "reminder_mails"]
        field_classes = {"reminder_mails": CheckboxField}
        labels = {"email": _("อีเมล")}
        help_texts = {"email": _("ใช้รับอีเมลเตือนและลิงก์ตั้งรหัสผ่านใหม่")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True  # the page is for the address mails go to

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, rate limited: at most PASSWORD_RESET_ADDRESS_LIMIT requests an hour from
    one address and PASSWORD_RESET_ACCOUNT_LIMIT mails an hour to one account. Beyond a limit
    the answer is the same page as always ("if an account has this e-mail, a mail is on its
    way") and no mail is sent, so the limits reveal no account either."""

    def save(self, *, request, **kwargs):
        PasswordResetRequest.forget_old()
        address = client_ip(request)
        if address and not PasswordResetRequest.admit(address=address, limit=settings.PASSWORD_RESET_ADDRESS_LIMIT):
            return
        super().save(request=request, **kwargs)

    def get_users(self, email):
        for user in super().get_users(email):
            if PasswordResetRequest.admit(user=user, limit=settings.PASSWORD_RESET_ACCOUNT_LIMIT):
                yield user


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


# Thousands separators as people type them: "1,250,000.50", "1 250 000", or with the stray
# space of the legacy pages ("14 ,892,956.80"); only between digits, never a second point.
_GROUPED = re.compile(r"^[0-9]{1,3}(?:\s*,\s*[0-9]{3})+(?:\.[0-9]+)?$")


class AmountField(NumberField):
    """Baht, as people type them: thousands commas, Thai or Arabic digits, an optional trailing
    "บาท"; at most 2 decimals; 0 … MAX_AMOUNT. Shown again with commas."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("บาท พิมพ์มีจุลภาคได้ เช่น 1,250,000.50"))
        kwargs.setdefault("required", False)
        super().__init__(min_value=Decimal("0"), max_value=MAX_AMOUNT, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:,.2f}"
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = to_arabic_digits(str(value)).strip().removesuffix("บาท").strip()
        if _GROUPED.match(text.lstrip("-")):
            text = re.sub(r"[\s,]", "", text)
        try:
            return super().to_python(text)
        except ValidationError as exc:
            if exc.code == "invalid":
                raise ValidationError(_("กรุณากรอกจำนวนเงินเป็นตัวเลข เช่น 1,250,000.50"), code="invalid") from None
            if exc.code == "min_value":
                raise ValidationError(_("จำนวนเงินต้องไม่ติดลบ"), code="min_value") from None
            if exc.code == "max_value":
                raise ValidationError(_("จำนวนเงินต้องไม่เกิน 100,000 ล้านบาท"), code="max_value") from None
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


class VersionField(forms.IntegerField):
    """The version of the record a form was rendered from (optimistic locking), in a hidden
    input. Anything else there (tampered, out of any column's range) reads as no version, which
    every view treats as a stale form: it shows the record as stored now, says so, saves nothing.
    A hidden field's own error would show nowhere, and a huge number would reach the database."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        try:
            number = super().to_python(value)
        except ValidationError:
            return None
        return number if number is not None and 0 <= number <= INTEGER_MAX else None


class VersionForm(forms.Form):
    """The version of the record the form was rendered from (optimistic locking)."""

    version = VersionField()


SUBMISSION_KEY = re.compile(r"[0-9a-f]{32}")
SUBMISSION_KEY_REFUSED = _("ยังไม่ได้บันทึก: แบบฟอร์มนี้ไม่สมบูรณ์ (รหัสการส่งแบบฟอร์มไม่ถูกต้อง) กรุณาตรวจสอบข้อมูลแล้วกดบันทึกอีกครั้ง")


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
    disbursed_to_date = AmountField(
        label=_("ผลการเบิกจ่ายสะสมตั้งแต่ต้นปีงบประมาณ (บาท)"),
        help_text=_("ยอดสะสมถึงวันที่รายงาน ไม่ใช่ยอดของเดือนนี้ เว้นว่างถ้าไม่มีข้อมูล พิมพ์มีจุลภาคได้ เช่น 1,250,000.50"),
    )
    confirm_lower = forms.BooleanField(label=_("ยืนยันว่าความคืบหน้าลดลงจากรายงานก่อนหน้าจริง"), required=False)
    lower_reason = forms.CharField(
        label=_("เหตุผลที่ความคืบหน้าลดลง"),
        required=False,
        max_length=500,
        help_text=_("ไม่เกิน 500 ตัวอักษร"),
        error_messages={"max_length": _("ข้อความยาวเกินกำหนด: ไม่เกิน %(limit_value)d ตัวอักษร")},
    )
    # uuid4().hex, written into the form when it is rendered (a double submit finds its report).
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, project, report=None, today=None, locks=None, **kwargs):
        self.project, self.report = project, report
        self.locks = locks or Locks.load(project.fiscal_year)
        super().__init__(*args, **kwargs)
        thai_field_messages(self)
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
        self.previous = None
        self.needs_confirmation = bool(self.data.get("confirm_lower")) if self.is_bound else False

    @property
    def is_draft(self):
        """Whether the user pressed "save as draft" rather than "submit"."""
        return self.data.get("action") == "draft"

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
        ProgressReport.check_not_in_future(day)
        quarter = thaidate.fiscal_quarter(day)
        if quarter in self.locks.quarters_for(self.project.unit):
            raise ValidationError(locked_message(self.project.fiscal_year, quarter), code="closed_quarter")
        return day

    def clean_disbursed_to_date(self):
        amount = self.cleaned_data["disbursed_to_date"]
        error = disbursement_error(self.project, amount)
        if error:
            raise ValidationError(error, code="over_budget")
        return amount

    def clean(self):
        data = super().clean()
        self._check_disbursement_order(data)
        # A new report's form carries the key it was rendered with (uuid4().hex), or none (a
        # client that sends none gets no double-submit check); an edit uses none. Anything else
        # was not written by the form: a hidden field's error would show nowhere, so it is said
        # at the top of the form, which gets a new key: the next submit, a deliberate one, goes
        # through.
        key_refused = self.errors.pop("submission_key", None) is not None
        key = data.get("submission_key")
        if self.report is None and (key_refused or (key and not SUBMISSION_KEY.fullmatch(key))):
            self.refuse_submission_key()
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

    def _check_disbursement_order(self, data):
        """A cumulative amount never goes down over time: not below an earlier report's, not
        above a later one's (one query, only when an amount is typed)."""
        day, amount = data.get("report_date"), data.get("disbursed_to_date")
        if day is None or amount is None:
            return
        others = self.project.reports.live().exclude(pk=getattr(self.report, "pk", None))
        bounds = others.aggregate(
            before=models.Max("disbursed_to_date", filter=Q(report_date__lte=day)),
            after=models.Min("disbursed_to_date", filter=Q(report_date__gt=day)),
        )
        if bounds["before"] is not None and amount < bounds["before"]:
            self.add_error(
                "disbursed_to_date",
                _("ผลการเบิกจ่ายสะสมต้องไม่น้อยกว่าที่รายงานไว้ก่อนหน้า (%(amount)s บาท) หากรายงานก่อนหน้าผิด กรุณาแก้ไขรายงานนั้น")
                % {"amount": f"{bounds['before']:,.2f}"},
            )
        elif bounds["after"] is not None and amount > bounds["after"]:
            self.add_error(
                "disbursed_to_date",
                _("ผลการเบิกจ่ายสะสมต้องไม่มากกว่าที่รายงานไว้ในวันหลังจากนี้ (%(amount)s บาท)")
                % {"amount": f"{bounds['after']:,.2f}"},
            )

    def refuse_submission_key(self):
        """Say at the top of the form that its submission key is not one it was rendered with,
        and give it a new one."""
        self.data = self.data.copy()
        self.data[self.add_prefix("submission_key")] = uuid.uuid4().hex
        self.add_error(None, ValidationError(SUBMISSION_KEY_REFUSED, code="submission_key"))

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
    version = VersionField()
    budget = AmountField(label=_("งบประมาณ (บาท)"))
    budget_after_transfer = AmountField(
        label=_("งบประมาณหลังปรับโอน (บาท)"), help_text=_("เว้นว่างถ้าไม่มีการปรับโอน พิมพ์มีจุลภาคได้ เช่น 1,250,000.50")
    )

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
        thai_field_messages(self)
        editing = self.instance.pk is not None
        fiscal_year_message = _("กรุณากรอกปีงบประมาณเป็นปี พ.ศ. 4 หลัก เช่น 2564")
        for code in ("invalid", "min_value", "max_value"):
            self.fields["fiscal_year"].error_messages[code] = fiscal_year_message
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

    def _typed_fiscal_year(self, default):
        raw = self.data.get(self.add_prefix("fiscal_year")) if self.is_bound else None
        try:
            return int(to_arabic_digits(raw)) if raw else default
        except ValueError:
            return default

    def clean_fiscal_year(self):
        fiscal_year = self.cleaned_data["fiscal_year"]
        if not 2500 <= fiscal_year <= 2700:
            raise ValidationError(self.fields["fiscal_year"].error_messages["invalid"], code="invalid")
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
        disbursed = self.instance.disbursed_to_date if self.instance.pk else None
        budget = (
            data.get("budget_after_transfer") if data.get("budget_after_transfer") is not None else data.get("budget")
        )
        field = "budget_after_transfer" if data.get("budget_after_transfer") is not None else "budget"
        if disbursed and (budget is None or budget < disbursed) and field not in self.errors:
            self.add_error(
                field,
                _("งบประมาณต้องไม่น้อยกว่าที่เบิกจ่ายไปแล้ว %(amount)s บาท") % {"amount": f"{disbursed:,.2f}"},
            )
        return data

    def project_values(self):
        fields = [f for f in self.Meta.fields if f != "plan_nodes" and not self.fields[f].disabled]
        return {name: self.cleaned_data[name] for name in fields}


def _max_length(limit):
    from django.core.validators import MaxLengthValidator

    return MaxLengthValidator(limit, message=TEXT_TOO_LONG)


STEPS_MAX = PlanStep.NUMBER_MAX


class PlanStepForm(forms.ModelForm):
    number = forms.IntegerField(label=_("ขั้นตอน"), min_value=1, max_value=STEPS_MAX)
    weight = PercentField(label=_("น้ำหนัก (%)"))
    start = ThaiDateField(label=_("เริ่มต้น"))
    end = ThaiDateField(label=_("สิ้นสุด"))

    class Meta:
        model = PlanStep
        fields = PlanStep.EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        thai_field_messages(self)
        message = _("เลขขั้นตอนต้องเป็นตัวเลข 1–%(max)d") % {"max": STEPS_MAX}
        for code in ("required", "invalid", "min_value", "max_value"):
            self.fields["number"].error_messages[code] = message

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("วันสิ้นสุดต้องไม่ก่อนวันเริ่มต้น"))
        return data


STEP_NOT_FOUND = _("แบบฟอร์มไม่สมบูรณ์ (ไม่พบขั้นตอนที่แก้ไข) กรุณาเปิดหน้านี้ใหม่แล้วกรอกอีกครั้ง")


class BasePlanStepFormSet(forms.BaseModelFormSet):
    default_error_messages = {
        "missing_management_form": _("แบบฟอร์มไม่สมบูรณ์ จึงยังไม่ได้บันทึก กรุณาเปิดหน้านี้ใหม่แล้วกรอกอีกครั้ง"),
        "too_many_forms": _("แผนการดำเนินงานมีได้ไม่เกิน %(num)d ขั้นตอน"),
        "too_few_forms": _("แผนการดำเนินงานมีได้ไม่เกิน %(num)d ขั้นตอน"),
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The hidden id of a stored step: one of this plan's steps (Django's field would take any
        # project's, then save the form as a new step); anything else is a crafted post.
        field = form.fields[self.model._meta.pk.name]
        field.queryset = self.get_queryset()
        field.error_messages["invalid_choice"] = STEP_NOT_FOUND

    def __init__(self, *args, calendar=None, **kwargs):
        self.calendar = calendar  # the project's year: its plan-step window (ReportingCalendar)
        super().__init__(*args, **kwargs)

    def clean(self):
        """The plan after the save has each step once and each number once: the numbers typed,
        and those of stored steps the post did not show (a crafted post may leave them out)."""
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
        pk_name = self.model._meta.pk.name
        if any(pk_name in form.errors for form in self.forms):
            raise ValidationError(STEP_NOT_FOUND, code="invalid_choice")  # a hidden field's error shows nowhere
        unshown = {step.pk: step.number for step in self.get_queryset()}
        numbers, shown = [], set()
        for form in self.forms:
            pk = form.instance.pk
            if pk is not None:
                if pk in shown:
                    raise ValidationError(
                        _("แบบฟอร์มไม่สมบูรณ์ (ขั้นตอนเดียวกันถูกส่งมาสองครั้ง) กรุณาเปิดหน้านี้ใหม่แล้วกรอกอีกครั้ง"),
                        code="duplicate_step",
                    )
                shown.add(pk)
                unshown.pop(pk, None)
            if self._should_delete_form(form) or not (form.has_changed() or pk):
                continue
            if form.cleaned_data.get("number") is not None:
                numbers.append(form.cleaned_data["number"])
        numbers += unshown.values()
        if len(numbers) != len(set(numbers)):
            raise ValidationError(_("เลขขั้นตอนซ้ำกัน กรุณาใช้เลขขั้นตอนไม่ซ้ำ"), code="duplicate_number")
        if len(numbers) > STEPS_MAX:
            raise ValidationError(self.error_messages["too_many_forms"] % {"num": STEPS_MAX}, code="too_many_forms")

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
    PlanStep,
    form=PlanStepForm,
    formset=BasePlanStepFormSet,
    extra=2,
    can_delete=True,
    max_num=STEPS_MAX,
    validate_max=True,
    absolute_max=STEPS_MAX,
)


class EvaluationForm(VersionForm):
    score = PercentField(label=_("คะแนนประเมิน"))


class UserForm(forms.ModelForm):
    """An account as the planning office creates or changes it (projects/views/users.py). The
    roles on offer are those the manager may give (access.roles_assignable_by); the login name
    is set once, at creation."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "unit", "role"]
        labels = {"email": _("อีเมล")}
        help_texts = {
            "username": _("ตัวอักษรภาษาอังกฤษ ตัวเลข และ . _ - ไม่เกิน 150 ตัว ใช้เข้าสู่ระบบ แก้ไขภายหลังไม่ได้"),
            "email": _("ลิงก์ตั้งรหัสผ่านจะส่งไปที่อีเมลนี้"),
        }
        error_messages = {"username": {"unique": _("มีผู้ใช้ชื่อนี้แล้ว กรุณาเลือกชื่ออื่น")}}

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["username"]
        else:
            self.fields["username"].validators.append(_login_name_validator)
        self.fields["first_name"].required = True
        self.fields["email"].required = True
        roles = roles_assignable_by(manager)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        unit = self.fields["unit"]
        unit.queryset = OrgUnit.objects.order_by("code")
        unit.required = True
        unit.label_from_instance = lambda u: f"{u.code} {u.name}"
        unit.error_messages["invalid_choice"] = _("ไม่พบหน่วยงานที่เลือก")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


def _login_name_validator(value):
    if not re.fullmatch(r"[A-Za-z0-9._-]+", value):
        raise ValidationError(_("ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ ตัวเลข และ . _ -"), code="invalid")


class EvidenceForm(forms.Form):
    """One evidence file to attach; what it holds is checked by the service that stores it
    (projects.evidence.check_upload), so a script is held to the same rules."""

    file = forms.FileField(
        label=_("ไฟล์หลักฐาน"),
        allow_empty_file=True,  # the service's message says why an empty file is refused
        error_messages={"required": _("กรุณาเลือกไฟล์ที่จะแนบ"), "invalid": _("ไม่พบไฟล์ที่ส่งมา กรุณาเลือกไฟล์อีกครั้ง")},
    )


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
