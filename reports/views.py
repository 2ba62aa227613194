"""Printable pages and PDFs (the read side): the project PDF and the indicator report."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from projects.access import project_for_view
from projects.caching import cached_project_part, print_page_html
from reports.indicator_report import QUARTERS, indicator_report_data, indicators_for_report
from reports.pdf import pdf_file_response, pdf_response, render_pdf, requested_variant


@require_safe
@login_required
def project_pdf(request, code):
    """The project's print page (projects/print.html) as a PDF."""
    project = project_for_view(request.user, code)
    variant, base_url = requested_variant(request), request.build_absolute_uri("/")
    body = cached_project_part(
        project,
        "pdf",
        lambda: render_pdf(print_page_html(project), base_url=base_url, pdf_variant=variant),
        variant=f"{variant},{base_url}",  # the PDF's links are absolute
    )
    return pdf_file_response(body, filename=f"project-{project.code}.pdf", variant=variant)


def _indicator_report(request, code, fy, quarter):
    """Any signed-in user reads every indicator's report; 404 for an unknown one or quarter."""
    if quarter not in QUARTERS:
        raise Http404("quarter must be 1–4")
    indicator = get_object_or_404(indicators_for_report(), code=code, fiscal_year=fy)
    return indicator_report_data(indicator, quarter)


@require_safe
@login_required
def indicator_report(request, code, fy, quarter):
    context = _indicator_report(request, code, fy, quarter)
    context["pdf_url"] = reverse("reports:indicator_report_pdf", args=[code, fy, quarter])
    return render(request, "reports/indicator_report.html", context)


@require_safe
@login_required
def indicator_report_pdf(request, code, fy, quarter):
    context = _indicator_report(request, code, fy, quarter)
    html = render_to_string("reports/indicator_report.html", {**context, "for_pdf": True}, request=request)
    return pdf_response(request, html, filename=f"indicator-{code}-{fy}-q{quarter}.pdf")
