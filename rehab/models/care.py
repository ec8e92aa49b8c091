"""Care-team collaboration on a patient: tasks (a referral, a check, a hand-off) and their notes.

A task is for one role to act on (therapist, coach or nutritionist) and is shared with at most
one care-team role. Clinic staff see every task of their clinic's patients; a coach or
nutritionist sees only the tasks shared with their role, on patients whose care team they are
on (the patient is loaded through `clinic.access` first; `visible_to` narrows within it).
Patients do not see tasks: they are the team's working notes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.models import CARE_TEAM_ROLES, Patient, Role
from rehab.models.plans import Plan


class CareTaskKind(models.TextChoices):
    NUTRITIONIST_REFERRAL = "nutritionist_referral", "Nutritionist referral"
    FOOTWEAR_CHECK = "footwear_check", "Footwear check"
    COACH_LOAD_PLANNING = "coach_load_planning", "Load planning with the coach"
    STRENGTH_EMPHASIS = "strength_emphasis", "Strength emphasis"
    PHYSICIAN_LEVELS = "physician_levels", "Vitamin D and calcium levels"
    BONE_HEALTH_WORKUP = "bone_health_workup", "Bone-health work-up"
    RECURRENCE_REVIEW = "recurrence_review", "Recurrence review"
    REST_DAYS = "rest_days", "Rest days"
    ENERGY_ITEMS = "energy_items", "Energy and menstrual questions"
    MESSAGE = "message", "Message"
    MISSED_VISIT = "missed_visit", "Missed visit"


TASK_ROLES = [(Role.THERAPIST.value, "Therapist")] + [
    (role.value, role.label) for role in CARE_TEAM_ROLES
]
SHARE_CHOICES = [("", "Clinic staff only")] + [
    (role.value, f"{role.label} on the care team") for role in CARE_TEAM_ROLES
]


class CareTaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    REPLIED = "replied", "Replied"
    DONE = "done", "Done"


class CareTaskQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=CareTaskStatus.DONE)

    def visible_to(self, user, *, staff: bool):
        """Tasks this person may read, among tasks of patients they may see."""
        if staff:
            return self
        roles = user.care_teams.filter(patient_id=models.OuterRef("patient_id")).values("role")
        return self.filter(shared_with__in=roles).exclude(shared_with="")


class CareTask(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_tasks")
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="care_tasks"
    )
    kind = models.CharField(max_length=24, choices=CareTaskKind.choices)
    title = models.CharField(max_length=160)
    detail = models.TextField(blank=True, max_length=2000)
    role = models.CharField("for", max_length=20, choices=TASK_ROLES)
    shared_with = models.CharField(max_length=20, choices=SHARE_CHOICES, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=CareTaskStatus.choices, default=CareTaskStatus.OPEN
    )
    source = models.CharField(
        max_length=40, blank=True, help_text="The intake risk-profile action that suggested it."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CareTaskQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["patient", "status"])]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_done(self) -> bool:
        return self.status == CareTaskStatus.DONE

    def mark_done(self, *, by) -> None:
        self.status, self.done_at, self.done_by = CareTaskStatus.DONE, timezone.now(), by
        self.save(update_fields=["status", "done_at", "done_by", "updated_at"])


class CareNote(models.Model):
    """One message in a task's thread."""

    task = models.ForeignKey(CareTask, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Note by {self.author} on {self.task}"
