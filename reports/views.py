"""The read side's pages: a project's page, print page and PDF; the indicator report.

A project's page, print page and PDF are cached under a key made of the project's revision and
the reference revision (read with the project itself, projects.access.project_for_view), the
language, the day (the schedule is judged on today) and what the reader may do: any change the
page shows gives it a new key (bma_tracker.caching)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from bma_tracker import thaidate
from bma_tracker.caching import cache_key, cached
from projects import access
from reports.indicator_report import QUARTERS, indicator_report_data, indicators_for_report
from reports.pdf import pdf_file_response, pdf_response, render_pdf, requested_variant
from reports.project_page import project_page_context


def _page_key(project, kind, *variant):
    return cache_key(
        "project",
        kind,
        project.pk,
        project.revision,
        project.reference_revision,
        translation.get_language(),
        thaidate.today().isoformat(),
        *variant,
    )


@require_safe
@login_required
def project_detail(request, code):
    project = access.project_for_view(request.user, code)
    may_edit, may_evaluate = access.can_edit_unit(request.user, project.unit), access.can_evaluate(request.user)
    may_review = access.can_review(request.user, project.unit)
    body = cached(
        _page_key(project, "detail", int(may_edit), int(may_evaluate), int(may_review)),
        lambda: render_to_string(
            "projects/_detail_body.html",
            {
                **project_page_context(project),
                "may_edit": may_edit,
                "may_evaluate": may_evaluate,
                "may_review": may_review,
            },
        ),
    )
    return render(request, "projects/detail.html", {"project": project, "body": mark_safe(body)})  # noqa: S308 (our own rendered template)


def _print_html(project):
    return cached(
        _page_key(project, "print"),
        lambda: render_to_string(
            "projects/print.html", {**project_page_context(project), "printed_on": thaidate.today()}
        ),  # the key names the day: the print date is today's
    )


@require_safe
@login_required
def project_print(request, code):
    return HttpResponse(_print_html(access.project_for_view(request.user, code)))


@require_safe
@login_required
def project_pdf(request, code):
    """The project's print page (projects/print.html) as a PDF."""
    project = access.project_for_view(request.user, code)
    variant, base_url = requested_variant(request), request.build_absolute_uri("/")
    body = cached(
        _page_key(project, "pdf", variant, base_url),  # the PDF's links are absolute
        lambda: render_pdf(_print_html(project), base_url=base_url, pdf_variant=variant),
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
