"""The REST API of the indicators app (/api/v1/, wired in bma_tracker/api_urls.py): indicators
with their quarters, filtered as the indicator list filters them, one indicator, and the unit's
result for a quarter, entered through the same access helper, form and service as the web's
quarter form (the same Thai messages, the same history entry, the same edit-conflict check)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from bma_tracker.api import (
    Conflict,
    CursorPagination,
    InvalidInput,
    code_in_path,
    error_responses,
    etag,
    etag_reads,
    form_data,
    not_modified,
    number_in_path,
    paginated,
)
from indicators import access
from indicators.filters import IndicatorFilterForm
from indicators.forms import IndicatorResultForm
from indicators.models import Indicator, IndicatorQuarter, QuarterStatus
from indicators.services import indicator_quarter_save
from projects.api import checked_filters
from projects.audit import EditConflict, json_value


class QuarterSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorQuarter
        fields = ["quarter", "result", "narrative", "score_1", "score_2", "audit_score", "version", "updated_at"]


class IndicatorRowSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    unit_name = serializers.CharField(source="unit.name", allow_null=True, default=None)
    plan_node = serializers.CharField(source="plan_node.code", allow_null=True, default=None)
    quarter_status = serializers.ChoiceField(
        choices=QuarterStatus.values, help_text="The status in the quarter the list judges (`quarter`)."
    )
    quarters = QuarterSerializer(many=True, source="quarters.all")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "code",
            "fiscal_year",
            "name",
            "unit",
            "unit_name",
            "measure",
            "lower_is_better",
            "target_text",
            "target",
            "type",
            "level",
            "plan_node",
            "quarter_status",
            "quarters",
            "url",
        ]

    def get_url(self, indicator) -> str:
        return self.context["request"].build_absolute_uri(indicator.get_absolute_url())


class ApiIndicatorFilterForm(IndicatorFilterForm):
    """The indicator list's filters (the same fields and messages); ordered by code, the cursor's order."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        del self.fields["sort"]

    def ordering(self):
        return ("code",)


INDICATOR_FILTERS = [
    OpenApiParameter("fiscal_year", int, description="Fiscal year (BE); default: the current one."),
    OpenApiParameter("quarter", int, enum=[1, 2, 3, 4], description="The quarter statuses are judged in."),
    OpenApiParameter("unit", str, description="A unit's code: its indicators and those of the units under it."),
    OpenApiParameter("district_group", str),
    OpenApiParameter("type", str),
    OpenApiParameter("level", str),
    OpenApiParameter("dimension", int, description="An evaluation dimension (1–4) of the performance agreement."),
    OpenApiParameter("plan", str, description="A plan node's code: indicators of it and the nodes under it."),
    OpenApiParameter("status", str, enum=QuarterStatus.values),
    OpenApiParameter("q", str, description="Thai search in the name and code."),
    OpenApiParameter("cursor", str),
    OpenApiParameter("page_size", int, description="Rows per page, at most 200 (default 50)."),
]


@extend_schema(
    operation_id="indicators_list",
    summary="Indicators",
    description="The indicators of one fiscal year with their quarters, filtered as the web's indicator list "
    "filters them, by code.",
    parameters=INDICATOR_FILTERS,
    responses={200: paginated(IndicatorRowSerializer), **error_responses(400, 404)},
    tags=["indicators"],
)
@etag_reads
@api_view(["GET"])
def indicator_list(request):
    form = checked_filters(ApiIndicatorFilterForm, request)
    indicators = form.filter(
        access.visible_indicators(request.user).select_related("unit", "plan_node").prefetch_related("quarters")
    )
    paginator = CursorPagination()
    page = paginator.paginate_queryset(indicators, request)
    return paginator.get_paginated_response(IndicatorRowSerializer(page, many=True, context={"request": request}).data)


class IndicatorSerializer(IndicatorRowSerializer):
    class Meta(IndicatorRowSerializer.Meta):
        fields = [
            *(name for name in IndicatorRowSerializer.Meta.fields if name != "quarter_status"),
            "base_year",
            "agreement_number",
            "category_tag",
            "definitions",
            "calculation",
            "achieved",
            "summary",
            "projects",
            "revision",
        ]

    projects = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)


INDICATOR_PATH = [
    code_in_path("The indicator's code, e.g. 2400-1065"),
    number_in_path("fiscal_year", "Fiscal year (BE)", minimum=1000, maximum=9999),
]


def _indicator(user, code, fiscal_year):
    return access.indicator_for_view(user, code, fiscal_year, related=("plan_node",))


@extend_schema(
    operation_id="indicator_retrieve",
    summary="An indicator",
    description="An indicator with its quarters and the codes of the projects it is linked to. The ETag follows "
    "the indicator's revision.",
    parameters=INDICATOR_PATH,
    responses={200: IndicatorSerializer, **error_responses(404)},
    tags=["indicators"],
)
@etag_reads
@api_view(["GET"])
def indicator_detail(request, code, fiscal_year):
    indicator = _indicator(request.user, code, fiscal_year)
    tag = etag("indicator", indicator.pk, indicator.revision)
    if (response := not_modified(request, tag)) is not None:
        return response
    data = IndicatorSerializer(
        Indicator.objects.prefetch_related("quarters", "projects")
        .select_related("unit", "plan_node")
        .get(pk=indicator.pk),
        context={"request": request},
    ).data
    response = Response(data)
    response["ETag"] = tag
    return response


class ResultInputSerializer(serializers.Serializer):
    """The quarter form's fields (indicators.forms.IndicatorResultForm validates them)."""

    result = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    narrative = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The version of the quarter you read (its `version`); leave out for a quarter with no row yet.",
    )


class StoredQuarterSerializer(QuarterSerializer):
    indicator = serializers.CharField(source="indicator.code")
    fiscal_year = serializers.IntegerField(source="indicator.fiscal_year")

    class Meta(QuarterSerializer.Meta):
        fields = ["indicator", "fiscal_year", *QuarterSerializer.Meta.fields]


def _same_values(row, values):
    return row is not None and all(
        json_value(getattr(row, name)) == json_value(value) for name, value in values.items()
    )


@extend_schema(
    operation_id="indicator_quarter_result_save",
    summary="Report an indicator's quarter result",
    description="Records the unit's result and narrative for a quarter (1–4), as the web's quarter form does: "
    "the staff and directors of the indicator's unit and the units above it, and administrators (403 otherwise, "
    "nothing stored). Send the `version` of the quarter you read to change a result already entered: a stale "
    "version is a 409 with the stored quarter. A request repeated after it succeeded (the same values) stores "
    "nothing and answers 200.",
    parameters=[*INDICATOR_PATH, number_in_path("quarter", "The quarter, 1–4.")],
    request=ResultInputSerializer,
    examples=[
        OpenApiExample("A quarter's result", value={"result": "85.50", "narrative": "ดำเนินการแล้ว"}, request_only=True)
    ],
    responses={
        201: OpenApiResponse(StoredQuarterSerializer, description="The quarter's first result."),
        200: OpenApiResponse(StoredQuarterSerializer, description="Changed, or already so (a retry)."),
        **error_responses(400, 403, 404, 409, 413, 415),
    },
    tags=["indicators"],
)
@api_view(["POST"])
def quarter_result_save(request, code, fiscal_year, quarter):
    indicator = access.indicator_for_edit(request.user, code, fiscal_year)
    if quarter not in (1, 2, 3, 4):
        raise InvalidInput({"quarter": [str(_("ไตรมาสต้องเป็น 1 ถึง 4"))]})
    form = IndicatorResultForm(form_data(request, IndicatorResultForm))
    if not form.is_valid():
        raise InvalidInput.from_form(form)
    values = {name: form.cleaned_data[name] for name in IndicatorResultForm.FIELDS}
    version = form.cleaned_data["version"]
    existed = IndicatorQuarter.objects.filter(indicator=indicator, quarter=quarter).exists()
    try:
        row = indicator_quarter_save(
            indicator=indicator, user=request.user, quarter=quarter, values=values, version=version
        )
    except EditConflict as exc:
        if not _same_values(exc.current, values):
            raise Conflict(
                _("ผลงานไตรมาสนี้ถูกแก้ไขโดยผู้อื่นหลังจากที่คุณอ่าน (ฉบับที่ %(version)s) จึงไม่ได้บันทึก กรุณาอ่านใหม่แล้วส่งอีกครั้ง")
                % {"version": exc.current.version if exc.current else "-"}
            ) from None
        row, existed = exc.current, True  # a retry of a request that was stored: nothing new
    row.indicator = indicator
    headers = {"Location": request.build_absolute_uri(reverse("indicators:detail", args=[code, fiscal_year]))}
    return Response(
        StoredQuarterSerializer(row).data,
        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        headers=headers,
    )
