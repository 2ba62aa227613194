"""Entry of an indicator's quarterly result (its unit's staff) and scores (planning office)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from indicators import access
from indicators.forms import IndicatorEvaluationForm, IndicatorResultForm
from indicators.models import IndicatorQuarter
from indicators.services import indicator_quarter_save
from projects.audit import EditConflict, conflict_rows


def _quarter_form(request, indicator, quarter, form_class, template, success_message):
    if quarter not in (1, 2, 3, 4):
        raise Http404
    row = IndicatorQuarter.objects.filter(indicator=indicator, quarter=quarter).first()
    initial = {name: getattr(row, name) for name in form_class.FIELDS} | {"version": row.version} if row else {}
    conflict = None
    if request.method == "POST":
        form = form_class(request.POST, initial=initial)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form_class.FIELDS}
            try:
                indicator_quarter_save(
                    indicator=indicator,
                    user=request.user,
                    quarter=quarter,
                    values=values,
                    version=form.cleaned_data["version"],
                )
            except EditConflict as exc:
                conflict = conflict_rows(exc.current, values)
                data = request.POST.copy()
                data["version"] = str(exc.current.version) if exc.current else ""
                form = form_class(data)
                form.is_valid()
            else:
                messages.success(request, success_message % {"quarter": quarter})
                return redirect(
                    "reports:indicator_report", code=indicator.code, fy=indicator.fiscal_year, quarter=quarter
                )
    else:
        form = form_class(initial=initial)
    context = {"indicator": indicator, "quarter": quarter, "row": row, "form": form, "conflict": conflict}
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def result_edit(request, code, fiscal_year, quarter):
    indicator = access.indicator_for_edit(request.user, code, fiscal_year)
    return _quarter_form(
        request,
        indicator,
        quarter,
        IndicatorResultForm,
        "indicators/form_result.html",
        _("บันทึกผลงานไตรมาสที่ %(quarter)s เรียบร้อยแล้ว"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request, code, fiscal_year, quarter):
    indicator = access.indicator_for_evaluation(request.user, code, fiscal_year)
    return _quarter_form(
        request,
        indicator,
        quarter,
        IndicatorEvaluationForm,
        "indicators/form_evaluation.html",
        _("บันทึกผลประเมินไตรมาสที่ %(quarter)s เรียบร้อยแล้ว"),
    )
