"""The clinic admin's outcome dashboard: a handful of GROUP BY queries over the per-patient
outcome facts (`reports.outcome_facts`), the same few queries whatever the caseload.

- Patients by care status, and the active ones by plan phase, with "no plan yet" and "plan
  ended", so each chart adds up to its headline (all patients; active patients).
- Median days from intake to the first run, by site risk class and by therapist
  (`reports.measures` defines day 0, the rehab start and a run); both add up to the runners who
  have had a first run.
- Recurrences: intakes of patients whose earlier intake led to rehab.
- Reminder delivery rates over the last 30 days, by channel, from the delivery ledger.
- Alerts per week, by the week of the logs they are about.
"""

import dataclasses
import datetime as dt
import json
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from clinic.models import Clinic, Patient
from notifications.models import KIND_RULES, Channel, Delivery
from rehab.models import AlertOccurrence
from rehab.rules import load
from rehab.rules.content import PHASE_KINDS
from reports.models import OutcomeFacts, PlanState

DELIVERY_WINDOW_DAYS = 30
ALERT_WEEKS = 12
REMINDER_KINDS = [kind for kind, rule in KIND_RULES.items() if rule.reminder]
RISK_LABELS = {"high": "High-risk sites", "low": "Low-risk sites", "": "Site not confirmed"}
NO_PLAN_YET = "No plan yet"
PLAN_ENDED = "Plan ended"


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
    def patients(self) -> int:
        """The status chart's headline: every patient of the clinic."""
        return sum(n for _, n in self.by_status)

    @property
    def active(self) -> int:
        """The phase chart's headline: patients not discharged."""
        return sum(n for _, n in self.by_phase)

    @property
    def runners(self) -> int:
        """The first-run table's headline: patients who have had a first run."""
        return sum(m.patients for m in self.first_run_by_risk)

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
    counts = patient_counts(clinic)
    by_risk, by_therapist = first_run_medians(clinic)
    return Dashboard(
        by_status=counts["status"],
        by_phase=counts["phase"],
        first_run_by_risk=by_risk,
        first_run_by_therapist=by_therapist,
        recurrences=counts["recurrences"],
        treated=counts["treated"],
        delivery_rates=delivery_rates(clinic, since=now - dt.timedelta(days=DELIVERY_WINDOW_DAYS)),
        alerts_per_week=alerts_per_week(clinic, today=timezone.localdate(now)),
    )


def patient_counts(clinic: Clinic) -> dict:
    """Every count of patients on the board: one aggregate over the facts, one count of the
    clinic's patients.

    A patient without a row yet (none of the writes that make it has happened: no intake, plan,
    log, discharge or change of therapist) counts as in care with no plan. Status: an open
    intake awaits a decision, else in care, unless discharged. Phase, of the patients not
    discharged: the phase of the plan under way, else "plan ended" when a plan ended, else "no
    plan yet".
    """
    active = Q(discharged=False)
    waiting = Q(open_intake=True)
    under_way = Q(plan_state=PlanState.UNDER_WAY)
    ended = Q(plan_state=PlanState.ENDED)
    phases = {
        f"phase_{kind}": Count("pk", filter=active & under_way & Q(phase_kind=kind))
        for kind in PHASE_KINDS
    }
    counts = OutcomeFacts.objects.filter(clinic=clinic).aggregate(
        rows=Count("pk"),
        waiting=Count("pk", filter=active & waiting),
        in_care=Count("pk", filter=active & ~waiting),
        gone=Count("pk", filter=~active),  # not "discharged": the field's own name
        ended=Count("pk", filter=active & ended),
        no_plan=Count("pk", filter=active & ~under_way & ~ended),
        recurrences=Sum("recurrences", default=0),
        treated=Count("pk", filter=Q(treated=True)),
        **phases,
    )
    without_row = Patient.objects.filter(clinic=clinic).count() - counts["rows"]
    by_phase = [(label, counts[f"phase_{kind}"]) for kind, label in PHASE_KINDS.items()]
    by_phase += [(NO_PLAN_YET, counts["no_plan"] + without_row), (PLAN_ENDED, counts["ended"])]
    return {
        "status": [
            ("Awaiting a triage decision", counts["waiting"]),
            ("In care", counts["in_care"] + without_row),
            ("Discharged", counts["gone"]),
        ],
        "phase": [(label, n) for label, n in by_phase if n],
        "recurrences": counts["recurrences"],
        "treated": counts["treated"],
    }


def first_run_medians(clinic: Clinic) -> tuple[list[Median], list[Median]]:
    """Median days from day 0 (the intake) to the first run of the episode's rehab, by site
    risk class and by therapist. One query: how many patients took each number of days, per
    risk class and therapist; the medians are read from those counts."""
    rows = (
        OutcomeFacts.objects.filter(clinic=clinic, days_to_first_run__isnull=False)
        .values_list(
            "site_risk",
            "therapist_id",
            "therapist__full_name",
            "days_to_first_run",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_risk, by_therapist = defaultdict(dict), defaultdict(dict)
    for risk, therapist_id, name, days, n in rows:
        label = RISK_LABELS.get(risk, risk)
        by_risk[label][days] = by_risk[label].get(days, 0) + n
        who = (name or "No therapist", therapist_id or 0)
        by_therapist[who][days] = by_therapist[who].get(days, 0) + n
    known = list(RISK_LABELS.values())  # every class shown, even when empty
    risks = [_median(label, by_risk.get(label, {})) for label in known]
    risks += [_median(label, by_risk[label]) for label in sorted(by_risk) if label not in known]
    therapists = [_median(who[0], counts) for who, counts in sorted(by_therapist.items())]
    return risks, therapists


def _median(label: str, counts: dict[int, int]) -> Median:
    """The median of a multiset given as {value: how many times}."""
    total = sum(counts.values())
    if not total:
        return Median(label, None, 0)
    middle, seen, values = ((total - 1) // 2, total // 2), 0, []
    for value in sorted(counts):
        for index in middle:
            if seen <= index < seen + counts[value]:
                values.append(value)
        seen += counts[value]
    return Median(label, sum(values) / 2, total)


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
