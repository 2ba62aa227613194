"""A unit's annual performance agreement of a fiscal year (legacy index101.php … index104.php)
as an A4 print page and its PDF, from the same data as the page (indicators.agreement)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from bma_tracker import thaidate
from indicators import access
from indicators.agreement import unit_performance_data
from reports.pdf import pdf_response


def _performance(request, unit_code, fiscal_year):
    unit = access.unit_for_agreement_view(request.user, unit_code, fiscal_year)
    printed_on = thaidate.today()
    return {
        **unit_performance_data(unit, fiscal_year),
        "printed_on": printed_on,
        "printed_on_text": thaidate.format_medium(printed_on),
        "page_url": reverse("indicators:performance", args=[unit.code, fiscal_year]),
        "pdf_url": reverse("reports:performance_pdf", args=[unit.code, fiscal_year]),
    }


@require_safe
@login_required
def performance_print(request, unit_code, fiscal_year):
    return render(request, "reports/performance_print.html", _performance(request, unit_code, fiscal_year))


@require_safe
@login_required
def performance_pdf(request, unit_code, fiscal_year):
    context = _performance(request, unit_code, fiscal_year)
    html = render_to_string("reports/performance_print.html", {**context, "for_pdf": True}, request=request)
    return pdf_response(request, html, filename=f"performance-{context['unit'].code}-{fiscal_year}.pdf")
