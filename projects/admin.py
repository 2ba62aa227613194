from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from projects import services
from projects.cycle import PeriodLocked, check_open
from projects.models import (
    ApiToken,
    OrgUnit,
    PlanEdition,
    PlanNode,
    PlanStep,
    ProgressReport,
    Project,
    ProjectEvaluation,
    QuarterLock,
    ReportingCalendar,
    User,
)


def _refresh(project_ids):
    """Admin edits bypass projects.services: keep the stored progress summary (derived from the
    reports and plan steps) of every project they touched in step, as the services do. Caches
    need nothing: the database moves the revisions their keys are made of."""
    for project in Project.objects.filter(pk__in={pk for pk in project_ids if pk is not None}):
        project.refresh_progress_summary()


class RefreshesProjectSummary:
    """For the admins of a project's reports and steps: refresh the project after a change, and
    the project a report or step was moved away from."""

    def save_model(self, request, obj, form, change):
        before = type(obj).objects.filter(pk=obj.pk).values_list("project_id", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        _refresh([obj.project_id, before])

    def delete_model(self, request, obj):
        project_id = obj.project_id
        super().delete_model(request, obj)
        _refresh([project_id])

    def delete_queryset(self, request, queryset):
        project_ids = list(queryset.values_list("project_id", flat=True))
        super().delete_queryset(request, queryset)
        _refresh(project_ids)


def in_closed_quarter(obj):
    try:
        check_open(obj, as_stored=True)
    except PeriodLocked:
        return True
    return False


class ReadOnlyInClosedQuarter:
    """A row of a closed quarter (projects.QuarterLock) is shown read-only and cannot be deleted;
    a bulk delete that includes one is refused whole, with the message. (The database refuses
    it too: this turns its refusal into a message instead of an error page.) Saving an edit
    that moves a row into a closed quarter is refused by the model's clean()."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and in_closed_quarter(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and in_closed_quarter(obj))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            try:
                check_open(obj, as_stored=True)
            except PeriodLocked as exc:
                self.message_user(request, f"{obj}: {exc.message}", level=messages.ERROR)
                return
        super().delete_queryset(request, queryset)


@admin.register(ReportingCalendar)
class ReportingCalendarAdmin(admin.ModelAdmin):
    """Shown only: the planning office edits calendars on its own page, audited."""

    list_display = ["fiscal_year", "report_due_day", "approval_required", "updated_by", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuarterLock)
class QuarterLockAdmin(ReportingCalendarAdmin):
    """Shown only: closing and reopening are the planning office's page's, audited."""

    list_display = ["fiscal_year", "quarter", "unit", "locked_by", "locked_at", "reopened_at", "reopen_reason"]
    list_filter = ["fiscal_year", "quarter"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "district_group", "parent"]
    list_filter = ["kind", "district_group"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(PlanEdition)
class PlanEditionAdmin(admin.ModelAdmin):
    list_display = ["name", "first_fiscal_year"]


@admin.register(PlanNode)
class PlanNodeAdmin(admin.ModelAdmin):
    list_display = ["code_display", "code", "title", "level", "edition"]
    list_filter = ["edition", "level"]
    search_fields = ["code", "title"]
    raw_id_fields = ["parent"]


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0


class ProjectEvaluationInline(admin.TabularInline):
    model = ProjectEvaluation
    extra = 0
    raw_id_fields = ["evaluated_by"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "fiscal_year", "unit"]
    list_filter = ["fiscal_year"]
    search_fields = ["code", "search_text"]
    raw_id_fields = ["unit"]
    filter_horizontal = ["plan_nodes"]
    # Shown, not edited: only the legacy importer writes what a printout headlined.
    readonly_fields = ["legacy_headline_percent"]
    inlines = [PlanStepInline, ProjectEvaluationInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _refresh([form.instance.pk])  # its steps (inline) or fiscal year may have changed


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyInClosedQuarter, RefreshesProjectSummary, admin.ModelAdmin):
    list_display = ["project", "report_date", "percent", "source", "entered_by", "deleted_at"]
    list_filter = ["source"]
    search_fields = ["project__code"]
    raw_id_fields = ["project", "entered_by"]
    date_hierarchy = "report_date"
    # The review is the directors' and the planning office's, through their pages (audited).
    readonly_fields = ["status", "submitted_at", "reviewed_by", "reviewed_at", "review_comment"]


@admin.register(PlanStep)
class PlanStepAdmin(ReadOnlyInClosedQuarter, RefreshesProjectSummary, admin.ModelAdmin):
    list_display = ["project", "number", "name", "weight", "start", "end"]
    search_fields = ["project__code", "name"]
    raw_id_fields = ["project"]


@admin.register(ProjectEvaluation)
class ProjectEvaluationAdmin(ReadOnlyInClosedQuarter, admin.ModelAdmin):
    list_display = ["project", "quarter", "score", "evaluated_by", "evaluated_at"]
    raw_id_fields = ["project", "evaluated_by"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "unit", "role", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["unit"]
    fieldsets = DjangoUserAdmin.fieldsets + (("BMA", {"fields": ("unit", "role", "reminder_mails")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("BMA", {"fields": ("unit", "role")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's API tokens, to see and to revoke (the action); never made or changed here: a
    token is made by its user on /accounts/tokens/, and only its secret's hash is stored."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    exclude = ("secret_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("เพิกถอนโทเค็นที่เลือก"), permissions=["view"])
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.api_token_revoke(token=token, user=request.user)
        self.message_user(request, _("เพิกถอนโทเค็นที่เลือกแล้ว"), messages.SUCCESS)
