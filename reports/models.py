"""Background jobs of the reports app: the quarterly indicator book (issue 6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import DistrictGroup, OrgUnit
from reports import scopes


class BookJobQuerySet(models.QuerySet):
    def active(self):
        """Jobs queued or running: at most one per book (scope, year, quarter)."""
        return self.filter(status__in=BookJob.ACTIVE)


class BookJob(models.Model):
    """One request for a quarterly book: what it covers, how far the build has got, and the file."""

    class Scope(models.TextChoices):
        BMA = "bma", _("ทั้งกรุงเทพมหานคร")
        UNIT = "unit", _("หน่วยงาน (รวมหน่วยงานในสังกัด)")
        GROUP = "group", _("กลุ่มเขต")

    class Status(models.TextChoices):
        QUEUED = "queued", _("รอคิว")
        RUNNING = "running", _("กำลังจัดทำ")
        DONE = "done", _("เสร็จแล้ว")
        FAILED = "failed", _("ไม่สำเร็จ")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    scope = models.CharField(_("ขอบเขต"), max_length=10, choices=Scope.choices)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("หน่วยงาน")
    )
    district_group = models.CharField(_("กลุ่มเขต"), max_length=20, choices=DistrictGroup.choices, blank=True)
    # Scope.key, "bma", "unit:24000000" or "group:central": one non-null key, so the guard below also
    # holds for the whole-BMA book (NULLs never collide in a unique constraint).
    scope_key = models.CharField(max_length=40, editable=False)
    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ"))
    quarter = models.PositiveSmallIntegerField(_("ไตรมาส"))
    status = models.CharField(_("สถานะ"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(_("สาเหตุที่ไม่สำเร็จ"), blank=True)
    file_path = models.CharField(max_length=255, blank=True, help_text="relative to MEDIA_ROOT")
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = BookJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("งานจัดทำรูปเล่มรายไตรมาส")
        verbose_name_plural = _("งานจัดทำรูปเล่มรายไตรมาส")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key", "fiscal_year", "quarter"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_book_job",
            ),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="book_job_quarter_1_4"),
        ]

    def __str__(self):
        return f"{self.scope_key} {self.fiscal_year} q{self.quarter} ({self.status})"

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def percent(self):
        """Progress as a whole percent (0 before the total is known)."""
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def covered(self):
        """What the book covers, as the reports.scopes.Scope its key (scope_key) is made from."""
        return scopes.Scope.of(self.scope, unit=self.unit, group=self.district_group)
