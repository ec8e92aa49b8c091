"""Reminder preferences, the delivery ledger, and in-app notifications.

The ledger (`Delivery`) is what makes reminders exactly-once: one row per patient, kind, due moment
and channel, unique in the database, claimed by one sender at a time. `docs/reminders.md` tells
the whole story; `notifications.services` holds the workflows.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.models import Clinic, Patient

DEFAULT_DAILY_TIME = dt.time(19, 0)
DEFAULT_MORNING_TIME = dt.time(7, 30)
DEFAULT_QUIET_START = dt.time(22, 0)
DEFAULT_QUIET_END = dt.time(7, 0)


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"
    IN_APP = "in_app", "In the app"


class Kind(models.TextChoices):
    DAILY_LOG = "daily_log", "Daily log reminder"
    SESSIONS_TODAY = "sessions_today", "Today's sessions"
    MISSED_LOG = "missed_log", "Missed-log nudge"
    PAIN_CHECK = "pain_check", "Next-morning pain check"
    PLAN_ADVANCED = "plan_advanced", "Plan advanced"
    PLAN_HELD = "plan_held", "Plan held"
    PLAN_STEPPED_BACK = "plan_stepped_back", "Plan stepped back"
    PLAN_APPROVED = "plan_approved", "Plan approved"
    CARE_MESSAGE = "care_message", "Message from the care team"
    INTAKE_INVITATION = "intake_invitation", "Intake questionnaire link"
    INTAKE_EXPIRY = "intake_expiry", "Intake link about to expire"
    MISSED_LOGS_THERAPIST = "missed_logs_therapist", "Patient not logging (therapist)"
    PATIENT_ASSIGNED = "patient_assigned", "Patient assigned to you (therapist)"
    VISIT_REMINDER = "visit_reminder", "Follow-up visit reminder"
    VISIT_MISSED = "visit_missed", "Missed visit (therapist)"
    MEASURES_DUE = "measures_due", "Questionnaires due"


@dataclass(frozen=True)
class KindRule:
    """How one kind behaves. `reminder`: planned on a schedule (else an event someone raised)."""

    reminder: bool
    to_therapist: bool = False
    # Never sent later than this after it could first have gone out; a stale reminder is noise.
    max_delay: dt.timedelta = dt.timedelta(hours=12)
    # In-app notices of this kind disappear from the list after this long (None: kept).
    shown_for: dt.timedelta | None = None
    # URL name the message links to ("" for none); patient-facing ones take no arguments.
    action: str = ""
    action_label: str = ""


KIND_RULES = {
    Kind.DAILY_LOG: KindRule(
        True, shown_for=dt.timedelta(days=1), action="log_today", action_label="Log today"
    ),
    Kind.SESSIONS_TODAY: KindRule(
        True,
        max_delay=dt.timedelta(hours=8),
        shown_for=dt.timedelta(days=1),
        action="today",
        action_label="See today's plan",
    ),
    Kind.MISSED_LOG: KindRule(
        True, shown_for=dt.timedelta(days=3), action="log_today", action_label="Log today"
    ),
    Kind.PAIN_CHECK: KindRule(
        True,
        max_delay=dt.timedelta(hours=6),
        shown_for=dt.timedelta(days=1),
        action="log_today",
        action_label="Log this morning's pain",
    ),
    **{
        kind: KindRule(
            False, max_delay=dt.timedelta(days=3), action="patient_home", action_label="Open"
        )
        for kind in (
            Kind.PLAN_ADVANCED,
            Kind.PLAN_HELD,
            Kind.PLAN_STEPPED_BACK,
            Kind.PLAN_APPROVED,
            Kind.CARE_MESSAGE,
        )
    },
    Kind.INTAKE_INVITATION: KindRule(False, max_delay=dt.timedelta(days=14)),
    Kind.INTAKE_EXPIRY: KindRule(False, max_delay=dt.timedelta(days=2)),
    Kind.MISSED_LOGS_THERAPIST: KindRule(
        True, to_therapist=True, max_delay=dt.timedelta(days=2), action="patient_detail"
    ),
    # Written straight to the new owner's list (`services.staff_notify`), not through the ledger.
    Kind.PATIENT_ASSIGNED: KindRule(False, to_therapist=True, action="patient_detail"),
    # Planned for the evening before the visit (`services.visit_reminders_plan`), once per visit
    # and start time: its ledger key names both, so a moved visit is reminded again.
    Kind.VISIT_REMINDER: KindRule(
        True,
        shown_for=dt.timedelta(days=2),
        action="today",
        action_label="See your visit",
    ),
    Kind.VISIT_MISSED: KindRule(False, to_therapist=True, action="patient_detail"),
    # Raised once per occasion (baseline, each 4 weeks of a plan, discharge) by the daily
    # `rehab.tasks.measures_remind` (rehab.measures.services.measures_remind).
    Kind.MEASURES_DUE: KindRule(
        False,
        max_delay=dt.timedelta(days=3),
        shown_for=dt.timedelta(days=7),
        action="my_measures",
        action_label="Answer them",
    ),
}
PLAN_KINDS = (Kind.PLAN_ADVANCED, Kind.PLAN_HELD, Kind.PLAN_STEPPED_BACK, Kind.PLAN_APPROVED)
EVENT_KINDS = (*PLAN_KINDS, Kind.CARE_MESSAGE, Kind.MEASURES_DUE)
INTAKE_KINDS = (Kind.INTAKE_INVITATION, Kind.INTAKE_EXPIRY)


class ReminderPreference(models.Model):
    """A patient's choices about reminders. Patients without a row get the defaults."""

    patient = models.OneToOneField(
        Patient, primary_key=True, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    by_email = models.BooleanField("e-mail", default=True)
    by_sms = models.BooleanField("text message (SMS)", default=False)
    in_app = models.BooleanField("in the app", default=True)
    daily_time = models.TimeField("daily log reminder", default=DEFAULT_DAILY_TIME)
    morning_time = models.TimeField("morning pain check", default=DEFAULT_MORNING_TIME)
    quiet_start = models.TimeField(null=True, blank=True, default=DEFAULT_QUIET_START)
    quiet_end = models.TimeField(null=True, blank=True, default=DEFAULT_QUIET_END)
    paused_until = models.DateField(
        null=True, blank=True, help_text="No reminders up to and including this date."
    )
    opted_out_at = models.DateTimeField(
        null=True, blank=True, help_text="Unsubscribed: nothing is sent until they resume."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Reminder preferences of {self.patient}"

    @classmethod
    def of(cls, patient: Patient) -> "ReminderPreference":
        """The patient's preferences, unsaved defaults when they have never changed them."""
        try:
            return patient.reminder_preference
        except cls.DoesNotExist:
            return cls(patient=patient)

    def channels(self) -> list[str]:
        """The channels the patient chose that they can be reached on."""
        patient = self.patient
        chosen = {
            Channel.EMAIL: self.by_email and bool(patient.email),
            Channel.SMS: self.by_sms and bool(patient.phone),
            Channel.IN_APP: self.in_app and patient.user_id is not None,
        }
        return [channel for channel, on in chosen.items() if on]

    def is_paused(self, on: dt.date) -> bool:
        return self.paused_until is not None and on <= self.paused_until


def reminders_allowed(patient: Patient, preference: ReminderPreference) -> str:
    """ "" when the patient may be sent reminders and notices, else the reason they may not."""
    if not patient.reminder_consent:
        return "no consent to reminders"
    if preference.opted_out_at is not None:
        return "unsubscribed"
    if patient.discharged_at is not None:
        return "discharged"
    return ""


class DeliveryQuerySet(models.QuerySet):
    def releasable(self, now: dt.datetime, *, requeue_after: dt.timedelta):
        """Rows a send task should be queued for: due and not already waiting in the queue,
        or claimed by a sender whose lease ran out (a worker that died mid-send)."""
        waiting = Q(status=Delivery.Status.QUEUED, send_after__lte=now) & (
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - requeue_after)
        )
        lease_over = Q(status=Delivery.Status.SENDING, claimed_until__lt=now)
        in_doubt = lease_over & Q(handed_over_at__isnull=False)
        return self.filter(waiting | lease_over).exclude(in_doubt)

    def in_doubt(self, now: dt.datetime):
        """Rows handed to the e-mail or SMS provider by a sender whose lease ran out before it
        recorded the answer: the message may have gone out. They are reconciled, never blindly
        sent again (`notifications.services.deliveries_reconcile`)."""
        return self.filter(
            status=Delivery.Status.SENDING, claimed_until__lt=now, handed_over_at__isnull=False
        )

    def for_clinic(self, clinic: Clinic):
        return self.filter(clinic=clinic)


class Delivery(models.Model):
    """One message to one person on one channel: the ledger row that keeps it exactly-once.

    Scheduled reminders are unique on (patient, kind, due moment, channel): however often the
    planner runs, it can only ever insert the row once. Events (plan changes, care-team messages,
    intake links) carry the caller's `key` instead and are unique on (kind, key, channel).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        # The sender died after handing it to the provider: it may have gone out, or not.
        UNKNOWN = "unknown", "Unconfirmed"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="deliveries")
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    intake_link = models.ForeignKey(
        "intake.IntakeLink",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who an in-app notice is for: the patient's account or their therapist.",
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    due_at = models.DateTimeField(help_text="The moment it fell due (its identity, for reminders).")
    key = models.CharField(max_length=120, blank=True, help_text="The event's identity.")
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=200, blank=True, help_text="Why it was skipped.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    send_after = models.DateTimeField(help_text="Not before: the due moment after quiet hours.")
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it was first handed to the e-mail or SMS provider, committed before the "
        "call: a row still sending with this set may have gone out.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind", "due_at", "channel"],
                condition=Q(key=""),
                name="one_reminder_per_patient_kind_moment_channel",
            ),
            models.UniqueConstraint(
                fields=["kind", "key", "channel"],
                condition=~Q(key=""),
                name="one_notice_per_kind_key_channel",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "send_after"], name="delivery_release"),
            models.Index(fields=["patient", "-due_at"], name="delivery_history"),
            models.Index(fields=["clinic", "status", "-due_at"], name="delivery_clinic_status"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.get_channel_display()} ({self.status})"

    @property
    def rule(self) -> KindRule:
        return KIND_RULES[self.kind]

    @property
    def deadline(self) -> dt.datetime:
        """After this it is too late to send: `max_delay` after it first could have gone out."""
        return max(self.created_at, self.send_after) + self.rule.max_delay


class Reminder(models.Model):
    """A reminder that fell due for a patient, before it is fanned out to their channels.

    The planner writes one narrow row per patient, kind and due moment, its primary key: however
    often it runs, a reminder is planned once. The send task turns the row into one ledger row
    per chosen channel (`Delivery`, with quiet hours applied) just before sending, and marks it
    `fanned_out_at` in the same transaction. Kept light for the planner's bulk insert: the key
    is the only index (no id, no sequence), no foreign-key constraint (Django still deletes a
    patient's rows with the patient). Spent rows are forgotten a few days later
    (`notifications_clean_up`).
    """

    pk = models.CompositePrimaryKey("patient_id", "kind", "due_at")
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    due_at = models.DateTimeField()
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.get_kind_display()} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def key(self) -> list[str]:
        """The primary key as the send task carries it (JSON)."""
        return [str(self.patient_id), self.kind, self.due_at.isoformat()]

    @staticmethod
    def key_of(key: list[str]) -> tuple:
        """The primary key from `key`'s JSON form (or PostgreSQL's text of it)."""
        patient_id, kind, due_at = key
        moment = dt.datetime.fromisoformat(due_at)
        if moment.tzinfo is None:  # SQLite's text of a stored time: UTC without an offset
            moment = moment.replace(tzinfo=dt.UTC)
        return (uuid.UUID(patient_id), kind, moment)


class NotificationQuerySet(models.QuerySet):
    def shown(self, now: dt.datetime | None = None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in a person's in-app list (patients and staff), with read state."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    delivery = models.OneToOneField(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    def mark_read(self) -> None:
        if self.read_at is None:
            self.read_at = timezone.now()
            Notification.objects.filter(pk=self.pk, read_at__isnull=True).update(
                read_at=self.read_at
            )


class CareMessage(models.Model):
    """A short message from the clinic to a patient, delivered as a notice (Kind.CARE_MESSAGE)
    on the patient's channels: the message is kept here, its deliveries in the ledger."""

    MAX_LENGTH = 1000

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Message to {self.patient}"
