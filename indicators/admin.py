from django.contrib import admin

from indicators.models import CityIndicator, EvaluationDimension, Indicator, IndicatorQuarter
from projects.admin import ReadOnlyInClosedQuarter


class IndicatorQuarterInline(admin.TabularInline):
    model = IndicatorQuarter
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "fiscal_year", "name", "unit", "measure", "target", "achieved", "type", "level"]
    list_filter = ["fiscal_year", "type", "level"]
    search_fields = ["code", "search_text"]
    raw_id_fields = ["unit", "plan_node", "projects"]
    inlines = [IndicatorQuarterInline]


@admin.register(IndicatorQuarter)
class IndicatorQuarterAdmin(ReadOnlyInClosedQuarter, admin.ModelAdmin):
    list_display = ["indicator", "quarter", "result", "score_1", "score_2", "audit_score"]
    raw_id_fields = ["indicator"]


@admin.register(EvaluationDimension)
class EvaluationDimensionAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "name_en"]


@admin.register(CityIndicator)
class CityIndicatorAdmin(admin.ModelAdmin):
    list_display = ["number", "ordinal_display", "name", "measure", "target_text", "data_characteristic"]
    list_filter = ["data_characteristic", "lower_is_better"]
    search_fields = ["search_text"]  # the number and the name
    filter_horizontal = ["plan_nodes"]
