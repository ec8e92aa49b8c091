"""Activities imported from a watch's file: which file (by its SHA-256) went on which day.

The file itself is never kept: only its hash, to recognise the same file uploaded again, and
what Rebound read from it, as evidence for the activity it added.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models import Patient
from rehab.models.logs import ActivityKind, DailyLog


class FileFormat(models.TextChoices):
    FIT = "fit", "FIT"
    GPX = "gpx", "GPX"
    TCX = "tcx", "TCX"


class ActivityImport(models.Model):
    """One watch file added to one day's log. Unique on (patient, sha256): once per file.

    Deleted with its log, so a file whose day was deleted can be imported again.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    log = models.ForeignKey(DailyLog, on_delete=models.CASCADE, related_name="imports")
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=120)
    file_format = models.CharField(max_length=3, choices=FileFormat.choices)
    sport = models.CharField(max_length=40, blank=True, help_text="As the file names it.")
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    kind_from = models.CharField(
        max_length=8, help_text="file: its sport; pace: guessed from the pace; runner: chosen."
    )
    started_at = models.DateTimeField()
    duration_s = models.PositiveIntegerField()
    distance_m = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "sha256"], name="one_import_per_file")
        ]

    def __str__(self):
        return f"{self.file_name} on {self.log_id}"
