"""Evidence files of an indicator's quarters: the quarter's files and upload form (linked from
the quarter's result form and the indicator page), a file's removal and its download. The page
and the confirmation are the progress reports' (projects.views.evidence)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from indicators import access, services
from indicators.models import QuarterEvidence
from projects import evidence
from projects.views.evidence import evidence_page, evidence_remove_page

QUARTERS = (1, 2, 3, 4)


def _with_urls(rows, indicator):
    args = [indicator.code, indicator.fiscal_year]
    for row in rows:
        row.download_url = reverse("indicators:evidence_download", args=[*args, row.pk])
        row.remove_url = reverse("indicators:evidence_remove", args=[*args, row.pk])
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def quarter_evidence(request, code, fiscal_year, quarter):
    indicator = access.indicator_for_edit(request.user, code, fiscal_year)
    if quarter not in QUARTERS:
        raise Http404("quarter must be 1–4")
    rows = QuarterEvidence.objects.filter(quarter__indicator=indicator, quarter__quarter=quarter)
    return evidence_page(
        request,
        files=_with_urls(list(rows.select_related("uploaded_by")), indicator),
        add=lambda upload: services.quarter_evidence_add(
            indicator=indicator, quarter=quarter, upload=upload, user=request.user
        ),
        context={
            "indicator": indicator,
            "quarter": quarter,
            "back_url": indicator.get_absolute_url() + f"#quarter-{quarter}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def quarter_evidence_remove(request, code, fiscal_year, file_id):
    row = access.quarter_evidence_for_remove(request.user, code, fiscal_year, file_id)
    indicator, quarter = row.quarter.indicator, row.quarter.quarter
    return evidence_remove_page(
        request,
        row=row,
        remove=lambda: services.quarter_evidence_remove(evidence_file=row, user=request.user),
        back_url=reverse("indicators:quarter_evidence", args=[code, fiscal_year, quarter]),
        context={"indicator": indicator, "quarter": quarter},
    )


@login_required
@require_safe
def quarter_evidence_download(request, code, fiscal_year, file_id):
    return evidence.download_response(access.quarter_evidence_for_download(request.user, code, fiscal_year, file_id))
