"""What a plan looked like over time, read from its transitions. Reads only.

Where the plan stood on each day (for the "running while the plan says no running" alert and for
adherence), its phase history and the chart's phase markers, the first run, and the current
phase of many patients at once. Reports and exports read plans through these functions:

- `current_phases(patient_ids)`: {patient id: phase name} in one query;
- `phase_history(plan)`: the phases with their start, end and the reason for each change;
- `first_run_date(patient)`: the first completed session with running;
- `plan_adherence(plan, today=)`: key sessions done against those the plan asked for;
- `with_phase(patients, kind)`, `phase_counts(patients)`: the cohort filter and the dashboard.
"""

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterable

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, QuerySet

from clinic.models import Patient
from rehab.models import (
    RUNNING_KINDS,
    Activity,
    DailyLog,
    Plan,
    PlanStatus,
    PlanTransition,
    SessionCompletion,
    SessionKind,
    TransitionKind,
)
from rehab.rules.content import PHASE_KINDS
from rehab.rules.load import Record
from rehab.rules.schedule import key_sessions_expected

ENDS = (TransitionKind.END, TransitionKind.COMPLETE)
PHASE_MOVES = (
    TransitionKind.START,
    TransitionKind.ADVANCE,
    TransitionKind.STEP_BACK,
    TransitionKind.RESUME,
)
ADHERENCE_DAYS = 14


@dataclasses.dataclass(frozen=True)
class DayState(Record):
    position: tuple[int, int]
    paused: bool  # stopped for review that day


@dataclasses.dataclass(frozen=True)
class PhaseSpan(Record):
    label: str
    kind: str
    start: dt.date
    end: dt.date | None  # None: the current phase
    reason: str = ""


def plans_with_history(patient: Patient) -> list[Plan]:
    """The patient's plans that started, oldest first, with their transitions in order."""
    ordered = PlanTransition.objects.order_by("date", "created_at", "id")
    return list(
        patient.plans.exclude(status=PlanStatus.DRAFT)
        .prefetch_related(Prefetch("transitions", queryset=ordered))
        .order_by("start_date", "created_at")
    )


def state_on(
    plan: Plan, day: dt.date, *, transitions: Iterable[PlanTransition] | None = None
) -> DayState | None:
    """Where the plan stood on `day` (after that day's changes), or None outside it.

    `transitions`: the plan's transitions in order, when the caller has them already (without
    them, `plan.transitions.all()` is read: prefetch it for more than one day).
    """
    current = None
    for transition in plan.transitions.all() if transitions is None else transitions:
        if transition.date > day:
            break
        current = transition
    return _state_after(current, day)


def states_during(
    plan: Plan, day: dt.date, *, transitions: Iterable[PlanTransition] | None = None
) -> list[DayState]:
    """Every state the plan was in on `day`: as the day began, then after each of its changes.

    A plan that stepped back because of the run the patient did that day was, at the time of the
    run, still at the step that asked for it.
    """
    states, current = [], None
    for transition in plan.transitions.all() if transitions is None else transitions:
        if transition.date > day:
            break
        if transition.date == day:
            if not states:
                states.append(_state_after(current, day))  # as the day began
            states.append(_state_after(transition, day))
        current = transition
    if not states:
        states.append(_state_after(current, day))
    return [state for state in states if state is not None]


def _state_after(current: PlanTransition | None, day: dt.date) -> DayState | None:
    if current is None or (current.kind in ENDS and current.date < day):
        return None
    position = (current.to_phase_index, current.to_step_index)
    return DayState(position, paused=current.kind == TransitionKind.STOP_REVIEW)


def running_not_allowed(
    patient: Patient, *, plans: list[Plan] | None = None, since: dt.date | None = None
) -> Callable[[dt.date], bool] | None:
    """For the alert rules: True on a day the plan said no running. None without a plan.

    A day says no running when the plan's step that day has no running, the day is one of the
    phase's rest days, the plan was stopped for review, or the day before was a running day
    (§5: never two running days in a row). When the plan changed that day (often because of that
    day's run), running counts as allowed if the plan allowed it at any time of the day.

    `plans`: `plans_with_history(patient)`, when the caller has read them. `since`: the first day
    it will be asked about, so only the running days from the day before are read.
    """
    plans = plans_with_history(patient) if plans is None else plans
    if not plans:
        return None
    first = min(plan.start_date for plan in plans)
    if since is not None:
        first = max(first, since)
    running_days = _running_days(patient, since=first - dt.timedelta(days=1))

    def allows_running(plan: Plan, state: DayState, day: dt.date) -> bool:
        if state.paused:
            return False
        phase = plan.spec.phase(state.position[0])
        step = phase.steps[state.position[1]]
        return step.is_running and day.weekday() not in phase.rest_days

    def says_no_running(day: dt.date) -> bool:
        for plan in plans:
            states = states_during(plan, day)
            if not states:
                continue
            if not any(allows_running(plan, state, day) for state in states):
                return True
            return day - dt.timedelta(days=1) in running_days
        return False

    return says_no_running


def _running_days(patient: Patient, *, since: dt.date) -> set[dt.date]:
    ran = Activity.objects.filter(log=OuterRef("pk"), kind__in=RUNNING_KINDS)
    logged = (
        DailyLog.objects.filter(patient=patient, date__gte=since)
        .filter(Exists(ran))
        .values_list("date", flat=True)
    )
    completed = SessionCompletion.objects.filter(
        plan__patient=patient, running=True, date__gte=since
    ).values_list("date", flat=True)
    return set(logged) | set(completed)


def chart_phases(patient: Patient) -> list[dict]:
    """Phase markers of every plan the patient started, for `rehab.progress.progress_chart`."""
    return [marker for plan in plans_with_history(patient) for marker in phase_markers(plan)]


def phase_markers(plan: Plan | None) -> list[dict]:
    """The days the plan entered a phase (and left it: None while current), for the progress
    chart's markers."""
    if plan is None:
        return []
    return [
        {
            "start": span.start.isoformat(),
            "end": span.end.isoformat() if span.end else None,
            "label": span.label,
        }
        for span in phase_history(plan)
    ]


def phase_history(plan: Plan) -> list[PhaseSpan]:
    """The phases the plan went through, oldest first, each with why it began."""
    spans: list[PhaseSpan] = []
    for transition in plan.transitions.all():
        if transition.kind in ENDS and spans:
            spans[-1] = dataclasses.replace(spans[-1], end=transition.date)
            continue
        if transition.kind not in PHASE_MOVES or not transition.changes_phase:
            continue
        if spans and spans[-1].end is None:
            spans[-1] = dataclasses.replace(spans[-1], end=transition.date)
        kind = plan.spec.phase(transition.to_phase_index).kind
        reason = transition.reason_texts[0] if transition.reasons else ""
        spans.append(PhaseSpan(transition.phase_label, kind, transition.date, None, reason))
    return spans


def first_run_date(patient: Patient) -> dt.date | None:
    """The first key session with running the patient completed in any plan."""
    return SessionCompletion.objects.filter(
        plan__patient=patient, kind=SessionKind.STEP, running=True
    ).aggregate(first=Min("date"))["first"]


def plan_adherence(plan: Plan, *, today: dt.date, days: int = ADHERENCE_DAYS) -> dict:
    """Key sessions done in the `days` days before today, against those the plan asked for
    (one a day, a running step every other day, none on rest days or while stopped)."""
    start = max(plan.start_date, today - dt.timedelta(days=days))
    transitions = list(plan.transitions.all())  # one query, however many days are counted
    asked = []
    for offset in range((today - start).days):
        day = start + dt.timedelta(days=offset)
        state = state_on(plan, day, transitions=transitions)
        if state is None or state.paused:
            continue
        phase = plan.spec.phase(state.position[0])
        step = phase.steps[state.position[1]]
        asked.append((day, step.is_running, day.weekday() in phase.rest_days))
    expected = key_sessions_expected(asked)
    done = (
        plan.completions.filter(kind=SessionKind.STEP, date__gte=start, date__lt=today)
        .values("date")
        .distinct()
        .count()
    )
    return {
        "days": (today - start).days,
        "done": done,
        "expected": expected,
        "percent": min(100, round(done / expected * 100)) if expected else None,
    }


# --- For reports --------------------------------------------------------------------------------


def phase_choices() -> list[tuple[str, str]]:
    return list(PHASE_KINDS.items())


def current_phases(patient_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each patient's current phase (its standard name), for patients following a plan."""
    rows = Plan.objects.started().filter(patient_id__in=list(patient_ids))
    return {
        patient_id: PHASE_KINDS.get(kind, kind)
        for patient_id, kind in rows.values_list("patient_id", "phase_kind")
    }


def with_phase(patients: QuerySet[Patient], kind: str) -> QuerySet[Patient]:
    """Patients whose plan is under way in a phase of this kind ("" for everyone)."""
    if not kind:
        return patients
    following = Plan.objects.started().filter(patient=OuterRef("pk"), phase_kind=kind)
    return patients.filter(Exists(following))


def phase_counts(patients: QuerySet[Patient]) -> list[tuple[str, int]]:
    """(phase name, patients) in plan order, for phases with anyone in them. One query."""
    counts = dict(
        Plan.objects.started()
        .filter(patient__in=patients)
        .values_list("phase_kind")
        .annotate(n=Count("id"))
        .values_list("phase_kind", "n")
    )
    return [(label, counts[kind]) for kind, label in PHASE_KINDS.items() if counts.get(kind)]
