"""The write side of the projects app: monthly progress, projects, plan steps, the planning
office's evaluations, and the history of changes.

Every view has the same arc: fetch through an access helper (404 / 403) → bind the form →
save through a service function (one transaction, audit entry included) → message → redirect.
A stale form (someone else saved first) is shown again with what changed, and nothing saved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bma_tracker import thaidate
from projects import access, services
from projects.audit import EditConflict, conflict_rows, describe_changes
from projects.cycle import PeriodLocked, ancestor_ids, check_open, month_bounds
from projects.forms import EvaluationForm, PlanStepFormSet, ProgressReportForm, ProjectForm, VersionForm
from projects.models import AuditEntry, Project, ProjectEvaluation, QuarterLock, ReportingCalendar


def _rebind(form_class, request, current_version, **kwargs):
    """The same form with the user's input kept and the version moved to the stored record's,
    so that saving again (after reading what changed) is a deliberate choice."""
    data = request.POST.copy()
    data["version"] = "" if current_version is None else str(current_version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


@login_required
@require_http_methods(["GET", "POST"])
def progress_new(request, code):
    project = access.project_for_edit(request.user, code)
    if request.method == "POST":
        form = ProgressReportForm(request.POST, project=project)
        if form.is_valid():
            try:
                report, created = services.progress_report_submit(
                    project=project,
                    user=request.user,
                    values=form.report_values(),
                    submission_key=form.cleaned_data["submission_key"],
                    note=form.note(),
                    draft=form.is_draft,
                )
            except PeriodLocked as exc:
                messages.error(request, exc.message)
                return redirect(project)
            if created:
                if form.is_draft:
                    messages.success(request, _("บันทึกร่างรายงานแล้ว (ยังไม่ได้ส่ง: กด “ส่งรายงาน” เมื่อพร้อม)"))
                else:
                    messages.success(request, _("บันทึกรายงานความคืบหน้าเรียบร้อยแล้ว"))
                others = same_month_reports(project, report.report_date, exclude=report.pk)
                if others:
                    messages.warning(
                        request,
                        _("เดือนนี้มีรายงานอื่นอีก %(count)s ฉบับ (%(dates)s): ถ้าบันทึกซ้ำโดยไม่ตั้งใจ แก้ไขหรือลบได้ในหน้าโครงการ")
                        % {
                            "count": len(others),
                            "dates": ", ".join(thaidate.format_short(r.report_date) for r in others),
                        },
                    )
                return redirect(project)
            if report.project_id == project.pk:
                return _already_saved(request, report)
            form.refuse_submission_key()  # another project's report's key: not this form's
    else:
        form = ProgressReportForm(project=project, today=timezone.localdate())
    day = form.initial.get("report_date") if not form.is_bound else None
    same_month = same_month_reports(project, day) if day else []
    context = {"project": project, "form": form, "report": None, "same_month": same_month}
    return render(request, "projects/form_progress.html", context)


def same_month_reports(project, day, *, exclude=None):
    """The project's live reports dated in the month of `day` (a warning, not a refusal: a
    month may hold two reports, but three on one day are usually a slip)."""
    first, last = month_bounds(day.year, day.month)
    reports = project.reports.live().filter(report_date__gte=first, report_date__lte=last)
    if exclude is not None:
        reports = reports.exclude(pk=exclude)
    return list(reports.order_by("report_date", "pk").only("pk", "report_date", "percent"))


def _already_saved(request, report):
    """A second submit of one form (the same submission key): the report the first one saved."""
    day = thaidate.format_short(report.report_date)
    if report.deleted_at is not None:
        messages.warning(
            request,
            _("รายงานนี้ (วันที่ %(date)s) บันทึกไว้แล้วและถูกลบภายหลัง จึงไม่ได้บันทึกซ้ำ ดูได้ในประวัติการแก้ไข") % {"date": day},
        )
        return redirect("projects:history", report.project.code)
    messages.info(
        request,
        _("รายงานนี้ (วันที่ %(date)s) บันทึกไว้แล้ว (ส่งแบบฟอร์มซ้ำ) จึงไม่ได้บันทึกซ้ำอีก") % {"date": day},
    )
    return redirect(f"{report.project.get_absolute_url()}#report-{report.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def progress_edit(request, code, pk):
    report = access.report_for_edit(request.user, code, pk)
    project = report.project
    conflict = None
    try:
        check_open(report, as_stored=True)
    except PeriodLocked as exc:
        messages.error(request, exc.message)  # a closed quarter is read-only: no form
        return redirect(project)
    if request.method == "POST":
        form = ProgressReportForm(request.POST, project=project, report=report)
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                if version is None:
                    raise EditConflict(report)
                services.progress_report_update(
                    report=report,
                    user=request.user,
                    version=version,
                    values=form.report_values(),
                    note=form.note(),
                    draft=form.is_draft and report.status == report.Status.DRAFT,
                )
            except PeriodLocked as exc:
                messages.error(request, exc.message)
                return redirect(project)
            except EditConflict as exc:
                if exc.current.deleted_at:
                    messages.error(request, _("รายงานนี้ถูกลบไปแล้วระหว่างที่คุณแก้ไข จึงไม่ได้บันทึก"))
                    return redirect(project)
                conflict = conflict_rows(exc.current, form.report_values())
                form = _rebind(ProgressReportForm, request, exc.current.version, project=project, report=exc.current)
            else:
                if report.status == report.Status.DRAFT:
                    messages.success(request, _("บันทึกร่างรายงานแล้ว (ยังไม่ได้ส่ง)"))
                else:
                    messages.success(request, _("แก้ไขและส่งรายงานความคืบหน้าเรียบร้อยแล้ว"))
                return redirect(project)
    else:
        form = ProgressReportForm(project=project, report=report)
    return render(
        request,
        "projects/form_progress.html",
        {"project": project, "form": form, "report": report, "conflict": conflict},
    )


@login_required
@require_http_methods(["GET", "POST"])
def progress_delete(request, code, pk):
    report = access.report_for_edit(request.user, code, pk)
    return _confirm_report_change(
        request,
        report,
        "delete",
        services.progress_report_delete,
        done=_("ลบรายงานแล้ว (ยังดูได้ในประวัติการแก้ไข)"),
        stale=_("รายงานนี้เพิ่งถูกแก้ไขโดยผู้อื่นหลังจากที่คุณเปิดหน้านี้ กรุณาตรวจสอบข้อมูลด้านล่างแล้วยืนยันอีกครั้ง"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def progress_restore(request, code, pk):
    report = access.report_for_restore(request.user, code, pk)
    return _confirm_report_change(
        request,
        report,
        "restore",
        services.progress_report_restore,
        done=_("กู้คืนรายงานแล้ว"),
        stale=_("รายงานนี้เพิ่งถูกเปลี่ยนแปลงโดยผู้อื่นหลังจากที่คุณเปิดหน้านี้ กรุณาตรวจสอบข้อมูลด้านล่างแล้วยืนยันอีกครั้ง"),
    )


def _confirm_report_change(request, report, action, service, *, done, stale):
    """The confirmation page of deleting or restoring a report, and its POST. The page carries
    the report's version: a confirmation of a report that changed since it was shown (or one
    whose version was tampered with or left out) shows the report as it is now and asks again."""
    error = None
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            if version is None:
                raise EditConflict(report)
            service(report=report, user=request.user, version=version)
        except PeriodLocked as exc:
            messages.error(request, exc.message)
            return redirect(report.project)
        except EditConflict:
            report.refresh_from_db()
            error = stale
        else:
            messages.success(request, done)
            return redirect(report.project)
    context = {"project": report.project, "report": report, "action": action, "error": error}
    return render(request, "projects/form_confirm.html", context, status=409 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    access.require_project_create(request.user)
    default_fy = thaidate.fiscal_year(timezone.localdate())
    if request.method == "POST":
        form = ProjectForm(request.POST, user=request.user, default_fiscal_year=default_fy)
        if form.is_valid():
            project = services.project_create(
                user=request.user, values=form.project_values(), plan_nodes=form.cleaned_data["plan_nodes"]
            )
            messages.success(request, _("สร้างโครงการเรียบร้อยแล้ว"))
            return redirect(project)
    else:
        form = ProjectForm(user=request.user, default_fiscal_year=default_fy)
    return render(request, "projects/form_project.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, code):
    project = access.project_for_edit(request.user, code)
    conflict = None
    # The form works on its own copy: a ModelForm writes the typed values onto its instance
    # while validating, and the service needs the stored ones for the audit entry.
    instance = Project.objects.get(pk=project.pk)
    if request.method == "POST":
        form = ProjectForm(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                if version is None:
                    raise EditConflict(project)
                services.project_update(
                    project=project,
                    user=request.user,
                    version=version,
                    values=form.project_values(),
                    plan_nodes=form.cleaned_data["plan_nodes"],
                )
            except EditConflict as exc:
                conflict = conflict_rows(exc.current, form.project_values())
                fresh = Project.objects.get(pk=project.pk)
                form = _rebind(ProjectForm, request, exc.current.version, instance=fresh, user=request.user)
            else:
                messages.success(request, _("บันทึกข้อมูลโครงการเรียบร้อยแล้ว"))
                return redirect(project)
    else:
        form = ProjectForm(instance=instance, user=request.user)
    return render(request, "projects/form_project.html", {"form": form, "project": project, "conflict": conflict})


@login_required
@require_http_methods(["GET", "POST"])
def project_steps(request, code):
    project = access.project_for_edit(request.user, code)
    conflict = None
    steps = project.steps.order_by("number")
    calendar = ReportingCalendar.for_year(project.fiscal_year)
    if request.method == "POST":
        formset = PlanStepFormSet(request.POST, queryset=steps, prefix="steps", calendar=calendar)
        version_form = VersionForm(request.POST)
        version = version_form.cleaned_data["version"] if version_form.is_valid() else None
        if version != project.version:
            # A plan changed since the form was shown is said before anything the form's rules
            # say about it (whose stored numbers are the new plan's); the save checks again.
            conflict = True
        elif formset.is_valid():
            originals = {step.pk: step for step in project.steps.all()}
            changed, created, deleted = [], [], []
            for form in formset.forms:
                pk = form.instance.pk
                if pk and form in formset.deleted_forms:
                    deleted.append(originals[pk])
                elif pk and pk in originals and form.has_changed():
                    changed.append((originals[pk], {name: form.cleaned_data[name] for name in services.STEP_FIELDS}))
                elif not pk and form.has_changed() and form not in formset.deleted_forms:
                    created.append({name: form.cleaned_data[name] for name in services.STEP_FIELDS})
            try:
                services.plan_steps_save(
                    project=project,
                    user=request.user,
                    version=version,
                    changed=changed,
                    created=created,
                    deleted=deleted,
                )
            except PeriodLocked as exc:
                messages.error(request, exc.message)
                return redirect(project)
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)
            except EditConflict:
                conflict = True
                project.refresh_from_db(fields=["version"])
            else:
                total = formset.total_weight()
                messages.success(request, _("บันทึกแผนการดำเนินงานเรียบร้อยแล้ว"))
                if total != 100:
                    messages.warning(
                        request,
                        _("น้ำหนักของทุกขั้นตอนรวมกันได้ %(total)s%% (ไม่ครบ 100%%) กรุณาตรวจสอบ")
                        % {"total": f"{total.normalize():f}"},
                    )
                return redirect(project)
    else:
        formset = PlanStepFormSet(queryset=steps, prefix="steps", calendar=calendar)
    return render(
        request,
        "projects/form_steps.html",
        {
            "project": project,
            "formset": formset,
            "version": project.version,
            "conflict": conflict,
            "calendar": calendar,
        },
    )


def _quarter_or_404(quarter):
    if quarter not in (1, 2, 3, 4):
        raise Http404
    return quarter


@login_required
@require_http_methods(["GET", "POST"])
def project_evaluate(request, code, quarter):
    project = access.project_for_evaluation(request.user, code)
    _quarter_or_404(quarter)
    try:
        check_open(ProjectEvaluation(project=project, quarter=quarter))
    except PeriodLocked as exc:
        messages.error(request, exc.message)  # a closed quarter is read-only: no form
        return redirect(project)
    evaluation = ProjectEvaluation.objects.filter(project=project, quarter=quarter).first()
    initial = {"score": evaluation.score, "version": evaluation.version} if evaluation else {}
    conflict = None
    if request.method == "POST":
        form = EvaluationForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.project_evaluation_save(
                    project=project,
                    user=request.user,
                    quarter=quarter,
                    score=form.cleaned_data["score"],
                    version=form.cleaned_data["version"],
                )
            except EditConflict as exc:
                conflict = conflict_rows(exc.current, {"score": form.cleaned_data["score"]})
                current_version = exc.current.version if exc.current else None
                form = _rebind(EvaluationForm, request, current_version)
            else:
                messages.success(request, _("บันทึกผลการประเมินไตรมาสที่ %(quarter)s เรียบร้อยแล้ว") % {"quarter": quarter})
                return redirect(project)
    else:
        form = EvaluationForm(initial=initial)
    return render(
        request,
        "projects/form_evaluation.html",
        {"project": project, "form": form, "quarter": quarter, "evaluation": evaluation, "conflict": conflict},
    )


@login_required
def project_history(request, code):
    project = access.project_for_view(request.user, code)
    entries = list(AuditEntry.objects.for_project(project).newest_first().select_related("user"))
    # Closing and reopening the project's quarters (for its unit, a unit above it, or all).
    locks = QuarterLock.objects.filter(fiscal_year=project.fiscal_year).filter(
        Q(unit__isnull=True) | Q(unit_id__in=ancestor_ids(project.unit))
    )
    lock_entries = AuditEntry.objects.filter(model_label="projects.quarterlock", object_id__in=locks.values("pk"))
    entries += list(lock_entries.select_related("user"))
    entries.sort(key=lambda entry: (entry.at, entry.pk), reverse=True)
    deleted_reports = set(project.reports.filter(deleted_at__isnull=False).values_list("pk", flat=True))
    report_label = "projects.progressreport"
    for entry in entries:
        entry.rows = describe_changes(entry)
        entry.restorable = (
            entry.model_label == report_label
            and entry.action == AuditEntry.Action.DELETE
            and entry.object_id in deleted_reports
        )
        if entry.restorable:
            deleted_reports.discard(entry.object_id)  # one restore button, on the newest delete
    return render(
        request,
        "projects/history.html",
        {"project": project, "entries": entries, "can_restore": access.can_evaluate(request.user)},
    )
