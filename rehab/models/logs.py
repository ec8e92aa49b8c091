"""Daily logs, their edit history, alerts and each clinic's alert thresholds.

The rules that read these rows are pure Python in `rehab.rules.load` and `rehab.rules.alerts`;
the models only store what a patient logged and what the rules concluded, and turn rows into
the rules' plain dataclasses (`DailyLog.as_day_log()`).
"""

import datetime as dt
import uuid
import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from clinic.models import Clinic, Patient
from rehab.rules import alerts as alert_rules
from rehab.rules import load

# A patient may log, change or delete the days from today back to this many days ago.
EDIT_WINDOW_DAYS = 14
MAX_DISTANCE_M_PER_DAY = 150_000  # 150 km: more than any rehab day, less than any typo's reach
MAX_MINUTES_PER_DAY = 24 * 60

PAIN_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


def patient_zone(patient: Patient) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(patient.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def patient_today(patient: Patient) -> dt.date:
    """Today's date where the patient lives: the default date of their log."""
    return timezone.localdate(timezone=patient_zone(patient))


def care_start(patient: Patient) -> dt.date:
    """The first date a log may carry: the patient's first day in the clinic's care."""
    return timezone.localtime(patient.created_at, patient_zone(patient)).date()


class ActivityKind(models.TextChoices):
    # Values are rehab.rules.load.ActivityKind's, so rows feed the pure rules unchanged.
    RUN = load.ActivityKind.RUN, "Run"
    WALK = load.ActivityKind.WALK, "Walk"
    WALK_RUN = load.ActivityKind.WALK_RUN, "Walk-run"
    DEEP_WATER_RUNNING = load.ActivityKind.DEEP_WATER_RUNNING, "Deep-water running"
    CYCLING = load.ActivityKind.CYCLING, "Cycling"
    SWIMMING = load.ActivityKind.SWIMMING, "Swimming"
    ELLIPTICAL = load.ActivityKind.ELLIPTICAL, "Elliptical"
    ANTIGRAVITY_TREADMILL = load.ActivityKind.ANTIGRAVITY_TREADMILL, "Anti-gravity treadmill"
    OTHER_CROSS = load.ActivityKind.OTHER_CROSS, "Other cross-training"
    STRENGTH = load.ActivityKind.STRENGTH, "Strength session"
    REST = load.ActivityKind.REST, "Rest day"


# Kinds where a distance means nothing: a strength session or a rest day covers no ground.
NO_DISTANCE_KINDS = frozenset({ActivityKind.STRENGTH, ActivityKind.REST})
RUNNING_KINDS = [kind.value for kind in load.RUNNING_LOAD_KINDS]
CROSS_TRAINING_KINDS = [kind.value for kind in load.CROSS_TRAINING_KINDS]


class DailyLogQuerySet(models.QuerySet):
    def recent(self, today: dt.date, days: int):
        """Logs of the `days` days that end with `today`."""
        return self.filter(date__gt=today - dt.timedelta(days=days), date__lte=today)

    def with_activities(self):
        return self.prefetch_related("activities")


class DailyLog(models.Model):
    """One patient's day: pain at the injury site and what they did. One per patient and date.

    `morning_pain` is the pain on waking on `date`; it is how the previous day's activity sat with
    the bone, so the "next-morning pain" after day D is the `morning_pain` of the log of D + 1
    (as `rehab.rules.load.DayLog` defines it).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="daily_logs")
    date = models.DateField()
    site_pain = models.PositiveSmallIntegerField(
        "pain at the injury site now", validators=PAIN_VALIDATORS
    )
    activity_pain = models.PositiveSmallIntegerField(
        "pain during or after activity", null=True, blank=True, validators=PAIN_VALIDATORS
    )
    morning_pain = models.PositiveSmallIntegerField(
        "pain on waking this morning", null=True, blank=True, validators=PAIN_VALIDATORS
    )
    swelling = models.BooleanField(default=False)
    limp = models.BooleanField(default=False)
    notes = models.TextField(
        blank=True, max_length=2000, help_text="Clinical: shown to clinic staff, not the care team."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DailyLogQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_daily_log_per_day"),
            models.CheckConstraint(
                condition=Q(site_pain__lte=10)
                & (Q(activity_pain__isnull=True) | Q(activity_pain__lte=10))
                & (Q(morning_pain__isnull=True) | Q(morning_pain__lte=10)),
                name="daily_log_pain_0_to_10",
            ),
        ]

    def __str__(self):
        return f"{self.patient} on {self.date}"

    def is_editable(self, today: dt.date) -> bool:
        return is_within_edit_window(self.date, today)

    def as_day_log(self) -> load.DayLog:
        """This row as the pure rules read it (activities must be prefetched or are queried)."""
        return load.DayLog(
            date=self.date,
            site_pain=self.site_pain,
            activity_pain=self.activity_pain,
            morning_pain=self.morning_pain,
            swelling=self.swelling,
            limp=self.limp,
            activities=tuple(activity.as_activity() for activity in self.activities.all()),
        )

    def snapshot(self) -> dict:
        """Everything the patient entered, as JSON: what a revision keeps before and after."""
        return {
            "date": self.date.isoformat(),
            "site_pain": self.site_pain,
            "activity_pain": self.activity_pain,
            "morning_pain": self.morning_pain,
            "swelling": self.swelling,
            "limp": self.limp,
            "notes": self.notes,
            "activities": [activity.snapshot() for activity in self.activities.all()],
        }


def is_within_edit_window(day: dt.date, today: dt.date) -> bool:
    return today - dt.timedelta(days=EDIT_WINDOW_DAYS) <= day <= today


class Activity(models.Model):
    """One session of a day: a run, a walk, cross-training, strength, or a rest day."""

    log = models.ForeignKey(DailyLog, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=24, choices=ActivityKind.choices)
    distance_m = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_DISTANCE_M_PER_DAY)]
    )
    duration_min = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_MINUTES_PER_DAY)]
    )
    rpe = models.PositiveSmallIntegerField(
        "effort (RPE 0–10)", null=True, blank=True, validators=PAIN_VALIDATORS
    )

    class Meta:
        ordering = ["log", "position", "id"]
        verbose_name_plural = "activities"

    def __str__(self):
        return f"{self.get_kind_display()} on {self.log.date}"

    def as_activity(self) -> load.Activity:
        return load.Activity(self.kind, self.distance_m, self.duration_min, self.rpe)

    def snapshot(self) -> dict:
        return {
            "kind": self.kind,
            "distance_m": self.distance_m,
            "duration_min": self.duration_min,
            "rpe": self.rpe,
        }


class LogRevision(models.Model):
    """One change to a daily log: who, when, and the whole log before and after.

    Kept when the log is deleted (the log link becomes empty; patient and date remain).
    """

    class Action(models.TextChoices):
        CREATE = "create", "Logged"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="log_revisions")
    log = models.ForeignKey(
        DailyLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    log_date = models.DateField()
    action = models.CharField(max_length=10, choices=Action.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["patient", "log_date"])]

    def __str__(self):
        return f"{self.get_action_display()} log of {self.log_date} by {self.changed_by}"

    def changed_fields(self) -> list[str]:
        """The snapshot keys whose value differs between before and after."""
        before, after = self.before or {}, self.after or {}
        return [key for key in after if before.get(key) != after.get(key)] if before else []


class AlertQuerySet(models.QuerySet):
    def unacknowledged(self):
        """Waiting for a clinician, snoozed or not."""
        return self.filter(acknowledged_at__isnull=True)

    def open(self, now: dt.datetime | None = None):
        """Unacknowledged and not snoozed: what must reach a person now."""
        return self.unacknowledged().filter(~_snoozed(now))

    def snoozed(self, now: dt.datetime | None = None):
        """Unacknowledged, but its rule is snoozed for the patient: still recorded, not shown."""
        return self.unacknowledged().filter(_snoozed(now))

    def for_clinic(self, clinic: Clinic):
        return self.filter(patient__clinic=clinic)


def _snoozed(now: dt.datetime | None) -> Exists:
    return Exists(
        AlertSnooze.objects.active(now).filter(patient=OuterRef("patient"), rule=OuterRef("rule"))
    )


# Alerts from the log rules, and the one a plan raises when the progression engine stops it.
PLAN_STOPPED = "plan_stopped"
RULE_CHOICES = [(rule.code, rule.label) for rule in alert_rules.ALERT_RULES] + [
    (PLAN_STOPPED, "Plan stopped for review")
]
# Safety signals must always reach a person: pain at the alert level and a plan the engine
# stopped can be acknowledged, never snoozed.
UNSNOOZABLE_RULES = frozenset({alert_rules.SITE_PAIN.code, PLAN_STOPPED})
SNOOZE_MAX_DAYS = 30


class AcknowledgementReason(models.TextChoices):
    SPOKE_TO_RUNNER = "spoke_to_runner", "Spoke to the runner"
    EXPECTED = "expected", "Expected — plan allows it"
    PLAN_ADJUSTED = "plan_adjusted", "Plan adjusted"
    NOT_RELEVANT = "not_relevant", "Not clinically relevant"
    OTHER = "other", "Other"


class Alert(models.Model):
    """One rule firing for a patient, open until a clinician acknowledges it.

    At most one open alert per (patient, rule): a new occurrence of the rule (an
    `AlertOccurrence`, unique on its key) is recorded on the open alert, which then shows the
    latest reason, every date and the count. An occurrence after the alert was acknowledged opens
    a new one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    key = models.CharField(max_length=80, help_text="The key of the latest occurrence.")
    rule = models.CharField(max_length=40, choices=RULE_CHOICES)
    reason = models.TextField(help_text="The latest occurrence's reason.")
    evidence = models.CharField(max_length=200)
    section = models.CharField(max_length=120)
    dates = models.JSONField(
        default=list, help_text="ISO dates of the logs the occurrences are about, in order."
    )
    rules_version = models.CharField(max_length=20)
    first_date = models.DateField(help_text="The earliest of `dates`.")
    last_date = models.DateField(help_text="The latest of `dates`: when the alert is about.")
    occurrences = models.PositiveIntegerField(default=1)
    raised_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(
        default=timezone.now, help_text="When the latest occurrence was recorded."
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledgement_reason = models.CharField(
        max_length=20, choices=AcknowledgementReason.choices, blank=True
    )
    acknowledgement_note = models.TextField(blank=True, max_length=1000)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-last_date", "-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rule"],
                condition=Q(acknowledged_at__isnull=True),
                name="one_open_alert_per_rule",
            )
        ]
        indexes = [models.Index(fields=["patient", "acknowledged_at"])]

    def __str__(self):
        return f"{self.get_rule_display()} for {self.patient} ({self.last_date})"

    @property
    def is_open(self) -> bool:
        """Not yet acknowledged (a snoozed alert is still open: its rule is only muted)."""
        return self.acknowledged_at is None

    @property
    def is_snoozable(self) -> bool:
        return self.rule not in UNSNOOZABLE_RULES

    @property
    def log_dates(self) -> list[dt.date]:
        return [dt.date.fromisoformat(day) for day in self.dates]

    @property
    def acknowledgement_text(self) -> str:
        """The reason chosen and the note, as one line for lists and reports."""
        parts = [self.get_acknowledgement_reason_display(), self.acknowledgement_note]
        return " — ".join(part for part in parts if part)

    def record(self, occurrences: list["AlertOccurrence"]) -> None:
        """Take new occurrences (in date order): the latest reason, every date, the count."""
        latest = occurrences[-1]
        self.key, self.reason, self.rules_version = latest.key, latest.reason, latest.rules_version
        days = {*self.dates, *(day for occurrence in occurrences for day in occurrence.dates)}
        self.dates = sorted(days)
        self.first_date = dt.date.fromisoformat(self.dates[0])
        self.last_date = dt.date.fromisoformat(self.dates[-1])
        self.refreshed_at = latest.recorded_at

    def acknowledge(self, *, by, reason: str, note: str = "") -> None:
        self.acknowledged_at, self.acknowledged_by = timezone.now(), by
        self.acknowledgement_reason, self.acknowledgement_note = reason, note
        self.save(
            update_fields=[
                "acknowledged_at",
                "acknowledged_by",
                "acknowledgement_reason",
                "acknowledgement_note",
            ]
        )


class AlertOccurrence(models.Model):
    """One firing of a rule, named by its key (rule and anchor date), recorded on an alert.

    Unique on (patient, key): evaluating the same logs again finds the occurrence already stored
    and records nothing, whether its alert is open or was acknowledged long ago.
    """

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="history")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    reason = models.TextField()
    dates = models.JSONField(default=list)
    last_date = models.DateField()
    rules_version = models.CharField(max_length=20)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_date", "recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "key"], name="one_occurrence_per_key")
        ]

    def __str__(self):
        return self.key


class AlertSnoozeQuerySet(models.QuerySet):
    def active(self, now: dt.datetime | None = None):
        return self.filter(lifted_at__isnull=True, until__gt=now or timezone.now())


class AlertSnooze(models.Model):
    """A clinician mutes one rule for one patient until `until`; occurrences are still recorded.

    At most one not lifted per (patient, rule); a new snooze ends the previous one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alert_snoozes")
    rule = models.CharField(max_length=40, choices=RULE_CHOICES)
    until = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    lifted_at = models.DateTimeField(
        null=True, blank=True, help_text="When it ended early, or was replaced by a new snooze."
    )
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AlertSnoozeQuerySet.as_manager()

    class Meta:
        ordering = ["until"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "rule"],
                condition=Q(lifted_at__isnull=True),
                name="one_snooze_per_rule",
            ),
            models.CheckConstraint(
                condition=~Q(rule__in=sorted(UNSNOOZABLE_RULES)), name="safety_rules_not_snoozed"
            ),
        ]

    def __str__(self):
        return f"{self.get_rule_display()} snoozed for {self.patient} until {self.until}"


class ClinicAlertPolicy(models.Model):
    """A clinic's changes to `rehab.rules.alerts.ALERT_POLICY_DEFAULTS`; only the changed keys."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="alert_policy")
    overrides = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "clinic alert policies"

    def __str__(self):
        return f"Alert thresholds of {self.clinic}"

    def thresholds(self) -> dict:
        return alert_rules.resolve_thresholds(self.overrides, alert_rules.ALERT_POLICY_DEFAULTS)


def alert_thresholds(clinic: Clinic) -> dict:
    """The thresholds the clinic's alerts use: the defaults with its overrides applied."""
    policy = ClinicAlertPolicy.objects.filter(clinic=clinic).first()
    if policy is None:
        return alert_rules.resolve_thresholds({}, alert_rules.ALERT_POLICY_DEFAULTS)
    return policy.thresholds()


def running_snoozes(patient: Patient) -> list[AlertSnooze]:
    """The patient's running snoozes, each with `waiting`: the occurrences recorded meanwhile on
    the rule's alert, so the page says what the snooze holds back. Two queries."""
    snoozes = list(
        AlertSnooze.objects.active().filter(patient=patient).select_related("created_by")
    )
    waiting = dict(
        Alert.objects.snoozed()
        .filter(patient=patient, rule__in=[snooze.rule for snooze in snoozes])
        .values_list("rule", "occurrences")
    )
    for snooze in snoozes:
        snooze.waiting = waiting.get(snooze.rule, 0)
    return snoozes


def with_log_summary(patients: models.QuerySet, *, today: dt.date, sparkline_days: int):
    """`patients` with their recent pains for a caseload (`recent_logs`): one prefetch for the
    whole page, so the query count does not grow with patients or logs. The open alerts and the
    last log date are stored on the patient (`rehab.services.patient_signals_refresh`)."""
    recent = (
        DailyLog.objects.recent(today, sparkline_days)
        .order_by("date")
        .only("patient_id", "date", "site_pain", "activity_pain", "morning_pain")
    )
    return patients.prefetch_related(Prefetch("daily_logs", queryset=recent, to_attr="recent_logs"))
