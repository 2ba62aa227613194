"""Key performance indicators (ตัวชี้วัด), their quarterly results and year-end report fields."""

import re
from decimal import Decimal, InvalidOperation

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bma_tracker import thaidate
from bma_tracker.text import normalise_thai, search_key, to_arabic_digits
from projects.cycle import check_open
from projects.models import (
    EvidenceFile,
    OrgUnit,
    OwnedByUnitQuerySet,
    PlanNode,
    Project,
    SearchTextMixin,
    schedule_ref_date,
)


class EvaluationDimension(models.Model):
    """One of the four dimensions (มิติ) of a unit's annual performance agreement (คำรับรองการ
    ปฏิบัติราชการ); the legacy pages index101.php … index104.php show one each. Reference data
    (fixtures/reference/)."""

    number = models.PositiveSmallIntegerField(
        _("มิติที่"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    name = models.CharField(_("ชื่อมิติ"), max_length=255)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("มิติการประเมิน")
        verbose_name_plural = _("มิติการประเมิน")
        ordering = ["number"]

    def __str__(self):
        return f"มิติที่ {self.number} {self.name}"


class QuarterStatus(models.TextChoices):
    """Where an indicator stands in one quarter; the one place for the labels and badge colours
    (the dashboard counts the same four: reports.dashboard.indicator_counts)."""

    # The dashboard's words for its four counts.
    MET = "met", _("บรรลุ")
    BEHIND = "behind", _("ไม่บรรลุ")
    NO_RESULT = "no_result", _("ยังไม่รายงาน")
    NO_TARGET = "no_target", _("ไม่มีค่าเป้าหมาย")
    # Before the fourth quarter, with no target set for the quarter, a result short of the
    # annual target is not yet "behind": the year is not over.
    IN_PROGRESS = "in_progress", _("ระหว่างดำเนินการ")

    @property
    def badge(self):
        """Bootstrap background class for the status badge."""
        return {
            "met": "text-bg-success",
            "behind": "text-bg-danger",
            "no_target": "text-bg-warning",
            "in_progress": "text-bg-info",
        }.get(self.value, "text-bg-secondary")


def judged_quarter(fiscal_year, today=None):
    """The quarter an indicator's status is judged in: today's quarter in the current fiscal
    year, the fourth in a closed one, the first in one not begun yet."""
    ref = schedule_ref_date(fiscal_year, today)
    first, _last = thaidate.fiscal_year_range(fiscal_year)
    return thaidate.fiscal_quarter(ref) if ref >= first else 1


class IndicatorQuerySet(OwnedByUnitQuerySet):
    def in_fiscal_year(self, fiscal_year):
        """Indicators of one fiscal year (Buddhist era)."""
        return self.filter(fiscal_year=fiscal_year)

    def search(self, text):
        """Indicators whose name or code contains the text, Thai spelling variants folded."""
        key = search_key(text or "")
        return self.filter(search_text__contains=key) if key else self

    def in_agreement(self):
        """Indicators of an annual performance agreement: those with an evaluation dimension."""
        return self.filter(dimension__isnull=False)

    def with_quarter_status(self, quarter):
        """Annotate quarter_result (the result of quarter 1–4, None without one) and
        quarter_status (a QuarterStatus value): the one rule, Indicator.quarter_status() in SQL,
        which the indicator list, its filters and the dashboard's counts all use."""
        return self.annotate(
            this_quarter=models.FilteredRelation("quarters", condition=Q(quarters__quarter=quarter)),
            quarter_result=models.F("this_quarter__result"),
        ).annotate(quarter_status=quarter_status_sql(quarter, "quarter_result"))


def quarter_status_sql(quarter, result):
    """The QuarterStatus of an indicator's result in a quarter, as an SQL expression over the
    indicator's columns and `result` (an annotation's name); agrees with Indicator.quarter_status.

    The quarter's own target when the planning office set one; else the annual target, which a
    result meets at any time, but falls short of only in the fourth quarter (before, the year
    is not over). Lower-is-better indicators meet a target by staying at or under it. A target
    that is text only has no number to compare with: never met nor behind."""

    def meets(target):
        return Q(lower_is_better=True, **{f"{result}__lte": models.F(target)}) | Q(
            lower_is_better=False, **{f"{result}__gte": models.F(target)}
        )

    quarter_target = f"target_q{quarter}"
    value = models.Value
    return models.Case(
        models.When(**{f"{result}__isnull": True}, then=value(QuarterStatus.NO_RESULT.value)),
        models.When(
            Q(**{f"{quarter_target}__isnull": False}) & meets(quarter_target), then=value(QuarterStatus.MET.value)
        ),
        models.When(**{f"{quarter_target}__isnull": False}, then=value(QuarterStatus.BEHIND.value)),
        models.When(target__isnull=True, then=value(QuarterStatus.NO_TARGET.value)),
        models.When(meets("target"), then=value(QuarterStatus.MET.value)),
        default=value((QuarterStatus.BEHIND if quarter == 4 else QuarterStatus.IN_PROGRESS).value),
        output_field=models.CharField(),
    )


# A number at the start of a target as written: "20 ของประชาชนที่ทำการสำรวจ", "1,500 คน", "๘๐".
_LEADING_NUMBER = re.compile(r"^\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]+)?(?![0-9,.])")


def number_at_start(text):
    """The number a target text starts with (Thai or Arabic digits, thousands commas), or None."""
    match = _LEADING_NUMBER.match(to_arabic_digits(text or ""))
    if not match:
        return None
    try:
        return Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None


class TargetBasis(models.TextChoices):
    CUMULATIVE = "cumulative", _("สะสมถึงไตรมาสนั้น")
    PER_QUARTER = "quarter", _("เฉพาะไตรมาสนั้น")


class AchievedRule(models.TextChoices):
    LATEST = "latest", _("ผลไตรมาสล่าสุด")
    SUM = "sum", _("ผลรวมทุกไตรมาส")
    AVERAGE = "average", _("ค่าเฉลี่ยของไตรมาสที่รายงาน")


class Indicator(SearchTextMixin, models.Model):
    class Type(models.TextChoices):
        STRATEGIC = "strategic", _("ตัวชี้วัดเชิงยุทธศาสตร์")
        ROUTINE = "routine", _("ตัวชี้วัดงานประจำ")
        NEGOTIATED = "negotiated", _("ตัวชี้วัดตามคำรับรอง")
        NOT_SET = "", _("ไม่ระบุ")

    class Level(models.TextChoices):
        OUTPUT = "output", _("ผลผลิต (output)")
        OUTCOME = "outcome", _("ผลลัพธ์ (outcome)")
        NOT_SET = "", _("ไม่ระบุ")

    code = models.CharField(_("รหัสตัวชี้วัด"), max_length=20, help_text=_("เช่น 2400-1065, 0411-0760"))
    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ"), help_text=_("พ.ศ."), db_index=True)
    name = models.CharField(_("ชื่อตัวชี้วัด"), max_length=1000)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="indicators", verbose_name=_("หน่วยงาน")
    )
    measure = models.CharField(_("หน่วยนับ"), max_length=50, blank=True, help_text=_("ร้อยละ, กลุ่ม, ระดับ, ตร.ม., แห่ง…"))
    lower_is_better = models.BooleanField(_("ค่าน้อยดีกว่า"), default=False)
    # The target as the unit wrote it ("20 ของประชาชนที่ทำการสำรวจ", "5 จากปีที่ผ่านมา พ.ศ. 2563"),
    # and its number where it has one (what results are compared with).
    target_text = models.CharField(_("ค่าเป้าหมาย (ตามที่กำหนด)"), max_length=500, blank=True)
    target = models.DecimalField(_("ค่าเป้าหมาย"), max_digits=14, decimal_places=2, null=True, blank=True)
    base_year = models.PositiveIntegerField(
        _("ปีฐาน"), null=True, blank=True, help_text=_('พ.ศ. ของปีที่เทียบ เช่น เป้าหมาย "ลดลงร้อยละ 5 จากปี 2563"')
    )
    # Targets of the quarters, when the planning office sets them: to date (cumulative) or of
    # the quarter alone, as target_basis says. Without one, a quarter is judged by the annual
    # target (quarter_status_sql).
    target_basis = models.CharField(
        _("ลักษณะเป้าหมายรายไตรมาส"), max_length=12, choices=TargetBasis.choices, default=TargetBasis.CUMULATIVE
    )
    target_q1 = models.DecimalField(_("เป้าหมายไตรมาสที่ 1"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_q2 = models.DecimalField(_("เป้าหมายไตรมาสที่ 2"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_q3 = models.DecimalField(_("เป้าหมายไตรมาสที่ 3"), max_digits=14, decimal_places=2, null=True, blank=True)
    target_q4 = models.DecimalField(_("เป้าหมายไตรมาสที่ 4"), max_digits=14, decimal_places=2, null=True, blank=True)
    # The year's result: as entered (the legacy pages carry one), else from the quarters by
    # achieved_rule (achieved_value).
    achieved = models.DecimalField(_("ผลงานที่ทำได้"), max_digits=14, decimal_places=2, null=True, blank=True)
    achieved_rule = models.CharField(
        _("วิธีคิดผลงานที่ทำได้จากผลรายไตรมาส"), max_length=10, choices=AchievedRule.choices, default=AchievedRule.LATEST
    )
    type = models.CharField(_("ประเภทตัวชี้วัด"), max_length=20, choices=Type.choices, blank=True)
    level = models.CharField(_("ระดับความสำเร็จ"), max_length=10, choices=Level.choices, blank=True)
    # The annual performance agreement (index101–104): its dimension, the KPI's number inside
    # it ("2.1") and its category tag ("ตัวชี้วัดเจรจา", or empty).
    dimension = models.ForeignKey(
        EvaluationDimension,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("มิติการประเมิน (คำรับรองการปฏิบัติราชการ)"),
    )
    agreement_number = models.CharField(_("ลำดับในมิติ"), max_length=20, blank=True, help_text=_("เช่น 1.3, 2.1"))
    category_tag = models.CharField(_("ประเภทในคำรับรอง"), max_length=100, blank=True, help_text=_("เช่น ตัวชี้วัดเจรจา"))
    # An ordinal the legacy KPI page prints before the name ("7. ร้อยละของ…").
    ordinal_display = models.CharField(_("ลำดับตามที่แสดง"), max_length=20, blank=True)
    # A number the legacy KPI page prints under the level, whose meaning nobody knows: kept.
    legacy_counter = models.IntegerField(_("ตัวเลขบนหน้าเดิม (ไม่ทราบความหมาย)"), null=True, blank=True, editable=False)
    definitions = models.TextField(_("คำนิยาม"), blank=True)
    calculation = models.TextField(_("วิธีการคำนวณ"), blank=True)
    plan_alignment_text = models.TextField(
        _("ความสอดคล้องกับแผน (ข้อความเดิม)"), blank=True, help_text=_("บรรทัดที่จับคู่กับแผนพัฒนาฯ ไม่ได้ เก็บไว้ตามเดิม")
    )
    plan_node = models.ForeignKey(
        PlanNode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("สนับสนุนแผนพัฒนา กทม. ระยะ 20 ปี"),
    )
    projects = models.ManyToManyField(Project, blank=True, related_name="indicators", verbose_name=_("โครงการ"))
    # Year-end fields of the indicator report (seed 002, sections 6.5–9 and the signature block).
    summary = models.TextField(_("สรุปผลการดำเนินงาน (ปลายปีงบประมาณ)"), blank=True)
    supporting_factors = models.TextField(_("ปัจจัยสนับสนุนการดำเนินงาน"), blank=True)
    obstacles = models.TextField(_("อุปสรรคต่อการดำเนินงาน"), blank=True)
    evidence = models.TextField(_("หลักฐานอ้างอิง"), blank=True)
    reporter_name = models.CharField(_("ผู้รายงานข้อมูล"), max_length=255, blank=True)
    reporter_position = models.CharField(_("ตำแหน่ง"), max_length=255, blank=True)
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Moved on by the database (triggers, migration 0005) with any change of the indicator or
    # its quarters, like Project.revision; its projects' revisions move with it.
    revision = models.PositiveBigIntegerField(default=1, editable=False)

    # The definition: what the indicator form edits (all but plan_alignment_text, the legacy
    # page's own wording, kept as imported), what its audit entries record, and what "copy to
    # the next fiscal year" copies (with a new fiscal year). Not results (achieved, the
    # quarters), not the year-end fields, not the linked projects (they belong to one year).
    DEFINITION_FIELDS = (
        "code",
        "fiscal_year",
        "unit",
        "ordinal_display",
        "name",
        "measure",
        "lower_is_better",
        "target_text",
        "target",
        "target_basis",
        "target_q1",
        "target_q2",
        "target_q3",
        "target_q4",
        "achieved_rule",
        "base_year",
        "type",
        "level",
        "dimension",
        "agreement_number",
        "category_tag",
        "plan_node",
        "definitions",
        "calculation",
        "plan_alignment_text",
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("ตัวชี้วัด")
        verbose_name_plural = _("ตัวชี้วัด")
        ordering = ["-fiscal_year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "fiscal_year"], name="indicator_code_unique_per_year"),
        ]
        indexes = [
            # The dashboard's count of a fiscal year's indicators reads only these columns:
            # PostgreSQL answers it from the index alone.
            models.Index(
                fields=["fiscal_year", "unit", "plan_node", "lower_is_better", "target", "id"],
                name="indicator_year_summary",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.code, self.fiscal_year])

    @property
    def target_display(self):
        """The target as the unit wrote it, else its number."""
        return self.target_text or self.target

    @staticmethod
    def measure_means_lower_is_better(measure):
        """Measures such as "ร้อยละ (ลดลง)" and "ลดลงร้อยละ" state that a reduction is the goal."""
        return "ลดลง" in normalise_thai(measure or "")

    def quarter_target(self, quarter):
        """The target a quarter's result is compared with: its own, else the annual one."""
        own = getattr(self, f"target_q{quarter}")
        return own if own is not None else self.target

    def quarter_status(self, result, quarter):
        """The QuarterStatus of a quarter's result (None: no result); the same rule as
        quarter_status_sql (IndicatorQuerySet.with_quarter_status)."""
        if result is None:
            return QuarterStatus.NO_RESULT
        own = getattr(self, f"target_q{quarter}")
        if own is not None:
            return QuarterStatus.MET if self._meets(result, own) else QuarterStatus.BEHIND
        if self.target is None:
            return QuarterStatus.NO_TARGET
        if self._meets(result, self.target):
            return QuarterStatus.MET
        return QuarterStatus.BEHIND if quarter == 4 else QuarterStatus.IN_PROGRESS

    def _meets(self, value, target):
        return value <= target if self.lower_is_better else value >= target

    @property
    def achieved_value(self):
        """The year's result: as entered, else from the quarters' results by achieved_rule
        (the quarters prefetched, or one query). None when there is neither."""
        if self.achieved is not None:
            return self.achieved
        return self.achieved_from([row.result for row in sorted(self.quarters.all(), key=lambda row: row.quarter)])

    @property
    def achieved_is_derived(self):
        return self.achieved is None and self.achieved_value is not None

    def achieved_from(self, results):
        """The year's result from the quarters' results in quarter order (None: not reported)."""
        reported = [value for value in results if value is not None]
        if not reported:
            return None
        if self.achieved_rule == AchievedRule.SUM:
            return sum(reported)
        if self.achieved_rule == AchievedRule.AVERAGE:
            return (sum(reported) / len(reported)).quantize(Decimal("0.01"))
        return reported[-1]

    @property
    def display_name(self):
        """The name with the ordinal the legacy page prints before it ("7. ร้อยละของ…")."""
        return f"{self.ordinal_display} {self.name}" if self.ordinal_display else self.name

    def is_met(self, value=None):
        """Whether a value (default: the year's result) meets the annual target, respecting
        lower-is-better. None when there is nothing to compare."""
        value = self.achieved_value if value is None else value
        if value is None or self.target is None:
            return None
        return self._meets(value, self.target)


class IndicatorQuarter(models.Model):
    """One quarter of an indicator: the unit's result and narrative, the two evaluation scores
    the legacy pages show as "2.1 / 2.2", and the planning office's audit score."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="quarters")
    quarter = models.PositiveSmallIntegerField(_("ไตรมาส"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    result = models.DecimalField(_("ผลงาน"), max_digits=14, decimal_places=2, null=True, blank=True)
    narrative = models.TextField(_("รายงานผลการดำเนินงาน"), blank=True)
    score_1 = models.DecimalField(_("ผลประเมิน 2.1"), max_digits=6, decimal_places=2, null=True, blank=True)
    score_2 = models.DecimalField(_("ผลประเมิน 2.2"), max_digits=6, decimal_places=2, null=True, blank=True)
    audit_score = models.DecimalField(_("คะแนนตรวจสอบ (สยป.)"), max_digits=6, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("ผลรายไตรมาสของตัวชี้วัด")
        verbose_name_plural = _("ผลรายไตรมาสของตัวชี้วัด")
        # By the indicator's id, not the indicator (whose own ordering would join its table into every query).
        ordering = ["indicator_id", "quarter"]
        indexes = [
            # One quarter's results of many indicators (the dashboard), from the index alone.
            models.Index(fields=["indicator", "quarter", "result"], name="indicator_quarter_results"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "quarter"], name="indicator_quarter_unique"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="indicator_quarter_1_4"),
            models.CheckConstraint(
                condition=(Q(score_1__isnull=True) | Q(score_1__gte=0, score_1__lte=100))
                & (Q(score_2__isnull=True) | Q(score_2__gte=0, score_2__lte=100))
                & (Q(audit_score__isnull=True) | Q(audit_score__gte=0, audit_score__lte=100)),
                name="indicator_scores_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} ไตรมาสที่ {self.quarter}"

    def periods(self):
        """The closed-quarter rule's periods (projects.cycle.check_open): its quarter of the
        indicator's fiscal year, for the indicator's unit."""
        return [(self.indicator.fiscal_year, self.quarter, self.indicator.unit)]

    def clean(self):
        super().clean()
        if self.indicator_id is not None and self.quarter in (1, 2, 3, 4):
            check_open(self)


class QuarterEvidence(EvidenceFile):
    """An evidence file of an indicator's quarter."""

    quarter = models.ForeignKey(
        IndicatorQuarter, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("ผลรายไตรมาสของตัวชี้วัด")
    )
    PARENT_FIELD = "quarter"

    class Meta(EvidenceFile.Meta):
        verbose_name = _("ไฟล์หลักฐาน")
        verbose_name_plural = _("ไฟล์หลักฐาน")
        ordering = ["quarter_id", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["quarter", "uploaded_at"], name="quarter_evidence_by_quarter")]
        constraints = EvidenceFile.constraints_for("quarter_evidence")


class CityIndicatorQuerySet(models.QuerySet):
    def search(self, text):
        """City indicators whose number or name contains the text, Thai spelling variants folded."""
        key = search_key(text or "")
        return self.filter(search_text__contains=key) if key else self

    def in_plan_dimension(self, code):
        """City indicators aligned to a node of the plan dimension (ด้าน) `code` ("1"–"7") or under it."""
        linked = CityIndicator.plan_nodes.through.objects.filter(cityindicator_id=models.OuterRef("pk")).filter(
            Q(plannode__code=code) | Q(plannode__code__startswith=f"{code}.")
        )
        return self.filter(models.Exists(linked))


class CityIndicator(SearchTextMixin, models.Model):
    """An indicator of the city-development indicator base (โครงการจัดทำฐานข้อมูลตัวชี้วัดการ
    พัฒนาเมือง, 2562–2563; legacy mykpi2563.php?pid=N): the indicators of the 20-year plan's
    goals, with no unit, no quarters and no fiscal year of their own."""

    number = models.PositiveIntegerField(_("เลขที่ตัวชี้วัด"), unique=True, help_text=_("เลขในระบบเดิม (pid)"))
    ordinal_display = models.CharField(_("ลำดับตามที่แสดง"), max_length=20, blank=True, help_text=_("เช่น ๑. หรือ 4."))
    name = models.CharField(_("ชื่อตัวชี้วัด"), max_length=1000)
    measure = models.CharField(_("หน่วยนับ"), max_length=50, blank=True)
    lower_is_better = models.BooleanField(_("ค่าน้อยดีกว่า"), default=False)
    target_text = models.CharField(_("ค่าเป้าหมาย (ตามที่กำหนด)"), max_length=500, blank=True)
    target = models.DecimalField(_("ค่าเป้าหมาย"), max_digits=14, decimal_places=2, null=True, blank=True)
    base_year = models.PositiveIntegerField(_("ปีฐาน"), null=True, blank=True, help_text=_("พ.ศ."))
    data_characteristic = models.CharField(
        _("ลักษณะข้อมูล"), max_length=255, blank=True, help_text=_("เช่น ตัวชี้วัดเป้าประสงค์")
    )
    plan_nodes = models.ManyToManyField(
        PlanNode, blank=True, related_name="city_indicators", verbose_name=_("สนับสนุนยุทธศาสตร์กรุงเทพมหานคร")
    )
    plan_alignment_text = models.TextField(_("ความสอดคล้องกับแผน (ข้อความเดิม)"), blank=True)
    definitions = models.TextField(_("นิยาม หรือความหมายของตัวชี้วัด"), blank=True)
    # The further numbered sections of the page (calculation, data source, …) in their order:
    # [{"number": "2", "title": "วิธีการคำนวณ", "text": "…"}, …]
    sections = models.JSONField(_("หัวข้ออื่น ๆ"), default=list, blank=True)
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CityIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("ตัวชี้วัดการพัฒนาเมือง")
        verbose_name_plural = _("ตัวชี้วัดการพัฒนาเมือง")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.name}"

    def refresh_search_text(self):
        self.search_text = search_key(f"{self.number} {self.name}")

    @property
    def target_display(self):
        return self.target_text or self.target
