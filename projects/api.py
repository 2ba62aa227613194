"""The REST API of the projects app (/api/v1/, wired in bma_tracker/api_urls.py): units, the plan
tree, projects (filtered as the project list filters them), a project with its reports, plan
steps, indicators and evaluations, and a new monthly progress report.

The endpoints are the web pages' twins: the same access helpers (reads follow the web's read
rules, a write to another unit's project is a 403 and stores nothing), the same filter and
entry forms (so the same Thai messages), the same service function (the same audit entry, and
whatever rules it enforces, such as a closed period, apply here too)."""

import hashlib
from datetime import date

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from bma_tracker import thaidate
from bma_tracker.api import (
    CursorPagination,
    InvalidInput,
    code_in_path,
    error_responses,
    etag,
    etag_reads,
    form_data,
    not_modified,
    paginated,
)
from projects import access, services
from projects.filters import ProjectFilterForm
from projects.forms import ProgressReportForm
from projects.models import (
    OrgUnit,
    PlanEdition,
    PlanNode,
    PlanStep,
    ProgressReport,
    Project,
    ProjectEvaluation,
    ScheduleStatus,
    schedule_ref_date,
)

# --- Units and the plan -------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent.code", allow_null=True, default=None, help_text="The parent unit's code."
    )

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "district_group", "parent"]


@extend_schema(
    operation_id="units_list",
    summary="Units",
    description="Every organisation unit (departments, divisions, district offices), by code.",
    responses={200: paginated(UnitSerializer), **error_responses(400, 404)},
    tags=["reference"],
)
@etag_reads
@api_view(["GET"])
def unit_list(request):
    units = OrgUnit.objects.select_related("parent").only("code", "name", "kind", "district_group", "parent__code")
    paginator = CursorPagination()
    page = paginator.paginate_queryset(units, request)
    return paginator.get_paginated_response(UnitSerializer(page, many=True).data)


class PlanNodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Arabic digits, e.g. 3.2.2.1")
    code_display = serializers.CharField(help_text="As printed, e.g. ๓.๒.๒.๑")
    level = serializers.IntegerField(help_text="1 ด้าน, 2 มิติ, 3 เป้าหมาย, 4 กลยุทธ์/เป้าหมายย่อย")
    title = serializers.CharField()
    title_en = serializers.CharField()
    parent = serializers.CharField(allow_null=True, help_text="The parent node's code (null for a dimension).")


class PlanEditionSerializer(serializers.Serializer):
    name = serializers.CharField()
    first_fiscal_year = serializers.IntegerField(help_text="Buddhist era")
    nodes = PlanNodeSerializer(many=True)


class PlanQuery(serializers.Serializer):
    fiscal_year = serializers.IntegerField(
        required=False, min_value=2400, max_value=2700, help_text="Only the edition in force in this fiscal year (BE)."
    )


@extend_schema(
    operation_id="plan_tree",
    summary="The 20-year development plan",
    description="Each edition of the plan with its nodes in code order (a tree by `parent`).",
    parameters=[PlanQuery],
    responses={200: PlanEditionSerializer(many=True), **error_responses(400)},
    tags=["reference"],
)
@etag_reads
@api_view(["GET"])
def plan_tree(request):
    query = PlanQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    editions = PlanEdition.objects.order_by("first_fiscal_year")
    if fiscal_year := query.validated_data.get("fiscal_year"):
        edition = PlanEdition.for_fiscal_year(fiscal_year)
        editions = editions.filter(pk=edition.pk if edition else None)
    editions = list(editions)
    nodes = PlanNode.objects.filter(edition__in=editions).order_by("edition_id", "code")
    nodes = list(nodes.values("edition_id", "pk", "code", "code_display", "level", "title", "title_en", "parent_id"))
    codes = {node["pk"]: node["code"] for node in nodes}
    by_edition = {}
    for node in nodes:
        node["parent"] = codes.get(node.pop("parent_id"))
        by_edition.setdefault(node.pop("edition_id"), []).append(node)
    data = [
        {"name": edition.name, "first_fiscal_year": edition.first_fiscal_year, "nodes": by_edition.get(edition.pk, [])}
        for edition in editions
    ]
    return Response(PlanEditionSerializer(data, many=True).data)


# --- Projects -----------------------------------------------------------------------------

STATUS_HELP = "Schedule status judged today (or on the last day of a closed fiscal year): " + ", ".join(
    ScheduleStatus.values
)


CODE_PLACEHOLDER = "00000000-0"


class ProjectRowSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", help_text="The owning unit's code.")
    unit_name = serializers.CharField(source="unit.name")
    schedule_status = serializers.ChoiceField(choices=ScheduleStatus.values, help_text=STATUS_HELP)
    url = serializers.SerializerMethodField(help_text="The project's page on the web.")

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "fiscal_year",
            "unit",
            "unit_name",
            "latest_percent",
            "latest_report_date",
            "planned_percent_at_latest",
            "schedule_status",
            "url",
        ]

    def get_url(self, project) -> str:
        # One reverse() per page, not per row: codes are digits and a dash.
        if "detail_url" not in self.context:
            self.context["detail_url"] = self.context["request"].build_absolute_uri(
                reverse("projects:detail", args=[CODE_PLACEHOLDER])
            )
        return self.context["detail_url"].replace(CODE_PLACEHOLDER, project.code)


class ApiProjectFilterForm(ProjectFilterForm):
    """The project list's filters (the same fields, values and Thai messages) and a plan node with
    the nodes under it; no sort: the API's order is its cursor's, by code."""

    plan_node = forms.RegexField(
        label=_("ประเด็นแผนพัฒนา (รวมประเด็นย่อย)"),
        regex=r"^[0-9]{1,3}(\.[0-9]{1,3}){0,5}$",
        required=False,
        error_messages={"invalid": _("รหัสประเด็นแผนพัฒนาต้องอยู่ในรูป 3.2.2.1")},
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        del self.fields["sort"]

    def filter(self, projects):
        projects = super().filter(projects)
        if node := self.value("plan_node"):
            linked = Project.plan_nodes.through.objects.filter(project_id=OuterRef("pk")).filter(
                Q(plannode__code=node) | Q(plannode__code__startswith=f"{node}.")
            )
            projects = projects.filter(Exists(linked))
        return projects

    def ordering(self):
        return ("code",)


def checked_filters(form_class, request):
    """A filter form bound to the query string; bad values are a 400 with the form's messages
    (the web list shows them and ignores the value: a script should know)."""
    form = form_class(request.query_params)
    if not form.is_valid():
        raise InvalidInput.from_form(form)
    return form


PROJECT_FILTERS = [
    OpenApiParameter("fiscal_year", int, description="Fiscal year (BE); default: the current one."),
    OpenApiParameter("unit", str, description="A unit's code: its projects and those of the units under it."),
    OpenApiParameter(
        "district_group",
        str,
        enum=[value for value, _label in ProjectFilterForm.base_fields["district_group"].choices if value],
    ),
    OpenApiParameter(
        "dimension", str, enum=[str(n) for n in range(1, 8)], description="A dimension (ด้าน) of the plan."
    ),
    OpenApiParameter(
        "plan_node", str, description="A plan node's code (e.g. 3.2.2): projects linked to it or a node under it."
    ),
    OpenApiParameter("status", str, enum=ScheduleStatus.values),
    OpenApiParameter("q", str, description="Thai search in the name and code (spelling variants folded)."),
    OpenApiParameter("cursor", str, description="The `next` or `previous` link's cursor."),
    OpenApiParameter("page_size", int, description="Rows per page, at most 200 (default 50)."),
]
LIST_COLUMNS = (
    "code",
    "name",
    "fiscal_year",
    "latest_percent",
    "latest_report_date",
    "planned_percent_at_latest",
    "unit__code",
    "unit__name",
)


@extend_schema(
    operation_id="projects_list",
    summary="Projects",
    description="The projects of one fiscal year, filtered as the web's project list filters them, by code.",
    parameters=PROJECT_FILTERS,
    responses={200: paginated(ProjectRowSerializer), **error_responses(400, 404)},
    tags=["projects"],
)
@etag_reads
@api_view(["GET"])
def project_list(request):
    form = checked_filters(ApiProjectFilterForm, request)
    projects = form.filter(Project.objects.select_related("unit").only(*LIST_COLUMNS))
    paginator = CursorPagination()
    page = paginator.paginate_queryset(projects, request)
    return paginator.get_paginated_response(ProjectRowSerializer(page, many=True, context={"request": request}).data)


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = ["id", "report_date", "percent", "narrative", "problems", "obstacles", "source", "entered_at"]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanStep
        fields = ["number", "name", "weight", "start", "end"]


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectEvaluation
        fields = ["quarter", "score", "evaluated_at"]


class LinkedQuarterSerializer(serializers.Serializer):
    quarter = serializers.IntegerField()
    result = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    narrative = serializers.CharField()


class LinkedIndicatorSerializer(serializers.Serializer):
    """An indicator the project supports (indicators.Indicator, read through the relation: this app
    does not import the indicators app)."""

    code = serializers.CharField()
    fiscal_year = serializers.IntegerField()
    name = serializers.CharField()
    measure = serializers.CharField()
    target_text = serializers.CharField()
    target = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    lower_is_better = serializers.BooleanField()
    quarters = LinkedQuarterSerializer(many=True, source="quarters.all")


class ProjectSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    plan_nodes = serializers.SerializerMethodField(help_text="Codes of the plan nodes the project supports.")
    schedule_status = serializers.SerializerMethodField(help_text=STATUS_HELP)
    reports = ReportSerializer(many=True, source="live_reports", help_text="Live reports, newest first.")
    steps = StepSerializer(many=True, source="steps.all")
    evaluations = EvaluationSerializer(many=True, source="evaluations.all")
    indicators = LinkedIndicatorSerializer(many=True, source="indicators.all")

    class Meta:
        model = Project
        fields = [
            *(name for name in Project.EDITABLE_FIELDS if name != "unit"),
            "unit",
            "unit_name",
            "plan_nodes",
            "legacy_headline_percent",
            "latest_percent",
            "latest_report_date",
            "planned_percent_at_latest",
            "schedule_status",
            "revision",
            "reports",
            "steps",
            "evaluations",
            "indicators",
        ]

    def get_plan_nodes(self, project) -> list[str]:
        return [node.code for node in project.plan_nodes.all()]

    def get_schedule_status(self, project) -> str:
        return project.schedule_status(schedule_ref_date(project.fiscal_year), settings.SCHEDULE_BEHIND_MARGIN).value


def _prefetch(project):
    prefetch_related_objects(
        [project],
        Prefetch("steps", queryset=PlanStep.objects.order_by("number", "pk")),
        Prefetch("evaluations", queryset=ProjectEvaluation.objects.order_by("quarter")),
        Prefetch("reports", queryset=ProgressReport.objects.live().newest_first(), to_attr="live_reports"),
        Prefetch("plan_nodes", queryset=PlanNode.objects.order_by("code")),
        Prefetch("indicators", queryset=project.indicators.model.objects.order_by("fiscal_year", "code")),
        "indicators__quarters",
    )
    return project


@extend_schema(
    operation_id="project_retrieve",
    summary="A project",
    description="A project with its live monthly reports (newest first), plan steps, evaluations and the "
    "indicators it supports with their quarters. The ETag follows the project's revision, which the database "
    "moves with any change of what this answer holds.",
    parameters=[code_in_path("The project's code, e.g. 24000000-3029")],
    responses={200: ProjectSerializer, **error_responses(404)},
    tags=["projects"],
)
@etag_reads
@api_view(["GET"])
def project_detail(request, code):
    project = access.project_for_view(request.user, code)
    # The schedule status is judged today: the day is part of the tag.
    tag = etag("project", project.pk, project.revision, project.reference_revision, thaidate.today())
    if (response := not_modified(request, tag)) is not None:
        return response
    response = Response(ProjectSerializer(_prefetch(project)).data)
    response["ETag"] = tag
    return response


# --- A new monthly report -----------------------------------------------------------------


class ReportInputSerializer(serializers.Serializer):
    """The monthly report form's fields (projects.forms.ProgressReportForm validates them)."""

    report_date = serializers.CharField(
        help_text="ISO 8601 (2021-03-30) or as the form takes it: d/m/BE-year (30/03/2564); within the project's fiscal year."
    )
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Cumulative percent done, 0–100.")
    narrative = serializers.CharField(required=False, allow_blank=True, help_text="ผลการดำเนินงาน")
    problems = serializers.CharField(required=False, allow_blank=True, help_text="ปัญหาของโครงการ")
    obstacles = serializers.CharField(required=False, allow_blank=True, help_text="อุปสรรคของโครงการ")
    confirm_lower = serializers.BooleanField(
        required=False, help_text="Confirms a percent lower than the previous report's (with lower_reason)."
    )
    lower_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class StoredReportSerializer(ReportSerializer):
    project = serializers.CharField(source="project.code")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "project"]


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    description="Any text up to 64 characters: a request repeated with the same key (a retry) stores nothing new "
    "and answers 200 with what the first one stored.",
)


def _iso_or_text(value):
    """A date as ISO 8601 (what scripts send) becomes a date; anything else goes to the form as typed."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else str(value)
    except ValueError:
        return str(value)


def submission_key(request, *scope):
    """The stored submission key of an Idempotency-Key header (None without one): one user's key,
    for one record, so that nobody else's key ever finds it. 400 for an unusable header."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= 64 or not key.isprintable() or not key.isascii():
        raise InvalidInput({"Idempotency-Key": [str(_("Idempotency-Key ต้องเป็นตัวอักษร ASCII 1–64 ตัว"))]})
    digest = hashlib.sha256(":".join(str(part) for part in (request.user.pk, *scope, key)).encode()).hexdigest()
    return "api-" + digest[:60]  # ProgressReport.submission_key holds 64 characters


@extend_schema(
    operation_id="project_report_create",
    summary="Report monthly progress",
    description="Stores a monthly progress report on the project, as the web form does (the same checks and "
    "messages, the same history entry). Only the staff and directors of the project's unit and the units "
    "above it, and administrators, may (403 otherwise, and nothing is stored).",
    parameters=[code_in_path("The project's code, e.g. 24000000-3029"), IDEMPOTENCY_KEY],
    request=ReportInputSerializer,
    examples=[
        OpenApiExample(
            "A monthly report",
            value={"report_date": "2021-03-30", "percent": "45.50", "narrative": "จัดอบรมรุ่นที่ 1 แล้ว", "problems": "ไม่มี"},
            request_only=True,
        )
    ],
    responses={
        201: OpenApiResponse(StoredReportSerializer, description="Stored."),
        200: OpenApiResponse(StoredReportSerializer, description="Stored before, by a request with the same key."),
        **error_responses(400, 403, 404, 413, 415),
    },
    tags=["projects"],
)
@api_view(["POST"])
def project_report_create(request, code):
    project = access.project_for_edit(request.user, code)
    key = submission_key(request, "report", project.pk)
    form = ProgressReportForm(
        form_data(request, ProgressReportForm, convert={"report_date": _iso_or_text}), project=project
    )
    if not form.is_valid():
        raise InvalidInput.from_form(form)
    report, created = services.progress_report_submit(
        project=project, user=request.user, values=form.report_values(), submission_key=key, note=form.note()
    )
    report.project = project
    headers = {"Location": request.build_absolute_uri(reverse("projects:detail", args=[project.code]))}
    return Response(
        StoredReportSerializer(report).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        headers=headers,
    )
