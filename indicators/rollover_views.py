"""The page that continues a unit's projects into the next fiscal year (indicators.rollover):
tick projects → preview what each copy will be → confirm → the copy, all or nothing.
/projects/rollover/?unit=CODE&fiscal_year=YYYY, in the projects namespace (bma_tracker.urls)."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bma_tracker import thaidate
from indicators.rollover import RolloverRefused, originals_for_rollover, projects_roll_over, rollover_plan
from projects import access
from projects.models import OrgUnit, Project

# A unit has a few hundred projects a year at most; a post naming more is not from this page.
MAX_PROJECTS = 500
ROW_COLUMNS = ("code", "name", "fiscal_year", "unit__name", "responsible_person")


class RolloverScopeForm(forms.Form):
    """Whose projects and of which year (GET): any unit, checked against the user's right after."""

    unit = forms.ModelChoiceField(
        label=gettext_lazy("หน่วยงาน"),
        queryset=OrgUnit.objects.select_related("parent"),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": gettext_lazy("ไม่พบหน่วยงานที่เลือก")},
    )
    fiscal_year = forms.IntegerField(
        label=gettext_lazy("จากปีงบประมาณ"),
        required=False,
        min_value=2500,
        max_value=2699,
        error_messages={
            "invalid": gettext_lazy("ปีงบประมาณต้องเป็นตัวเลข พ.ศ. 4 หลัก เช่น 2568"),
            "min_value": gettext_lazy("ปีงบประมาณต้องไม่ต่ำกว่า %(limit_value)s"),
            "max_value": gettext_lazy("ปีงบประมาณต้องไม่เกิน %(limit_value)s"),
        },
    )

    def __init__(self, data):
        super().__init__(data)
        self.is_valid()

    def value(self, name, default=None):
        if name in self.errors:
            return default
        return self.cleaned_data.get(name) or default


class RolloverForm(forms.Form):
    """The ticked projects (their ids) and whether this post confirms the preview."""

    projects = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": gettext_lazy("กรุณาเลือกโครงการอย่างน้อยหนึ่งโครงการ"),
            "invalid_choice": gettext_lazy("รายการโครงการที่เลือกไม่ถูกต้อง"),
        },
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, data, *, choices):
        super().__init__(data)
        self.fields["projects"].choices = [(pk, pk) for pk in choices]

    def clean_projects(self):
        chosen = self.cleaned_data["projects"]
        if len(chosen) > MAX_PROJECTS:
            raise forms.ValidationError(_("เลือกได้ครั้งละไม่เกิน %(n)s โครงการ") % {"n": MAX_PROJECTS})
        return chosen


@login_required
@require_http_methods(["GET", "POST"])
def project_rollover(request):
    user = request.user
    if not access.can_roll_over(user):
        raise PermissionDenied
    scope = RolloverScopeForm(request.GET)
    fiscal_year = scope.value("fiscal_year", thaidate.fiscal_year(thaidate.today()))
    unit = scope.value("unit", user.unit if user.unit_id else None)
    context = {
        "scope": scope,
        "unit": unit,
        "units": access.units_for_rollover(user).order_by("code").only("code", "name"),
        "fiscal_year": fiscal_year,
        "next_year": fiscal_year + 1,
    }
    if unit is None:  # the planning office chooses a unit first
        return render(request, "projects/rollover.html", context)
    if not access.can_roll_over(user, unit):
        raise PermissionDenied
    projects = Project.objects.for_unit(unit).in_fiscal_year(fiscal_year)
    rows = list(
        projects.select_related("unit")
        .only(*ROW_COLUMNS)
        .annotate(continued_as=Subquery(Project.objects.filter(continued_from=OuterRef("pk")).values("code")[:1]))
        .order_by("code")[: MAX_PROJECTS + 1]
    )
    form, preview, status = None, None, 200
    if request.method == "POST":
        form = RolloverForm(request.POST, choices=[row.pk for row in rows])
        if form.is_valid():
            originals = originals_for_rollover(projects.filter(pk__in=form.cleaned_data["projects"]))
            if form.cleaned_data["confirm"]:
                try:
                    plan = projects_roll_over(user=user, originals=originals)
                except RolloverRefused as refused:
                    messages.error(request, _("ไม่ได้คัดลอกโครงการใดเลย: %(why)s") % {"why": " ".join(refused.reasons)})
                    preview, status = rollover_plan(originals), 409
                else:
                    _done_messages(request, plan)
                    query = urlencode({"fiscal_year": plan.to_year, "unit": unit.code})
                    return redirect(reverse("projects:list") + "?" + query)
            else:
                preview = rollover_plan(originals)
    chosen = set(form.cleaned_data["projects"]) if form is not None and form.is_valid() else set()
    context.update(
        rows=rows[:MAX_PROJECTS],
        more=len(rows) > MAX_PROJECTS,
        limit=MAX_PROJECTS,
        form=form,
        preview=preview,
        chosen=chosen,
        list_url=reverse("projects:list") + "?" + urlencode({"fiscal_year": fiscal_year, "unit": unit.code}),
    )
    return render(request, "projects/rollover.html", context, status=status)


def _done_messages(request, plan):
    copies = ", ".join(f"{row.original.code} → {row.copy.code}" for row in plan.rows)
    messages.success(
        request,
        _("คัดลอก %(n)s โครงการไปปีงบประมาณ %(fy)s แล้ว (ยังไม่มีรายงาน): %(copies)s")
        % {"n": len(plan.rows), "fy": plan.to_year, "copies": copies},
    )
    missing = [(row.copy.code, node) for row in plan.rows for node in row.missing_nodes]
    if missing:
        messages.warning(
            request,
            _("แผนพัฒนาฯ ฉบับที่ใช้ในปีงบประมาณ %(fy)s ไม่มีประเด็นต่อไปนี้ จึงไม่ได้เชื่อมโยง กรุณาเลือกประเด็นใหม่: %(nodes)s")
            % {"fy": plan.to_year, "nodes": "; ".join(f"{code}: {node.code_display}" for code, node in missing)},
        )
