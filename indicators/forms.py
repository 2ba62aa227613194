"""Entry forms for an indicator's quarter: the unit's result, the planning office's scores."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from projects.forms import NumberField, PercentField, VersionForm, text_field


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
