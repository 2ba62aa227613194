"""Key performance indicators (ตัวชี้วัด), their quarterly results and year-end report fields."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import OrgUnit, OwnedByUnitQuerySet, PlanNode, Project, SearchTextMixin


class IndicatorQuerySet(OwnedByUnitQuerySet):
    def in_fiscal_year(self, fiscal_year):
        """Indicators of one fiscal year (Buddhist era)."""
        return self.filter(fiscal_year=fiscal_year)


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
    target = models.DecimalField(_("ค่าเป้าหมาย"), max_digits=14, decimal_places=2, null=True, blank=True)
    achieved = models.DecimalField(_("ผลงานที่ทำได้"), max_digits=14, decimal_places=2, null=True, blank=True)
    type = models.CharField(_("ประเภทตัวชี้วัด"), max_length=20, choices=Type.choices, blank=True)
    level = models.CharField(_("ระดับความสำเร็จ"), max_length=10, choices=Level.choices, blank=True)
    definitions = models.TextField(_("คำนิยาม"), blank=True)
    calculation = models.TextField(_("วิธีการคำนวณ"), blank=True)
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

    def is_met(self, value=None):
        """Whether a value (default: achieved) meets the target, respecting lower-is-better.
        None when there is nothing to compare."""
        value = self.achieved if value is None else value
        if value is None or self.target is None:
            return None
        return value <= self.target if self.lower_is_better else value >= self.target


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
