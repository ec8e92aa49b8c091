"""Intakes: the runner's answers kept whole, plus the typed columns the triage queue sorts on."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models import Clinic, Patient

# Queue order, most pressing first: a red flag always outranks the band.
PRIORITY_RANK = {"urgent": 0, "expedite": 1, "refer": 2, "high": 3, "moderate": 4, "low": 5}
UNSCORED_RANK = 9


LINK_MAX_AGE = timedelta(days=14)


def link_expiry():
    return timezone.now() + LINK_MAX_AGE


class IntakeLinkQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(
            used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class IntakeLink(models.Model):
    """A personal, single-use link to the questionnaire; works without an account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="intake_links")
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="intake_links"
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=link_expiry)
    reminded_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = IntakeLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Intake link for {self.full_name} <{self.email}>"

    @property
    def status(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class ExamSide(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both"


class ImagingStatus(models.TextChoices):
    NONE = "none", "No imaging"
    PENDING = "pending", "Imaging pending"
    DONE = "done", "Imaging done"


class Intake(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Being answered"
        NEW = "new", "New"
        IN_REVIEW = "in_review", "In review"
        FOLLOW_UP = "follow_up", "Follow-up booked"
        DECIDED = "decided", "Decided"

    OPEN_STATUSES = (Status.NEW, Status.IN_REVIEW, Status.FOLLOW_UP)

    class Source(models.TextChoices):
        LINK = "link", "Runner, by link"
        VISIT = "visit", "Therapist, during a visit"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="intakes")
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="intakes"
    )
    link = models.OneToOneField(
        IntakeLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="intake"
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(default=dict, blank=True)
    about = models.JSONField(
        default=dict, blank=True, help_text="Identity details of a new runner, before matching."
    )
    steps_done = models.JSONField(default=list, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_intakes",
    )
    # Typed copies of the latest score, for filtering and sorting the queue.
    region = models.CharField(max_length=24, blank=True)
    side = models.CharField(max_length=8, blank=True)
    confirmed_site = models.CharField(max_length=40, blank=True)
    score = models.SmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=10, blank=True)
    priority = models.CharField(max_length=10, blank=True)
    priority_rank = models.SmallIntegerField(default=UNSCORED_RANK)
    red_flag_level = models.CharField(max_length=10, blank=True)
    ruleset_version = models.CharField(max_length=20, blank=True)
    result = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The examination's record beside the scored answers (the rule set's imaging type, result and
    # grade stay in `answers`): clinic staff only, written with the examination, audited.
    exam_side = models.CharField(
        "side examined", max_length=8, choices=ExamSide.choices, blank=True
    )
    imaging_status = models.CharField(max_length=8, choices=ImagingStatus.choices, blank=True)
    imaging_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["priority_rank", "-score", "submitted_at"]
        indexes = [
            models.Index(
                fields=["clinic", "status", "priority_rank", "-score", "submitted_at"],
                name="intake_queue_order",
            ),
            models.Index(fields=["patient", "-submitted_at"]),
            # The triage queue's own order over the open intakes (Intake.OPEN_STATUSES), so a
            # page of it is read from the index instead of sorting every open intake (issue 13).
            models.Index(
                fields=["clinic", "priority_rank", "-score", "submitted_at", "id"],
                condition=models.Q(status__in=["new", "in_review", "follow_up"]),
                name="intake_open_queue",
            ),
            # The navigation's count of intakes waiting for a person (rehab.worklist), read from
            # this small index alone on every staff page.
            models.Index(
                fields=["clinic", "assigned_to"],
                condition=models.Q(status__in=["new", "in_review"]),
                name="intake_triage_waiting",
            ),
        ]

    def __str__(self):
        who = self.patient or self.about.get("full_name") or "new runner"
        return f"Intake {str(self.pk)[:8]} for {who}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def runner_name(self) -> str:
        if self.patient_id:
            return self.patient.full_name
        return self.about.get("full_name") or (self.link.full_name if self.link_id else "")

    def apply_score(self, result: dict) -> None:
        """Copy the typed columns of a stored score result onto the intake."""
        self.result = result
        self.score = result["score"]
        self.band = result["band"]
        self.priority = result["priority"]
        self.priority_rank = PRIORITY_RANK.get(result["priority"], UNSCORED_RANK)
        flags = result.get("red_flags") or []
        self.red_flag_level = flags[0]["level"] if flags else ""
        self.ruleset_version = result["version"]
        self.region = str(self.answers.get("region") or "")[:24]
        self.side = str(self.answers.get("side") or "")[:8]
        self.confirmed_site = str(self.answers.get("confirmed_site") or "")[:40]


class IntakeScore(models.Model):
    """Every score an intake received, so the runner's and the therapist's both stay visible."""

    class Kind(models.TextChoices):
        RUNNER = "runner", "Runner's answers"
        THERAPIST = "therapist", "With the therapist's examination"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="scores")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    answers = models.JSONField()
    policy = models.JSONField(default=dict)
    result = models.JSONField()
    version = models.CharField(max_length=20)
    score = models.SmallIntegerField()
    band = models.CharField(max_length=10)
    priority = models.CharField(max_length=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.score} ({self.band})"


class IntakeDecision(models.Model):
    class Kind(models.TextChoices):
        URGENT_REFERRAL = "urgent_referral", "Urgent referral for imaging or a physician"
        START_REHAB = "start_rehab", "Start rehab"
        NOT_BSI = "not_bsi", "Not a bone stress injury: discharge with advice"
        FOLLOW_UP = "follow_up", "Follow-up visit"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    notes = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self):
        return self.get_kind_display()


class IntakeEvent(models.Model):
    """The status history of an intake: who moved it, from what, to what, when."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"

    @property
    def to_status_label(self) -> str:
        return dict(Intake.Status.choices).get(self.to_status, self.to_status)


class ClinicScoringPolicy(models.Model):
    """A clinic's changes to the scoring rule set's *policy* defaults; every change is audited."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="scoring_policy")
    values = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Scoring policy of {self.clinic}"


class ClinicalNote(models.Model):
    """A clinician's note on a patient in the SOAP layout. Clinic staff only (never the care team
    or the patient); its text is never changed in place: each edit adds a ClinicalNoteVersion,
    so what was written, by whom and when stays on record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="clinical_notes")
    intake = models.ForeignKey(
        Intake, null=True, blank=True, on_delete=models.SET_NULL, related_name="clinical_notes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-created_at"])]

    def __str__(self):
        return f"Clinical note of {self.created_at:%Y-%m-%d}"


class ClinicalNoteVersion(models.Model):
    """One version of a clinical note's text; only ever added."""

    SECTIONS = ("subjective", "objective", "assessment", "plan")

    note = models.ForeignKey(ClinicalNote, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["note", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["note", "number"], name="one_note_version_number")
        ]

    def __str__(self):
        return f"Version {self.number} of {self.note}"

    @property
    def sections(self) -> list[tuple[str, str, str]]:
        """(letter, title, text) of each SOAP section, in order."""
        titles = ("Subjective", "Objective", "Assessment", "Plan")
        return [
            (title[0], title, getattr(self, name))
            for name, title in zip(self.SECTIONS, titles, strict=True)
        ]
