"""The progression engine (clinical reference §5 "Progression rules").

Pure Python, no Django import. `propose()` reads a plan's state and the patient's logs and returns
a `Proposal`: advance, hold, step back, stop for review, or complete, with the reasons (each naming
its rule and evidence row) and whether a therapist must approve it before it applies.
`schedule_steps()` lays a list of steps out on a calendar with rest days so that no two running
days are consecutive.

Bone is not tendon. The pain-monitoring model that lets pain reach 5/10 during loading comes from
Achilles tendon trials (Silbernagel 2007), and the bone sources do not endorse it (Vincent 2022).
So this engine advances only on pain ≤ 2/10 and steps back at 5/10: a bone that hurts at 5/10 is
being overloaded, not trained.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Mapping

from rehab.rules.alerts import (
    ALERT_POLICY_DEFAULTS,
    PolicyValue,
    Rule,
    Threshold,
    baseline_morning_pain,
    resolve_thresholds,
)
from rehab.rules.load import DayLog, Record, logs_by_date

PROGRESSION_RULES_VERSION = "2026.1"

# §5: "running every other day at most" in walk-run, "rest days between" runs in rebuild.
MIN_DAYS_BETWEEN_RUNS = 2


class Action(enum.StrEnum):
    ADVANCE = "advance"
    HOLD = "hold"
    STEP_BACK = "step_back"
    STOP_REVIEW = "stop_review"
    COMPLETE = "complete"  # advance from the last step of the last phase: the plan is done


class PhaseKind(enum.StrEnum):
    PROTECT = "protect"
    CROSS_TRAIN = "cross_train"
    READINESS = "readiness"
    WALK_RUN = "walk_run"
    REBUILD = "rebuild"
    RETURN_TO_TRAINING = "return_to_training"


# A transition kind that is not a proposal: the therapist resumed the plan after a review.
RESUME = "resume"

PROGRESSION_POLICY_DEFAULTS: Mapping[str, PolicyValue] = {
    "advance_max_pain": PolicyValue(
        2,
        "Highest pain to advance (0–10)",
        0,
        4,
        "A completion counts toward advancing only with site pain at or below this, during and "
        "the next morning (§5, policy from C/D sources).",
    ),
    "advance_after_completions": PolicyValue(
        2,
        "Completions needed to advance",
        1,
        7,
        "The step advances when this many most recent completions were all within limits.",
    ),
    "step_back_pain": PolicyValue(
        5,
        "Pain that steps back (0–10)",
        3,
        10,
        "Site pain at or above this steps the plan back one step (§5: D — SEMC; C — Vincent "
        "2022). Pain between the advance limit and this holds the step.",
    ),
    "step_back_window_days": PolicyValue(
        14,
        "Step-back window (days)",
        1,
        60,
        "Step-backs within this many days count toward stopping the plan for review.",
    ),
    "step_backs_to_stop": PolicyValue(
        2,
        "Step-backs that stop the plan",
        1,
        5,
        "This many step-backs within the window stop the plan and alert the therapist.",
    ),
    "auto_apply": PolicyValue(
        True,
        "Apply changes without approval",
        None,
        None,
        "When on, advances and step-backs of low-risk-site plans apply at once. High-risk-site "
        "plans and leaving the protect phase always wait for the therapist.",
    ),
}

ADVANCE = Rule(
    "advance",
    "Advance one step",
    "Policy from C/D sources",
    "§5 Progression rules",
)
NOT_YET = Rule(
    "hold_until_tolerated",
    "Hold until the step is tolerated",
    "Policy from C/D sources",
    "§5 Progression rules",
)
HOLD = Rule(
    "hold_pain",
    "Hold: pain 3–4/10 during or morning pain above baseline",
    "Policy — §5 progression defaults",
    "§5 Progression rules",
)
STEP_BACK = Rule(
    "step_back",
    "Step back: pain ≥ 5/10, swelling, limp, or pain lasting over 24 h",
    "D — SEMC; C — Vincent 2022",
    "§5 Progression rules",
)
STOP_STEP_BACKS = Rule(
    "stop_repeated_step_backs",
    "Stop: two step-backs within 14 days",
    "Policy — §5 progression defaults",
    "§5 Progression rules",
)
STOP_RED_FLAG = Rule(
    "stop_red_flag",
    "Stop: a new red flag",
    "Red flags override any plan (§2)",
    "§2 Red flags; §5 Progression rules",
)
STOP_FIRST_STEP = Rule(
    "stop_no_earlier_step",
    "Stop: a step back is needed at the first step",
    "Policy — nothing to step back to",
    "§5 Progression rules",
)
COMPLETE = Rule(
    "plan_complete",
    "The last step is done",
    "Policy from C/D sources",
    "§5 Phases",
)
APPROVE_HIGH_RISK = Rule(
    "approval_high_risk_site",
    "Therapist approval: high-risk site",
    "A — Hoenig et al., BJSM 2023 (therapist sign-off on every phase change)",
    "§2 Red flags; §3 Sites",
)
APPROVE_LEAVING_PROTECT = Rule(
    "approval_leaving_protect",
    "Therapist approval: leaving the protect phase",
    "A — George et al., Sports Med 2024 (readiness criteria need an examination)",
    "§5 Phases",
)
APPROVE_CLINIC = Rule(
    "approval_clinic_policy",
    "Therapist approval: clinic approves every change",
    "Policy — clinic setting auto_apply",
    "§5 Progression rules",
)

PROGRESSION_RULES: tuple[Rule, ...] = (
    ADVANCE,
    NOT_YET,
    HOLD,
    STEP_BACK,
    STOP_STEP_BACKS,
    STOP_RED_FLAG,
    STOP_FIRST_STEP,
    COMPLETE,
    APPROVE_HIGH_RISK,
    APPROVE_LEAVING_PROTECT,
    APPROVE_CLINIC,
)


# --- Plan state ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Step(Record):
    code: str
    label: str
    running: bool = False  # the step includes running (walk-run intervals or runs)


@dataclasses.dataclass(frozen=True)
class Phase(Record):
    kind: str  # a PhaseKind value
    label: str
    steps: tuple[Step, ...]

    @property
    def is_walk_run(self) -> bool:
        return self.kind == PhaseKind.WALK_RUN


@dataclasses.dataclass(frozen=True)
class Completion(Record):
    """One completion of the current step, with the patient's report of how the bone took it."""

    date: dt.date
    site_pain_during: int | None = None
    # None: not reported with the session; the next day's log `morning_pain` is read instead.
    next_morning_pain: int | None = None
    swelling: bool = False
    limp: bool = False
    pain_over_24h: bool = False


@dataclasses.dataclass(frozen=True)
class Transition(Record):
    date: dt.date
    kind: str  # an Action value, or RESUME


@dataclasses.dataclass(frozen=True)
class PlanState(Record):
    """Where a patient's plan stands. Raises ValueError if the position is not in the plan."""

    phases: tuple[Phase, ...]
    phase_index: int
    step_index: int
    step_started_on: dt.date
    high_risk_site: bool = False
    completions: tuple[Completion, ...] = ()  # of the current step only
    transitions: tuple[Transition, ...] = ()  # recent ones are enough: the last 60 days
    baseline_morning_pain: float | None = None
    new_red_flags: tuple[str, ...] = ()  # raised since the last review, e.g. ("femoral_neck",)

    def __post_init__(self):
        if not 0 <= self.phase_index < len(self.phases):
            raise ValueError(f"phase_index {self.phase_index} is not in the plan")
        if not 0 <= self.step_index < len(self.phases[self.phase_index].steps):
            raise ValueError(f"step_index {self.step_index} is not in phase {self.phase_index}")

    @property
    def phase(self) -> Phase:
        return self.phases[self.phase_index]

    @property
    def step(self) -> Step:
        return self.phase.steps[self.step_index]

    def position_after(self, offset: int) -> tuple[int, int] | None:
        """Return (phase, step) `offset` steps away in plan order, or None past either end."""
        flat = [(p, s) for p, phase in enumerate(self.phases) for s in range(len(phase.steps))]
        index = flat.index((self.phase_index, self.step_index)) + offset
        return flat[index] if 0 <= index < len(flat) else None


@dataclasses.dataclass(frozen=True)
class Reason(Record):
    rule: str
    text: str
    evidence: str
    section: str


@dataclasses.dataclass(frozen=True)
class Proposal(Record):
    action: str  # an Action value
    phase_index: int  # the target position; the current one for hold, stop_review and complete
    step_index: int
    reasons: tuple[Reason, ...]
    needs_approval: bool
    alert_therapist: bool = False
    version: str = PROGRESSION_RULES_VERSION


# --- The engine ------------------------------------------------------------------------------


def propose(
    plan_state: PlanState,
    logs: Iterable[DayLog],
    *,
    thresholds: Mapping[str, object] | None = None,
    today: dt.date,
) -> Proposal:
    """Return what the plan should do next, and why.

    The latest completion and the logs dated from it (or after the step's start day when the step
    has no completion yet) up to `today` are the response being judged. Precedence, safest first: a
    new red flag stops the plan; then step back (which stops the plan instead when it would be
    the second step-back within 14 days, or when there is no earlier step); then hold; then
    advance; otherwise hold until the step is tolerated.
    """
    values = resolve_thresholds(thresholds, PROGRESSION_POLICY_DEFAULTS)
    logs = logs_by_date(logs, until=today)
    baseline = _baseline(plan_state, logs)
    if plan_state.new_red_flags:
        flags = ", ".join(plan_state.new_red_flags)
        return _stop(plan_state, [_reason(STOP_RED_FLAG, f"New red flag: {flags}.")])
    window = _response_window(plan_state, logs)
    step_back = _step_back_reasons(plan_state, window, logs, baseline, values)
    if step_back:
        return _step_back(plan_state, step_back, values, today)
    hold = _hold_reasons(plan_state, window, logs, baseline, values)
    if hold:
        return _proposal(plan_state, Action.HOLD, hold, values)
    tolerated = _tolerated_streak(plan_state.completions, logs, values)
    needed = values["advance_after_completions"]
    if len(tolerated) >= needed:
        dates = ", ".join(str(c.date) for c in tolerated[-needed:])
        times = "once" if needed == 1 else f"{needed} times in a row"
        text = (
            f"Completed {times} with site pain ≤ {values['advance_max_pain']}/10 "
            f"during and next morning, no swelling or limp ({dates})."
        )
        action = Action.ADVANCE if plan_state.position_after(1) else Action.COMPLETE
        reason = _reason(ADVANCE if action == Action.ADVANCE else COMPLETE, text)
        return _proposal(plan_state, action, [reason], values)
    text = (
        f"{len(tolerated)} of the {needed} completion{'s' if needed != 1 else ''} needed with "
        f"site pain ≤ {values['advance_max_pain']}/10 during and next morning, no swelling or limp."
    )
    return _proposal(plan_state, Action.HOLD, [_reason(NOT_YET, text)], values)


def _baseline(plan_state: PlanState, logs: dict[dt.date, DayLog]) -> float:
    """The patient's baseline morning pain; else the median of the first logs; else 0."""
    if plan_state.baseline_morning_pain is not None:
        return plan_state.baseline_morning_pain
    first_n = ALERT_POLICY_DEFAULTS["baseline_logs"].value
    from_logs = baseline_morning_pain(logs.values(), first_n=first_n)
    # 0 when nothing is known: any morning pain then holds the step, the safer mistake.
    return from_logs if from_logs is not None else 0


def _response_window(plan_state: PlanState, logs: dict[dt.date, DayLog]) -> list[DayLog]:
    """The logs from the latest completion's date, or from the day after the step started.

    The start day itself belongs to the step before: the log that made the plan move must not
    count again against the new step (that would turn one step-back into two, and a stop).
    """
    latest = _latest(plan_state.completions)
    if latest:
        return [log for day, log in logs.items() if day >= latest.date]
    return [log for day, log in logs.items() if day > plan_state.step_started_on]


def _latest(completions: Iterable[Completion]) -> Completion | None:
    return max(completions, key=lambda completion: completion.date, default=None)


def _next_morning_pain(completion: Completion, logs: dict[dt.date, DayLog]) -> int | None:
    if completion.next_morning_pain is not None:
        return completion.next_morning_pain
    next_day = logs.get(completion.date + dt.timedelta(days=1))
    return next_day.morning_pain if next_day else None


def _pain_lasted_over_24h(
    completion: Completion, logs: dict[dt.date, DayLog], baseline: float
) -> bool:
    """Reported so, or morning pain above baseline both the next morning and the one after."""
    if completion.pain_over_24h:
        return True
    day_after = logs.get(completion.date + dt.timedelta(days=2))
    mornings = (_next_morning_pain(completion, logs), day_after and day_after.morning_pain)
    return all(pain is not None and pain > baseline for pain in mornings)


def _step_back_reasons(
    plan_state: PlanState,
    window: list[DayLog],
    logs: dict[dt.date, DayLog],
    baseline: float,
    values: Mapping[str, Threshold],
) -> list[Reason]:
    limit = values["step_back_pain"]
    texts = []
    latest = _latest(plan_state.completions)
    if latest:
        pains = {"during the session": latest.site_pain_during}
        pains["the next morning"] = _next_morning_pain(latest, logs)
        texts += [
            f"Site pain {pain}/10 {when} on {latest.date} (step back at {limit}/10)."
            for when, pain in pains.items()
            if pain is not None and pain >= limit
        ]
        texts += [f"{sign} reported after the session on {latest.date}." for sign in _signs(latest)]
        if _pain_lasted_over_24h(latest, logs, baseline):
            texts.append(f"Pain lasted more than 24 hours after the session on {latest.date}.")
    for log in window:
        if log.peak_pain is not None and log.peak_pain >= limit:
            texts.append(f"Site pain {log.peak_pain}/10 logged on {log.date}.")
        texts += [f"{sign} logged on {log.date}." for sign in _signs(log)]
    return [_reason(STEP_BACK, text) for text in texts]


def _signs(report: Completion | DayLog) -> list[str]:
    return [sign for sign, seen in (("Swelling", report.swelling), ("Limp", report.limp)) if seen]


def _hold_reasons(
    plan_state: PlanState,
    window: list[DayLog],
    logs: dict[dt.date, DayLog],
    baseline: float,
    values: Mapping[str, Threshold],
) -> list[Reason]:
    low, high = values["advance_max_pain"], values["step_back_pain"]
    texts = []
    latest = _latest(plan_state.completions)
    if latest and latest.site_pain_during is not None and low < latest.site_pain_during < high:
        texts.append(f"Site pain {latest.site_pain_during}/10 during the session on {latest.date}.")
    morning = _next_morning_pain(latest, logs) if latest else None
    if morning is not None and morning > baseline:
        texts.append(
            f"Next-morning pain {morning}/10 after {latest.date} is above the baseline "
            f"{baseline:g}/10."
        )
    texts += [
        f"Site pain {log.peak_pain}/10 logged on {log.date}."
        for log in window
        if log.peak_pain is not None and low < log.peak_pain < high
    ]
    return [_reason(HOLD, text) for text in texts]


def _tolerated_streak(
    completions: Iterable[Completion], logs: dict[dt.date, DayLog], values: Mapping[str, Threshold]
) -> list[Completion]:
    """The most recent completions that were all within limits, oldest first."""
    streak = []
    for completion in sorted(completions, key=lambda c: c.date, reverse=True):
        if not _tolerated(completion, logs, values["advance_max_pain"]):
            break
        streak.insert(0, completion)
    return streak


def _tolerated(completion: Completion, logs: dict[dt.date, DayLog], limit: int) -> bool:
    pains = (completion.site_pain_during, _next_morning_pain(completion, logs))
    return (
        all(pain is not None and pain <= limit for pain in pains)
        and not _signs(completion)
        and not completion.pain_over_24h
    )


def _step_back(
    plan_state: PlanState, reasons: list[Reason], values: Mapping[str, Threshold], today: dt.date
) -> Proposal:
    recent = _step_backs_since_review(plan_state.transitions, today, values)
    if len(recent) + 1 >= values["step_backs_to_stop"]:
        dates = ", ".join(str(day) for day in [*recent, today])
        days = values["step_back_window_days"]
        text = f"Step-backs on {dates}: {len(recent) + 1} within {days} days."
        return _stop(plan_state, [*reasons, _reason(STOP_STEP_BACKS, text)])
    if plan_state.position_after(-1) is None:
        text = "A step back is needed, but this is the first step of the plan."
        return _stop(plan_state, [*reasons, _reason(STOP_FIRST_STEP, text)])
    return _proposal(plan_state, Action.STEP_BACK, reasons, values)


def _step_backs_since_review(
    transitions: Iterable[Transition], today: dt.date, values: Mapping[str, Threshold]
) -> list[dt.date]:
    """Dates of step-backs within the window and after the last stop or resume."""
    window_start = today - dt.timedelta(days=values["step_back_window_days"])
    last_review = max(
        (t.date for t in transitions if t.kind in (Action.STOP_REVIEW, RESUME)), default=None
    )
    return sorted(
        t.date
        for t in transitions
        if t.kind == Action.STEP_BACK
        and window_start <= t.date <= today
        and (last_review is None or t.date > last_review)
    )


def _stop(plan_state: PlanState, reasons: list[Reason]) -> Proposal:
    # Stopping is the safe direction, so it applies at once; the alert brings the therapist in.
    return Proposal(
        action=Action.STOP_REVIEW,
        phase_index=plan_state.phase_index,
        step_index=plan_state.step_index,
        reasons=tuple(reasons),
        needs_approval=False,
        alert_therapist=True,
    )


def _proposal(
    plan_state: PlanState, action: Action, reasons: list[Reason], values: Mapping[str, Threshold]
) -> Proposal:
    offset = {Action.ADVANCE: 1, Action.STEP_BACK: -1}.get(action, 0)
    phase_index, step_index = plan_state.position_after(offset)
    approvals = _approval_reasons(plan_state, action, phase_index, values)
    return Proposal(
        action=action,
        phase_index=phase_index,
        step_index=step_index,
        reasons=tuple(reasons + approvals),
        needs_approval=bool(approvals),
    )


def _approval_reasons(
    plan_state: PlanState, action: Action, target_phase: int, values: Mapping[str, Threshold]
) -> list[Reason]:
    if action == Action.HOLD:
        return []
    reasons = []
    if plan_state.high_risk_site:
        reasons.append(_reason(APPROVE_HIGH_RISK, "High-risk site: the therapist signs off."))
    if _leaves_protect(plan_state, action, target_phase):
        text = "Leaving the protect phase: the therapist checks readiness."
        reasons.append(_reason(APPROVE_LEAVING_PROTECT, text))
    if not values["auto_apply"]:
        reasons.append(_reason(APPROVE_CLINIC, "The clinic approves every plan change."))
    return reasons


def _leaves_protect(plan_state: PlanState, action: Action, target_phase: int) -> bool:
    moves_on = action == Action.COMPLETE or (
        action == Action.ADVANCE and target_phase != plan_state.phase_index
    )
    return moves_on and plan_state.phase.kind == PhaseKind.PROTECT


def _reason(rule: Rule, text: str) -> Reason:
    return Reason(rule=rule.code, text=text, evidence=rule.evidence, section=rule.section)


# --- Scheduling ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ScheduledDay(Record):
    date: dt.date
    step: Step | None  # None: a rest day inserted so that runs are not on consecutive days

    @property
    def is_running(self) -> bool:
        return self.step is not None and self.step.running


def next_running_day_allowed(last_run_date: dt.date | None, day: dt.date) -> dt.date:
    """Return the first date on or after `day` that is not the day after a running day."""
    if last_run_date is None:
        return day
    return max(day, last_run_date + dt.timedelta(days=MIN_DAYS_BETWEEN_RUNS))


def schedule_steps(
    steps: Iterable[Step],
    start: dt.date,
    *,
    sessions_per_step: int = 1,
    last_run_date: dt.date | None = None,
) -> tuple[ScheduledDay, ...]:
    """Return one day per session from `start`, with rest days before runs that need one.

    Each step is laid out `sessions_per_step` times in order (pass the advance count to project a
    plan that advances on time). Non-running steps may follow a run the next day. `last_run_date`
    continues a schedule after a run already done. The rule holds for every running step, which
    covers walk-run ("every other day at most") and rebuild ("rest days between").
    """
    schedule = []
    day = start
    for step in steps:
        for _ in range(sessions_per_step):
            if step.running:
                run_day = next_running_day_allowed(last_run_date, day)
                while day < run_day:
                    schedule.append(ScheduledDay(day, None))
                    day += dt.timedelta(days=1)
                last_run_date = day
            schedule.append(ScheduledDay(day, step))
            day += dt.timedelta(days=1)
    return tuple(schedule)
