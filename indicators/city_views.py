"""The city-development indicator base (2562–2563, legacy mykpi2563.php): a searchable list
and a page per indicator. Read-only here: the planning office keeps it in the admin."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from indicators import access
from indicators.agreement import dotted_number_key
from indicators.models import CityIndicator
from projects.filters import CHOICE_ERROR, PLAN_DIMENSIONS, SEARCH_MAX_CHARS

CITY_INDICATORS_PER_PAGE = 50


class CityIndicatorFilterForm(forms.Form):
    q = forms.CharField(
        label=_("ค้นหา (ชื่อหรือเลขที่ตัวชี้วัด)"),
        max_length=SEARCH_MAX_CHARS,
        required=False,
        error_messages={"max_length": _("คำค้นหายาวเกินไป (ไม่เกิน %(limit_value)d ตัวอักษร)")},
    )
    dimension = forms.ChoiceField(
        label=_("ยุทธศาสตร์ (ด้าน)"),
        choices=[("", _("ทุกด้าน")), *PLAN_DIMENSIONS],
        required=False,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["q"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["q"].widget.input_type = "search"
        self.fields["dimension"].widget.attrs["class"] = "form-select form-select-sm"

    def filter(self, indicators):
        """The indicators matching the valid filters (an invalid one is reported and ignored)."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        if dimension := data.get("dimension"):
            indicators = indicators.in_plan_dimension(dimension)
        if text := data.get("q"):
            indicators = indicators.search(text)
        return indicators


LIST_COLUMNS = ("number", "ordinal_display", "name", "measure", "target_text", "target", "data_characteristic")


@require_safe
@login_required
def city_list(request):
    form = CityIndicatorFilterForm(request.GET)
    indicators = form.filter(CityIndicator.objects.only(*LIST_COLUMNS)).prefetch_related("plan_nodes")
    page = Paginator(indicators.order_by("number"), CITY_INDICATORS_PER_PAGE).get_page(request.GET.get("page"))
    for indicator in page:
        codes = {node.dimension_code for node in indicator.plan_nodes.all()}
        indicator.dimension_codes = sorted(codes, key=dotted_number_key)
    return render(request, "indicators/city_list.html", {"form": form, "page": page})


@require_safe
@login_required
def city_detail(request, number):
    indicator = access.city_indicator_for_view(request.user, number)
    nodes = sorted(indicator.plan_nodes.all(), key=lambda node: dotted_number_key(node.code))  # the tree's order
    # The sections are JSON as the importer or the admin wrote them: show what has the expected shape.
    stored = indicator.sections if isinstance(indicator.sections, list) else []
    sections = [section for section in stored if isinstance(section, dict)]
    return render(
        request, "indicators/city_detail.html", {"indicator": indicator, "plan_nodes": nodes, "sections": sections}
    )
