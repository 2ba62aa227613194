"""The annual performance agreement pages: the units that have one in a fiscal year, and one
unit's page per fiscal year (legacy index101.php … index104.php). Its print page and PDF are the
read side's (reports.performance_views)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from bma_tracker import thaidate
from indicators import access
from indicators.agreement import agreement_years, unit_performance_data, units_with_agreements


class YearForm(forms.Form):
    fy = forms.TypedChoiceField(
        label=_("ปีงบประมาณ"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("ไม่มีคำรับรองการปฏิบัติราชการในปีงบประมาณที่เลือก กรุณาเลือกจากรายการ")},
    )

    def __init__(self, data, *, years):
        super().__init__(data)
        self.fields["fy"].choices = [(year, str(year)) for year in years]


def _years_on_offer(years):
    """The years with agreement KPIs and the current fiscal year, newest first."""
    return sorted({*years, thaidate.fiscal_year(thaidate.today())}, reverse=True)


@require_safe
@login_required
def performance_index(request):
    """The units with agreement KPIs in a fiscal year (default: the newest year that has any),
    the reader's own unit first."""
    with_data = agreement_years()
    years = _years_on_offer(with_data)
    form = YearForm(request.GET, years=years)
    form.is_valid()
    fiscal_year = None if "fy" in form.errors else form.cleaned_data.get("fy")
    fiscal_year = fiscal_year or (with_data[0] if with_data else years[0])
    own = request.user.unit
    units = units_with_agreements(fiscal_year, first=own)
    context = {
        "form": form,
        "years": years,
        "fiscal_year": fiscal_year,
        "units": units,
        "own_unit": own,
        "own_unit_listed": own is not None and any(unit.pk == own.pk for unit in units),
    }
    return render(request, "indicators/performance_index.html", context)


@require_safe
@login_required
def performance(request, unit_code, fiscal_year):
    """One unit's annual performance agreement of a fiscal year: every evaluation dimension with
    the unit's KPIs in it."""
    unit = access.unit_for_agreement_view(request.user, unit_code, fiscal_year)
    context = unit_performance_data(unit, fiscal_year)
    context["years"] = sorted({*agreement_years(unit), fiscal_year}, reverse=True)
    return render(request, "indicators/performance.html", context)
