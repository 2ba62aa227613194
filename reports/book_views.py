"""The quarterly book pages (planning office only): request a book, watch its job, download it."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from bma_tracker import thaidate
from projects.access import can_evaluate
from projects.models import DistrictGroup, OrgUnit
from reports.models import BookJob
from reports.tasks import book_job_request, book_job_retry


def _require_planner(user):
    """Books are the planning office's (and admins'): everyone else gets 403."""
    if not can_evaluate(user):
        raise PermissionDenied


class BookRequestForm(forms.Form):
    scope = forms.ChoiceField(label=_("ขอบเขต"), choices=BookJob.Scope.choices, initial=BookJob.Scope.UNIT)
    unit = forms.ModelChoiceField(
        label=_("หน่วยงาน"), queryset=OrgUnit.objects.filter(parent=None).order_by("code"), required=False
    )
    district_group = forms.ChoiceField(label=_("กลุ่มเขต"), choices=[("", "—"), *DistrictGroup.choices], required=False)
    fiscal_year = forms.IntegerField(label=_("ปีงบประมาณ (พ.ศ.)"), min_value=2500, max_value=2700)
    quarter = forms.TypedChoiceField(label=_("ไตรมาส"), choices=[(q, q) for q in range(1, 5)], coerce=int)

    def clean(self):
        data = super().clean()
        if data.get("scope") == BookJob.Scope.UNIT and not data.get("unit"):
            self.add_error("unit", _("เลือกหน่วยงาน"))
        if data.get("scope") == BookJob.Scope.GROUP and not data.get("district_group"):
            self.add_error("district_group", _("เลือกกลุ่มเขต"))
        return data


def job_status(job):
    """What the progress page and its JSON show."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_text": str(job.get_status_display()),
        "done": job.progress_done,
        "total": job.progress_total,
        "percent": job.percent,
        "error": job.error,
        "download_url": reverse("reports:book_download", args=[job.pk]) if job.status == BookJob.Status.DONE else None,
    }


@login_required
def book_request(request):
    _require_planner(request.user)
    if request.method == "POST":
        form = BookRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            job, _created = book_job_request(
                scope=data["scope"],
                fiscal_year=data["fiscal_year"],
                quarter=data["quarter"],
                unit=data["unit"],
                district_group=data["district_group"],
                user=request.user,
            )
            return redirect("reports:book_job", job.pk)
    else:
        today = thaidate.today()
        form = BookRequestForm(
            initial={"fiscal_year": thaidate.fiscal_year(today), "quarter": thaidate.fiscal_quarter(today)}
        )
    jobs = BookJob.objects.select_related("unit", "requested_by")[:20]
    return render(request, "reports/book_request.html", {"form": form, "jobs": jobs})


@require_safe
@login_required
def book_job(request, pk):
    _require_planner(request.user)
    job = get_object_or_404(BookJob.objects.select_related("unit"), pk=pk)
    return render(request, "reports/book_job.html", {"job": job, "status": job_status(job)})


@require_safe
@login_required
def book_job_status(request, pk):
    _require_planner(request.user)
    job = get_object_or_404(BookJob, pk=pk)
    return JsonResponse(job_status(job))


@require_POST
@login_required
def book_job_retry_view(request, pk):
    _require_planner(request.user)
    job = book_job_retry(job=get_object_or_404(BookJob, pk=pk))
    return redirect("reports:book_job", job.pk)


@require_safe
@login_required
def book_download(request, pk):
    _require_planner(request.user)
    job = get_object_or_404(BookJob.objects.select_related("unit"), pk=pk, status=BookJob.Status.DONE)
    path = Path(settings.MEDIA_ROOT, job.file_path)
    if not job.file_path or not path.is_file():
        raise Http404("the book's file is gone; request it again")
    filename = f"book-{job.covered.slug}-{job.fiscal_year}-q{job.quarter}.pdf"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf")
