"""Alert rules over patient logs (clinical reference §4, §5, §7).

Pure Python, no Django import. `evaluate_alerts()` turns logs into `Alert`s, each naming the rule
that fired and its evidence row. Every alert has a stable `key` (rule code + anchor date), so a
nightly job that evaluates the same logs again finds the alerts it already stored: store alerts
unique on (patient, key) and create only the missing ones.

The thresholds are clinic policy: `ALERT_POLICY_DEFAULTS` holds the defaults with their limits,
and `thresholds=` takes a clinic's overrides.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping

from rehab.rules.load import (
    LONGEST_RUN_WINDOW_DAYS,
    DayLog,
    Record,
    logs_by_date,
    runs_exceeding_recent_longest,
    to_display,
    week_start,
    weekly_running_distance,
)

ALERT_RULES_VERSION = "2026.1"

Threshold = int | float | bool


@dataclasses.dataclass(frozen=True)
class PolicyValue(Record):
    """A default a clinic may change: shown with its label, limits and help text."""

    value: Threshold
    label: str
    min: int | float | None
    max: int | float | None
    help: str


@dataclasses.dataclass(frozen=True)
class Rule(Record):
    """A rule as data: what it is called and which row of the clinical reference it comes from."""

    code: str
    label: str
    evidence: str  # the evidence row, e.g. "B — BJSM 2025, 5,205 runners"
    section: str  # where that row is in the clinical reference


@dataclasses.dataclass(frozen=True)
class Alert(Record):
    rule: str
    label: str
    key: str  # "<rule>:<anchor date>", stable across re-evaluation
    reason: str
    evidence: str
    section: str
    dates: tuple[dt.date, ...]  # the days the reason is about
    version: str = ALERT_RULES_VERSION


ALERT_POLICY_DEFAULTS: Mapping[str, PolicyValue] = {
    "site_pain_threshold": PolicyValue(
        5,
        "Site pain alert at (0–10)",
        1,
        10,
        "Alert when any site pain in a log reaches this. The default matches the step-back "
        "rule of §5 (pain ≥ 5/10).",
    ),
    "morning_pain_rise": PolicyValue(
        2,
        "Morning pain rise over baseline (points)",
        1,
        10,
        "Alert when morning pain is at least this many points above the patient's baseline. "
        "About 2 points is a meaningful change on the 0–10 scale (Farrar 2001, not BSI-specific).",
    ),
    "baseline_logs": PolicyValue(
        3,
        "Logs that set the baseline",
        1,
        14,
        "When no baseline morning pain was recorded, the median morning pain of this many first "
        "logs is used. Policy default.",
    ),
    "rising_pain_days": PolicyValue(
        3,
        "Days of rising pain",
        2,
        7,
        "Alert when site pain rises on this many consecutive days. Policy default.",
    ),
    "longest_run_margin_pct": PolicyValue(
        0,
        "Longest-run margin (%)",
        0,
        100,
        "Alert when a run is longer than the longest run of the previous 30 days by more than "
        "this percentage. 0 follows the reference exactly; a few percent absorbs GPS noise.",
    ),
    "weekly_increase_pct": PolicyValue(
        30,
        "Weekly distance increase (%)",
        5,
        200,
        "Alert when a calendar week's running distance is more than this percentage above the "
        "week before (Nielsen 2014: > 30% over two weeks, borderline, not BSI-specific).",
    ),
    "no_log_days": PolicyValue(
        3,
        "Days without a log",
        1,
        30,
        "Alert when the patient has not logged for this many days. Policy default.",
    ),
}


def resolve_thresholds(
    overrides: Mapping[str, object] | None, defaults: Mapping[str, PolicyValue]
) -> dict[str, Threshold]:
    """Return the default values with a clinic's `overrides` applied.

    Raises ValueError for an unknown key or a value of the wrong type or outside the limits, so
    that a bad policy row fails loudly instead of silently weakening a safety rule.
    """
    values = {key: policy.value for key, policy in defaults.items()}
    for key, value in (overrides or {}).items():
        if key not in defaults:
            raise ValueError(f"unknown threshold {key!r}")
        if not _is_valid(value, defaults[key]):
            raise ValueError(f"invalid value {value!r} for threshold {key!r}")
        values[key] = value
    return values


def _is_valid(value: object, policy: PolicyValue) -> bool:
    if isinstance(policy.value, bool):
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return policy.min <= value <= policy.max


def baseline_morning_pain(logs: Iterable[DayLog], *, first_n: int) -> float | None:
    """Return the median morning pain of the first `first_n` logs that report one, or None."""
    mornings = [log.morning_pain for log in logs_by_date(logs).values()]
    mornings = [pain for pain in mornings if pain is not None]
    return statistics.median(mornings[:first_n]) if mornings else None


# --- The rules --------------------------------------------------------------------------------

SITE_PAIN = Rule(
    "site_pain_high",
    "Site pain at or above the alert level",
    "D — SEMC; C — Vincent 2022 (step back on pain ≥ 5/10)",
    "§5 Progression rules",
)
MORNING_PAIN = Rule(
    "morning_pain_above_baseline",
    "Morning pain above the patient's baseline",
    "B — Farrar 2001 (about 2 points is a meaningful change on the 0–10 scale)",
    "§5 Progression rules; §6 Outcome measures",
)
RISING_PAIN = Rule(
    "pain_rising",
    "Site pain rising day after day",
    "Policy — no source gives a number",
    "§5 Progression rules",
)
LONG_RUN = Rule(
    "run_longer_than_recent_longest",
    "Run longer than the longest of the previous 30 days",
    "B — BJSM 2025, 5,205 runners (1.5–2.3× overuse-injury rate; not BSI-specific)",
    "§4 Training load; §7 Load monitoring",
)
WEEKLY_INCREASE = Rule(
    "weekly_distance_increase",
    "Weekly running distance increased sharply",
    "B — Nielsen et al., JOSPT 2014 (> 30% over 2 weeks: HR 1.59, borderline; not BSI-specific)",
    "§4 Training load; §7 Load monitoring",
)
RUNNING_NOT_ALLOWED = Rule(
    "running_not_allowed",
    "Running logged while the plan does not allow it",
    "Policy — plan phases (protect: stop running; walk-run: every other day at most)",
    "§5 Phases",
)
NO_LOG = Rule(
    "no_log",
    "No log for several days",
    "Policy — logs are what load monitoring reads",
    "§7 Load monitoring",
)

ALERT_RULES: tuple[Rule, ...] = (
    SITE_PAIN,
    MORNING_PAIN,
    RISING_PAIN,
    LONG_RUN,
    WEEKLY_INCREASE,
    RUNNING_NOT_ALLOWED,
    NO_LOG,
)


@dataclasses.dataclass(frozen=True)
class _Inputs:
    logs: dict[dt.date, DayLog]  # one per date, in date order, none after today
    today: dt.date
    thresholds: Mapping[str, Threshold]
    baseline: float | None
    running_not_allowed: Callable[[dt.date], bool] | None
    logging_since: dt.date | None
    unit: str


def evaluate_alerts(
    logs: Iterable[DayLog],
    *,
    today: dt.date,
    thresholds: Mapping[str, object] | None = None,
    baseline: float | None = None,
    running_not_allowed: Callable[[dt.date], bool] | None = None,
    logging_since: dt.date | None = None,
    since: dt.date | None = None,
    unit: str = "km",
) -> tuple[Alert, ...]:
    """Return the alerts the logs raise as of `today`, ordered by rule then date.

    - `baseline`: the patient's recorded baseline morning pain; when None, the median of the first
      `baseline_logs` logs that report morning pain.
    - `running_not_allowed(date)`: True on dates the plan does not allow running (a set works as
      `blocked_dates.__contains__`). Without it the rule is skipped.
    - `logging_since`: the first date a log was expected (plan start). It lets the no-log rule fire
      for a patient who never logged.
    - `since`: keep only alerts whose latest date is on or after it. Pass the last evaluation
      date, so that a changed threshold or rule version does not raise alerts about old history.
      Pass at least 35 days of logs before `since` for the longest-run and weekly rules.
    - `unit`: "km" or "mi", for distances in the reason text.
    """
    values = resolve_thresholds(thresholds, ALERT_POLICY_DEFAULTS)
    logs = logs_by_date(logs, until=today)
    if baseline is None:
        baseline = baseline_morning_pain(logs.values(), first_n=values["baseline_logs"])
    inputs = _Inputs(logs, today, values, baseline, running_not_allowed, logging_since, unit)
    alerts = (alert for rule in ALERT_RULES for alert in _CHECKS[rule.code](inputs))
    return tuple(alert for alert in alerts if since is None or max(alert.dates) >= since)


def _alert(rule: Rule, anchor: dt.date, reason: str, dates: Iterable[dt.date]) -> Alert:
    return Alert(
        rule=rule.code,
        label=rule.label,
        key=f"{rule.code}:{anchor.isoformat()}",
        reason=reason,
        evidence=rule.evidence,
        section=rule.section,
        dates=tuple(dates),
    )


_PAIN_FIELDS = (
    ("site_pain", "over the day"),
    ("activity_pain", "during activity"),
    ("morning_pain", "on waking"),
)


def _site_pain_alerts(inputs: _Inputs) -> Iterator[Alert]:
    limit = inputs.thresholds["site_pain_threshold"]
    for day, log in inputs.logs.items():
        if log.peak_pain is None or log.peak_pain < limit:
            continue
        where = ", ".join(
            f"{getattr(log, name)}/10 {when}"
            for name, when in _PAIN_FIELDS
            if getattr(log, name) is not None and getattr(log, name) >= limit
        )
        yield _alert(SITE_PAIN, day, f"Site pain {where} on {day} (alert at {limit}/10).", [day])


def _morning_pain_alerts(inputs: _Inputs) -> Iterator[Alert]:
    if inputs.baseline is None:
        return
    limit = inputs.baseline + inputs.thresholds["morning_pain_rise"]
    for day, log in inputs.logs.items():
        if log.morning_pain is not None and log.morning_pain >= limit:
            reason = (
                f"Morning pain {log.morning_pain}/10 on {day}, baseline "
                f"{_number(inputs.baseline)}/10 (alert at {_number(limit)}/10)."
            )
            yield _alert(MORNING_PAIN, day, reason, [day])


def _rising_pain_alerts(inputs: _Inputs) -> Iterator[Alert]:
    """One alert per rising streak, on the day it reaches the set length.

    Days must be consecutive calendar days, each with a reported pain (the day's highest); a day
    without a log or without a pain ends the streak.
    """
    needed = inputs.thresholds["rising_pain_days"]
    streak: list[DayLog] = []
    for day, log in inputs.logs.items():
        rising = (
            streak
            and day - streak[-1].date == dt.timedelta(days=1)
            and log.peak_pain is not None
            and log.peak_pain > streak[-1].peak_pain
        )
        streak = [*streak, log] if rising else ([log] if log.peak_pain is not None else [])
        if len(streak) == needed:
            pains = " → ".join(f"{entry.peak_pain}" for entry in streak)
            reason = f"Site pain rose on {needed} consecutive days: {pains} (/10), to {day}."
            yield _alert(RISING_PAIN, day, reason, [entry.date for entry in streak])


def _long_run_alerts(inputs: _Inputs) -> Iterator[Alert]:
    if not inputs.logs:
        return
    spikes = runs_exceeding_recent_longest(
        inputs.logs.values(),
        start=next(iter(inputs.logs)),
        end=inputs.today,
        margin_pct=inputs.thresholds["longest_run_margin_pct"],
    )
    longest_per_day = {spike.date: spike for spike in sorted(spikes, key=lambda s: s.distance_m)}
    for day, spike in sorted(longest_per_day.items()):
        reason = (
            f"Run of {_distance(spike.distance_m, inputs.unit)} on {day} is "
            f"{spike.excess_pct:.0f}% longer than the longest run of the previous "
            f"{LONGEST_RUN_WINDOW_DAYS} days ({_distance(spike.previous_longest_m, inputs.unit)})."
        )
        yield _alert(LONG_RUN, day, reason, [day])


def _weekly_increase_alerts(inputs: _Inputs) -> Iterator[Alert]:
    if not inputs.logs:
        return
    limit = inputs.thresholds["weekly_increase_pct"]
    weeks = (week_start(inputs.today) - week_start(next(iter(inputs.logs)))).days // 7 + 1
    series = weekly_running_distance(inputs.logs.values(), today=inputs.today, weeks=weeks)
    for previous, week in itertools.pairwise(series):
        if week.change_pct is None or week.change_pct <= limit:
            continue
        run_days = [
            day
            for day, log in inputs.logs.items()
            if week.start <= day < week.start + dt.timedelta(days=7) and log.running_m
        ]
        reason = (
            f"Running distance in the week of {week.start}: "
            f"{_distance(week.distance_m, inputs.unit)}, {week.change_pct:.0f}% more than the week "
            f"before ({_distance(previous.distance_m, inputs.unit)}; alert above {limit}%)."
        )
        yield _alert(WEEKLY_INCREASE, week.start, reason, run_days)


def _running_not_allowed_alerts(inputs: _Inputs) -> Iterator[Alert]:
    if inputs.running_not_allowed is None:
        return
    for day, log in inputs.logs.items():
        if log.has_running and inputs.running_not_allowed(day):
            reason = f"Running was logged on {day}, a day the plan does not allow running."
            yield _alert(RUNNING_NOT_ALLOWED, day, reason, [day])


def _no_log_alerts(inputs: _Inputs) -> Iterator[Alert]:
    """One alert per silence, anchored on its first unlogged day, so it is not raised nightly."""
    starts = [inputs.logging_since]
    if inputs.logs:
        starts.append(next(reversed(inputs.logs)) + dt.timedelta(days=1))
    starts = [start for start in starts if start is not None]
    if not starts:
        return
    first_missing = max(starts)
    missing = (inputs.today - first_missing).days + 1
    if missing >= inputs.thresholds["no_log_days"]:
        reason = f"No log for {missing} days, since {first_missing}."
        dates = [first_missing + dt.timedelta(days=n) for n in range(missing)]
        yield _alert(NO_LOG, first_missing, reason, dates)


_CHECKS: Mapping[str, Callable[[_Inputs], Iterator[Alert]]] = {
    SITE_PAIN.code: _site_pain_alerts,
    MORNING_PAIN.code: _morning_pain_alerts,
    RISING_PAIN.code: _rising_pain_alerts,
    LONG_RUN.code: _long_run_alerts,
    WEEKLY_INCREASE.code: _weekly_increase_alerts,
    RUNNING_NOT_ALLOWED.code: _running_not_allowed_alerts,
    NO_LOG.code: _no_log_alerts,
}


def _number(value: float) -> str:
    return f"{value:g}"


def _distance(metres: int, unit: str) -> str:
    return f"{to_display(metres, unit):.1f} {unit}"
