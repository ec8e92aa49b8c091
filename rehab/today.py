"""What the patient's "Today" shows: today's sessions with their state, the morning check, and
the week ahead. Reads only; a fixed handful of queries whatever the history's length.

The days come from `rehab.rules.schedule.plan_days` (rest weekdays, never two running days in a
row); this module adds what the database knows: the plan, what was done, the last run, a
proposal waiting for the therapist.
"""

import dataclasses
import datetime as dt
import json

from django.db.models import Exists, Max, OuterRef

from clinic.models import Patient
from rehab.measures import services as measures
from rehab.measures.instruments import INSTRUMENTS
from rehab.models import (
    RUNNING_KINDS,
    Activity,
    Plan,
    PlanProposal,
    PlanStatus,
    SessionCompletion,
    SessionKind,
    TransitionKind,
    progression_thresholds,
)
from rehab.rules import load
from rehab.rules.content import CrossSpec, ExerciseSpec, PhaseSpec, StepSpec, step_summary
from rehab.rules.progression import Action, PhaseKind
from rehab.rules.schedule import PlannedDay, plan_days

WEEK_DAYS = 7
MORNING_CHECK_DAYS = 2  # a key session this recent without its next-morning pain asks for it


@dataclasses.dataclass(frozen=True)
class Session:
    """One session of a day, as Today lists it."""

    key: str  # "step", "strength" or "cross-<n>": SessionCompletion.session
    kind: str  # a SessionKind value
    title: str
    summary: str
    step: StepSpec | None = None
    exercises: tuple[ExerciseSpec, ...] = ()
    cross: CrossSpec | None = None
    running: bool = False
    completion: SessionCompletion | None = None
    step_index: int | None = None

    @property
    def done(self) -> bool:
        return self.completion is not None

    @property
    def kind_label(self) -> str:
        if self.kind == SessionKind.STEP:
            return "Key session · running" if self.running else "Key session"
        return SessionKind(self.kind).label

    @property
    def timer_json(self) -> str:
        return json.dumps(self.step.timer()) if self.step and self.step.segments else ""


@dataclasses.dataclass(frozen=True)
class Day:
    date: dt.date
    phase: PhaseSpec
    phase_index: int
    sessions: tuple[Session, ...]
    rest_from_running: bool
    rest_weekday: bool
    after_plan: bool
    key_off: bool = False
    starts_phase: bool = False  # the first day of a phase the plan is projected to reach
    waiting: bool = False  # the phase's last step again: moving on waits for the therapist
    gate: str = ""  # on the first such day: the phase that waits for the therapist's sign-off

    @property
    def is_rest(self) -> bool:
        return not self.sessions

    @property
    def done_count(self) -> int:
        return sum(session.done for session in self.sessions)


@dataclasses.dataclass(frozen=True)
class TodayView:
    patient: Patient
    today: dt.date
    plan: Plan | None
    state: str  # none, draft, upcoming, active, review, completed
    day: Day | None = None
    week: tuple[Day, ...] = ()
    morning_check: SessionCompletion | None = None
    pending: PlanProposal | None = None
    step_done: int = 0  # key-session completions of the current step so far
    step_needed: int = 0
    advance_max_pain: int = 2  # the clinic's "highest pain to advance" (§5 default 2/10)

    @property
    def next_run(self) -> dt.date | None:
        """The first day of the week ahead with a running session."""
        return next((d.date for d in self.week if any(s.running for s in d.sessions)), None)

    @property
    def morning_check_whose(self) -> str:
        """ "yesterday's" or "Tuesday's": whose session the morning check asks about."""
        day = self.morning_check.date
        if day == self.today - dt.timedelta(days=1):
            return "yesterday's"
        return f"{day:%A}'s"

    @property
    def holding_back(self) -> bool:
        """A step back or stop waits for the therapist: no running until they have looked."""
        return self.pending is not None and self.pending.action in (
            Action.STEP_BACK,
            Action.STOP_REVIEW,
        )


def today_for(patient: Patient, *, today: dt.date) -> TodayView:
    plan = (
        patient.plans.exclude(status=PlanStatus.ENDED)
        .select_related("patient")
        .order_by("-created_at")
        .first()
    )
    if plan is None:
        return TodayView(patient, today, None, "none")
    if plan.status in (PlanStatus.DRAFT, PlanStatus.COMPLETED, PlanStatus.REVIEW):
        return TodayView(patient, today, plan, plan.status)
    thresholds = progression_thresholds(patient.clinic)
    needed = thresholds["advance_after_completions"]
    since = min(plan.step_started_on, today - dt.timedelta(days=MORNING_CHECK_DAYS))
    completions = list(plan.completions.filter(date__gte=since, date__lte=today))
    of_step = [
        c
        for c in completions
        if c.kind == SessionKind.STEP
        and (c.phase_index, c.step_index) == plan.position
        and c.date >= plan.step_started_on
    ]
    start = max(today, plan.start_date)
    done_today = any(c.session == "step" and c.date == start for c in completions)
    stepped_back = plan.transitions.filter(
        date=start, kind__in=(TransitionKind.STEP_BACK, TransitionKind.RESUME)
    ).exists()
    pending = plan.proposals.pending().first()
    # A step back waits for the therapist (high-risk site, or the clinic approves every change):
    # no running key session until they have looked.
    held_back = pending is not None and pending.action == Action.STEP_BACK and plan.step.is_running
    planned = plan_days(
        plan.spec,
        position=plan.position,
        start=start,
        days=WEEK_DAYS,
        sessions_left=needed - len(of_step) + (1 if done_today else 0),
        sessions_per_step=needed,
        last_run_date=_last_run_before(plan, start),
        done_on_start=done_today,
        key_off_on_start=stepped_back or held_back,
        gated_phases=gated_phases(plan, auto_apply=thresholds["auto_apply"]),
    )
    days = [_day(plan, planned_day, completions, patient) for planned_day in planned]
    days = tuple(
        dataclasses.replace(
            day,
            starts_phase=n > 0 and day.phase_index != days[n - 1].phase_index,
            gate=plan.spec.phase(day.phase_index + 1).label
            if day.waiting and not any(earlier.waiting for earlier in days[:n])
            else "",
        )
        for n, day in enumerate(days)
    )
    return TodayView(
        patient,
        today,
        plan,
        "upcoming" if plan.start_date > today else "active",
        day=days[0],
        week=days[1:],
        morning_check=_morning_check(patient, completions, today),
        pending=pending,
        step_done=len(of_step),
        step_needed=needed,
        advance_max_pain=thresholds["advance_max_pain"],
    )


def gated_phases(plan: Plan, *, auto_apply: bool) -> frozenset[int]:
    """The phases the plan leaves only once the therapist approves (the approval rules of
    rehab.rules.progression): protect, any phase with a clearance to confirm, and every phase of
    a high-risk-site plan or of a clinic that approves every change. The week ahead never
    projects past them."""
    phases = plan.spec.phases
    return frozenset(
        index
        for index, phase in enumerate(phases[:-1])
        if plan.high_risk_site
        or not auto_apply
        or phase.kind == PhaseKind.PROTECT
        or phase.exit_clearance
    )


def _last_run_before(plan: Plan, day: dt.date) -> dt.date | None:
    ran = Activity.objects.filter(log=OuterRef("pk"), kind__in=RUNNING_KINDS)
    logged = (
        plan.patient.daily_logs.filter(date__lt=day)
        .filter(Exists(ran))
        .aggregate(last=Max("date"))["last"]
    )
    completed = plan.completions.filter(running=True, date__lt=day).aggregate(last=Max("date"))[
        "last"
    ]
    return max((d for d in (logged, completed) if d is not None), default=None)


def _day(plan: Plan, planned: PlannedDay, completions, patient: Patient) -> Day:
    phase = plan.spec.phase(planned.phase_index)
    done = {c.session: c for c in completions if c.date == planned.date}
    sessions = []
    if planned.position is not None:
        step = plan.spec.step(*planned.position)
        sessions.append(
            Session(
                key="step",
                kind=SessionKind.STEP,
                title=step.label,
                summary=step_summary(step, distance_text=_distance(step, patient)),
                step=step,
                running=step.is_running,
                completion=done.get("step"),
                step_index=planned.position[1],
            )
        )
    if planned.strength:
        sessions.append(
            Session(
                key="strength",
                kind=SessionKind.STRENGTH,
                title="Strength",
                summary=f"{len(phase.strength.exercises)} exercises · "
                + ", ".join(phase.strength.targets).lower(),
                exercises=phase.strength.exercises,
                completion=done.get("strength"),
            )
        )
    for index in planned.cross:
        cross = phase.cross[index]
        sessions.append(
            Session(
                key=f"cross-{index}",
                kind=SessionKind.CROSS,
                title=cross.label,
                summary=f"{cross.minutes} min" + (f" · {cross.effort}" if cross.effort else ""),
                cross=cross,
                completion=done.get(f"cross-{index}"),
            )
        )
    return Day(
        date=planned.date,
        phase=phase,
        phase_index=planned.phase_index,
        sessions=tuple(sessions),
        rest_from_running=planned.rest_from_running,
        rest_weekday=planned.rest_weekday,
        after_plan=planned.after_plan,
        key_off=planned.key_off,
        waiting=planned.waiting,
    )


def _distance(step: StepSpec, patient: Patient) -> str:
    if not step.distance_m:
        return ""
    unit = patient.distance_unit
    return f"{load.to_display(step.distance_m, unit):.1f} {unit}"


def _morning_check(patient: Patient, completions, today: dt.date) -> SessionCompletion | None:
    """The latest recent key session still without its next-morning pain, unless today's log
    already has this morning's pain (the engine reads that instead)."""
    waiting = [
        c
        for c in completions
        if c.kind == SessionKind.STEP and c.date < today and c.next_morning_pain is None
    ]
    if not waiting:
        return None
    latest = max(waiting, key=lambda c: c.date)
    morning = latest.date + dt.timedelta(days=1)
    logged = patient.daily_logs.filter(date=morning, morning_pain__isnull=False).exists()
    return None if logged else latest


def session_for(view: TodayView, key: str) -> Session | None:
    """Today's session named `key`, if today has one (what the patient may mark done)."""
    if view.day is None or view.state != "active":
        return None
    return next((s for s in view.day.sessions if s.key == key), None)


def measures_prompt(patient: Patient, *, today: dt.date) -> list:
    """The questionnaires (LEFS, UWRI) Today asks the runner to answer: due now and set up by
    their clinic (its wording pasted). Three queries."""
    wordings = measures.clinic_wordings(patient.clinic_id)
    if not wordings:
        return []
    due = measures.measures_due(patient, today=today)
    return [(INSTRUMENTS[code], o) for code, o in due.items() if code in wordings]
