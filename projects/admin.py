from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from projects.models import (
    OrgUnit,
    PlanEdition,
    PlanNode,
    PlanStep,
    ProgressReport,
    Project,
    ProjectEvaluation,
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
class ProgressReportAdmin(RefreshesProjectSummary, admin.ModelAdmin):
    list_display = ["project", "report_date", "percent", "source", "entered_by", "deleted_at"]
    list_filter = ["source"]
    search_fields = ["project__code"]
    raw_id_fields = ["project", "entered_by"]
    date_hierarchy = "report_date"
    # The review is the directors' and the planning office's, through their pages (audited).
    readonly_fields = ["status", "submitted_at", "reviewed_by", "reviewed_at", "review_comment"]


@admin.register(PlanStep)
class PlanStepAdmin(RefreshesProjectSummary, admin.ModelAdmin):
    list_display = ["project", "number", "name", "weight", "start", "end"]
    search_fields = ["project__code", "name"]
    raw_id_fields = ["project"]


@admin.register(ProjectEvaluation)
class ProjectEvaluationAdmin(admin.ModelAdmin):
    list_display = ["project", "quarter", "score", "evaluated_by", "evaluated_at"]
    raw_id_fields = ["project", "evaluated_by"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "unit", "role", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["unit"]
    fieldsets = DjangoUserAdmin.fieldsets + (("BMA", {"fields": ("unit", "role")}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("BMA", {"fields": ("unit", "role")}),)
