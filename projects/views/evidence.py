"""Evidence files of progress reports: the page that lists a report's files and takes a new one,
the confirmation of a removal, and the download. The indicators app's quarter pages use the
same page and confirmation (evidence_page, evidence_remove_page)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from projects import access, evidence, services
from projects.forms import EvidenceForm


def evidence_page(request, *, files, add, context):
    """GET: the files and the upload form. POST: add(upload) stores one file (ValidationError:
    the reason, next to the field; nothing stored), then back here to add another. A request
    larger than any accepted file is refused unread (413, the same page and message)."""
    status, refusal = 200, None
    if request.method == "POST" and evidence.request_too_large(request):
        form, status = EvidenceForm(), 413
        refusal = evidence.too_large(int(request.META["CONTENT_LENGTH"])).messages[0]
    elif request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                row = add(form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(request, _("แนบไฟล์ %(name)s แล้ว") % {"name": row.original_name})
                return redirect(request.path)
    else:
        form = EvidenceForm()
    return render(
        request,
        "projects/evidence.html",
        {
            **context,
            "form": form,
            "refusal": refusal,
            "files": files,
            "max_mb": settings.EVIDENCE_MAX_MB,
            "max_files": settings.EVIDENCE_MAX_FILES,
            "full": len(files) >= settings.EVIDENCE_MAX_FILES,
            "accepted": evidence.accepted_kinds_text(),
        },
        status=status,
    )


def evidence_remove_page(request, *, row, remove, back_url, context):
    """GET: what will be removed, and a button. POST: remove() and back to the files. The
    confirmation names the file by its SHA-256: a POST without it (or with another) shows the
    confirmation again (409), as a report's deletion does without its version."""
    error = None
    if request.method == "POST" and request.POST.get("sha256") != row.sha256:
        error = _("กรุณายืนยันการลบไฟล์นี้อีกครั้ง")
    elif request.method == "POST":
        if remove():
            messages.success(request, _("ลบไฟล์ %(name)s แล้ว (บันทึกไว้ในประวัติการแก้ไข)") % {"name": row.original_name})
        else:
            messages.info(request, _("ไฟล์นี้ถูกลบไปแล้ว"))
        return redirect(back_url)
    return render(
        request,
        "projects/evidence_remove.html",
        {**context, "row": row, "back_url": back_url, "error": error},
        status=409 if error else 200,
    )


def _with_urls(rows, code):
    for row in rows:
        row.download_url = reverse("projects:evidence_download", args=[code, row.pk])
        row.remove_url = reverse("projects:evidence_remove", args=[code, row.pk])
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def report_evidence(request, code, pk):
    report = access.report_for_edit(request.user, code, pk)
    project = report.project
    files = _with_urls(list(report.evidence.select_related("uploaded_by")), code)
    return evidence_page(
        request,
        files=files,
        add=lambda upload: services.report_evidence_add(report=report, upload=upload, user=request.user),
        context={"project": project, "report": report, "back_url": project.get_absolute_url()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_evidence_remove(request, code, file_id):
    row = access.evidence_for_remove(request.user, code, file_id)
    report = row.report
    return evidence_remove_page(
        request,
        row=row,
        remove=lambda: services.report_evidence_remove(evidence_file=row, user=request.user),
        back_url=reverse("projects:progress_evidence", args=[code, report.pk]),
        context={"project": report.project, "report": report},
    )


@login_required
@require_safe
def report_evidence_download(request, code, file_id):
    return evidence.download_response(access.evidence_for_download(request.user, code, file_id))
