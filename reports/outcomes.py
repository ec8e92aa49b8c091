"""The clinic admin's outcome dashboard: a few aggregates, each one query whatever the caseload.

- Patients by care status (and by plan phase once plans are recorded, `reports.plans`).
- Median days from intake to the first run, by site risk class and by therapist: the first run
  on or after the latest intake's date (`reports.measures` defines a run).
- Recurrences: intakes of patients whose earlier intake led to rehab.
- Reminder delivery rates over the last 30 days, by channel, from the delivery ledger.
- Alerts per week, by the week of the logs they are about.
"""

import dataclasses
import datetime as dt
import json
import statistics
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, DateField, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce, Least, TruncWeek
from django.utils import timezone

from clinic.models import Clinic, Patient
from intake.models import Intake, IntakeDecision
from notifications.models import KIND_RULES, Channel, Delivery
from rehab.models import RUNNING_KINDS, AlertOccurrence, DailyLog
from rehab.rules import load
from reports import cohort, plans

DELIVERY_WINDOW_DAYS = 30
ALERT_WEEKS = 12
REMINDER_KINDS = [kind for kind, rule in KIND_RULES.items() if rule.reminder]
RISK_LABELS = {"high": "High-risk sites", "low": "Low-risk sites", "": "Site not confirmed"}


@dataclasses.dataclass(frozen=True)
class Median:
    label: str
    median_days: float | None
    patients: int


@dataclasses.dataclass(frozen=True)
class DeliveryRate:
    channel: str
    sent: int
    failed: int
    skipped: int
    waiting: int

    @property
    def percent(self) -> int | None:
        settled = self.sent + self.failed
        return round(self.sent * 100 / settled) if settled else None


@dataclasses.dataclass(frozen=True)
class Dashboard:
    by_status: list[tuple[str, int]]
    by_phase: list[tuple[str, int]]
    first_run_by_risk: list[Median]
    first_run_by_therapist: list[Median]
    recurrences: int
    treated: int
    delivery_rates: list[DeliveryRate]
    alerts_per_week: list[tuple[dt.date, int]]

    @property
    def chart_json(self) -> str:
        """The chart series for static/js/outcome-charts.js (data- attribute, autoescaped)."""
        return json.dumps(
            {
                "status": [[label, n] for label, n in self.by_status],
                "phase": [[label, n] for label, n in self.by_phase],
                "first_run_by_risk": [[m.label, m.median_days] for m in self.first_run_by_risk],
                "first_run_by_therapist": [
                    [m.label, m.median_days] for m in self.first_run_by_therapist
                ],
                "delivery": [[r.channel, r.percent] for r in self.delivery_rates],
                "alerts": [[week.isoformat(), n] for week, n in self.alerts_per_week],
            },
            cls=DjangoJSONEncoder,
        )


def dashboard(clinic: Clinic, *, now: dt.datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    patients = Patient.objects.filter(clinic=clinic)
    by_risk, by_therapist = first_run_medians(clinic)
    recurrences, treated = recurrence_counts(clinic)
    return Dashboard(
        by_status=status_counts(clinic),
        by_phase=plans.phase_counts(patients),
        first_run_by_risk=by_risk,
        first_run_by_therapist=by_therapist,
        recurrences=recurrences,
        treated=treated,
        delivery_rates=delivery_rates(clinic, since=now - dt.timedelta(days=DELIVERY_WINDOW_DAYS)),
        alerts_per_week=alerts_per_week(clinic, today=timezone.localdate(now)),
    )


def status_counts(clinic: Clinic) -> list[tuple[str, int]]:
    """Patients awaiting a triage decision, in care, and discharged. One query."""
    open_intake = Intake.objects.filter(patient=OuterRef("pk"), status__in=Intake.OPEN_STATUSES)
    counts = (
        Patient.objects.filter(clinic=clinic)
        .annotate(open_intake=Exists(open_intake))
        .aggregate(
            waiting=Count("pk", filter=Q(open_intake=True, discharged_at__isnull=True)),
            in_care=Count("pk", filter=Q(open_intake=False, discharged_at__isnull=True)),
            discharged=Count("pk", filter=Q(discharged_at__isnull=False)),
        )
    )
    return [
        ("Awaiting a triage decision", counts["waiting"]),
        ("In care", counts["in_care"]),
        ("Discharged", counts["discharged"]),
    ]


def first_run_medians(clinic: Clinic) -> tuple[list[Median], list[Median]]:
    """Median days from the latest intake to the first run after it (logged, or a running
    session of the plan done). One query."""
    since = Cast(OuterRef("intake_at"), DateField())
    logged_run = (
        DailyLog.objects.filter(
            patient=OuterRef("pk"), activities__kind__in=RUNNING_KINDS, date__gte=since
        )
        .order_by("date")
        .values("date")[:1]
    )
    rows = (
        cohort.with_intake(Patient.objects.filter(clinic=clinic))
        .filter(intake_at__isnull=False)
        .annotate(
            logged_run=Subquery(logged_run),
            planned_run=plans.first_planned_run_subquery(since),
        )
        .annotate(  # the earlier of the two; Least alone is NULL on SQLite if either is
            first_run=Least(
                Coalesce("logged_run", "planned_run"), Coalesce("planned_run", "logged_run")
            )
        )
        .filter(first_run__isnull=False)
        .select_related("therapist")
        .only("pk", "time_zone", "created_at", "therapist__full_name")
    )
    risk_days, therapist_days = defaultdict(list), defaultdict(list)
    for patient in rows:
        days = (patient.first_run - cohort.anchor_date(patient)).days
        risk_days[RISK_LABELS.get(patient.site_risk or "", patient.site_risk)].append(days)
        name = patient.therapist.full_name if patient.therapist else "No therapist"
        therapist_days[name].append(days)
    by_risk = [
        _median(label, risk_days.get(label, [])) for label in RISK_LABELS.values()
    ]  # every class shown, even when empty
    by_therapist = [_median(name, days) for name, days in sorted(therapist_days.items())]
    return by_risk, by_therapist


def _median(label: str, days: list[int]) -> Median:
    return Median(label, statistics.median(days) if days else None, len(days))


def recurrence_counts(clinic: Clinic) -> tuple[int, int]:
    """(recurrences, patients who started rehab). Two aggregates in one query."""
    started = IntakeDecision.objects.filter(kind=IntakeDecision.Kind.START_REHAB)
    earlier_rehab = started.filter(
        intake__patient=OuterRef("patient"), intake__submitted_at__lt=OuterRef("submitted_at")
    )
    counts = (
        Intake.objects.filter(clinic=clinic, patient__isnull=False, submitted_at__isnull=False)
        .annotate(
            after_rehab=Exists(earlier_rehab),
            led_to_rehab=Exists(started.filter(intake=OuterRef("pk"))),
        )
        .aggregate(
            recurrences=Count("pk", filter=Q(after_rehab=True)),
            treated=Count("patient", filter=Q(led_to_rehab=True), distinct=True),
        )
    )
    return counts["recurrences"], counts["treated"]


def delivery_rates(clinic: Clinic, *, since: dt.datetime) -> list[DeliveryRate]:
    """Reminders due since `since`, by channel: sent, failed, skipped, still waiting."""
    status = Delivery.Status
    rows = (
        Delivery.objects.for_clinic(clinic)
        .filter(kind__in=REMINDER_KINDS, due_at__gte=since)
        .values("channel")
        .annotate(
            sent=Count("pk", filter=Q(status=status.SENT)),
            failed=Count("pk", filter=Q(status=status.FAILED)),
            skipped=Count("pk", filter=Q(status=status.SKIPPED)),
            waiting=Count("pk", filter=Q(status__in=[status.QUEUED, status.SENDING])),
        )
        .order_by("channel")
    )
    found = {row["channel"]: row for row in rows}
    return [
        DeliveryRate(
            label,
            *(found.get(value, {}).get(k, 0) for k in ("sent", "failed", "skipped", "waiting")),
        )
        for value, label in Channel.choices
    ]


def alerts_per_week(clinic: Clinic, *, today: dt.date) -> list[tuple[dt.date, int]]:
    """Alert occurrences per ISO week of the logs they are about, the last ALERT_WEEKS weeks.

    Occurrences, not alerts: an alert gathers every occurrence of its rule until a clinician
    acknowledges it, so counting alerts would hide how often rules fired. One query."""
    first = load.week_start(today) - dt.timedelta(weeks=ALERT_WEEKS - 1)
    rows = (
        AlertOccurrence.objects.filter(patient__clinic=clinic, last_date__gte=first)
        .annotate(week=TruncWeek("last_date"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    counts = {_as_date(row["week"]): row["n"] for row in rows}
    weeks = [first + dt.timedelta(weeks=n) for n in range(ALERT_WEEKS)]
    return [(week, counts.get(week, 0)) for week in weeks]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
