"""Follow-up visits: a time with a therapist, in the clinic or by video.

A visit is booked on the patient's page (or by a "follow-up" decision on an intake), shown on the
runner's Today, reminded the evening before through the notifications ledger, and closed as
attended, missed or cancelled. `starts_at` is stored in UTC; pages and reminders show it in the
patient's own zone, where it was entered.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.models import Patient
from rehab.models.logs import patient_zone


class VisitMode(models.TextChoices):
    IN_CLINIC = "in_clinic", "In the clinic"
    VIDEO = "video", "Video call"


class VisitStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class VisitQuerySet(models.QuerySet):
    def booked(self):
        return self.filter(status=VisitStatus.BOOKED)

    def upcoming(self, now: dt.datetime | None = None):
        """Booked visits that have not started yet, soonest first."""
        return self.booked().filter(starts_at__gt=now or timezone.now()).order_by("starts_at")

    def next_for(self, patient: Patient, now: dt.datetime | None = None) -> "Visit | None":
        """The patient's next booked visit (what their Today shows), or None."""
        return self.filter(patient=patient).upcoming(now).first()

    def on_day(self, day: dt.date, zone: dt.tzinfo):
        """Visits starting on the local date `day` in `zone`."""
        start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        return self.filter(starts_at__gte=start, starts_at__lt=end)

    def today_for_therapist(self, user, *, clinic, today: dt.date | None = None):
        """The therapist's follow-up visits today (their own local day, the active time zone),
        cancelled ones left out, in order, with the patient: for the worklist. One query."""
        zone = timezone.get_current_timezone()
        day = today or timezone.localdate()
        return (
            self.filter(therapist=user, patient__clinic=clinic)
            .exclude(status=VisitStatus.CANCELLED)
            .on_day(day, zone)
            .select_related("patient")
            .order_by("starts_at", "id")
        )


class Visit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="visits")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
        help_text="Who sees the runner.",
    )
    starts_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=VisitMode.choices, default=VisitMode.IN_CLINIC)
    video_url = models.URLField("video link", max_length=500, blank=True)
    note = models.TextField("note to the runner", max_length=1000, blank=True)
    status = models.CharField(
        max_length=10, choices=VisitStatus.choices, default=VisitStatus.BOOKED
    )
    intake = models.ForeignKey(
        "intake.Intake",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
        help_text="The intake whose follow-up decision booked it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["patient", "starts_at"], name="visit_patient"),
            models.Index(fields=["therapist", "starts_at"], name="visit_therapist"),
            models.Index(fields=["status", "starts_at"], name="visit_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode=VisitMode.IN_CLINIC, video_url="")
                | (Q(mode=VisitMode.VIDEO) & Q(video_url__startswith="https://")),
                name="visit_video_has_https_link",
            )
        ]

    def __str__(self):
        return f"{self.get_mode_display()} visit of {self.patient} ({self.get_status_display()})"

    @property
    def local_starts_at(self) -> dt.datetime:
        """When it starts, in the patient's own zone (where it was entered)."""
        return self.starts_at.astimezone(patient_zone(self.patient))

    @property
    def is_booked(self) -> bool:
        return self.status == VisitStatus.BOOKED

    @property
    def is_video(self) -> bool:
        return self.mode == VisitMode.VIDEO

    def reminder_key(self) -> str:
        return reminder_key(self.pk, self.starts_at)


def reminder_key(visit_id, starts_at: dt.datetime) -> str:
    """A visit's identity in the reminder ledger: its id and start, so moving the visit gives
    a new reminder and the old one no longer matches it."""
    return f"visit:{visit_id}:{starts_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
