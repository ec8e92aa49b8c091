"""Rehab plans: the clinic's exercise library and versioned templates, each patient's plan (a
snapshot of its content), completed sessions, the engine's proposals and every transition.

The rules live in pure modules: `rehab.rules.content` (what a plan holds), `rehab.rules.schedule`
(what falls on which day) and `rehab.rules.progression` (advance, hold, step back, stop). The models
store their inputs and conclusions; `rehab.services.plans` runs the workflows.
"""

import datetime as dt
import uuid
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from clinic.models import Clinic, Patient
from rehab.models.logs import PAIN_VALIDATORS
from rehab.rules import content as plan_content
from rehab.rules import progression
from rehab.rules.alerts import resolve_thresholds

RISK_HIGH, RISK_LOW, RISK_ANY = "high", "low", "any"


class RiskClass(models.TextChoices):
    LOW = RISK_LOW, "Low-risk sites"
    HIGH = RISK_HIGH, "High-risk sites"
    ANY = RISK_ANY, "Any site"


STRENGTH_TARGET_CHOICES = list(plan_content.STRENGTH_TARGETS.items())


class ExerciseQuerySet(models.QuerySet):
    def available(self):
        return self.filter(is_archived=False)


class Exercise(models.Model):
    """A strength exercise of a clinic's library, with its default dose and plain instructions.

    Templates and plans copy what they use (`as_spec`), so editing an exercise here changes what
    is chosen from now on, never a saved template version or a patient's plan.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="exercises")
    code = models.SlugField(max_length=60)
    name = models.CharField(max_length=120)
    target = models.CharField(max_length=20, choices=STRENGTH_TARGET_CHOICES)
    sets = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    reps = models.CharField(max_length=40, help_text='e.g. "12", "8–10 each side", "30 s hold"')
    load = models.CharField(max_length=120, blank=True, help_text='e.g. "Bodyweight"')
    instructions = models.TextField(max_length=2000)
    is_archived = models.BooleanField("hidden from new plans", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["target", "name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "code"], name="one_exercise_code_per_clinic")
        ]

    def __str__(self):
        return self.name

    def as_spec(self, *, sets=None, reps=None, load=None) -> plan_content.ExerciseSpec:
        """This exercise as a template or plan holds it, with a dose that may differ."""
        return plan_content.ExerciseSpec(
            code=self.code,
            name=self.name,
            target=self.target,
            sets=sets or self.sets,
            reps=reps or self.reps,
            load=self.load if load is None else load,
            instructions=self.instructions,
        )


class PlanTemplateQuerySet(models.QuerySet):
    def available(self):
        return self.filter(is_archived=False, current_version__isnull=False)


class PlanTemplate(models.Model):
    """A clinic's named plan template; its content lives in immutable versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="plan_templates")
    code = models.SlugField(max_length=60, blank=True, help_text="Set for the seeded library.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    risk_class = models.CharField(max_length=8, choices=RiskClass.choices, default=RiskClass.ANY)
    is_archived = models.BooleanField("hidden from assignment", default=False)
    current_version = models.ForeignKey(
        "TemplateVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlanTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "code"],
                condition=~Q(code=""),
                name="one_template_code_per_clinic",
            )
        ]

    def __str__(self):
        return self.name


class TemplateVersion(models.Model):
    """One saved state of a template. Never changed: an edit saves a new version."""

    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="one_template_version")
        ]

    def __str__(self):
        return f"{self.template} v{self.number}"

    @cached_property
    def spec(self) -> plan_content.PlanContent:
        """The content, read and validated (`rehab.rules.content`)."""
        return plan_content.content_from_json(self.content)


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    REVIEW = "review", "Stopped for review"
    COMPLETED = "completed", "Completed"
    ENDED = "ended", "Ended"


OPEN_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.REVIEW)


class PlanQuerySet(models.QuerySet):
    def open(self):
        """Draft, active or stopped for review: at most one per patient."""
        return self.filter(status__in=OPEN_PLAN_STATUSES)

    def started(self):
        """Active or stopped for review: plans the patient is following."""
        return self.filter(status__in=(PlanStatus.ACTIVE, PlanStatus.REVIEW))

    def for_clinic(self, clinic: Clinic):
        return self.filter(patient__clinic=clinic)


class Plan(models.Model):
    """A patient's rehab plan: its own copy of the content, and where the patient stands in it.

    The content is the template version's snapshot at assignment, then adjusted for this patient
    while the plan is a draft; later template edits never change it. The position (phase, step)
    changes only through a PlanTransition; the label columns copy the current phase and step so
    lists and reports need not read the JSON.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="plans")
    template_version = models.ForeignKey(
        TemplateVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    intake = models.ForeignKey(
        "intake.Intake", null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    content = models.JSONField()
    high_risk_site = models.BooleanField(
        default=False,
        help_text="The therapist approves every change of step (clinical reference §2, §3).",
    )
    site_label = models.CharField(max_length=120, blank=True)
    start_date = models.DateField()
    phase_index = models.PositiveSmallIntegerField(default=0)
    step_index = models.PositiveSmallIntegerField(default=0)
    phase_started_on = models.DateField(null=True, blank=True)
    step_started_on = models.DateField(null=True, blank=True)
    phase_kind = models.CharField(max_length=24, blank=True)
    phase_label = models.CharField(max_length=120, blank=True)
    step_label = models.CharField(max_length=120, blank=True)
    baseline_morning_pain = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text="Empty: the median morning pain of the first logs.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=OPEN_PLAN_STATUSES),
                name="one_open_plan_per_patient",
            )
        ]
        indexes = [models.Index(fields=["status", "phase_kind"])]

    def __str__(self):
        return f"{self.name} for {self.patient}"

    @cached_property
    def spec(self) -> plan_content.PlanContent:
        """The content, read and validated (`rehab.rules.content`)."""
        return plan_content.content_from_json(self.content)

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("spec", None)  # the cached reading of `content`
        super().refresh_from_db(*args, **kwargs)

    def set_content(self, content: plan_content.PlanContent) -> None:
        self.content = content.to_json()
        self.__dict__.pop("spec", None)
        if self.status == PlanStatus.DRAFT:
            self.set_position(0, 0, on=None)

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_started(self) -> bool:
        return self.status in (PlanStatus.ACTIVE, PlanStatus.REVIEW)

    @property
    def position(self) -> tuple[int, int]:
        return (self.phase_index, self.step_index)

    @property
    def phase(self) -> plan_content.PhaseSpec:
        return self.spec.phase(self.phase_index)

    @property
    def step(self) -> plan_content.StepSpec:
        return self.spec.step(self.phase_index, self.step_index)

    def set_position(self, phase_index: int, step_index: int, *, on: dt.date | None) -> None:
        """Move to a step (a transition records why); `on` is the day it takes effect."""
        if phase_index != self.phase_index or self.phase_started_on is None:
            self.phase_started_on = on
        self.phase_index, self.step_index, self.step_started_on = phase_index, step_index, on
        phase = self.spec.phase(phase_index)
        self.phase_kind, self.phase_label = phase.kind, phase.label
        self.step_label = phase.steps[step_index].label

    def days_in_phase(self, today: dt.date) -> int | None:
        if self.phase_started_on is None or not self.is_started:
            return None
        return max((today - self.phase_started_on).days + 1, 0)

    def next_position(self) -> tuple[int, int] | None:
        positions = self.spec.positions()
        index = positions.index(self.position) + 1
        return positions[index] if index < len(positions) else None


class SessionKind(models.TextChoices):
    STEP = "step", "Key session"
    STRENGTH = "strength", "Strength"
    CROSS = "cross", "Cross-training"


class SessionCompletion(models.Model):
    """A session the patient marked done, with the site pain during it and the effort.

    `session` names it within the day: "step" for the key session (what the progression engine
    judges), "strength", or "cross-<n>" for the phase's n-th cross-training session.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="completions")
    date = models.DateField()
    session = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=SessionKind.choices)
    phase_index = models.PositiveSmallIntegerField()
    step_index = models.PositiveSmallIntegerField(null=True, blank=True)
    label = models.CharField(max_length=160)
    running = models.BooleanField(default=False)
    site_pain_during = models.PositiveSmallIntegerField(validators=PAIN_VALIDATORS)
    effort = models.PositiveSmallIntegerField(
        "effort (RPE 0–10)", null=True, blank=True, validators=PAIN_VALIDATORS
    )
    next_morning_pain = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=PAIN_VALIDATORS
    )
    swelling = models.BooleanField(default=False)
    limp = models.BooleanField(default=False)
    note = models.TextField(blank=True, max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "date", "session"], name="one_completion_per_session_per_day"
            ),
            models.CheckConstraint(
                condition=Q(site_pain_during__lte=10)
                & (Q(effort__isnull=True) | Q(effort__lte=10))
                & (Q(next_morning_pain__isnull=True) | Q(next_morning_pain__lte=10)),
                name="completion_pain_0_to_10",
            ),
        ]
        indexes = [models.Index(fields=["plan", "kind", "date"])]

    def __str__(self):
        return f"{self.label} on {self.date}"

    def as_completion(self) -> progression.Completion:
        return progression.Completion(
            date=self.date,
            site_pain_during=self.site_pain_during,
            next_morning_pain=self.next_morning_pain,
            swelling=self.swelling,
            limp=self.limp,
        )


ACTION_CHOICES = [
    (progression.Action.ADVANCE, "Advance"),
    (progression.Action.HOLD, "Hold"),
    (progression.Action.STEP_BACK, "Step back"),
    (progression.Action.STOP_REVIEW, "Stop for review"),
    (progression.Action.COMPLETE, "Complete"),
]


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPLIED = "applied", "Applied automatically"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    SUPERSEDED = "superseded", "Superseded"


class ProposalQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ProposalStatus.PENDING)


class PlanProposal(models.Model):
    """What the progression engine proposed, with its reasons, and what became of it.

    Unique on (plan, key): the key names the step, the day it started and the evidence judged,
    so evaluating again (on the next save, or nightly) finds the proposal it already stored.
    At most one proposal per plan waits for approval.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="proposals")
    key = models.CharField(max_length=160)
    action = models.CharField(max_length=12, choices=ACTION_CHOICES)
    from_phase_index = models.PositiveSmallIntegerField()
    from_step_index = models.PositiveSmallIntegerField()
    to_phase_index = models.PositiveSmallIntegerField()
    to_step_index = models.PositiveSmallIntegerField()
    from_label = models.CharField(max_length=260)
    to_label = models.CharField(max_length=260)
    reasons = models.JSONField(default=list)
    needs_approval = models.BooleanField(default=False)
    clearance = models.CharField(
        max_length=300, blank=True, help_text="What the approver confirms (leaving a phase)."
    )
    rules_version = models.CharField(max_length=20)
    evaluated_on = models.DateField()
    status = models.CharField(max_length=12, choices=ProposalStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="one_proposal_per_key"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(status="pending"),
                name="one_pending_proposal_per_plan",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.get_action_display()} for {self.plan} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == ProposalStatus.PENDING

    @property
    def changes_phase(self) -> bool:
        return self.to_phase_index != self.from_phase_index

    @property
    def reason_texts(self) -> list[str]:
        return [reason["text"] for reason in self.reasons]


class TransitionKind(models.TextChoices):
    START = "start", "Started"
    ADVANCE = progression.Action.ADVANCE, "Advanced"
    HOLD = progression.Action.HOLD, "Held"
    STEP_BACK = progression.Action.STEP_BACK, "Stepped back"
    STOP_REVIEW = progression.Action.STOP_REVIEW, "Stopped for review"
    COMPLETE = progression.Action.COMPLETE, "Completed"
    RESUME = progression.RESUME, "Resumed"
    END = "end", "Ended"


class PlanTransition(models.Model):
    """Every change of a plan's state, with its reasons and who made it (empty: automatic).

    Unique on (plan, key), where the key names the change and the state it was made from: the
    nightly evaluation and the one on save can both try, and only one change is ever applied.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="transitions")
    key = models.CharField(max_length=160)
    kind = models.CharField(max_length=12, choices=TransitionKind.choices)
    date = models.DateField(help_text="The patient's local date it took effect.")
    from_phase_index = models.PositiveSmallIntegerField(null=True, blank=True)
    from_step_index = models.PositiveSmallIntegerField(null=True, blank=True)
    to_phase_index = models.PositiveSmallIntegerField()
    to_step_index = models.PositiveSmallIntegerField()
    from_label = models.CharField(max_length=260, blank=True)
    to_label = models.CharField(max_length=260)
    phase_label = models.CharField(max_length=120, help_text="The phase it moved to or stayed in.")
    reasons = models.JSONField(default=list)
    proposal = models.ForeignKey(
        PlanProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="transitions"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="one_transition_per_key")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.date}: {self.to_label}"

    @property
    def changes_phase(self) -> bool:
        return self.from_phase_index is None or self.from_phase_index != self.to_phase_index

    @property
    def reason_texts(self) -> list[str]:
        return [reason["text"] for reason in self.reasons]

    def as_engine_transition(self) -> progression.Transition:
        return progression.Transition(self.date, self.kind)


class ClinicProgressionPolicy(models.Model):
    """A clinic's changes to the progression defaults (`rehab.rules.progression`); changed keys."""

    clinic = models.OneToOneField(
        Clinic, on_delete=models.CASCADE, related_name="progression_policy"
    )
    overrides = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "clinic progression policies"

    def __str__(self):
        return f"Progression rules of {self.clinic}"

    def thresholds(self) -> dict:
        return resolve_thresholds(self.overrides, progression.PROGRESSION_POLICY_DEFAULTS)


def progression_thresholds(clinic: Clinic) -> dict:
    """The values the clinic's plans progress by: the defaults with its overrides applied."""
    policy = ClinicProgressionPolicy.objects.filter(clinic=clinic).first()
    if policy is None:
        return resolve_thresholds({}, progression.PROGRESSION_POLICY_DEFAULTS)
    return policy.thresholds()
