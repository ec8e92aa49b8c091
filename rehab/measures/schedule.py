"""When a runner's outcome measures fall due. Pure Python, no Django.

The issue asks for the measures at intake (or the first visit), every 4 weeks of an active plan
and at discharge. The reference (§6) names the instruments, not the timing; the timing here is
policy:
- **Baseline**: an instrument never answered in this episode of care is due from its first day.
- **Every 4 weeks of an active plan**: on the plan's start + 28, 56, … days. Only the latest
  such day counts (a missed one is not asked for later), and an answer in the week before it
  counts for it, so a runner who answered early is not asked twice.
- **Discharge**: on discharge, for 28 days, unless answered in the week before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

PLAN_INTERVAL = dt.timedelta(days=28)
EARLY = dt.timedelta(days=7)  # an answer this much before an occasion counts for it
DISCHARGE_WINDOW = dt.timedelta(days=28)  # how long after discharge it is still asked for


@dataclasses.dataclass(frozen=True)
class Occasion:
    key: str  # names the occasion within the patient's care: "baseline", "week-4-2026-01-05"
    kind: str  # baseline, plan, discharge
    label: str
    since: dt.date


@dataclasses.dataclass(frozen=True)
class CareFacts:
    """What the schedule needs to know about one patient (dates in their own zone)."""

    today: dt.date
    care_start: dt.date
    plan_start: dt.date | None = None  # the active plan's first day (None: no active plan)
    discharged_on: dt.date | None = None
    # instrument code -> dates answered in this episode of care (on or after care_start)
    answered: dict[str, tuple[dt.date, ...]] = dataclasses.field(default_factory=dict)


def occasion(facts: CareFacts, code: str) -> Occasion | None:
    """The occasion on which `code` is due today, or None."""
    dates = [d for d in facts.answered.get(code, ()) if d >= facts.care_start]
    if facts.discharged_on is not None:
        on = facts.discharged_on
        if facts.today - on > DISCHARGE_WINDOW or _answered_since(dates, on - EARLY):
            return None
        return Occasion(f"discharge-{on.isoformat()}", "discharge", "at discharge", on)
    if not dates:
        return Occasion("baseline", "baseline", "to start with", facts.care_start)
    if facts.plan_start is None or facts.today < facts.plan_start + PLAN_INTERVAL:
        return None
    periods = (facts.today - facts.plan_start) // PLAN_INTERVAL
    on = facts.plan_start + periods * PLAN_INTERVAL
    if _answered_since(dates, on - EARLY):
        return None
    weeks = periods * 4
    return Occasion(
        f"week-{weeks}-{facts.plan_start.isoformat()}",
        "plan",
        f"after {weeks} weeks of your plan",
        on,
    )


def due(facts: CareFacts, codes: list[str]) -> dict[str, Occasion]:
    """Every instrument of `codes` that is due today, with its occasion."""
    return {code: o for code in codes if (o := occasion(facts, code)) is not None}


def _answered_since(dates: list[dt.date], since: dt.date) -> bool:
    return any(d >= since for d in dates)
