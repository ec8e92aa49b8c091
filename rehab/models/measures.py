"""Outcome measures (LEFS, UWRI; bsi-reference.md §6): the answers a runner or their therapist
gives, and the item wording a clinic pastes once. The instruments and their scoring are pure
data and code in `rehab.measures`; these rows keep what was answered and the total it scored."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models import Clinic, Patient
from rehab.measures.instruments import CHOICES, INSTRUMENTS
from rehab.measures.wording import Wording


class MeasureWording(models.Model):
    """The item wording of one instrument, pasted by a clinic admin as their licence allows."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="measure_wordings")
    instrument = models.CharField(max_length=10, choices=CHOICES)
    text = models.JSONField(help_text="rehab.measures.wording.Wording.as_json()")
    permission = models.CharField(
        "licence or permission",
        max_length=300,
        help_text="What entitles the clinic to use this wording, e.g. a licence or a permission.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "instrument"], name="one_wording_per_clinic_instrument"
            )
        ]

    def __str__(self):
        return f"{self.get_instrument_display()} wording of {self.clinic}"

    @property
    def wording(self) -> Wording:
        return Wording.from_json(self.text)


class OccasionKind(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    PLAN = "plan", "Every 4 weeks of the plan"
    DISCHARGE = "discharge", "At discharge"
    EXTRA = "extra", "Not scheduled"


class MeasureResponse(models.Model):
    """One filled-in instrument: its answers and total, on one day of the patient's own zone.

    One per patient, instrument and day: answering again the same day replaces the answers
    (`services.measure_save`), so two tabs or a resent form never make two points on the chart.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="measure_responses")
    instrument = models.CharField(max_length=10, choices=CHOICES)
    date = models.DateField()
    occasion = models.CharField(max_length=60, blank=True, help_text="rehab.measures.schedule key")
    occasion_kind = models.CharField(
        max_length=10, choices=OccasionKind.choices, default=OccasionKind.EXTRA
    )
    answers = models.JSONField(help_text="Points of each item, in order.")
    total = models.PositiveSmallIntegerField()
    scoring_version = models.CharField(max_length=30)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    in_clinic = models.BooleanField(default=False, help_text="Filled in by the therapist.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "instrument"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument", "date"], name="one_measure_per_patient_day"
            )
        ]

    def __str__(self):
        return f"{self.get_instrument_display()} {self.total} on {self.date}"

    @property
    def spec(self):
        return INSTRUMENTS[self.instrument]
