"""Which fields the public may see (issue 22): the public site (/public/) and the open-data
downloads show a record only through its FieldPolicy, decided here for the projects app's models
and in indicators/public.py for the indicators'.

An allow-list: a field is public only when it is named in `public`; every field of a model must
be named in exactly one of `public` and `private` (tests/test_public_fields.py checks), so a new
field — a report's status, a budget, an evidence file — fails that test until someone writes one
line: its name in `public`, or in `private` with the reason.

What is never public, and why:
- people: the responsible person's name and phone (personal data under the PDPA; the legacy
  pages showed both to everyone, which is what this stops — the owning unit is the public
  contact), who entered a report or evaluated a project, the audit trail;
- internal work: drafts and returned reports (only ProgressReport.objects.public() is shown),
  deleted reports, the data-quality notes, internal check scores;
- bookkeeping: ids, versions, revisions, search keys, submission keys, entry times.
"""

from django.db import models

from projects.models import OrgUnit, PlanEdition, PlanNode, PlanStep, ProgressReport, Project, ProjectEvaluation

BOOKKEEPING = "bookkeeping"
PERSONAL = "personal data"
INTERNAL = "internal work"


class FieldPolicy:
    """The public and private fields of one model, and the few derived attributes (model
    properties and get_FOO_display) that read only public fields."""

    def __init__(self, model, *, public, private, derived=()):
        overlap = set(public) & set(private)
        if overlap:  # pragma: no cover - a typo caught at import
            raise ValueError(f"{model.__name__}: both public and private: {sorted(overlap)}")
        self.model, self.public, self.private, self.derived = model, tuple(public), dict(private), tuple(derived)

    def field(self, name):
        return self.model._meta.get_field(name)

    def values(self, obj):
        """The public fields of a record, by name (related records as PublicView)."""
        return {name: getattr(PublicView(obj), name) for name in self.public}


POLICIES = {}


def register(policy):
    """Make a model's policy the one PublicView and the open-data writers use."""
    POLICIES[policy.model] = policy
    return policy


def policy_for(model):
    return POLICIES[model]


def all_field_names(model):
    """Every field a policy must decide on: the model's own columns and many-to-many links."""
    return {field.name for field in model._meta.get_fields() if not field.auto_created or field.concrete}


class PublicView:
    """A record as the public sees it: reading a private field raises AttributeError (a template
    shows nothing), a related record is itself a PublicView, a many-to-many link gives a list of
    them. The public templates receive only these, so a staff template they reuse cannot show a
    private field either."""

    __slots__ = ("_obj", "_policy")

    def __init__(self, obj):
        self._obj, self._policy = obj, policy_for(type(obj))

    def __getattr__(self, name):
        policy = self._policy
        if name in policy.derived:
            return getattr(self._obj, name)
        if name not in policy.public and name != "pk":
            raise AttributeError(f"{policy.model.__name__}.{name} is not public")
        value = getattr(self._obj, name)
        field = policy.field(name) if name != "pk" else None
        if field is not None and field.many_to_many:
            return [PublicView(related) for related in value.all()]
        if isinstance(value, models.Model):
            return PublicView(value)
        return value

    def __eq__(self, other):
        return isinstance(other, PublicView) and self._obj == other._obj

    def __hash__(self):
        return hash(self._obj)

    def __str__(self):
        return str(getattr(self._obj, "code", "") or self._obj.pk)


register(
    FieldPolicy(
        OrgUnit,
        public=("code", "name", "kind", "parent", "district_group"),
        private={"id": BOOKKEEPING},
        derived=("get_kind_display", "get_district_group_display"),
    )
)
register(
    FieldPolicy(
        PlanEdition,
        public=("name", "first_fiscal_year"),
        private={"id": BOOKKEEPING},
    )
)
register(
    FieldPolicy(
        PlanNode,
        public=("edition", "parent", "level", "code_display", "code", "title", "title_en"),
        private={"id": BOOKKEEPING},
        derived=("get_level_display",),
    )
)
register(
    FieldPolicy(
        Project,
        public=(
            "code",
            "name",
            "fiscal_year",
            "unit",
            "division_code",
            "subunit_code",
            "rationale",
            "objectives",
            "targets",
            "plan_nodes",
            "plan_alignment_text",
            "legacy_headline_percent",
            "latest_percent",
            "latest_report_date",
            "planned_percent_at_latest",
            # Public money: what a project may spend and has spent.
            "budget",
            "budget_after_transfer",
            "disbursed_to_date",
        ),
        private={
            "id": BOOKKEEPING,
            "continued_from": BOOKKEEPING,
            "approved_months": BOOKKEEPING,
            "responsible_person": PERSONAL,
            "responsible_phone": PERSONAL,
            "search_text": BOOKKEEPING,
            "report_months": BOOKKEEPING,
            "created_at": BOOKKEEPING,
            "updated_at": BOOKKEEPING,
            "version": BOOKKEEPING,
            "revision": BOOKKEEPING,
        },
        derived=("percent_is_legacy_headline", "fiscal_year_range"),
    )
)
register(
    FieldPolicy(
        PlanStep,
        public=("project", "number", "name", "weight", "start", "end"),
        private={"id": BOOKKEEPING},
    )
)
register(
    FieldPolicy(
        ProgressReport,
        # Only reports that count are public (ProgressReport.objects.public()): their status says
        # whether the unit's director has approved one yet.
        public=(
            "project",
            "report_date",
            "percent",
            "narrative",
            "problems",
            "obstacles",
            "disbursed_to_date",
            "status",
        ),
        private={
            "id": BOOKKEEPING,
            "source": BOOKKEEPING,
            "entered_by": PERSONAL,
            "entered_at": INTERNAL,
            "updated_at": BOOKKEEPING,
            "deleted_at": INTERNAL,
            "version": BOOKKEEPING,
            "submission_key": BOOKKEEPING,
            "submitted_at": INTERNAL,
            "reviewed_by": PERSONAL,
            "reviewed_at": INTERNAL,
            "review_comment": INTERNAL,
        },
    )
)
register(
    FieldPolicy(
        ProjectEvaluation,
        # The planning office's quarterly score is a result the legacy pages published; who gave it is not.
        public=("project", "quarter", "score"),
        private={"id": BOOKKEEPING, "evaluated_by": PERSONAL, "evaluated_at": INTERNAL, "version": BOOKKEEPING},
    )
)
