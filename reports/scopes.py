"""What a report covers: the whole BMA, one district group, or one unit with the units under
it. The dashboards, the quarterly books and the indicator Excel export all select their rows
through Scope; which units a scope holds is the OrgUnit queryset's rule (subtree_of,
in_district_group), written once there.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from projects.models import DistrictGroup, OrgUnit


@dataclass(frozen=True)
class Scope:
    """The whole BMA, one district group, or one unit and its sub-units."""

    kind: str  # "bma" | "group" | "unit" (the values of BookJob.Scope)
    unit: OrgUnit | None = None
    group: str = ""

    @classmethod
    def bma(cls):
        return cls("bma")

    @classmethod
    def for_group(cls, group):
        return cls("group", group=group)

    @classmethod
    def for_unit(cls, unit):
        return cls("unit", unit=unit)

    @classmethod
    def of(cls, kind, *, unit=None, group=""):
        """The scope of a kind, keeping only what that kind uses (a form may send both)."""
        if kind == "unit":
            return cls.for_unit(unit)
        if kind == "group":
            return cls.for_group(group)
        return cls.bma()

    @property
    def key(self):
        """ "bma", "unit:24000000" or "group:central": the dashboard's cache keys and BookJob.scope_key."""
        if self.kind == "unit":
            return f"unit:{self.unit.code}"
        if self.kind == "group":
            return f"group:{self.group}"
        return "bma"

    @property
    def slug(self):
        """The key as it goes into a file name."""
        return self.key.replace(":", "-")

    @property
    def label(self):
        """The dashboard's heading."""
        if self.kind == "group":
            return DistrictGroup(self.group).label
        if self.kind == "unit":
            return self.unit.name
        return _("กรุงเทพมหานคร (ทุกหน่วยงาน)")

    @property
    def title(self):
        """The book's cover line."""
        if self.kind == "unit":
            return _("%(unit)s และหน่วยงานในสังกัด") % {"unit": self.unit.name}
        if self.kind == "group":
            return DistrictGroup(self.group).label
        return _("กรุงเทพมหานคร")

    @property
    def query(self):
        """GET parameters that select this scope on the dashboard."""
        if self.kind == "unit":
            return {"unit": self.unit.code}
        # An empty group names the whole BMA explicitly (no parameter at all means "my unit").
        return {"group": self.group}

    @property
    def list_query(self):
        """GET parameters that pre-set the project list's filters to this scope."""
        if self.kind == "group":
            return {"district_group": self.group}
        if self.kind == "unit":
            return {"unit": self.unit.code}
        return {}

    def units(self):
        """The scope's units: every unit, a group's offices with the units below them, or a unit's subtree."""
        if self.kind == "group":
            return OrgUnit.objects.in_district_group(self.group)
        if self.kind == "unit":
            return OrgUnit.objects.subtree_of(self.unit)
        return OrgUnit.objects.all()

    def owned(self, queryset, unit_ids=None):
        """The rows of a queryset (with a `unit` field) owned by the scope's units; unit_ids:
        those units' ids when already fetched, which spares the database a subquery."""
        if self.kind == "bma":
            return queryset
        if unit_ids is not None:
            return queryset.filter(unit_id__in=list(unit_ids))
        return queryset.filter(unit__in=self.units())
