"""Evidence files of progress reports; a file added or removed moves its project's revision on
(bma_tracker.revision_triggers: the project page lists the files)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from bma_tracker import revision_triggers as t


def _parts(vendor):
    return [
        t.touches(
            vendor,
            "projects_reportevidence",
            "report_id",
            "projects_project",
            through=("projects_progressreport", "id", "project_id"),
        ),
        t.truncate_moves_reference(vendor, "projects_reportevidence"),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0013_reminders"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportEvidence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("file", models.FileField(max_length=255, upload_to="", verbose_name="ไฟล์")),
                ("original_name", models.CharField(max_length=200, verbose_name="ชื่อไฟล์")),
                ("size", models.PositiveBigIntegerField(verbose_name="ขนาด (ไบต์)")),
                (
                    "content_type",
                    models.CharField(
                        choices=[
                            ("application/pdf", "application/pdf"),
                            ("image/jpeg", "image/jpeg"),
                            ("image/png", "image/png"),
                            ("image/webp", "image/webp"),
                            (
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            ),
                            (
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            ),
                        ],
                        max_length=100,
                        verbose_name="ชนิดไฟล์",
                    ),
                ),
                ("sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField(verbose_name="เวลาที่แนบ")),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="evidence",
                        to="projects.progressreport",
                        verbose_name="รายงานความคืบหน้า",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="ผู้แนบไฟล์",
                    ),
                ),
            ],
            options={
                "verbose_name": "ไฟล์หลักฐาน",
                "verbose_name_plural": "ไฟล์หลักฐาน",
                "ordering": ["report_id", "uploaded_at", "pk"],
                "abstract": False,
                "indexes": [models.Index(fields=["report", "uploaded_at"], name="report_evidence_by_report")],
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("size__gt", 0)), name="report_evidence_size_positive"),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "content_type__in",
                                (
                                    "application/pdf",
                                    "image/jpeg",
                                    "image/png",
                                    "image/webp",
                                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                ),
                            )
                        ),
                        name="report_evidence_type_accepted",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("sha256__regex", "^[0-9a-f]{64}$")), name="report_evidence_sha256_hex"
                    ),
                    models.UniqueConstraint(fields=("file",), name="report_evidence_file_unique"),
                ],
            },
        ),
        t.migration_operation(_parts),
    ]
