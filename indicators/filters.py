"""The indicator list's filter form: the project list's shared filters (projects.filters
ListFilterForm: fiscal year, unit with its sub-units, district group, Thai search, sort) plus
the indicator's own: quarter, type, level, evaluation dimension, plan node and the quarter's
status. Invalid values never break the list: the form reports them in Thai and the list is
filtered by the values that were valid."""

from django import forms
from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy as _

from bma_tracker.text import to_arabic_digits
from indicators.models import EvaluationDimension, Indicator, QuarterStatus, judged_quarter
from projects.filters import CHOICE_ERROR, ListFilterForm, current_fiscal_year
from projects.models import PlanEdition, PlanNode

NOT_SET = "-"  # "not set" for type and level, whose stored "not set" is the empty string
SORT_FIELDS = {"code": "code", "name": "name", "unit": "unit__name", "result": "quarter_result"}
PLAN_TITLE_CHARS = 70


def _choices_with_not_set(choices, every):
    return [("", every), *((value, label) for value, label in choices if value), (NOT_SET, _("ไม่ระบุ"))]


def _shortened(title):
    # Plain slicing: Truncator, for a few hundred options on every request, cost more than the query.
    return title if len(title) <= PLAN_TITLE_CHARS else title[: PLAN_TITLE_CHARS - 1] + "…"


def plan_nodes_of_year(fiscal_year):
    """The nodes of the plan edition in force in a fiscal year, by code: one query."""
    edition = (
        PlanEdition.objects.filter(first_fiscal_year__lte=fiscal_year).order_by("-first_fiscal_year").values("pk")[:1]
    )
    return PlanNode.objects.filter(edition=Subquery(edition)).order_by("code").only("code", "code_display", "title")


class IndicatorFilterForm(ListFilterForm):
    year_model = Indicator
    sort_fields = SORT_FIELDS
    search_label = _("ค้นหา (ชื่อหรือรหัสตัวชี้วัด)")
    field_order = [
        "fiscal_year",
        "quarter",
        "unit",
        "district_group",
        "type",
        "level",
        "dimension",
        "plan",
        "status",
        "q",
        "sort",
    ]

    quarter = forms.TypedChoiceField(
        label=_("ไตรมาสที่ใช้ดูสถานะ"),
        coerce=int,
        choices=[("", _("ไตรมาสปัจจุบัน")), *((n, _("ไตรมาสที่ %(n)s") % {"n": n}) for n in range(1, 5))],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    type = forms.ChoiceField(
        label=_("ประเภทตัวชี้วัด"),
        choices=_choices_with_not_set(Indicator.Type.choices, _("ทุกประเภท")),
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    level = forms.ChoiceField(
        label=_("ระดับความสำเร็จ"),
        choices=_choices_with_not_set(Indicator.Level.choices, _("ทุกระดับ")),
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    dimension = forms.ModelChoiceField(
        label=_("มิติการประเมิน (คำรับรองฯ)"),
        queryset=EvaluationDimension.objects.order_by("number"),
        to_field_name="number",
        required=False,
        empty_label=_("ทุกมิติ"),
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    plan = forms.ChoiceField(
        label=_("แผนพัฒนา กทม. 20 ปี (รวมประเด็นย่อย)"),
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    status = forms.ChoiceField(
        label=_("สถานะในไตรมาส"),
        choices=[("", _("ทุกสถานะ")), *QuarterStatus.choices],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        nodes = plan_nodes_of_year(self._typed_fiscal_year())
        self.fields["plan"].choices = [
            ("", _("ทุกประเด็น")),
            *((node.code, f"{node.code_display} {_shortened(node.title)}") for node in nodes),
        ]

    def _typed_fiscal_year(self):
        """The fiscal year asked for, read before validation (the plan's choices depend on it)."""
        choices = {year for year, _label in self.fields["fiscal_year"].choices}
        try:
            typed = int(to_arabic_digits(self.data.get("fiscal_year", ""))) if self.is_bound else None
        except ValueError:
            typed = None
        return typed if typed in choices else current_fiscal_year()

    @property
    def status_quarter(self):
        """The quarter the status is judged in: the one asked for, else judged_quarter()."""
        return self.value("quarter") or judged_quarter(self.value("fiscal_year"))

    def filter(self, indicators):
        """The indicators matching the valid filters, with quarter_result and quarter_status of
        the chosen quarter (IndicatorQuerySet.with_quarter_status), sorted."""
        indicators = self.filter_common(indicators).with_quarter_status(self.status_quarter)
        for name in ("type", "level"):
            if value := self.value(name):
                indicators = indicators.filter(**{name: "" if value == NOT_SET else value})
        if dimension := self.value("dimension"):
            indicators = indicators.filter(dimension=dimension)
        if plan := self.value("plan"):
            indicators = indicators.filter(Q(plan_node__code=plan) | Q(plan_node__code__startswith=f"{plan}."))
        if status := self.value("status"):
            indicators = indicators.filter(quarter_status=status)
        return indicators.order_by(*self.ordering())


class CopyFilterForm(ListFilterForm):
    """The copy page's choice of fiscal year, unit, district group and search text (no sort:
    the rows are listed by code)."""

    year_model = Indicator
    search_label = IndicatorFilterForm.search_label
    field_order = ["fiscal_year", "unit", "district_group", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["sort"]
