"""Outcome measures read from a patient's daily logs: milestones and the pain trend.

Pure Python: no Django import. Input is one `Day` per logged date, oldest first. The definitions
here are the ones every report, export and the dashboard use:

- **Day 0** of an episode is the date of the patient's latest intake (their first day in the
  clinic's care when they have none). Day counts ("days to first run") count from it.
- **Rehab start**: milestones count only from the day the episode's rehab began: the start of
  its first plan that was under way on or after day 0 (a plan started before the intake counts
  from day 0), or, while no plan has started, the day of the decision to start rehab. Before it
  there are no milestones: running logged before the diagnosis is not a first run. Rehab never
  starts before day 0, so no day count is negative.
- **First pain-free walk**: the first day with a walk logged while the site pain that day was
  0/10 and any pain during activity was 0/10 too.
- **First run**: the first day with a run or walk-run logged (running load, `rehab.rules.load`), or
  a running key session of a rehab plan marked done, whichever came first.
- **Full volume**: the first day on which the running of the 7 days ending that day reached the
  runner's weekly distance before the injury (the mean of the weeks they gave at intake). None
  when the intake did not collect it.
- **Pain trend**: the mean site pain of the last 7 days minus the mean of the 7 days before;
  negative is better. None unless both weeks have a log.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from statistics import fmean

TREND_WINDOW_DAYS = 7
FULL_VOLUME_WINDOW_DAYS = 7
STEADY_BAND = 0.5  # a change in mean pain smaller than this reads as "steady"


@dataclasses.dataclass(frozen=True)
class Day:
    date: dt.date
    site_pain: int | None
    activity_pain: int | None = None
    walked: bool = False
    ran: bool = False
    running_m: int = 0


@dataclasses.dataclass(frozen=True)
class Milestones:
    first_pain_free_walk: dt.date | None
    first_run: dt.date | None
    full_volume: dt.date | None


@dataclasses.dataclass(frozen=True)
class PainTrend:
    recent_mean: float | None
    previous_mean: float | None

    @property
    def change(self) -> float | None:
        if self.recent_mean is None or self.previous_mean is None:
            return None
        return round(self.recent_mean - self.previous_mean, 1)

    @property
    def label(self) -> str:
        change = self.change
        if change is None:
            return ""
        if abs(change) < STEADY_BAND:
            return "steady"
        return "improving" if change < 0 else "worsening"


def pre_injury_weekly_m(weekly_km: object) -> int | None:
    """The mean of the weekly distances (km) the runner gave at intake, in metres."""
    if not isinstance(weekly_km, list):
        return None
    weeks = [float(km) for km in weekly_km if isinstance(km, int | float) and km >= 0]
    if not weeks or fmean(weeks) <= 0:
        return None
    return round(fmean(weeks) * 1000)


def rehab_start(
    day0: dt.date,
    plans: Iterable[tuple[dt.date, dt.date | None]],
    *,
    decided_on: dt.date | None = None,
) -> dt.date | None:
    """The day the episode's rehab began (see above), from its plans as (start date, day it
    ended or None while under way) and the day rehab was decided, if it was."""
    starts = [max(start, day0) for start, ended in plans if ended is None or ended >= day0]
    if starts:
        return min(starts)
    return max(decided_on, day0) if decided_on is not None else None


def milestones(
    days: Sequence[Day],
    *,
    since: dt.date | None,
    full_volume_m: int | None,
    planned_runs: Iterable[dt.date] = (),
) -> Milestones:
    """The episode's milestones from its rehab start `since` (None: rehab has not started, so
    none). `planned_runs` are days a running key session of a plan was marked done: a run even
    when the day's log does not list it."""
    if since is None:
        return Milestones(None, None, None)
    days = [day for day in days if day.date >= since]
    first_walk = next(
        (
            day.date
            for day in days
            if day.walked and day.site_pain == 0 and not (day.activity_pain or 0)
        ),
        None,
    )
    logged_run = next((day.date for day in days if day.ran), None)
    planned = min((d for d in planned_runs if d >= since), default=None)
    first_run = min((d for d in (logged_run, planned) if d), default=None)
    return Milestones(first_walk, first_run, _full_volume(days, full_volume_m))


def _full_volume(days: Sequence[Day], target_m: int | None) -> dt.date | None:
    if not target_m:
        return None
    window: list[Day] = []
    for day in days:
        window = [d for d in window if (day.date - d.date).days < FULL_VOLUME_WINDOW_DAYS]
        window.append(day)
        if day.ran and sum(d.running_m for d in window) >= target_m:
            return day.date
    return None


def pain_trend(days: Sequence[Day], *, today: dt.date) -> PainTrend:
    def mean_between(first: dt.date, last: dt.date) -> float | None:
        pains = [d.site_pain for d in days if first <= d.date <= last and d.site_pain is not None]
        return round(fmean(pains), 1) if pains else None

    recent_start = today - dt.timedelta(days=TREND_WINDOW_DAYS - 1)
    previous_start = recent_start - dt.timedelta(days=TREND_WINDOW_DAYS)
    return PainTrend(
        recent_mean=mean_between(recent_start, today),
        previous_mean=mean_between(previous_start, recent_start - dt.timedelta(days=1)),
    )
