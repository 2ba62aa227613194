"""The indicator pages: the list, an indicator's own page and its history, the definition form
(create, edit), "copy to the next fiscal year", and the entry of a quarter's result (its unit's
staff) and scores (the planning office).

Every view has the same arc: fetch through an access helper (404 / 403) → bind the form → save
through a service (one transaction, audit entries included) → message → redirect. A stale
form (someone else saved first) is shown again with what changed, and nothing is saved."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from bma_tracker import thaidate
from indicators import access
from indicators.filters import CopyFilterForm, IndicatorFilterForm
from indicators.forms import (
    COPY_LIMIT,
    IndicatorCopyForm,
    IndicatorEvaluationForm,
    IndicatorForm,
    IndicatorResultForm,
    duplicate_message,
)
from indicators.models import Indicator, IndicatorQuarter, QuarterStatus
from indicators.page import PAGE_RELATED, indicator_history, indicator_page_context, with_rows
from indicators.services import (
    IndicatorExists,
    indicator_create,
    indicator_quarter_save,
    indicator_update,
    indicators_copy_to_next_year,
)
from projects.access import can_edit_unit, can_evaluate
from projects.audit import EditConflict, conflict_rows
from projects.cycle import PeriodLocked, check_open

INDICATORS_PER_PAGE = 50
LIST_COLUMNS = (
    "code",
    "fiscal_year",
    "name",
    "ordinal_display",
    "measure",
    "lower_is_better",
    "target_text",
    "target",
    "type",
    "level",
    "agreement_number",
    "unit__code",
    "unit__name",
)


@require_safe
@login_required
def indicator_list(request):
    form = IndicatorFilterForm(request.GET)
    # Only the columns a row shows: definitions and year-end texts stay in the database.
    indicators = form.filter(access.visible_indicators(request.user).select_related("unit").only(*LIST_COLUMNS))
    page = Paginator(indicators, INDICATORS_PER_PAGE).get_page(request.GET.get("page"))
    for indicator in page:
        indicator.status = QuarterStatus(indicator.quarter_status)
    return render(
        request,
        "indicators/list.html",
        {
            "form": form,
            "page": page,
            "fiscal_year": form.value("fiscal_year"),
            "quarter": form.status_quarter,
            "sort": form.value("sort") or "code",
            "may_define": access.can_define_indicators(request.user),
        },
    )


@require_safe
@login_required
def indicator_detail(request, code, fiscal_year):
    indicator = access.indicator_for_view(request.user, code, fiscal_year, related=PAGE_RELATED)
    context = indicator_page_context(indicator)
    context.update(
        may_enter=can_edit_unit(request.user, indicator.unit),
        may_evaluate=can_evaluate(request.user),
        may_define=access.can_define_for_unit(request.user, indicator.unit),
    )
    return render(request, "indicators/detail.html", context)


@require_safe
@login_required
def indicator_history_page(request, code, fiscal_year):
    indicator = access.indicator_for_view(request.user, code, fiscal_year)
    quarter_ids = IndicatorQuarter.objects.filter(indicator=indicator).values_list("pk", flat=True)
    entries = with_rows(list(indicator_history(indicator, list(quarter_ids))))
    return render(request, "indicators/history.html", {"indicator": indicator, "entries": entries})


@login_required
@require_http_methods(["GET", "POST"])
def indicator_new(request):
    access.require_indicator_create(request.user)
    default_fy = thaidate.fiscal_year(timezone.localdate())
    if request.method == "POST":
        form = IndicatorForm(request.POST, user=request.user, default_fiscal_year=default_fy)
        if form.is_valid():
            try:
                indicator = indicator_create(
                    user=request.user, values=form.definition_values(), projects=form.linked_projects
                )
            except IndicatorExists:
                form.add_error("code", duplicate_message(form.cleaned_data["code"], form.cleaned_data["fiscal_year"]))
            else:
                messages.success(request, _("สร้างตัวชี้วัดเรียบร้อยแล้ว"))
                return redirect(indicator)
    else:
        form = IndicatorForm(user=request.user, default_fiscal_year=default_fy)
    return render(request, "indicators/form_indicator.html", {"form": form, "indicator": None})


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, code, fiscal_year):
    indicator = access.indicator_for_definition(request.user, code, fiscal_year)
    conflict = None
    # The form works on its own copy: a ModelForm writes the typed values onto its instance
    # while validating, and the service needs the stored ones for the audit entry.
    instance = Indicator.objects.get(pk=indicator.pk)
    if request.method == "POST":
        form = IndicatorForm(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                if version is None:
                    raise EditConflict(indicator)
                indicator_update(
                    indicator=indicator,
                    user=request.user,
                    version=version,
                    values=form.definition_values(),
                    projects=form.linked_projects,
                )
            except EditConflict as exc:
                conflict = conflict_rows(exc.current, form.definition_values())
                data = request.POST.copy()
                data["version"] = str(exc.current.version)
                form = IndicatorForm(data, instance=Indicator.objects.get(pk=indicator.pk), user=request.user)
                form.is_valid()
            else:
                messages.success(request, _("บันทึกข้อมูลตัวชี้วัดเรียบร้อยแล้ว"))
                return redirect(indicator)
    else:
        form = IndicatorForm(instance=instance, user=request.user)
    return render(
        request, "indicators/form_indicator.html", {"form": form, "indicator": indicator, "conflict": conflict}
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_copy(request):
    """Tick indicators of a fiscal year (of the units the user may define for) and copy their
    definitions into the next one (indicators.services.indicators_copy_to_next_year)."""
    access.require_indicator_create(request.user)
    filters = CopyFilterForm(request.GET)
    fiscal_year = filters.value("fiscal_year")
    mine = access.definable_indicators(request.user).in_fiscal_year(fiscal_year)
    if request.method == "POST":
        form = IndicatorCopyForm(
            request.POST, queryset=mine.select_related("unit", "dimension", "plan_node").order_by("code")
        )
        if form.is_valid():
            result = indicators_copy_to_next_year(user=request.user, indicators=form.cleaned_data["indicators"])
            _copy_messages(request, result, fiscal_year)
            query = {"fiscal_year": result.to_year}
            if unit := filters.value("unit"):
                query["unit"] = unit.code
            return redirect(reverse("indicators:list") + "?" + urlencode(query))
    else:
        form = IndicatorCopyForm(queryset=mine)
    rows = list(
        filters.filter_common(mine)
        .select_related("unit")
        .only(*LIST_COLUMNS)
        .annotate(in_next_year=Exists(Indicator.objects.filter(fiscal_year=fiscal_year + 1, code=OuterRef("code"))))
        .order_by("code")[: COPY_LIMIT + 1]
    )
    chosen = {str(value) for value in form["indicators"].value() or []} if form.is_bound else set()
    return render(
        request,
        "indicators/copy.html",
        {
            "filters": filters,
            "form": form,
            "rows": rows[:COPY_LIMIT],
            "more": len(rows) > COPY_LIMIT,
            "limit": COPY_LIMIT,
            "chosen": chosen,
            "fiscal_year": fiscal_year,
            "next_year": fiscal_year + 1,
        },
    )


def _codes(indicators):
    return ", ".join(indicator.code for indicator in indicators)


def _copy_messages(request, result, fiscal_year):
    if result.copied:
        messages.success(
            request,
            _("คัดลอก %(n)s ตัวชี้วัดจากปีงบประมาณ %(fy)s ไปปีงบประมาณ %(to)s แล้ว (ยังไม่มีผลงาน): %(codes)s")
            % {"n": len(result.copied), "fy": fiscal_year, "to": result.to_year, "codes": _codes(result.copied)},
        )
    if result.refused:
        messages.warning(
            request,
            _("ไม่ได้คัดลอก %(n)s ตัวชี้วัด เพราะมีรหัสนี้อยู่แล้วในปีงบประมาณ %(to)s: %(codes)s")
            % {"n": len(result.refused), "to": result.to_year, "codes": _codes(result.refused)},
        )
    if result.unplaced:
        messages.info(
            request,
            _("ตัวชี้วัดต่อไปนี้ไม่ได้เชื่อมกับแผนพัฒนาฯ ในปีงบประมาณ %(to)s เพราะแผนฉบับใหม่ไม่มีประเด็นเดิม กรุณาเลือกประเด็นใหม่: %(codes)s")
            % {"to": result.to_year, "codes": _codes(result.unplaced)},
        )


# --- A quarter's result and scores ---------------------------------------------------------


def _quarter_form(request, indicator, quarter, form_class, template, success_message):
    if quarter not in (1, 2, 3, 4):
        raise Http404
    row = IndicatorQuarter.objects.filter(indicator=indicator, quarter=quarter).first()
    initial = {name: getattr(row, name) for name in form_class.FIELDS} | {"version": row.version} if row else {}
    conflict = None
    try:
        check_open(IndicatorQuarter(indicator=indicator, quarter=quarter))
    except PeriodLocked as exc:
        messages.error(request, exc.message)  # a closed quarter is read-only: no form
        return redirect(indicator.get_absolute_url() + f"#quarter-{quarter}")
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
            except PeriodLocked as exc:
                messages.error(request, exc.message)
                return redirect(indicator.get_absolute_url() + f"#quarter-{quarter}")
            except EditConflict as exc:
                conflict = conflict_rows(exc.current, values)
                data = request.POST.copy()
                data["version"] = str(exc.current.version) if exc.current else ""
                form = form_class(data)
                form.is_valid()
            else:
                messages.success(request, success_message % {"quarter": quarter})
                return redirect(indicator.get_absolute_url() + f"#quarter-{quarter}")
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
