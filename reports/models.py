"""Export jobs (a large export prepared in the background) and each clinic's research key.

An export job is the row the page polls: who asked, for what (kind, format, filters), how far the
task has got, and where its file is until it expires. Files live under `settings.EXPORT_ROOT`
and are only ever served by the access-checked download view.
"""

import datetime as dt
import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models import Clinic


class ExportKind(models.TextChoices):
    SUMMARY = "summary", "Summary: one row per patient"
    LOGS = "logs", "Daily logs: one row per log"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


def export_label(kind: str, *, deidentified: bool) -> str:
    """Plain words for a cohort download's file name (never patient data). They say whether the
    file identifies people: "...-identified-..." or "...-deidentified-..."."""
    words = "cohort summary" if kind == ExportKind.SUMMARY else "cohort daily logs"
    return f"{words} {'deidentified' if deidentified else 'identified'}"


class ExportJobQuerySet(models.QuerySet):
    def expired(self, now: dt.datetime):
        """Jobs whose file should be gone: finished and past their expiry, or failed long ago."""
        return self.exclude(status=ExportJob.Status.EXPIRED).filter(expires_at__lte=now)


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Preparing"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=ExportKind.choices)
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True)
    deidentified = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    file_path = models.CharField(
        max_length=200, blank=True, help_text="Relative to EXPORT_ROOT; empty until ready."
    )
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started.")
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="The running worker's lease, renewed as it writes."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["clinic", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} as {self.get_format_display()} ({self.status})"

    @property
    def label(self) -> str:
        return export_label(self.kind, deidentified=self.deidentified)

    @property
    def file(self) -> Path | None:
        return Path(settings.EXPORT_ROOT) / self.file_path if self.file_path else None

    @property
    def is_ready(self) -> bool:
        return (
            self.status == self.Status.DONE
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def is_settled(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def part_file(self) -> Path:
        """Where a run writes before the finished file takes the job's name."""
        return Path(settings.EXPORT_ROOT) / f"{self.relative_path()}.part"

    def relative_path(self) -> str:
        """Where the task writes this job's file: a name made here, from the job id alone."""
        return f"{self.clinic_id}/{self.pk}.{self.format}"


def new_research_secret() -> str:
    return secrets.token_hex(32)


class ClinicResearchKey(models.Model):
    """The per-clinic secret behind de-identified exports' stable pseudonymous ids.

    The same patient gets the same research id in every export of one clinic, so files can be
    joined; without the secret nobody can work back from a research id to the patient.
    """

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="research_key")
    secret = models.CharField(max_length=64, default=new_research_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Research key of {self.clinic}"

    @classmethod
    def secret_for(cls, clinic: Clinic) -> bytes:
        key, _ = cls.objects.get_or_create(clinic=clinic)
        return key.secret.encode()


class PlanState(models.TextChoices):
    NONE = "none", "No plan yet"
    UNDER_WAY = "under_way", "Following a plan"
    ENDED = "ended", "Plan ended"


class OutcomeFacts(models.Model):
    """One patient's outcome facts, for the outcome dashboard (`reports.outcome_facts`).

    Derived rows, never edited: every write that changes them (a daily log, a session done, a
    plan's transition, an intake submitted, rescored or decided, a discharge, a new responsible
    therapist) recomputes the patient's row in its own transaction, and `manage.py
    outcome_facts_rebuild` recomputes them all. Definitions are `reports.measures`'s; days count
    from day 0 (the latest intake) and are never negative.
    """

    patient = models.OneToOneField(
        "clinic.Patient", primary_key=True, on_delete=models.CASCADE, related_name="outcome_facts"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    # The patient's own, copied so the dashboard reads one table (kept by discharge and owner
    # changes too).
    discharged = models.BooleanField(default=False)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    intake_date = models.DateField(null=True, blank=True, help_text="The latest intake's day.")
    day0 = models.DateField(help_text="The intake's day, else the first day in care.")
    site_risk = models.CharField(max_length=8, blank=True, help_text="high, low or unknown.")
    open_intake = models.BooleanField(default=False, help_text="An intake awaits a decision.")
    rehab_from = models.DateField(null=True, blank=True, help_text="Milestones count from here.")
    plan_state = models.CharField(max_length=10, choices=PlanState.choices, default=PlanState.NONE)
    phase_kind = models.CharField(max_length=24, blank=True, help_text="While under way.")
    first_pain_free_walk = models.DateField(null=True, blank=True)
    first_run = models.DateField(null=True, blank=True)
    full_volume = models.DateField(null=True, blank=True)
    days_to_pain_free_walk = models.PositiveIntegerField(null=True, blank=True)
    days_to_first_run = models.PositiveIntegerField(null=True, blank=True)
    days_to_full_volume = models.PositiveIntegerField(null=True, blank=True)
    recurrences = models.PositiveSmallIntegerField(
        default=0, help_text="Intakes after an earlier intake that led to rehab."
    )
    treated = models.BooleanField(default=False, help_text="An intake led to rehab.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "outcome facts"
        indexes = [models.Index(fields=["clinic", "plan_state", "phase_kind"])]

    def __str__(self):
        return f"Outcome facts of patient {self.patient_id}"


class ReportSummary(models.Model):
    """One version of the clinician's short summary on a patient's progress report, printed in
    the handover PDF. Only ever added: each save is a new numbered version with its author and
    time, the latest being the one shown (`reports.services.report_summary_save`).

    Clinical writing about the patient, so it follows the clinical notes' rules
    (clinic/access.py): clinic staff read it (`Perm.VIEW_CLINICAL`) and write it (`Perm.EDIT`);
    the care team and the patient never see it in Rebound, only on a PDF a clinician hands over.
    """

    MAX_LENGTH = 1500

    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="report_summaries"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=MAX_LENGTH, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["patient", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "number"], name="one_report_summary_version_number"
            )
        ]

    def __str__(self):
        return f"Summary version {self.number} for {self.patient}"
