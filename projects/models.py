"""Organisation units, the 20-year plan, projects, their plan steps, monthly progress and the
planning office's quarterly evaluations; and the users who enter them.

Data from the legacy system is kept as entered (see DOMAIN.md "Quirks"): the database guards
only true invariants (percent range, quarter 1–4, unique codes); inconsistencies are shown to
people by reports.quality, never silently corrected.
"""

import functools
import hashlib
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bma_tracker import thaidate
from bma_tracker.text import search_key
from projects import evidence

unit_code_validator = RegexValidator(r"^\d{8}$", _("รหัสหน่วยงานต้องเป็นตัวเลข 8 หลัก"))
project_code_validator = RegexValidator(r"^\d{8}-\d{1,6}$", _("รหัสโครงการต้องอยู่ในรูป 24000000-3029"))
percent_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
# Amounts in baht, two places. The ceiling is far above any one project (the whole BMA's annual
# budget is under 100,000 million baht) and below what the columns hold (14 digits).
MAX_AMOUNT = Decimal("100000000000")
amount_validators = [
    MinValueValidator(Decimal("0"), _("จำนวนเงินต้องไม่ติดลบ")),
    MaxValueValidator(MAX_AMOUNT, _("จำนวนเงินต้องไม่เกิน 100,000 ล้านบาท")),
]


def amount_field(label, **kwargs):
    """A baht amount, 2 places, 0 … MAX_AMOUNT, empty when not known."""
    return models.DecimalField(
        label, max_digits=14, decimal_places=2, null=True, blank=True, validators=amount_validators, **kwargs
    )


def amount_in_range(name):
    """The database's guard of an amount column: empty, or 0 … MAX_AMOUNT."""
    return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0, f"{name}__lte": MAX_AMOUNT})


def disbursement_target(fiscal_year, day):
    """(quarter, cumulative percent of the budget planned to be disbursed by that quarter's end)
    for a day of a fiscal year (settings.DISBURSEMENT_TARGETS: that year's, else the default);
    a day after the year's end counts as quarter 4, a day before it as quarter 1."""
    from django.conf import settings

    first, last = thaidate.fiscal_year_range(fiscal_year)
    quarter = thaidate.fiscal_quarter(min(max(day, first), last))
    targets = settings.DISBURSEMENT_TARGETS.get(fiscal_year) or settings.DISBURSEMENT_TARGETS[0]
    return quarter, Decimal(targets[quarter - 1])


def percent_of(part, whole):
    """part / whole in percent, 2 places; None without a whole to divide by."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


class SearchTextMixin:
    """A model with code, name and search_text: the search key, derived from the code and the
    name with Thai spelling variants folded, is kept in step with them on every save()."""

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        super().save(*args, **kwargs)

    def refresh_search_text(self):
        """The one rule for search_text; writers that bypass save() call it themselves."""
        self.search_text = search_key(f"{self.code} {self.name}")


class DistrictGroup(models.TextChoices):
    CENTRAL = "central", "กลุ่มกรุงเทพกลาง"
    SOUTH = "south", "กลุ่มกรุงเทพใต้"
    NORTH = "north", "กลุ่มกรุงเทพเหนือ"
    EAST = "east", "กลุ่มกรุงเทพตะวันออก"
    THON_NORTH = "thon_north", "กลุ่มกรุงธนเหนือ"
    THON_SOUTH = "thon_south", "กลุ่มกรุงธนใต้"


class OrgUnitQuerySet(models.QuerySet):
    def subtree_of(self, unit):
        """The unit and every unit below it (units nest at most three deep)."""
        return self.filter(Q(pk=unit.pk) | Q(parent=unit) | Q(parent__parent=unit))

    def in_district_group(self, group):
        """The units of a district group: its district offices and every unit below them."""
        # Only district offices carry the group; the units under an office belong to its group
        # whether or not their own district_group is filled in.
        return self.filter(
            Q(district_group=group) | Q(parent__district_group=group) | Q(parent__parent__district_group=group)
        )


class OwnedByUnitQuerySet(models.QuerySet):
    """Rows with a `unit` foreign key, chosen by the organisation rules of OrgUnitQuerySet."""

    def for_unit(self, unit):
        """Rows owned by the unit or any unit below it."""
        return self.filter(unit__in=OrgUnit.objects.subtree_of(unit))

    def for_district_group(self, group):
        """Rows owned by a unit of the district group (its offices and the units below them)."""
        return self.filter(unit__in=OrgUnit.objects.in_district_group(group))


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("สำนัก")
        DIVISION = "division", _("กอง/ฝ่าย")
        DISTRICT = "district", _("สำนักงานเขต")

    code = models.CharField(_("รหัสหน่วยงาน"), max_length=8, unique=True, validators=[unit_code_validator])
    name = models.CharField(_("ชื่อหน่วยงาน"), max_length=255)
    kind = models.CharField(_("ประเภท"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("สังกัด")
    )
    district_group = models.CharField(_("กลุ่มเขต"), max_length=20, choices=DistrictGroup.choices, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("หน่วยงาน")
        verbose_name_plural = _("หน่วยงาน")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="district") | ~Q(district_group=""),
                name="district_office_has_group",
                violation_error_message=_("สำนักงานเขตต้องอยู่ในกลุ่มเขต"),
            ),
        ]

    def __str__(self):
        return self.name

    def subtree_ids(self):
        return list(OrgUnit.objects.subtree_of(self).values_list("pk", flat=True))


class PlanEdition(models.Model):
    """One edition of the BMA 20-year development plan; the plan is revised over the years."""

    name = models.CharField(_("ชื่อฉบับ"), max_length=255)
    first_fiscal_year = models.PositiveIntegerField(_("ใช้ตั้งแต่ปีงบประมาณ"), help_text=_("พ.ศ."))

    class Meta:
        verbose_name = _("ฉบับแผนพัฒนา 20 ปี")
        verbose_name_plural = _("ฉบับแผนพัฒนา 20 ปี")
        ordering = ["-first_fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["first_fiscal_year"], name="one_edition_per_start_year")]

    def __str__(self):
        return f"{self.name} ({self.first_fiscal_year})"

    @classmethod
    def for_fiscal_year(cls, fiscal_year):
        return cls.objects.filter(first_fiscal_year__lte=fiscal_year).order_by("-first_fiscal_year").first()


class PlanNode(models.Model):
    """A node of the plan tree: ด้าน (1) → มิติ (2) → เป้าหมาย (3) → fourth level (4)."""

    class Level(models.IntegerChoices):
        DIMENSION = 1, _("ด้าน")
        SUB_DIMENSION = 2, _("มิติ")
        GOAL = 3, _("เป้าหมาย")
        TACTIC = 4, _("กลยุทธ์/เป้าหมายย่อย")

    edition = models.ForeignKey(PlanEdition, on_delete=models.PROTECT, related_name="nodes", verbose_name=_("ฉบับ"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("อยู่ภายใต้")
    )
    level = models.PositiveSmallIntegerField(_("ระดับ"), choices=Level.choices)
    code_display = models.CharField(_("รหัสตามที่แสดง"), max_length=40, help_text=_("เช่น ๓.๒.๒.๑"))
    code = models.CharField(_("รหัสมาตรฐาน"), max_length=40, help_text=_("เลขอารบิก เช่น 3.2.2.1"))
    title = models.CharField(_("ชื่อ"), max_length=500)
    title_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ประเด็นแผนพัฒนา 20 ปี")
        verbose_name_plural = _("ประเด็นแผนพัฒนา 20 ปี")
        ordering = ["edition", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="plan_node_code_unique_per_edition"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="plan_node_level_1_to_4"),
        ]

    def __str__(self):
        return f"{self.code_display} {self.title}"

    @property
    def dimension_code(self):
        return self.dimension_of(self.code)

    @staticmethod
    def dimension_of(code):
        """The plan dimension ("1"–"7") a node's code belongs to: its first part."""
        return code.split(".", 1)[0]


class ScheduleStatus(models.TextChoices):
    """Where a project stands against its plan; the one place for the labels and badge colours."""

    ON_TRACK = "on_track", _("ตามแผน")
    BEHIND = "behind", _("ล่าช้ากว่าแผน")
    COMPLETE = "complete", _("ดำเนินการแล้วเสร็จ")
    NO_REPORT = "no_report", _("ยังไม่รายงานเดือนนี้")

    @property
    def badge(self):
        """Bootstrap background class for the status badge."""
        return {"on_track": "text-bg-success", "behind": "text-bg-danger", "complete": "text-bg-primary"}.get(
            self.value, "text-bg-warning"
        )


def schedule_ref_date(fiscal_year, today=None):
    """The day a project's schedule is judged on: today, or the last day of a closed fiscal year."""
    today = today or thaidate.today()
    return min(today, thaidate.fiscal_year_range(fiscal_year)[1])


class ProjectQuerySet(OwnedByUnitQuerySet):
    def in_fiscal_year(self, fiscal_year):
        """Projects of one fiscal year (Buddhist era)."""
        return self.filter(fiscal_year=fiscal_year)

    def search(self, text):
        """Projects whose name or code contains the text, Thai spelling variants folded."""
        key = search_key(text)
        return self.filter(search_text__contains=key) if key else self

    def with_schedule_status(self, ref_date, margin):
        """Annotate schedule_status from the stored progress summary, judged on ref_date; agrees
        with Project.schedule_status()."""
        month_start = ref_date.replace(day=1)
        return self.annotate(
            schedule_status=models.Case(
                models.When(latest_percent__gte=100, then=models.Value(ScheduleStatus.COMPLETE.value)),
                models.When(
                    Q(latest_report_date__isnull=True) | Q(latest_report_date__lt=month_start),
                    then=models.Value(ScheduleStatus.NO_REPORT.value),
                ),
                models.When(
                    planned_percent_at_latest__gt=models.F("latest_percent") + margin,
                    then=models.Value(ScheduleStatus.BEHIND.value),
                ),
                default=models.Value(ScheduleStatus.ON_TRACK.value),
                output_field=models.CharField(),
            )
        )


class Project(SearchTextMixin, models.Model):
    code = models.CharField(_("รหัสโครงการ"), max_length=20, unique=True, validators=[project_code_validator])
    name = models.CharField(_("ชื่อโครงการ"), max_length=500)
    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ"), help_text=_("พ.ศ."), db_index=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="projects", verbose_name=_("หน่วยงาน"))
    division_code = models.CharField(_("รหัสกอง"), max_length=8, blank=True)
    subunit_code = models.CharField(_("รหัสหน่วยงานย่อย"), max_length=8, blank=True)
    responsible_person = models.CharField(_("ผู้รับผิดชอบ"), max_length=255, blank=True, help_text=_("ชื่อ หรือ ตำแหน่ง"))
    responsible_phone = models.CharField(_("โทรศัพท์"), max_length=50, blank=True)
    rationale = models.TextField(_("หลักการและเหตุผล"), blank=True)
    objectives = models.TextField(_("วัตถุประสงค์ของโครงการ"), blank=True)
    targets = models.TextField(_("เป้าหมายของโครงการ"), blank=True)
    plan_nodes = models.ManyToManyField(
        PlanNode, blank=True, related_name="projects", verbose_name=_("สนับสนุนยุทธศาสตร์กรุงเทพมหานครฯ")
    )
    plan_alignment_text = models.TextField(
        _("ข้อความยุทธศาสตร์ตามต้นฉบับ"), blank=True, help_text=_("ข้อความตามที่ระบบเดิมแสดง เก็บไว้ตามจริง")
    )
    # The budget (งบประมาณ) and the budget after transfers (งบประมาณหลังปรับโอน) in baht; the
    # disbursement rate is measured against the latter when there is one (effective_budget).
    budget = amount_field(_("งบประมาณ (บาท)"))
    budget_after_transfer = amount_field(_("งบประมาณหลังปรับโอน (บาท)"), help_text=_("เว้นว่างถ้าไม่มีการปรับโอน"))
    # The project this one continues from the fiscal year before (indicators.services
    # projects_roll_over): one continuation per project, which the database guards.
    continued_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="continuation",
        verbose_name=_("ต่อเนื่องจากโครงการ"),
    )
    search_text = models.TextField(editable=False, default="")
    # The "ความคืบหน้าโครงการ ร้อยละ N" a legacy printout headlines, kept as printed: a value of
    # its own, which the page can print with no monthly report under it or beside a different
    # latest one. Only the importer writes it (audited); people report progress instead.
    legacy_headline_percent = models.DecimalField(
        _("ความคืบหน้าที่ระบบเดิมแสดง (ร้อยละ)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
        validators=percent_validators,
    )
    # What people and the legacy importer write, in the form's order; audited on every change.
    # The rest is derived (the search key, the progress summary) or kept by the database.
    EDITABLE_FIELDS = (
        "code",
        "name",
        "fiscal_year",
        "unit",
        "division_code",
        "subunit_code",
        "responsible_person",
        "responsible_phone",
        "rationale",
        "objectives",
        "targets",
        "plan_alignment_text",
        "budget",
        "budget_after_transfer",
    )
    # Progress summary, derived from the live reports and the plan steps by
    # refresh_progress_summary(); stored so that lists and dashboards filter and sort in SQL.
    # With no live report, latest_percent is the legacy headline (None when there is none) and
    # latest_report_date is None: that pair is how pages tell a printed percent from a report.
    latest_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, editable=False)
    latest_report_date = models.DateField(null=True, editable=False)
    planned_percent_at_latest = models.DecimalField(max_digits=6, decimal_places=2, null=True, editable=False)
    # Bit i is set when a live report is dated in month i of the project's fiscal year
    # (bit 0 = October, thaidate.fiscal_month_index): the dashboard counts reporting by month
    # from the projects alone instead of sorting a year of reports.
    report_months = models.PositiveIntegerField(default=0, editable=False)
    # The baht disbursed so far: the cumulative amount of the newest live report that states one
    # (ProgressReport.disbursed_to_date), from the same reports as the rest of the summary.
    disbursed_to_date = models.DecimalField(max_digits=14, decimal_places=2, null=True, editable=False)
    # The same bits for the months with an approved live report (the dashboards count submitted
    # and approved apart; report_months counts both).
    approved_months = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The form's edit-conflict check (projects.audit.locked_update): moved on by the project's own
    # forms only, so that a report posted meanwhile does not make a project edit a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Moved on by the database itself (triggers, migration 0010) in the same transaction as any
    # change of the project or of anything its pages show: its reports, plan steps, evaluations,
    # plan links and linked indicators with their quarters. Cache keys carry it
    # (reports.project_page); whatever a save() writes here, the database writes the next value.
    revision = models.PositiveBigIntegerField(default=1, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("โครงการ")
        verbose_name_plural = _("โครงการ")
        ordering = ["-fiscal_year", "code"]
        indexes = [
            models.Index(fields=["unit", "fiscal_year"]),
            # The list's default view: one fiscal year, sorted by code.
            models.Index(fields=["fiscal_year", "code"]),
            # The dashboard's scans of a fiscal year: every column they read is in the index,
            # so PostgreSQL answers them from the index alone (key columns rather than INCLUDE,
            # which SQLite does not have).
            models.Index(
                fields=[
                    "fiscal_year",
                    "unit",
                    "latest_report_date",
                    "latest_percent",
                    "planned_percent_at_latest",
                    "report_months",
                    "budget",
                    "budget_after_transfer",
                    "disbursed_to_date",
                    "approved_months",
                    "code",
                    "id",
                ],
                name="project_year_summary",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(legacy_headline_percent__gte=0, legacy_headline_percent__lte=100),
                name="project_legacy_headline_0_100",
            ),
            models.CheckConstraint(condition=amount_in_range("budget"), name="project_budget_in_range"),
            models.CheckConstraint(
                condition=amount_in_range("budget_after_transfer"), name="project_budget_after_transfer_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} : {self.code}"

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.code])

    @property
    def fiscal_year_range(self):
        return thaidate.fiscal_year_range(self.fiscal_year)

    SUMMARY_FIELDS = (
        "latest_percent",
        "latest_report_date",
        "planned_percent_at_latest",
        "report_months",
        "disbursed_to_date",
        "approved_months",
    )

    def clean(self):
        super().clean()
        budget = self.effective_budget
        if self.pk and self.disbursed_to_date and budget is not None and self.disbursed_to_date > budget:
            raise ValidationError(
                {
                    "budget_after_transfer" if self.budget_after_transfer is not None else "budget": _(
                        "งบประมาณต้องไม่น้อยกว่าที่เบิกจ่ายไปแล้ว %(amount)s บาท"
                    )
                    % {"amount": f"{self.disbursed_to_date:,.2f}"}
                }
            )

    @property
    def effective_budget(self):
        """What disbursement is measured against: the budget after transfers, else the budget."""
        return self.budget_after_transfer if self.budget_after_transfer is not None else self.budget

    @property
    def disbursement_rate(self):
        """Percent of the effective budget disbursed so far (None without a budget)."""
        if self.effective_budget is None:
            return None
        return percent_of(self.disbursed_to_date or Decimal("0"), self.effective_budget)

    def disbursement_target(self, today=None):
        """(quarter, target percent) of the disbursement plan on the day the schedule is judged."""
        return disbursement_target(self.fiscal_year, schedule_ref_date(self.fiscal_year, today))

    def refresh_progress_summary(self, *, save=True):
        """Recompute latest_percent, latest_report_date, planned_percent_at_latest and
        report_months from the live reports and the plan steps. Every writer of reports or
        steps calls this."""
        # The live reports in one query (a report a month, a few hundred at the very most); the
        # planned percent then reads the steps.
        rows = list(
            self.reports.counted().newest_first().values_list("percent", "report_date", "status", "disbursed_to_date")
        )
        newest = {"percent": rows[0][0], "report_date": rows[0][1]} if rows else None
        approved = ProgressReport.Status.APPROVED
        self.summarise(
            newest,
            [report_date for _percent, report_date, _status, _amount in rows],
            approved_dates=[report_date for _percent, report_date, status, _amount in rows if status == approved],
        )
        self.disbursed_to_date = next((amount for _p, _d, _s, amount in rows if amount is not None), None)
        if save:
            summary = {name: getattr(self, name) for name in self.SUMMARY_FIELDS}
            unchanged = Q(
                *(
                    Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
                    for name, value in summary.items()
                )
            )
            # Written only when it differs: an unchanged summary leaves the row (and with it the
            # revision its pages are cached under) alone.
            Project.objects.filter(pk=self.pk).exclude(unchanged).update(**summary)

    @staticmethod
    def report_month_bit(day):
        """The report_months bit of the month a date falls in (bit 0 = October)."""
        return 1 << thaidate.fiscal_month_index(day.month)

    def summarise(self, newest, report_dates, steps=None, approved_dates=()):
        """Set the progress summary from the newest counted report ({percent, report_date} or
        None) and the dates of every counted report and of the approved ones (steps: the plan
        steps, when already at hand). Counted: live and submitted or approved
        (ProgressReportQuerySet.counted()); drafts and returned reports wait.
        Without a live report the legacy headline, when there is one, is the latest percent, so
        that lists and dashboards count what the legacy system showed; it has no report date."""
        if newest:
            self.latest_percent = newest["percent"]
            self.latest_report_date = newest["report_date"]
            self.planned_percent_at_latest = self.planned_percent(newest["report_date"], steps=steps)
        else:
            self.latest_percent = self.legacy_headline_percent
            self.latest_report_date = self.planned_percent_at_latest = None
        first, last = self.fiscal_year_range
        self.report_months = self.approved_months = 0
        for day in report_dates:
            if first <= day <= last:
                self.report_months |= Project.report_month_bit(day)
        for day in approved_dates:
            if first <= day <= last:
                self.approved_months |= Project.report_month_bit(day)

    def planned_percent(self, on, steps=None):
        """Planned cumulative percent on a date, from the plan steps (see PlanStep.planned_share)."""
        steps = self.steps.all() if steps is None else steps
        return sum((step.planned_share(on) for step in steps), Decimal("0"))

    @property
    def percent_is_legacy_headline(self):
        """Whether latest_percent is the legacy printout's headline, standing in for the live
        report the project does not have (see summarise())."""
        return self.latest_report_date is None and self.latest_percent is not None

    def schedule_status(self, ref_date, margin):
        """This project's ScheduleStatus on ref_date, from the stored summary; the same rule as
        ProjectQuerySet.with_schedule_status() (whose annotation, a plain string, hides this
        method on the instances it returns)."""
        if self.latest_percent is not None and self.latest_percent >= 100:
            return ScheduleStatus.COMPLETE
        if self.latest_report_date is None or self.latest_report_date < ref_date.replace(day=1):
            return ScheduleStatus.NO_REPORT
        if self.planned_percent_at_latest is not None and self.planned_percent_at_latest - self.latest_percent > margin:
            return ScheduleStatus.BEHIND
        return ScheduleStatus.ON_TRACK


def _dated_periods(project, *days):
    """(fiscal year, quarter, unit) of each date inside the project's fiscal year: the quarters a
    row dated so lies in (projects.cycle.check_open)."""
    return [
        (project.fiscal_year, thaidate.fiscal_quarter(day), project.unit)
        for day in days
        if day is not None and thaidate.fiscal_year(day) == project.fiscal_year
    ]


class OpenPeriodMixin:
    """A row of a quarter that the planning office can close: clean() (the admin, the importer's
    checks) refuses it in a closed quarter."""

    def clean(self):
        super().clean()
        from projects.cycle import check_open  # the cycle's rules read these models

        if self.periods_known():
            check_open(self)

    def periods_known(self):
        return True


class PlanStep(OpenPeriodMixin, models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="steps", verbose_name=_("โครงการ"))
    number = models.PositiveSmallIntegerField(_("ขั้นตอน"))
    name = models.CharField(_("ชื่อขั้นตอน"), max_length=500)
    weight = models.DecimalField(_("น้ำหนัก (%)"), max_digits=5, decimal_places=2, validators=percent_validators)
    start = models.DateField(_("เริ่มต้น"))
    end = models.DateField(_("สิ้นสุด"))

    EDITABLE_FIELDS = ("number", "name", "weight", "start", "end")
    # A plan has at most this many steps, numbered 1 to it (the steps form's rule; the column
    # would take 32767, and imported or old rows may have larger numbers).
    NUMBER_MAX = 99

    class Meta:
        verbose_name = _("ขั้นตอนการดำเนินงาน")
        verbose_name_plural = _("แผนการดำเนินงาน")
        # By the project's id, not the project (whose own ordering would join its table into every query).
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="plan_step_number_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="plan_step_weight_0_100"),
        ]

    def __str__(self):
        return f"ขั้นตอน {self.number} {self.name}"

    def periods_known(self):
        return self.project_id is not None

    def periods(self):
        """The closed-quarter rule's periods: the quarters of its start and end."""
        return _dated_periods(self.project, self.start, self.end)

    def planned_share(self, on):
        """The part of this step's weight planned to be done on a date: all of it from the end
        date on; between start and end (when they differ), in proportion to the days elapsed."""
        if on >= self.end:
            return self.weight
        if on < self.start or self.end <= self.start:
            return Decimal("0")
        elapsed = Decimal((on - self.start).days) / Decimal((self.end - self.start).days)
        return (self.weight * elapsed).quantize(Decimal("0.01"))


class ProgressReportQuerySet(models.QuerySet):
    def live(self):
        """Reports not deleted (deleted ones stay for the history and can be restored)."""
        return self.filter(deleted_at__isnull=True)

    def public(self):
        """Reports the public site and open data show (projects/public.py): the ones that count
        (submitted or approved), the same set as the progress summary the public pages print.
        Drafts and returned reports are never public."""
        return self.counted()

    def newest_first(self):
        """Newest report first: by date, then by entry order for two reports on one day."""
        return self.order_by("-report_date", "-pk")

    def counted(self):
        """Live reports that count in the progress summary and the dashboards: submitted or
        approved (legacy reports are submitted ones, final in years that need no approval)."""
        return self.live().filter(status__in=ProgressReport.COUNTED_STATUSES)

    def awaiting_approval(self):
        """Live submitted reports of the fiscal years whose calendar requires approval."""
        not_required = ReportingCalendar.objects.filter(approval_required=False).values("fiscal_year")
        return self.live().filter(status=ProgressReport.Status.SUBMITTED).exclude(project__fiscal_year__in=not_required)

    def returned(self):
        """Live reports a director or the planning office sent back to be fixed."""
        return self.live().filter(status=ProgressReport.Status.RETURNED)


class ProgressReport(OpenPeriodMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("ร่าง")
        SUBMITTED = "submitted", _("ส่งแล้ว")
        APPROVED = "approved", _("อนุมัติแล้ว")
        RETURNED = "returned", _("ส่งกลับให้แก้ไข")

    COUNTED_STATUSES = (Status.SUBMITTED, Status.APPROVED)

    class Source(models.TextChoices):
        WEB = "web", _("บันทึกผ่านเว็บ")
        LEGACY = "legacy", _("นำเข้าจากระบบเดิม")
        DEMO = "demo", _("ข้อมูลตัวอย่าง")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports", verbose_name=_("โครงการ"))
    report_date = models.DateField(_("วันที่รายงาน"))
    percent = models.DecimalField(
        _("ความคืบหน้าสะสม (ร้อยละ)"), max_digits=5, decimal_places=2, validators=percent_validators
    )
    narrative = models.TextField(_("ผลการดำเนินงาน"), blank=True)
    problems = models.TextField(_("ปัญหาของโครงการ"), blank=True)
    obstacles = models.TextField(_("อุปสรรคของโครงการ"), blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    entered_by = models.ForeignKey(
        "projects.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ผู้บันทึก")
    )
    entered_at = models.DateTimeField(_("เวลาบันทึก"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The review cycle (issue 20): staff save drafts and submit; a director of the unit or a unit
    # above it, or the planning office, approves or returns with a comment. Reports stored before
    # the cycle existed (and legacy imports) are submitted ones: final in the years whose
    # calendar needs no approval.
    status = models.CharField(_("สถานะ"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("เวลาส่ง"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "projects.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ผู้ตรวจ")
    )
    reviewed_at = models.DateTimeField(_("เวลาตรวจ"), null=True, blank=True)
    review_comment = models.TextField(_("ความเห็นผู้ตรวจ"), blank=True)
    # One key per rendered form: a double submit of the same form finds the report it already made.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # Baht disbursed from the start of the fiscal year up to the report's date, cumulative like
    # `percent` and for the same reasons: two reports in a month, a skipped month, an edit or a
    # deletion of a report never count an amount twice or lose one; the month's own amount is
    # the difference from the month before (disbursement_by_month).
    disbursed_to_date = amount_field(_("ผลการเบิกจ่ายสะสม (บาท)"))

    EDITABLE_FIELDS = ("report_date", "percent", "narrative", "problems", "obstacles", "disbursed_to_date")

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("รายงานความคืบหน้า")
        verbose_name_plural = _("รายงานความคืบหน้า")
        ordering = ["-report_date", "-pk"]
        indexes = [
            # A project's live reports by date (its page, its summary, the dashboard per unit).
            models.Index(
                fields=["project", "report_date"], condition=Q(deleted_at__isnull=True), name="progress_live_by_project"
            ),
            # The dashboard counts the live reports of a month or a year across all projects.
            models.Index(
                fields=["report_date", "project"], condition=Q(deleted_at__isnull=True), name="progress_live_by_date"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="progress_percent_0_100"),
            models.CheckConstraint(condition=amount_in_range("disbursed_to_date"), name="progress_disbursed_in_range"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "approved", "returned"]), name="progress_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comment=""),
                name="progress_returned_has_comment",
                violation_error_message=_("การส่งกลับต้องมีความเห็น"),
            ),
        ]

    def __str__(self):
        return f"{self.project.code} {self.report_date} {self.percent}%"

    def clean(self):
        """The rules every writer of a report keeps (the form, the services, the importer, the
        admin): see check_not_in_future()."""
        super().clean()
        try:
            self.check_not_in_future(self.report_date)
        except ValidationError as exc:
            raise ValidationError({"report_date": exc}) from None
        if self.project_id is None:  # the form's own error says so
            return
        error = disbursement_error(self.project, self.disbursed_to_date)
        if error:
            raise ValidationError({"disbursed_to_date": error})

    @staticmethod
    def check_not_in_future(day, today=None):
        """A report says what was done by its date, so none is dated after today (Bangkok's
        day): a slip such as 30/09/2570 typed for 2569 would be the project's newest report for a
        year and hide every real one behind it. Not a database constraint: "today" moves, and a
        CHECK must give the same answer for a row forever."""
        today = today or thaidate.today()
        if day is not None and day > today:
            raise ValidationError(
                _("วันที่รายงานต้องไม่เกินวันนี้ (%(today)s) เพราะรายงานบอกผลที่ทำได้จนถึงวันที่รายงาน")
                % {"today": thaidate.format_short(today)},
                code="future_date",
            )

    def periods_known(self):
        return self.project_id is not None

    def periods(self):
        """The closed-quarter rule's periods: the quarter of its date."""
        return _dated_periods(self.project, self.report_date)


def disbursement_error(project, amount):
    """Why a cumulative disbursement cannot be recorded on a project (None if it can): it needs
    a budget, and may not exceed the budget after transfers (or the budget)."""
    if amount is None:
        return None
    budget = project.effective_budget
    if budget is None:
        return _("โครงการยังไม่มีงบประมาณ กรุณาบันทึกงบประมาณในข้อมูลโครงการก่อนรายงานผลการเบิกจ่าย")
    if amount > budget:
        return _("ผลการเบิกจ่ายสะสม %(amount)s บาท เกินงบประมาณ%(which)s %(budget)s บาท") % {
            "amount": f"{amount:,.2f}",
            "which": _("หลังปรับโอน") if project.budget_after_transfer is not None else "",
            "budget": f"{budget:,.2f}",
        }
    return None


def disbursement_by_month(reports):
    """[{month (its first day), cumulative, in_month}] oldest first, for each month in which a
    report states a cumulative disbursement: the month's figure is its newest such report's
    (two reports in a month count once), in_month the increase over the month before."""
    by_month = {}
    for report in sorted(reports, key=lambda r: (r.report_date, r.pk or 0)):
        if report.disbursed_to_date is not None:
            by_month[report.report_date.replace(day=1)] = report.disbursed_to_date
    rows, before = [], Decimal("0")
    for month in sorted(by_month):
        cumulative = by_month[month]
        rows.append({"month": month, "cumulative": cumulative, "in_month": cumulative - before})
        before = cumulative
    return rows


class EvidenceFile(models.Model):
    """A file attached as evidence (projects.evidence says what is accepted): stored through the
    default storage under a random name, with the name the user gave, its size, the content
    type read from its bytes and its SHA-256 (which `restore` verifies)."""

    file = models.FileField(_("ไฟล์"), max_length=255)
    original_name = models.CharField(_("ชื่อไฟล์"), max_length=evidence.NAME_MAX)
    size = models.PositiveBigIntegerField(_("ขนาด (ไบต์)"))
    content_type = models.CharField(_("ชนิดไฟล์"), max_length=100, choices=[(t, t) for t in evidence.CONTENT_TYPES])
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        "projects.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ผู้แนบไฟล์")
    )
    uploaded_at = models.DateTimeField(_("เวลาที่แนบ"))

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @staticmethod
    def constraints_for(prefix):
        return [
            models.CheckConstraint(condition=Q(size__gt=0), name=f"{prefix}_size_positive"),
            models.CheckConstraint(
                condition=Q(content_type__in=evidence.CONTENT_TYPES), name=f"{prefix}_type_accepted"
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name=f"{prefix}_sha256_hex"),
            models.UniqueConstraint(fields=["file"], name=f"{prefix}_file_unique"),
        ]

    @property
    def extension(self):
        return evidence.KINDS[self.content_type][0]

    @property
    def kind_label(self):
        return evidence.KINDS[self.content_type][1]

    @property
    def size_display(self):
        """The size as people read it: 820 KB, 3.4 MB."""
        if self.size < 1024 * 1024:
            return f"{max(1, round(self.size / 1024))} KB"
        return f"{self.size / 1024 / 1024:.1f} MB"


class ReportEvidence(EvidenceFile):
    """An evidence file of a monthly progress report."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("รายงานความคืบหน้า")
    )
    PARENT_FIELD = "report"

    class Meta(EvidenceFile.Meta):
        verbose_name = _("ไฟล์หลักฐาน")
        verbose_name_plural = _("ไฟล์หลักฐาน")
        ordering = ["report_id", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["report", "uploaded_at"], name="report_evidence_by_report")]
        constraints = EvidenceFile.constraints_for("report_evidence")

    def get_absolute_url(self):
        return reverse("projects:evidence_download", args=[self.report.project.code, self.pk])


class ProjectEvaluation(OpenPeriodMixin, models.Model):
    """The planning office's (สยป.) score for a project in one quarter of its fiscal year."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("โครงการ")
    )
    quarter = models.PositiveSmallIntegerField(_("ไตรมาส"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    score = models.DecimalField(_("คะแนน"), max_digits=6, decimal_places=2, validators=percent_validators)
    evaluated_by = models.ForeignKey(
        "projects.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ผู้ประเมิน")
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("ผลการประเมินโครงการ")
        verbose_name_plural = _("ผลการประเมินโครงการ (รายไตรมาส)")
        # By the project's id, not the project (whose own ordering would join its table into every query).
        ordering = ["project_id", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["project", "quarter"], name="one_evaluation_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="evaluation_quarter_1_4"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="evaluation_score_0_100"),
        ]

    def __str__(self):
        return f"{self.project.code} ไตรมาสที่ {self.quarter} {self.score}"

    def periods_known(self):
        return self.project_id is not None and self.quarter in (1, 2, 3, 4)

    def periods(self):
        return [(self.project.fiscal_year, self.quarter, self.project.unit)]


def _add_years(day, years):
    """The same day `years` later (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class ReportingCalendar(models.Model):
    """The reporting cycle's settings of one fiscal year, edited by the planning office
    (projects.views.cycle): the day of the following month a month's report is due, the date
    each quarter is due to be closed, whether reports need approval, and the window plan-step
    dates must fall in.

    A fiscal year without a stored calendar uses default_for(): approval required, as for every
    year the planning office sets up in the app. The migration that brought the cycle in
    (projects 0012) stored a calendar for every year that already held projects, with approval
    not required: their reports (legacy imports, entered before the cycle) were never approved,
    and stay final as they are."""

    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ"), unique=True, help_text=_("พ.ศ."))
    report_due_day = models.PositiveSmallIntegerField(
        _("กำหนดส่งรายงานภายในวันที่ของเดือนถัดไป"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("1–28 เช่น 5 = รายงานของเดือนตุลาคมส่งภายในวันที่ 5 พฤศจิกายน"),
    )
    q1_closes = models.DateField(_("วันปิดไตรมาสที่ 1"))
    q2_closes = models.DateField(_("วันปิดไตรมาสที่ 2"))
    q3_closes = models.DateField(_("วันปิดไตรมาสที่ 3"))
    q4_closes = models.DateField(_("วันปิดไตรมาสที่ 4"))
    approval_required = models.BooleanField(
        _("รายงานต้องได้รับการอนุมัติ"),
        default=True,
        help_text=_("ถ้าไม่ต้องอนุมัติ รายงานที่ส่งแล้วถือเป็นรายงานฉบับสมบูรณ์"),
    )
    steps_window_start = models.DateField(_("วันที่ของขั้นตอนตามแผนได้ตั้งแต่"))
    steps_window_end = models.DateField(_("วันที่ของขั้นตอนตามแผนได้ถึง"))
    updated_by = models.ForeignKey(
        "projects.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ผู้แก้ไข")
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    EDITABLE_FIELDS = (
        "report_due_day",
        "q1_closes",
        "q2_closes",
        "q3_closes",
        "q4_closes",
        "approval_required",
        "steps_window_start",
        "steps_window_end",
    )

    class Meta:
        verbose_name = _("ปฏิทินการรายงาน")
        verbose_name_plural = _("ปฏิทินการรายงาน")
        ordering = ["-fiscal_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report_due_day__gte=1, report_due_day__lte=28), name="calendar_due_day_1_28"
            ),
            models.CheckConstraint(
                condition=Q(steps_window_start__lte=models.F("steps_window_end")),
                name="calendar_steps_window_ordered",
                violation_error_message=_("วันเริ่มของช่วงวันที่ขั้นตอนต้องไม่หลังวันสิ้นสุด"),
            ),
        ]

    def __str__(self):
        return f"ปฏิทินการรายงาน ปีงบประมาณ {self.fiscal_year}"

    @classmethod
    def default_for(cls, fiscal_year):
        """An unsaved calendar with the defaults of a new year: reports due by the 5th of the
        following month; a quarter closes at the end of the month after it (Q1, Oct–Dec, on
        31 January: the last month's reports are due by the 5th, then the planning office
        evaluates); approval required; plan steps from a year before the fiscal year to a year
        after it."""
        first, last = thaidate.fiscal_year_range(fiscal_year)
        closes = {}
        for quarter in (1, 2, 3, 4):
            _start, end = thaidate.quarter_range(fiscal_year, quarter)
            following = end + timedelta(days=1)
            closes[f"q{quarter}_closes"] = (following.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(
                days=1
            )
        return cls(
            fiscal_year=fiscal_year,
            steps_window_start=_add_years(first, -1),
            steps_window_end=_add_years(last, 1),
            **closes,
        )

    @classmethod
    def legacy_year_ensure(cls, fiscal_year):
        """Store, for a year that receives legacy data and has no calendar yet, the defaults with
        approval not required: legacy reports were never approved and stay final."""
        if not cls.objects.filter(fiscal_year=fiscal_year).exists():
            calendar = cls.default_for(fiscal_year)
            calendar.approval_required = False
            calendar.save()

    @classmethod
    def for_year(cls, fiscal_year):
        """The stored calendar of a fiscal year, or the defaults (unsaved)."""
        return cls.objects.filter(fiscal_year=fiscal_year).first() or cls.default_for(fiscal_year)

    def closes_on(self, quarter):
        return getattr(self, f"q{quarter}_closes")

    def due_date(self, year, month):
        """The day the report of a calendar month (CE year, month) is due: report_due_day of
        the following month."""
        return date(year + month // 12, month % 12 + 1, self.report_due_day)

    def clean(self):
        first, last = thaidate.fiscal_year_range(self.fiscal_year) if self.fiscal_year else (None, None)
        errors = {}
        if first and self.steps_window_start and self.steps_window_start > first:
            errors["steps_window_start"] = _("ต้องไม่หลังวันเริ่มปีงบประมาณ (%(day)s)") % {"day": thaidate.format_short(first)}
        if last and self.steps_window_end and self.steps_window_end < last:
            errors["steps_window_end"] = _("ต้องไม่ก่อนวันสิ้นปีงบประมาณ (%(day)s)") % {"day": thaidate.format_short(last)}
        for quarter in (1, 2, 3, 4):
            day = self.closes_on(quarter)
            if self.fiscal_year and day and day <= thaidate.quarter_range(self.fiscal_year, quarter)[1]:
                errors[f"q{quarter}_closes"] = _("ต้องหลังวันสุดท้ายของไตรมาส (%(day)s)") % {
                    "day": thaidate.format_short(thaidate.quarter_range(self.fiscal_year, quarter)[1])
                }
        if errors:
            raise ValidationError(errors)


class QuarterLockQuerySet(models.QuerySet):
    def active(self):
        """Locks in force: not reopened."""
        return self.filter(reopened_at__isnull=True)

    def covering(self, fiscal_year, unit):
        """Active locks of a fiscal year that cover a unit: for every unit, for the unit, or for
        a unit above it (units nest at most three deep)."""
        return (
            self.active()
            .filter(fiscal_year=fiscal_year)
            .filter(Q(unit__isnull=True) | Q(unit=unit) | Q(unit__children=unit) | Q(unit__children__children=unit))
        )


class QuarterLock(models.Model):
    """The planning office closed a quarter of a fiscal year, for one unit (and the units below
    it) or, with no unit, for every unit: the reports, plan steps, indicator results and
    evaluations of that quarter are read-only for everyone. Reopening keeps the row (who, when,
    why) for the history; a new close makes a new row.

    Enforced in three layers: the services and forms refuse with a message (projects.cycle),
    the admin's and the importer's saves check the same rule, and database triggers (migration
    projects 0012) refuse any INSERT, UPDATE or DELETE of a row in a closed quarter, whoever
    writes it: a bulk command, QuerySet.update(), raw SQL."""

    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ"))
    quarter = models.PositiveSmallIntegerField(_("ไตรมาส"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quarter_locks",
        verbose_name=_("หน่วยงาน"),
        help_text=_("เว้นว่าง = ทุกหน่วยงาน"),
    )
    locked_by = models.ForeignKey(
        "projects.User", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("ผู้ปิด")
    )
    locked_at = models.DateTimeField(_("เวลาปิด"))
    reopened_by = models.ForeignKey(
        "projects.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ผู้เปิด")
    )
    reopened_at = models.DateTimeField(_("เวลาเปิดอีกครั้ง"), null=True, blank=True)
    reopen_reason = models.TextField(_("เหตุผลที่เปิดอีกครั้ง"), blank=True)

    objects = QuarterLockQuerySet.as_manager()

    class Meta:
        verbose_name = _("การปิดไตรมาส")
        verbose_name_plural = _("การปิดไตรมาส")
        ordering = ["-fiscal_year", "quarter", "-locked_at"]
        constraints = [
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="quarter_lock_1_4"),
            models.UniqueConstraint(
                fields=["fiscal_year", "quarter", "unit"],
                condition=Q(reopened_at__isnull=True, unit__isnull=False),
                name="one_active_lock_per_unit_quarter",
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "quarter"],
                condition=Q(reopened_at__isnull=True, unit__isnull=True),
                name="one_active_lock_for_all_per_quarter",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="quarter_reopen_has_reason",
                violation_error_message=_("การเปิดไตรมาสอีกครั้งต้องระบุเหตุผล"),
            ),
        ]

    def __str__(self):
        scope = self.unit.name if self.unit_id else "ทุกหน่วยงาน"
        return f"ปิดไตรมาสที่ {self.quarter}/{self.fiscal_year} {scope}"


class User(AbstractUser):
    class Role(models.TextChoices):
        STAFF = "staff", _("เจ้าหน้าที่")
        DIRECTOR = "director", _("ผู้อำนวยการ")
        PLANNER = "planner", _("สำนักยุทธศาสตร์และประเมินผล")
        ADMIN = "admin", _("ผู้ดูแลระบบ")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("หน่วยงาน")
    )
    role = models.CharField(_("บทบาท"), max_length=20, choices=Role.choices, default=Role.STAFF)
    reminder_mails = models.BooleanField(
        _("รับอีเมลเตือนการรายงาน"),
        default=True,
        help_text=_("อีเมลรายวันเมื่อรายงานใกล้ถึงกำหนดหรือเลยกำหนด และรายงานที่รออนุมัติ (ไม่เกินวันละหนึ่งฉบับ)"),
    )

    class Meta:
        verbose_name = _("ผู้ใช้")
        verbose_name_plural = _("ผู้ใช้")

    @property
    def is_planner(self):
        return self.role in (self.Role.PLANNER, self.Role.ADMIN) or self.is_superuser

    @property
    def is_admin_role(self):
        return self.role == self.Role.ADMIN or self.is_superuser


class PasswordResetRequest(models.Model):
    """A request of the password-reset form, counted for its rate limits for an hour: one row
    per request from an address (every request, whether or not an account has the e-mail
    typed, so the limit tells nothing about accounts), one per mail sent to an account. In the
    database, not in a process's memory: every gunicorn worker and every app server counts the
    same rows, with or without Redis."""

    at = models.DateTimeField(db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    WINDOW = timedelta(hours=1)

    class Meta:
        verbose_name = _("คำขอตั้งรหัสผ่านใหม่")
        verbose_name_plural = _("คำขอตั้งรหัสผ่านใหม่")
        indexes = [models.Index(fields=["address", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(address__isnull=False, user__isnull=True) | Q(address__isnull=True, user__isnull=False),
                name="password_reset_request_address_or_user",
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.address or self.user_id}"

    @classmethod
    def admit(cls, *, limit, address=None, user=None, now=None):
        """Count one request for an address (or one mail for an account) against its limit per
        WINDOW: True, and it is counted, while fewer than `limit` were; False, and nothing is
        kept, beyond. The row is written before the rows are counted, so requests made at the
        same moment in several processes never all pass: at worst one that might have is refused."""
        now = now or timezone.now()
        whose = {"address": address} if user is None else {"user": user}
        row = cls.objects.create(at=now, **whose)
        if cls.objects.filter(**whose, at__gt=now - cls.WINDOW).count() > limit:
            row.delete()
            return False
        return True

    @classmethod
    def forget_old(cls, now=None):
        """Delete the rows no limit counts any more."""
        cls.objects.filter(at__lte=(now or timezone.now()) - cls.WINDOW).delete()


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now):
        """Tokens neither revoked nor expired at `now`."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A personal token for the REST API: it acts as its user, with exactly the user's role and
    unit. Only the SHA-256 of its secret is stored (the user sees the token once, when made);
    the prefix, shown in lists, identifies it and finds its row."""

    PREFIX_LENGTH = 8
    SCHEME = "bma"  # a token reads "bma_<prefix>_<secret>"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("ผู้ใช้"))
    name = models.CharField(_("ชื่อโทเค็น"), max_length=100)
    prefix = models.CharField(_("รหัสนำหน้า"), max_length=PREFIX_LENGTH, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("สร้างเมื่อ"), auto_now_add=True)
    expires_at = models.DateTimeField(_("หมดอายุ"))
    last_used_at = models.DateTimeField(_("ใช้ล่าสุด"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("เพิกถอนเมื่อ"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("โทเค็น API")
        verbose_name_plural = _("โทเค็น API")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_later"),
        ]

    def __str__(self):
        return f"{self.name} ({self.SCHEME}_{self.prefix}…)"

    @property
    def display(self):
        """How people recognise a token without its secret: "bma_1a2b3c4d_…"."""
        return f"{self.SCHEME}_{self.prefix}_…"

    def is_active(self, now):
        return self.revoked_at is None and self.expires_at > now

    @staticmethod
    def hash_secret(secret):
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_parts(cls):
        """(prefix, secret, token string) of a new token: the secret is secrets.token_urlsafe(32)."""
        prefix = secrets.token_hex(cls.PREFIX_LENGTH // 2)
        secret = secrets.token_urlsafe(32)
        return prefix, secret, f"{cls.SCHEME}_{prefix}_{secret}"


class AuditEntryQuerySet(models.QuerySet):
    def for_project(self, project):
        """Entries about a project and the records under it (steps, reports, evaluations)."""
        return self.filter(project=project)

    def about(self, model_label, object_ids):
        """Entries about records of one model ("indicators.indicator") by their ids."""
        return self.filter(model_label=model_label, object_id__in=list(object_ids))

    def newest_first(self):
        """Newest entry first."""
        return self.order_by("-at", "-pk")


class AuditEntry(models.Model):
    """Who changed what and when: one row per create, update, delete or restore of a project,
    plan step, progress report, evaluation or indicator quarter, written by the service
    functions in the same transaction as the change. `changes` maps a field name to
    [old, new] (JSON values: dates as ISO strings, decimals as strings)."""

    class Action(models.TextChoices):
        CREATE = "create", _("สร้าง")
        UPDATE = "update", _("แก้ไข")
        DELETE = "delete", _("ลบ")
        RESTORE = "restore", _("กู้คืน")
        SUBMIT = "submit", _("ส่งรายงาน")
        APPROVE = "approve", _("อนุมัติ")
        RETURN = "return", _("ส่งกลับให้แก้ไข")
        LOCK = "lock", _("ปิดไตรมาส")
        REOPEN = "reopen", _("เปิดไตรมาสอีกครั้ง")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("โครงการ"),
    )
    model_label = models.CharField(_("ชนิดข้อมูล"), max_length=100)
    object_id = models.PositiveBigIntegerField(_("รหัสรายการ"))
    object_repr = models.CharField(_("รายการ"), max_length=255, blank=True)
    action = models.CharField(_("การกระทำ"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("การเปลี่ยนแปลง"), default=dict, blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ผู้แก้ไข")
    )
    at = models.DateTimeField(_("เวลา"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ประวัติการแก้ไข")
        verbose_name_plural = _("ประวัติการแก้ไข")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["model_label", "object_id"])]

    def __str__(self):
        return f"{self.model_label}#{self.object_id} {self.action}"


class ReminderMail(models.Model):
    """One reminder mail sent to a user on a day. The unique (user, day) pair is the rule "at most
    one mail per person per day, however often the daily job runs": the row is inserted in the
    same transaction that sends the mail, so a failed send leaves no row and a concurrent run
    waits for the first one's row, then skips."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminder_mails_sent")
    day = models.DateField(_("วันที่"))
    sent_at = models.DateTimeField(_("เวลาที่ส่ง"), auto_now_add=True)
    summary = models.JSONField(_("สรุปเนื้อหา"), default=dict, blank=True)

    class Meta:
        verbose_name = _("อีเมลเตือน")
        verbose_name_plural = _("อีเมลเตือน")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_reminder_per_user_per_day")]

    def __str__(self):
        return f"{self.user} {self.day}"


class ChangeCounter(models.Model):
    """How many times what one unit owns in one fiscal year has changed: its projects and their
    reports, plan steps, evaluations and plan links, its indicators and their quarters. The row
    fiscal year 0, unit 0 (REFERENCE) counts changes of the reference data every page shows:
    units, plan editions and plan nodes.

    Only the database writes these rows, from triggers (migrations projects 0010 and indicators
    0005), in the same transaction as the change, whoever makes it: a service, the admin, the
    importer, `QuerySet.update()`, raw SQL, `loaddata` or `restore`. Counters only ever grow, so
    the sum over a scope's rows is new after every change the scope counts: a cache key made
    of it never needs invalidating. Not a managed model: `flush`, `dumpdata` and `restore` leave
    the table alone, so a restored database never goes back to a sum that keyed older data, and
    the reference row starts at a random value, so two databases never share keys."""

    pk = models.CompositePrimaryKey("fiscal_year", "unit_id")
    fiscal_year = models.PositiveIntegerField()
    unit_id = models.IntegerField()  # not a foreign key: a deleted unit's count stays
    value = models.BigIntegerField()

    REFERENCE = {"fiscal_year": 0, "unit_id": 0}

    class Meta:
        managed = False
        db_table = "projects_changecounter"

    def __str__(self):
        return f"{self.fiscal_year}/{self.unit_id}: {self.value}"

    @classmethod
    def total(cls, fiscal_year, units=None):
        """The sum of the counters of these units (a queryset; None: every unit) in a fiscal
        year, plus the reference row: it moves on with every change a view of them counts."""
        owned = (
            Q(fiscal_year=fiscal_year) if units is None else Q(fiscal_year=fiscal_year, unit_id__in=units.values("pk"))
        )
        return cls.objects.filter(owned | Q(**cls.REFERENCE)).aggregate(total=models.Sum("value"))["total"] or 0


def fetch_with_unit(model, column, value, *, reference_revision=False):
    """The row of `model` (a Project or a User) whose `column` is `value`, or None, with its unit
    and the unit's parent loaded as far as the permission checks read them (the parent's id and
    its own parent's; its other fields load on first use, like any deferred field), and with
    reference_revision=True the reference counter as `reference_revision`: one query.

    The two lookups every request makes (the signed-in user, and the project of a project URL)
    are written once as SQL: compiling them through the ORM (select_related two levels up, a
    subquery) cost several times running them, on the most frequent requests there are."""
    row = next(iter(model.objects.raw(_with_unit_sql(model, column, reference_revision), [value])), None)
    if row is None or row.unit_id is None:
        return row
    db = row._state.db
    unit = OrgUnit.from_db(db, _UNIT_FIELDS, [getattr(row, f"unit__{name}") for name in _UNIT_FIELDS])
    parent = OrgUnit.from_db(db, ["id", "parent_id"], [unit.parent_id, row.unit__grandparent_id])
    OrgUnit.parent.field.set_cached_value(unit, parent if unit.parent_id else None)
    model.unit.field.set_cached_value(row, unit)
    return row


_UNIT_FIELDS = [field.attname for field in OrgUnit._meta.concrete_fields]


@functools.cache
def _with_unit_sql(model, column, reference_revision):
    table, units, counters = model._meta.db_table, OrgUnit._meta.db_table, ChangeCounter._meta.db_table
    selected = [
        "t.*",
        *(f'u."{name}" AS "unit__{name}"' for name in _UNIT_FIELDS),
        'pu."parent_id" AS "unit__grandparent_id"',
    ]
    if reference_revision:
        selected.append(
            f'(SELECT c."value" FROM {counters} c WHERE c."fiscal_year" = 0 AND c."unit_id" = 0) AS "reference_revision"'  # noqa: S608
        )
    column = model._meta.get_field(column).column  # a model field's column, never input
    return (
        f"SELECT {', '.join(selected)} FROM {table} t"  # noqa: S608 (table and column names from the models)
        f' LEFT JOIN {units} u ON u."id" = t."unit_id" LEFT JOIN {units} pu ON pu."id" = u."parent_id"'
        f' WHERE t."{column}" = %s'
    )
