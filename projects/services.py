"""Writes that span several models: the record, its audit entry and the project's progress
summary change together in one transaction, or not at all."""

import copy

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import evidence
from projects.audit import audit_log, diff, locked_save, locked_update, snapshot
from projects.cycle import PeriodLocked, check_open, closed_period, locked_message, steps_window_message
from projects.models import (
    ApiToken,
    AuditEntry,
    PlanStep,
    ProgressReport,
    Project,
    ProjectEvaluation,
    QuarterLock,
    ReportEvidence,
    ReportingCalendar,
)

REPORT_FIELDS = ProgressReport.EDITABLE_FIELDS
PROJECT_FIELDS = Project.EDITABLE_FIELDS
STEP_FIELDS = PlanStep.EDITABLE_FIELDS
Action = AuditEntry.Action
PARKING_TOP = 32767  # the largest PositiveSmallIntegerField value on every database
TOKEN_FIELDS = ("name", "prefix", "expires_at")


Status = ProgressReport.Status


def progress_report_submit(*, project, user, values, submission_key=None, note="", draft=False):
    """Record a new monthly report, submitted (or a draft with draft=True). Returns (report,
    created); a second submit of the same form (same submission_key) returns the report the
    first one made. The unique submission_key is the check: a second submit's insert fails (or
    waits for the first one's transaction, then fails), and nothing of it is stored. No query
    asks first: nearly every submit is the first. PeriodLocked in a closed quarter, ValidationError
    for what the model's rules refuse (ProgressReport.clean)."""
    now = timezone.now()
    report = ProgressReport(
        project=project,
        entered_by=user,
        entered_at=now,
        source=ProgressReport.Source.WEB,
        submission_key=submission_key or None,
        status=Status.DRAFT if draft else Status.SUBMITTED,
        submitted_at=None if draft else now,
        **values,
    )
    report.clean()  # the model's rules: not in the future, in budget, not in a closed quarter (PeriodLocked)
    try:
        with transaction.atomic():
            report.save(force_insert=True)
            audit_log(
                user=user,
                action=Action.CREATE,
                obj=report,
                project=project,
                changes=diff({}, {**snapshot(report, REPORT_FIELDS), "status": report.status}),
                note=note,
            )
            project.refresh_progress_summary()
    except IntegrityError:
        existing = ProgressReport.objects.filter(submission_key=submission_key).first() if submission_key else None
        if existing is None:
            raise
        return existing, False
    return report, True


@transaction.atomic
def progress_report_update(*, report, user, version, values, note="", draft=False):
    """Save an edit of a report made on the form rendered at `version` (EditConflict if stale):
    submitted again (an approved or returned report goes back for approval), or kept as a
    draft with draft=True (only a report not submitted yet). PeriodLocked in a closed quarter."""
    edited = copy.copy(report)
    for name, value in values.items():
        setattr(edited, name, value)
    edited.clean()  # PeriodLocked in a closed quarter; ValidationError for the model's other rules
    if draft and report.status != Status.DRAFT:
        raise ValidationError(_("รายงานที่ส่งแล้วบันทึกเป็นร่างไม่ได้"), code="not_a_draft")
    before = {**snapshot(report, REPORT_FIELDS), "status": report.status}
    now = timezone.now()
    review = {} if draft else {"status": Status.SUBMITTED, "submitted_at": now, "review_comment": ""}
    locked_update(report, version=version, values={**values, **review, "updated_at": now})
    changes = diff(before, {**snapshot(report, REPORT_FIELDS), "status": report.status})
    action = Action.SUBMIT if before["status"] != report.status else Action.UPDATE
    audit_log(user=user, action=action, obj=report, project=report.project, changes=changes, note=note)
    report.project.refresh_progress_summary()
    return report


@transaction.atomic
def progress_report_approve(*, report, user, version):
    """A director of the report's unit or a unit above it, or the planning office, approves a
    submitted report (the access helper decides who may; EditConflict if it changed since the
    page showed it)."""
    return _review(report=report, user=user, version=version, status=Status.APPROVED, comment="")


@transaction.atomic
def progress_report_return(*, report, user, version, comment):
    """Send a submitted (or approved) report back to its unit to be fixed; the comment is
    required and shown to the unit's staff."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("กรุณาระบุความเห็นว่าต้องแก้ไขอะไร"), code="comment_required")
    return _review(report=report, user=user, version=version, status=Status.RETURNED, comment=comment)


def _review(*, report, user, version, status, comment):
    check_open(report, as_stored=True)
    if report.status not in (Status.SUBMITTED, Status.APPROVED) or report.status == status:
        raise ValidationError(_("รายงานนี้ไม่ได้อยู่ในสถานะที่รอการตรวจ"), code="not_reviewable")
    before = report.status
    locked_update(
        report,
        version=version,
        values={"status": status, "reviewed_by": user, "reviewed_at": timezone.now(), "review_comment": comment},
    )
    action = Action.APPROVE if status == Status.APPROVED else Action.RETURN
    audit_log(
        user=user, action=action, obj=report, project=report.project, changes={"status": [before, status]}, note=comment
    )
    report.project.refresh_progress_summary()
    return report


@transaction.atomic
def progress_report_delete(*, report, user, version, note=""):
    """Staff never hard-delete: the report is marked deleted, leaves the page and the summary,
    and stays in the history for the planning office to restore. `version`: the report's
    version the confirmation showed (EditConflict if it changed since)."""
    check_open(report, as_stored=True)
    locked_update(report, version=version, values={"deleted_at": timezone.now()})
    audit_log(
        user=user,
        action=Action.DELETE,
        obj=report,
        project=report.project,
        changes=diff(snapshot(report, REPORT_FIELDS), {}),
        note=note,
    )
    report.project.refresh_progress_summary()


@transaction.atomic
def progress_report_restore(*, report, user, version):
    check_open(report, as_stored=True)
    locked_update(report, version=version, values={"deleted_at": None})
    audit_log(
        user=user,
        action=Action.RESTORE,
        obj=report,
        project=report.project,
        changes=diff({}, snapshot(report, REPORT_FIELDS)),
    )
    report.project.refresh_progress_summary()


def _project_snapshot(project, plan_nodes=None):
    data = snapshot(project, PROJECT_FIELDS)
    nodes = project.plan_nodes.all() if plan_nodes is None else plan_nodes
    data["plan_nodes"] = sorted(node.code for node in nodes)
    return data


@transaction.atomic
def project_create(*, user, values, plan_nodes=()):
    project = Project(**values)
    project.full_clean()
    project.save()
    project.plan_nodes.set(plan_nodes)
    audit_log(
        user=user, action=Action.CREATE, obj=project, project=project, changes=diff({}, _project_snapshot(project))
    )
    return project


@transaction.atomic
def project_update(*, project, user, version, values, plan_nodes=()):
    before = _project_snapshot(project)
    # update() skips save(): the model's rule derives the search key from the new values, on a
    # copy, so that a conflict leaves the caller's project as it was.
    edited = copy.copy(project)
    for name, value in values.items():
        setattr(edited, name, value)
    edited.refresh_search_text()
    locked_update(
        project, version=version, values={**values, "search_text": edited.search_text, "updated_at": timezone.now()}
    )
    project.plan_nodes.set(plan_nodes)
    changes = diff(before, _project_snapshot(project, plan_nodes))
    audit_log(user=user, action=Action.UPDATE, obj=project, project=project, changes=changes)
    return project


@transaction.atomic
def plan_steps_save(*, project, user, version, changed, created, deleted):
    """Save the plan-step formset: `changed` are (step, new values), `created` dicts of values,
    `deleted` steps. The project's version guards the whole plan (EditConflict if stale).
    Refused (ValidationError) for a date outside the year's plan-step window, and
    (PeriodLocked) for a step in a closed quarter, as it was or as it would be."""
    steps_window_check(project, [values for _step, values in changed] + list(created))
    periods = []
    for step in deleted:
        periods += step.periods()
    for step, values in changed:
        periods += step.periods() + PlanStep(project=project, **values).periods()
    for values in created:
        periods += PlanStep(project=project, **values).periods()
    closed = closed_period(periods)
    if closed:
        raise PeriodLocked(locked_message(*closed), code="closed_quarter")
    locked_update(project, version=version, values={"updated_at": timezone.now()})
    for step in deleted:
        audit_log(
            user=user, action=Action.DELETE, obj=step, project=project, changes=diff(snapshot(step, STEP_FIELDS), {})
        )
        step.delete()
    # Renumbering (2 ↔ 3) would trip the unique (project, number) constraint midway: park the
    # changed steps on numbers no step has first, from the top of the column's range down (the
    # form's numbers are small; "the largest plus some" overflowed next to an old step 30000).
    taken = set(project.steps.values_list("number", flat=True))
    parking = (number for number in range(PARKING_TOP, 0, -1) if number not in taken)
    for step, _values in changed:
        PlanStep.objects.filter(pk=step.pk).update(number=next(parking))
    for step, values in changed:
        before = snapshot(step, STEP_FIELDS)
        for name, value in values.items():
            setattr(step, name, value)
        step.save()
        changes = diff(before, snapshot(step, STEP_FIELDS))
        if changes:
            audit_log(user=user, action=Action.UPDATE, obj=step, project=project, changes=changes)
    for values in created:
        step = PlanStep.objects.create(project=project, **values)
        audit_log(
            user=user, action=Action.CREATE, obj=step, project=project, changes=diff({}, snapshot(step, STEP_FIELDS))
        )
    project.refresh_progress_summary()


def steps_window_check(project, values_list):
    """ValidationError when a plan step's start or end lies outside the window of the project's
    fiscal year (ReportingCalendar.steps_window_*): the form says it per row, this is for every
    other caller."""
    calendar = ReportingCalendar.for_year(project.fiscal_year)
    for values in values_list:
        for name in ("start", "end"):
            day = values.get(name)
            if day is not None and not calendar.steps_window_start <= day <= calendar.steps_window_end:
                raise ValidationError(steps_window_message(calendar), code="outside_steps_window")


@transaction.atomic
def project_evaluation_save(*, project, user, quarter, score, version=None):
    """Record or change the planning office's score for a project in one quarter.
    `version` is None when the form showed no evaluation yet (EditConflict: locked_save).
    PeriodLocked in a closed quarter."""
    check_open(ProjectEvaluation(project=project, quarter=quarter))
    return locked_save(
        ProjectEvaluation,
        key={"project": project, "quarter": quarter},
        version=version,
        values={"score": score, "evaluated_by": user, "evaluated_at": timezone.now()},
        fields=["quarter", "score"],
        user=user,
        project=project,
    )


# --- Evidence files --------------------------------------------------------------------------
# One function adds and one removes, per parent: the place for any rule on when files may change
# (a closed period, say). An addition or a removal is an audit entry of the parent record (its
# "evidence" field, from the file's name to nothing or back), so it shows in that record's history.


def _evidence_label(row):
    return f"{row.original_name} ({row.size_display})"


def evidence_add(model, *, parent, upload, user, project=None):
    """Check an uploaded file (projects.evidence.check_upload: ValidationError with the reason),
    store it under a random name and record it under `parent` (model's `parent_field`), audited.
    A refused file leaves nothing behind: no row, no stored file."""
    checked = evidence.check_upload(upload)
    parent_field = model.PARENT_FIELD
    stored = None
    try:
        with transaction.atomic():
            # Lock the parent, so that two uploads at once cannot both pass the count.
            type(parent).objects.select_for_update().filter(pk=parent.pk).exists()
            if model.objects.filter(**{parent_field: parent}).count() >= settings.EVIDENCE_MAX_FILES:
                raise evidence.refused(
                    _("แนบไฟล์ได้ไม่เกิน %(max)s ไฟล์ต่อรายการ กรุณาลบไฟล์เดิมก่อน") % {"max": settings.EVIDENCE_MAX_FILES}
                )
            upload.seek(0)
            stored = default_storage.save(evidence.new_storage_name(checked), upload)
            row = model(
                **{parent_field: parent},
                file=stored,
                original_name=checked.original_name,
                size=checked.size,
                content_type=checked.content_type,
                sha256=checked.sha256,
                uploaded_by=user if user and user.is_authenticated else None,
                uploaded_at=timezone.now(),
            )
            row.full_clean(exclude=[parent_field, "uploaded_by"])
            row.save()
            audit_log(
                user=user,
                action=Action.UPDATE,
                obj=parent,
                project=project,
                changes={"evidence": [None, _evidence_label(row)]},
                note=_("แนบไฟล์หลักฐาน"),
            )
    except BaseException:
        if stored is not None:
            default_storage.delete(stored)
        raise
    return row


def evidence_remove(row, *, parent, user, project=None):
    """Remove an evidence file, audited; the stored file goes once the removal is committed.
    False when someone removed it first."""
    with transaction.atomic():
        deleted, _counts = type(row).objects.filter(pk=row.pk).delete()
        if not deleted:
            return False
        audit_log(
            user=user,
            action=Action.UPDATE,
            obj=parent,
            project=project,
            changes={"evidence": [_evidence_label(row), None]},
            note=_("ลบไฟล์หลักฐาน"),
        )
        name = row.file.name
        transaction.on_commit(lambda: default_storage.delete(name))
    return True


def report_evidence_add(*, report, upload, user):
    """Attach an evidence file to a progress report."""
    return evidence_add(ReportEvidence, parent=report, upload=upload, user=user, project=report.project)


def report_evidence_remove(*, evidence_file, user):
    """Remove an evidence file of a progress report."""
    report = evidence_file.report
    return evidence_remove(evidence_file, parent=report, user=user, project=report.project)


def api_token_create(*, user, name, expires_at):
    """A new personal API token for `user`. Returns (token, the token string): the string is
    shown once and never stored, only its secret's hash. Audited (without the secret)."""
    with transaction.atomic():
        prefix, secret, text = ApiToken.new_parts()
        token = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, secret_hash=ApiToken.hash_secret(secret), expires_at=expires_at
        )
        audit_log(user=user, action=Action.CREATE, obj=token, changes=diff({}, snapshot(token, TOKEN_FIELDS)))
    return token, text


@transaction.atomic
def api_token_revoke(*, token, user):
    """Revoke a token (its owner, or an administrator); a revoked token stays listed. Revoking
    twice changes nothing."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if updated:
        token.refresh_from_db(fields=["revoked_at"])
        audit_log(
            user=user, action=Action.DELETE, obj=token, changes={"revoked_at": [None, token.revoked_at.isoformat()]}
        )
    return token


@transaction.atomic
def reporting_calendar_save(*, user, fiscal_year, values, version=None):
    """Create or change a fiscal year's calendar (the planning office's page; EditConflict if
    stale: locked_save). Audited; the triggers move every page of the year on."""
    Calendar = ReportingCalendar
    calendar = Calendar(fiscal_year=fiscal_year, **values)
    calendar.full_clean(exclude=["fiscal_year"])
    return locked_save(
        Calendar,
        key={"fiscal_year": fiscal_year},
        version=version,
        values={**values, "updated_by": user},
        fields=list(Calendar.EDITABLE_FIELDS),
        user=user,
    )


class QuarterAlreadyClosed(Exception):
    """The quarter is closed for that scope already."""


@transaction.atomic
def quarter_close(*, user, fiscal_year, quarter, unit=None):
    """The planning office closes a quarter of a fiscal year for a unit (and the units below it)
    or, with unit None, for every unit. Audited."""
    if not 1 <= quarter <= 4:
        raise ValidationError(_("ไตรมาสต้องเป็น 1–4"), code="quarter")
    try:
        with transaction.atomic():
            lock = QuarterLock.objects.create(
                fiscal_year=fiscal_year, quarter=quarter, unit=unit, locked_by=user, locked_at=timezone.now()
            )
    except IntegrityError:
        raise QuarterAlreadyClosed from None
    audit_log(user=user, action=Action.LOCK, obj=lock, changes=_lock_changes(lock, opening=False))
    return lock


@transaction.atomic
def quarter_reopen(*, user, lock, reason):
    """Reopen a closed quarter; the reason is required and kept with the lock and the audit entry."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("กรุณาระบุเหตุผลที่เปิดไตรมาสอีกครั้ง"), code="reason_required")
    updated = QuarterLock.objects.filter(pk=lock.pk, reopened_at__isnull=True).update(
        reopened_at=timezone.now(), reopened_by=user, reopen_reason=reason
    )
    if not updated:
        raise ValidationError(_("ไตรมาสนี้เปิดอยู่แล้ว"), code="not_closed")
    lock.refresh_from_db()
    audit_log(user=user, action=Action.REOPEN, obj=lock, changes=_lock_changes(lock, opening=True), note=reason)
    return lock


def _lock_changes(lock, *, opening):
    scope = lock.unit.name if lock.unit_id else "ทุกหน่วยงาน"
    values = {"fiscal_year": lock.fiscal_year, "quarter": lock.quarter, "unit": scope}
    return {name: [value, None] if opening else [None, value] for name, value in values.items()}
