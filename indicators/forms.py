"""Entry forms for an indicator: its quarter (the unit's result, the planning office's scores),
its definition, and the indicators ticked to copy into the next fiscal year. Forms turn what
people type into domain values and say in Thai what is wrong; saving is indicators.services'."""

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from bma_tracker.text import to_arabic_digits
from indicators import access
from indicators.models import Indicator, number_at_start
from projects.forms import (
    TEXT_TOO_LONG,
    NumberField,
    PercentField,
    VersionField,
    VersionForm,
    edition_nodes,
    text_field,
    thai_field_messages,
)
from projects.models import PlanEdition, Project


class IndicatorResultForm(VersionForm):
    result = NumberField(
        label=_("ผลงาน"),
        required=False,
        max_value=Decimal("999999999999.99"),
        help_text=_("ตัวเลข ทศนิยมไม่เกิน 2 ตำแหน่ง เว้นว่างได้หากยังไม่มีผล"),
    )
    narrative = text_field(_("รายงานผลการดำเนินงาน"))

    FIELDS = ["result", "narrative"]

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("result") is None and not data.get("narrative"):
            raise ValidationError(_("กรุณากรอกผลงานหรือรายงานผลการดำเนินงานอย่างน้อยหนึ่งช่อง"), code="empty")
        return data


class IndicatorEvaluationForm(VersionForm):
    score_1 = PercentField(label=_("ผลประเมิน 2.1"), required=False)
    score_2 = PercentField(label=_("ผลประเมิน 2.2"), required=False)
    audit_score = PercentField(label=_("คะแนนตรวจสอบ (สยป.)"), required=False)

    FIELDS = ["score_1", "score_2", "audit_score"]

    def clean(self):
        data = super().clean()
        if not self.errors and all(data.get(name) is None for name in self.FIELDS):
            raise ValidationError(_("กรุณากรอกคะแนนอย่างน้อยหนึ่งช่อง"), code="empty")
        return data


# --- The indicator's definition ----------------------------------------------------------------

CODE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{1,6}$")
PROJECT_CODES_MAX = 200
TARGET_MAX = Decimal("999999999999.99")


class BuddhistYearField(forms.IntegerField):
    """A Buddhist-era year, typed with Arabic or Thai digits, between 2400 and 2700."""

    def __init__(self, *, example="2564", **kwargs):
        self.example = example
        kwargs.setdefault("min_value", 2400)
        kwargs.setdefault("max_value", 2700)
        super().__init__(**kwargs)
        message = _("กรุณากรอกปีเป็นปี พ.ศ. 4 หลัก เช่น %(example)s") % {"example": example}
        self.error_messages.update(invalid=message, min_value=message, max_value=message)

    def to_python(self, value):
        return super().to_python(to_arabic_digits(value).strip() if isinstance(value, str) else value)


def _split_codes(text):
    return [code for code in re.split(r"[\s,]+", to_arabic_digits(text or "").strip()) if code]


PLANNING_OFFICE_FIELDS = ("target_basis", "target_q1", "target_q2", "target_q3", "target_q4", "achieved_rule")


class IndicatorForm(forms.ModelForm):
    """Every field of the definition (Indicator.DEFINITION_FIELDS but the legacy alignment
    text), and the codes of the projects the indicator supports. Results are not here: the
    quarter forms enter them."""

    version = VersionField()
    code = forms.CharField(
        label=_("รหัสตัวชี้วัด"),
        max_length=20,
        help_text=_("เลข 4 หลักแรกของรหัสหน่วยงาน ขีด แล้วลำดับ เช่น 2400-1065"),
        error_messages={"required": _("กรุณากรอกรหัสตัวชี้วัด"), "max_length": TEXT_TOO_LONG},
    )
    fiscal_year = BuddhistYearField(label=_("ปีงบประมาณ"), help_text=_("พ.ศ."))
    base_year = BuddhistYearField(
        label=_("ปีฐาน"),
        required=False,
        example="2563",
        help_text=_('พ.ศ. ของปีที่เทียบ เช่น เป้าหมาย "ลดลงร้อยละ 5 จากปี 2563"'),
    )
    target = NumberField(
        label=_("ค่าเป้าหมาย (ตัวเลข)"),
        required=False,
        max_value=TARGET_MAX,
        help_text=_(
            "ค่าที่ใช้เทียบกับผลงาน ทศนิยมไม่เกิน 2 ตำแหน่ง หากเว้นว่างและค่าเป้าหมายตามที่กำหนดขึ้นต้นด้วยตัวเลข"
            " ระบบจะใช้ตัวเลขนั้น (เช่น “20 ของประชาชนที่ทำการสำรวจ” ได้ 20) ถ้าไม่มีตัวเลข ตัวชี้วัดจะไม่ถูกนับว่าบรรลุหรือไม่บรรลุ"
        ),
    )
    target_q1 = NumberField(label=_("เป้าหมายไตรมาสที่ 1"), required=False, max_value=TARGET_MAX)
    target_q2 = NumberField(label=_("เป้าหมายไตรมาสที่ 2"), required=False, max_value=TARGET_MAX)
    target_q3 = NumberField(label=_("เป้าหมายไตรมาสที่ 3"), required=False, max_value=TARGET_MAX)
    target_q4 = NumberField(
        label=_("เป้าหมายไตรมาสที่ 4"),
        required=False,
        max_value=TARGET_MAX,
        help_text=_(
            "เว้นว่างได้: ไตรมาสที่ไม่มีเป้าหมายของตนเองเทียบกับค่าเป้าหมายทั้งปี (ไตรมาส 1–3 ที่ยังไม่ถึงจะแสดงว่า ระหว่างดำเนินการ)"
        ),
    )
    project_codes = forms.CharField(
        label=_("โครงการที่สนับสนุนตัวชี้วัดนี้"),
        required=False,
        max_length=PROJECT_CODES_MAX * 21,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("รหัสโครงการของปีงบประมาณเดียวกัน คั่นด้วยการขึ้นบรรทัดใหม่หรือจุลภาค เช่น 24000000-3029"),
        error_messages={"max_length": TEXT_TOO_LONG},
    )

    class Meta:
        model = Indicator
        fields = [name for name in Indicator.DEFINITION_FIELDS if name != "plan_alignment_text"]
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "target_text": forms.TextInput(),
            "definitions": forms.Textarea(attrs={"rows": 5}),
            "calculation": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "target_text": _("ตามที่หน่วยงานกำหนด เช่น 80 หรือ 20 ของประชาชนที่ทำการสำรวจ"),
            "lower_is_better": _("ติ๊กเมื่อผลงานยิ่งน้อยยิ่งดี (เช่น หน่วยนับ ร้อยละ (ลดลง)): บรรลุเมื่อผลงานไม่เกินค่าเป้าหมาย"),
            "ordinal_display": _("ลำดับที่แสดงหน้าชื่อ เช่น 7. (เว้นว่างได้)"),
        }

    def __init__(self, *args, user, default_fiscal_year=None, **kwargs):
        super().__init__(*args, **kwargs)
        thai_field_messages(self)
        self.user = user
        editing = self.instance.pk is not None
        self.fields["unit"].queryset = access.units_for_definitions(user).order_by("code")
        self.fields["unit"].required = True
        self.fields["unit"].empty_label = None if not user.is_planner else _("เลือกหน่วยงาน")
        self.fields["unit"].error_messages["required"] = _("กรุณาเลือกหน่วยงาน")
        self.fields["unit"].error_messages["invalid_choice"] = _("เลือกได้เฉพาะหน่วยงานที่คุณกำหนดตัวชี้วัดได้")
        self.fields["name"].error_messages["required"] = _("กรุณากรอกชื่อตัวชี้วัด")
        self.fields["dimension"].empty_label = _("ไม่อยู่ในคำรับรองการปฏิบัติราชการ")
        self.fields["plan_node"].empty_label = _("ไม่ระบุ")
        for name in ("definitions", "calculation"):
            field = self.fields[name]
            field.max_length = settings.MAX_LONG_TEXT_CHARS
            field.validators.append(MaxLengthValidator(settings.MAX_LONG_TEXT_CHARS, message=TEXT_TOO_LONG))
            field.help_text = _("ไม่เกิน %(limit)s ตัวอักษร") % {"limit": f"{settings.MAX_LONG_TEXT_CHARS:,}"}
        if editing:
            # The code and fiscal year are the indicator's address: fixed once made.
            for name in ("code", "fiscal_year"):
                self.fields[name].disabled = True
            self.initial["version"] = self.instance.version
            self.initial["project_codes"] = "\n".join(
                self.instance.projects.order_by("code").values_list("code", flat=True)
            )
        else:
            self.initial.setdefault("fiscal_year", default_fiscal_year)
            if user.unit_id and not user.is_planner:
                self.initial.setdefault("unit", user.unit_id)
        for name in ("target_basis", "achieved_rule"):
            self.fields[name].required = False  # not sent: kept as it is (a new one: the default)
        if not user.is_planner:
            # Quarterly targets and how the year's result is counted are the planning office's.
            for name in PLANNING_OFFICE_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("กำหนดโดยสำนักยุทธศาสตร์และประเมินผล")
        fiscal_year = self.instance.fiscal_year if editing else self._typed_fiscal_year(default_fiscal_year)
        self.fields["plan_node"].queryset = edition_nodes(fiscal_year)
        self.fields["plan_node"].help_text = _("เฉพาะประเด็นของแผนฉบับที่ใช้ในปีงบประมาณของตัวชี้วัด")

    def _typed_fiscal_year(self, default):
        raw = self.data.get(self.add_prefix("fiscal_year")) if self.is_bound else None
        try:
            return int(to_arabic_digits(raw)) if raw else default
        except ValueError:
            return default

    def clean_code(self):
        code = to_arabic_digits(self.cleaned_data["code"]).strip()
        if not self.instance.pk and not CODE_PATTERN.match(code):
            raise ValidationError(_("รหัสตัวชี้วัดต้องอยู่ในรูป เลข 4 หลัก ขีด แล้วลำดับ เช่น 2400-1065"), code="invalid")
        return code

    def clean_target_basis(self):
        return self.cleaned_data["target_basis"] or self.instance.target_basis

    def clean_achieved_rule(self):
        return self.cleaned_data["achieved_rule"] or self.instance.achieved_rule

    def clean_measure(self):
        return self.cleaned_data["measure"].strip()

    def clean_target_text(self):
        return self.cleaned_data["target_text"].strip()

    def clean(self):
        data = super().clean()
        self._check_unique_code(data)
        self._check_prefix(data)
        self._derive_target(data)
        measure = data.get("measure") or ""
        if Indicator.measure_means_lower_is_better(measure) and not data.get("lower_is_better"):
            self.add_error(
                "lower_is_better",
                _("หน่วยนับ “%(measure)s” หมายถึงยิ่งน้อยยิ่งดี กรุณาติ๊ก “ค่าน้อยดีกว่า” หรือแก้หน่วยนับ") % {"measure": measure},
            )
        if not data.get("dimension") and (data.get("agreement_number") or data.get("category_tag")):
            self.add_error("dimension", _("ลำดับในมิติและประเภทในคำรับรองใช้กับตัวชี้วัดตามคำรับรองฯ กรุณาเลือกมิติการประเมิน"))
        node, fiscal_year = data.get("plan_node"), data.get("fiscal_year") or self.instance.fiscal_year
        if node and fiscal_year:
            edition = PlanEdition.for_fiscal_year(fiscal_year)
            if node.edition_id != getattr(edition, "pk", None):
                self.add_error("plan_node", _("ประเด็นต้องมาจากแผนฉบับที่ใช้ในปีงบประมาณ %(fy)s") % {"fy": fiscal_year})
        self.linked_projects = self._projects(data)
        return data

    def _check_prefix(self, data):
        """A new indicator's code starts with the first four digits of its unit's code, or of a
        unit above it (the legacy KPI codes: 2400-… for สำนักพัฒนาสังคม and its divisions)."""
        code, unit = data.get("code"), data.get("unit")
        if self.instance.pk or not code or not unit or "code" in self.errors:
            return
        chain, current = [], unit
        while current is not None and len(chain) < 3:
            chain.append(current.code[:4])
            current = current.parent
        if code[:4] not in chain:
            self.add_error(
                "code",
                _("รหัสตัวชี้วัดต้องขึ้นต้นด้วยเลข 4 หลักแรกของรหัสหน่วยงาน (%(prefixes)s)")
                % {"prefixes": _(" หรือ ").join(dict.fromkeys(chain))},
            )

    def _derive_target(self, data):
        text, number = data.get("target_text") or "", data.get("target")
        leading = number_at_start(text)
        if number is None and leading is not None and "target" not in self.errors:
            if leading > TARGET_MAX or leading != leading.quantize(Decimal("0.01")):
                self.add_error(
                    "target",
                    _("ตัวเลขต้นค่าเป้าหมาย (%(number)s) ใช้เป็นค่าเป้าหมายไม่ได้ กรุณากรอกค่าเป้าหมายที่เป็นตัวเลข")
                    % {"number": leading},
                )
            else:
                data["target"] = leading
        elif number is not None and leading is not None and number != leading:
            self.add_error(
                "target",
                _("ค่าเป้าหมาย %(number)s ไม่ตรงกับตัวเลขต้นค่าเป้าหมายตามที่กำหนด (%(leading)s) กรุณาแก้ให้ตรงกัน")
                % {"number": f"{number.normalize():f}", "leading": f"{leading.normalize():f}"},
            )

    def _projects(self, data):
        """The projects the codes name: of the indicator's fiscal year, and of units the user
        may define indicators for (or already linked). Unknown codes are listed in the error."""
        codes = list(dict.fromkeys(_split_codes(data.get("project_codes"))))
        if not codes:
            return []
        if len(codes) > PROJECT_CODES_MAX:
            self.add_error("project_codes", _("ใส่ได้ไม่เกิน %(max)s โครงการ") % {"max": PROJECT_CODES_MAX})
            return []
        fiscal_year = data.get("fiscal_year") or self.instance.fiscal_year
        found = {project.code: project for project in Project.objects.filter(code__in=codes).select_related("unit")}
        already = set(self.instance.projects.values_list("code", flat=True)) if self.instance.pk else set()
        allowed_units = (
            None if self.user.is_planner else set(access.units_for_definitions(self.user).values_list("pk", flat=True))
        )
        unknown = [code for code in codes if code not in found]
        other_year = [code for code in codes if code in found and found[code].fiscal_year != fiscal_year]
        not_yours = [
            code
            for code in codes
            if code in found
            and code not in already
            and allowed_units is not None
            and found[code].unit_id not in allowed_units
        ]
        if unknown:
            self.add_error("project_codes", _("ไม่พบโครงการ: %(codes)s") % {"codes": ", ".join(unknown)})
        if other_year and fiscal_year:
            self.add_error(
                "project_codes",
                _("โครงการต่อไปนี้ไม่ใช่ของปีงบประมาณ %(fy)s: %(codes)s")
                % {"fy": fiscal_year, "codes": ", ".join(other_year)},
            )
        if not_yours:
            self.add_error(
                "project_codes",
                _("โครงการต่อไปนี้เป็นของหน่วยงานที่คุณไม่ได้รับผิดชอบ: %(codes)s") % {"codes": ", ".join(not_yours)},
            )
        return [found[code] for code in codes if code in found]

    def _check_unique_code(self, data):
        """One code per fiscal year, said in Thai on the code field. Checked in clean(): a field
        with an error is left out of the model's own constraint check, which would say it again
        in Django's words."""
        code, fiscal_year = data.get("code"), data.get("fiscal_year")
        if self.instance.pk or not code or not fiscal_year:
            return
        if Indicator.objects.filter(code=code, fiscal_year=fiscal_year).exists():
            self.add_error("code", duplicate_message(code, fiscal_year))

    def definition_values(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields if not self.fields[name].disabled}


def duplicate_message(code, fiscal_year):
    return _("รหัสตัวชี้วัด %(code)s มีอยู่แล้วในปีงบประมาณ %(fy)s กรุณาใช้รหัสอื่น หรือแก้ไขตัวชี้วัดเดิม") % {
        "code": code,
        "fy": fiscal_year,
    }


# --- Copy to the next fiscal year -------------------------------------------------------------

COPY_LIMIT = 300


class TickedIndicatorsField(forms.ModelMultipleChoiceField):
    """Ticked indicators, at most COPY_LIMIT: counted before the database is asked about them."""

    def clean(self, value):
        if value and len(value) > COPY_LIMIT:
            raise ValidationError(_("คัดลอกได้ครั้งละไม่เกิน %(max)s ตัวชี้วัด") % {"max": COPY_LIMIT}, code="too_many")
        return super().clean(value)


class IndicatorCopyForm(forms.Form):
    """The ticked indicators of one fiscal year (of the units the user may define for)."""

    indicators = TickedIndicatorsField(
        queryset=Indicator.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("กรุณาเลือกตัวชี้วัดที่จะคัดลอกอย่างน้อยหนึ่งรายการ"),
            "invalid_choice": _("เลือกได้เฉพาะตัวชี้วัดของปีงบประมาณนี้ที่คุณกำหนดได้"),
            "invalid_pk_value": _("เลือกได้เฉพาะตัวชี้วัดของปีงบประมาณนี้ที่คุณกำหนดได้"),
            "invalid_list": _("เลือกได้เฉพาะตัวชี้วัดของปีงบประมาณนี้ที่คุณกำหนดได้"),
        },
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = queryset
