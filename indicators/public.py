"""The public fields of the indicators app's models: the same allow-list as projects/public.py
(read its docstring), for indicators and their quarters."""

from indicators.models import EvaluationDimension, Indicator, IndicatorQuarter
from projects.public import BOOKKEEPING, INTERNAL, PERSONAL, FieldPolicy, register

register(
    FieldPolicy(
        EvaluationDimension,
        public=("number", "name", "name_en"),
        private={"id": BOOKKEEPING},
    )
)
register(
    FieldPolicy(
        Indicator,
        public=(
            "code",
            "fiscal_year",
            "name",
            "unit",
            "measure",
            "lower_is_better",
            "target_text",
            "target",
            "target_basis",
            "target_q1",
            "target_q2",
            "target_q3",
            "target_q4",
            "base_year",
            "achieved",
            "achieved_rule",
            "type",
            "level",
            "dimension",
            "agreement_number",
            "category_tag",
            "ordinal_display",
            "definitions",
            "calculation",
            "plan_alignment_text",
            "plan_node",
            "projects",
            "summary",
            "supporting_factors",
            "obstacles",
            "evidence",
        ),
        private={
            "id": BOOKKEEPING,
            "reporter_name": PERSONAL,
            "reporter_position": PERSONAL,
            "legacy_counter": BOOKKEEPING,  # a number on the legacy page nobody can explain
            "search_text": BOOKKEEPING,
            "updated_at": BOOKKEEPING,
            "version": BOOKKEEPING,
            "revision": BOOKKEEPING,
        },
        derived=("display_name", "target_display", "get_type_display", "get_level_display"),
    )
)
register(
    FieldPolicy(
        IndicatorQuarter,
        public=("indicator", "quarter", "result", "narrative", "score_1", "score_2"),
        private={
            "id": BOOKKEEPING,
            "audit_score": INTERNAL,  # the planning office's own check of the unit's scores
            "updated_at": BOOKKEEPING,
            "version": BOOKKEEPING,
        },
    )
)
