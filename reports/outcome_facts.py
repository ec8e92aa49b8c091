"""Per-patient outcome facts (`reports.models.OutcomeFacts`): worked out here, stored, grouped.

The outcome dashboard used to work out every patient's milestones from their whole history on
each view (seconds at 50,000 patients). Now each patient has one row of facts, and the dashboard
groups those rows (`reports.outcomes`). A row changes only when the patient's logs, plan
sessions, plans or intakes do, so each of those writes calls `outcome_facts_refresh` inside its
own transaction (and so do a discharge and a change of the responsible therapist, which the
row copies so the dashboard reads one table); `outcome_facts_rebuild` (`manage.py
outcome_facts_rebuild`) recomputes every row, after a bulk load or a change of definitions.

`compute` is the one place the facts are worked out, for any number of patients in a fixed
number of queries; the summary export and the progress report read their milestones from it
too, so every figure agrees. Definitions: `reports.measures`.
"""

import dataclasses
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.fields.json import KT
from django.utils import timezone

from clinic.models import Patient
from intake.models import Intake, IntakeDecision
from rehab.models import (
    RUNNING_KINDS,
    ActivityKind,
    DailyLog,
    Plan,
    PlanStatus,
    SessionCompletion,
    SessionKind,
    care_start,
    patient_zone,
)
from reports import measures
from reports.models import OutcomeFacts, PlanState

REBUILD_BATCH = 500  # patients worked out per transaction by the rebuild
UNDER_WAY = (PlanStatus.ACTIVE, PlanStatus.REVIEW)
STORED_FIELDS = [
    field.name
    for field in OutcomeFacts._meta.concrete_fields
    if field.name not in ("patient", "updated_at")
] + ["updated_at"]


@dataclasses.dataclass(frozen=True)
class Computed:
    """A patient's facts, and what the exports also need of the latest intake."""

    facts: OutcomeFacts
    intake_at: dt.datetime | None
    weekly_m: int | None  # the pre-injury weekly distance, for full volume

    @property
    def milestones(self) -> measures.Milestones:
        f = self.facts
        return measures.Milestones(f.first_pain_free_walk, f.first_run, f.full_volume)


def outcome_facts_refresh(patient: Patient | uuid.UUID) -> None:
    """Recompute one patient's row. Call it in the transaction of the write that changed them."""
    patient_id = patient.pk if isinstance(patient, Patient) else patient
    _store(computed.facts for computed in compute([patient_id]).values())


def outcome_facts_rebuild(*, clinic_id: int | None = None, say=None) -> int:
    """Recompute every patient's row (of one clinic, or all), REBUILD_BATCH patients a
    transaction. Idempotent. Returns how many rows were written."""
    patients = Patient.objects.order_by("pk")
    if clinic_id is not None:
        patients = patients.filter(clinic_id=clinic_id)
    written = 0
    for batch in _batched(patients.values_list("pk", flat=True).iterator(), REBUILD_BATCH):
        with transaction.atomic():
            written += _store(computed.facts for computed in compute(batch).values())
        if say:
            say(written)
    return written


def _batched(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _store(rows: Iterable[OutcomeFacts]) -> int:
    rows = list(rows)
    OutcomeFacts.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["patient"], update_fields=STORED_FIELDS
    )
    return len(rows)


# --- Working them out ---------------------------------------------------------------------------


def compute(
    patient_ids: Iterable[uuid.UUID], *, days: dict[uuid.UUID, list[measures.Day]] | None = None
) -> dict[uuid.UUID, Computed]:
    """The facts of these patients (unsaved rows), by patient id. Six queries, however many;
    five when the caller has read their `days_by_patient` already. Otherwise only the logs
    that can hold a milestone are read: those of patients whose rehab has started, from the
    earliest such start."""
    ids = list(patient_ids)
    patients = Patient.objects.filter(pk__in=ids).only(
        "pk", "clinic_id", "time_zone", "created_at", "discharged_at", "therapist_id"
    )
    intakes, decided = _intakes(ids), _rehab_decisions(ids)
    plans, planned_runs = _plans(ids), _planned_runs(ids)
    episodes = {
        patient.pk: _episode(
            patient, intakes.get(patient.pk, []), decided, plans.get(patient.pk, [])
        )
        for patient in patients
    }
    if days is None:
        started = {pk: e.rehab_from for pk, e in episodes.items() if e.rehab_from is not None}
        days = days_by_patient(list(started), since=min(started.values(), default=None))
    return {
        pk: _computed(episode, intakes.get(pk, []), days.get(pk, []), planned_runs.get(pk, []))
        for pk, episode in episodes.items()
    }


def day_zero(patient: Patient, intake_at: dt.datetime | None) -> dt.date:
    """Day 0 of the patient's episode: the latest intake's local date, else their care start."""
    if intake_at is None:
        return care_start(patient)
    return timezone.localtime(intake_at, patient_zone(patient)).date()


def _episode(patient, intakes, decided, plans) -> OutcomeFacts:
    """The facts that do not need the logs: day 0, the rehab start, the plan, recurrences."""
    zone = patient_zone(patient)
    latest = intakes[-1] if intakes else None
    day0 = day_zero(patient, latest["submitted_at"] if latest else None)
    decided_at = decided.get(latest["pk"]) if latest else None
    spans = [
        (
            plan["start_date"],
            _local(plan["ended_at"], zone) if plan["status"] not in UNDER_WAY else None,
        )
        for plan in plans
    ]
    current = next((plan for plan in plans if plan["status"] in UNDER_WAY), None)
    first_rehab = min((i["submitted_at"] for i in intakes if i["pk"] in decided), default=None)
    return OutcomeFacts(
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        discharged=patient.discharged_at is not None,
        therapist_id=patient.therapist_id,
        intake_date=day0 if latest else None,
        day0=day0,
        site_risk=(latest["risk"] or "") if latest else "",
        open_intake=any(i["status"] in Intake.OPEN_STATUSES for i in intakes),
        rehab_from=measures.rehab_start(day0, spans, decided_on=_local(decided_at, zone)),
        plan_state=PlanState.UNDER_WAY
        if current
        else (PlanState.ENDED if plans else PlanState.NONE),
        phase_kind=current["phase_kind"] if current else "",
        recurrences=sum(1 for i in intakes if first_rehab and i["submitted_at"] > first_rehab),
        treated=first_rehab is not None,
    )


def _computed(facts: OutcomeFacts, intakes, days, planned_runs) -> Computed:
    """`facts` with the milestones of the logs and sessions done."""
    latest = intakes[-1] if intakes else None
    weekly_m = measures.pre_injury_weekly_m(latest["weekly_km"]) if latest else None
    marks = measures.milestones(
        days, since=facts.rehab_from, full_volume_m=weekly_m, planned_runs=planned_runs
    )
    day0 = facts.day0
    facts.first_pain_free_walk = marks.first_pain_free_walk
    facts.first_run = marks.first_run
    facts.full_volume = marks.full_volume
    facts.days_to_pain_free_walk = _days(day0, marks.first_pain_free_walk)
    facts.days_to_first_run = _days(day0, marks.first_run)
    facts.days_to_full_volume = _days(day0, marks.full_volume)
    return Computed(facts, latest["submitted_at"] if latest else None, weekly_m)


def _local(moment: dt.datetime | None, zone) -> dt.date | None:
    return timezone.localtime(moment, zone).date() if moment else None


def _days(day0: dt.date, day: dt.date | None) -> int | None:
    return (day - day0).days if day is not None else None


def _intakes(ids: list) -> dict[uuid.UUID, list[dict]]:
    """Each patient's submitted intakes, oldest first (the last is the episode's)."""
    rows = (
        Intake.objects.filter(patient_id__in=ids, submitted_at__isnull=False)
        .annotate(risk=KT("result__site__risk"))
        .order_by("submitted_at", "pk")
        .values("patient_id", "pk", "submitted_at", "status", "risk", "answers__weekly_km")
    )
    found = defaultdict(list)
    for row in rows:
        row["weekly_km"] = row.pop("answers__weekly_km")
        found[row["patient_id"]].append(row)
    return found


def _rehab_decisions(ids: list) -> dict[int, dt.datetime]:
    """{intake id: when rehab was first decided on it}, for these patients' intakes."""
    rows = (
        IntakeDecision.objects.filter(
            intake__patient_id__in=ids, kind=IntakeDecision.Kind.START_REHAB
        )
        .order_by("decided_at")
        .values_list("intake_id", "decided_at")
    )
    found: dict[int, dt.datetime] = {}
    for intake_id, decided_at in rows:
        found.setdefault(intake_id, decided_at)
    return found


def _plans(ids: list) -> dict[uuid.UUID, list[dict]]:
    """Each patient's plans that started (not drafts), oldest first."""
    rows = (
        Plan.objects.filter(patient_id__in=ids)
        .exclude(status=PlanStatus.DRAFT)
        .order_by("start_date", "created_at")
        .values("patient_id", "status", "start_date", "ended_at", "phase_kind")
    )
    found = defaultdict(list)
    for row in rows:
        found[row["patient_id"]].append(row)
    return found


def _planned_runs(ids: list) -> dict[uuid.UUID, list[dt.date]]:
    """The days each patient marked a running key session of a plan done."""
    rows = (
        SessionCompletion.objects.filter(
            plan__patient_id__in=ids, kind=SessionKind.STEP, running=True
        )
        .values_list("plan__patient_id", "date")
        .distinct()
    )
    found = defaultdict(list)
    for patient_id, day in rows:
        found[patient_id].append(day)
    return found


def days_by_patient(
    patient_ids: list[uuid.UUID], *, since: dt.date | None = None
) -> dict[uuid.UUID, list[measures.Day]]:
    """Every logged day of these patients (from `since`) as `measures.Day`, oldest first. One
    query (none for no patients)."""
    if not patient_ids:
        return {}
    logs = DailyLog.objects.filter(patient_id__in=patient_ids)
    if since is not None:
        logs = logs.filter(date__gte=since)
    rows = (
        logs.order_by("patient_id", "date")
        .values_list("patient_id", "date", "site_pain", "activity_pain")
        .annotate(
            running_m=Sum("activities__distance_m", filter=Q(activities__kind__in=RUNNING_KINDS)),
            runs=Count("activities", filter=Q(activities__kind__in=RUNNING_KINDS)),
            walks=Count("activities", filter=Q(activities__kind=ActivityKind.WALK)),
        )
    )
    days: dict[uuid.UUID, list[measures.Day]] = {}
    for patient_id, date, site_pain, activity_pain, running_m, runs, walks in rows:
        days.setdefault(patient_id, []).append(
            measures.Day(date, site_pain, activity_pain, bool(walks), bool(runs), running_m or 0)
        )
    return days
