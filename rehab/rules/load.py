"""Load monitoring from patient logs (clinical reference §7).

Pure Python: plain dataclasses in, plain results out; no Django import.

Choices made here, so that every screen and rule reads the numbers the same way:

- **Running load** is the distance of `run` and `walk_run` activities only. Cross-training counts
  toward fitness, not toward bone load (§7). Plain walking does not count either: the protect and
  readiness phases prescribe walking (§5), and counting it would make the first walk-run week look
  like a drop and every walking week like running. A `walk_run` session counts in full, walk
  intervals included, because the log holds one distance per session.
- **Weeks** are ISO calendar weeks, Monday to Sunday, in the patient's local dates. The week that
  holds `today` is partial. A calendar week gives one stable anchor per week, so an alert about a
  weekly increase is raised once per week rather than once per night, and it matches how runners
  count "this week's distance". A partial week can only grow, so comparing it with the previous
  full week never overstates an increase.
- **Duplicate dates**: one log per date is expected. When several are given for one date, the last
  one in input order wins (treated as the latest revision).
- Logs dated after `today` are ignored by every function that takes `today`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import itertools
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

LONGEST_RUN_WINDOW_DAYS = 30  # B — BJSM 2025, 5,205 runners: "the previous 30 days"
ACUTE_WINDOW_DAYS = 7
CHRONIC_WINDOW_DAYS = 28


class Record:
    """Mixin for frozen dataclasses: `to_dict()` gives JSON-ready data (dates as ISO strings)."""

    def to_dict(self) -> dict:
        return json_ready(dataclasses.asdict(self))


def json_ready(value):
    """Return `value` with dates as ISO strings, tuples as lists and enums as their values."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_ready(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class ActivityKind(enum.StrEnum):
    # StrEnum: a plain string from the database ("run") compares and hashes equal to the member.
    RUN = "run"
    WALK = "walk"
    WALK_RUN = "walk_run"
    DEEP_WATER_RUNNING = "deep_water_running"
    CYCLING = "cycling"
    SWIMMING = "swimming"
    ELLIPTICAL = "elliptical"
    ANTIGRAVITY_TREADMILL = "antigravity_treadmill"
    OTHER_CROSS = "other_cross"
    STRENGTH = "strength"
    REST = "rest"


RUNNING_LOAD_KINDS = frozenset({ActivityKind.RUN, ActivityKind.WALK_RUN})
CROSS_TRAINING_KINDS = frozenset(
    {
        ActivityKind.DEEP_WATER_RUNNING,
        ActivityKind.CYCLING,
        ActivityKind.SWIMMING,
        ActivityKind.ELLIPTICAL,
        ActivityKind.ANTIGRAVITY_TREADMILL,
        ActivityKind.OTHER_CROSS,
    }
)


@dataclasses.dataclass(frozen=True)
class Activity(Record):
    kind: str  # an ActivityKind value
    distance_m: int | None = None
    duration_min: int | None = None
    rpe: int | None = None  # rating of perceived exertion, 0–10

    @property
    def is_running(self) -> bool:
        return self.kind in RUNNING_LOAD_KINDS

    @property
    def running_m(self) -> int:
        """Metres that count as running load (0 for anything that is not a run)."""
        return (self.distance_m or 0) if self.is_running else 0


@dataclasses.dataclass(frozen=True)
class DayLog(Record):
    """One patient's log for one local date.

    Pains are 0–10 at the injury site: `site_pain` over the day, `activity_pain` during the day's
    activity, `morning_pain` on waking that morning. So the "next-morning pain" after a session on
    day D is the `morning_pain` of the log dated D + 1.
    """

    date: dt.date
    site_pain: int | None = None
    activity_pain: int | None = None
    morning_pain: int | None = None
    swelling: bool = False
    limp: bool = False
    activities: tuple[Activity, ...] = ()

    @property
    def peak_pain(self) -> int | None:
        """The highest site pain reported in this log, or None when no pain was reported."""
        pains = (self.site_pain, self.activity_pain, self.morning_pain)
        return max((pain for pain in pains if pain is not None), default=None)

    @property
    def running_m(self) -> int:
        return sum(activity.running_m for activity in self.activities)

    @property
    def has_running(self) -> bool:
        return any(activity.is_running for activity in self.activities)


@dataclasses.dataclass(frozen=True)
class WeekDistance(Record):
    start: dt.date  # the Monday
    distance_m: int
    change_pct: float | None  # against the week before; None when that week had no running
    partial: bool  # the week that holds `today`, still in progress


@dataclasses.dataclass(frozen=True)
class Run(Record):
    date: dt.date
    distance_m: int


@dataclasses.dataclass(frozen=True)
class RunSpike(Record):
    """A run longer than the longest run of the previous 30 days (B — BJSM 2025)."""

    date: dt.date
    distance_m: int
    previous_longest_m: int
    excess_pct: float


@dataclasses.dataclass(frozen=True)
class Adherence(Record):
    logged_days: int
    expected_days: int

    @property
    def ratio(self) -> float | None:
        return self.logged_days / self.expected_days if self.expected_days else None


# --- Logs -----------------------------------------------------------------------------------


def logs_by_date(logs: Iterable[DayLog], *, until: dt.date | None = None) -> dict[dt.date, DayLog]:
    """Return one log per date, in date order; the last log given for a date wins."""
    latest: dict[dt.date, DayLog] = {}
    for log in logs:
        if until is None or log.date <= until:
            latest[log.date] = log
    return dict(sorted(latest.items()))


def runs(logs: Iterable[DayLog]) -> tuple[Run, ...]:
    """Return every single run (a `run` or `walk_run` activity with a distance), in date order."""
    return tuple(
        Run(day, activity.distance_m)
        for day, log in logs_by_date(logs).items()
        for activity in log.activities
        if activity.is_running and activity.distance_m is not None
    )


# --- Distance ---------------------------------------------------------------------------------


def running_distance_between(logs: Iterable[DayLog], start: dt.date, end: dt.date) -> int:
    """Return the running metres logged from `start` to `end`, both included."""
    return sum(log.running_m for day, log in logs_by_date(logs).items() if start <= day <= end)


def week_start(day: dt.date) -> dt.date:
    """Return the Monday of the ISO week that holds `day`."""
    return day - dt.timedelta(days=day.weekday())


def percent_change(previous: float, current: float) -> float | None:
    """Return the change from `previous` to `current` in percent; None unless `previous` > 0."""
    if previous <= 0:
        return None
    return (current - previous) / previous * 100


def weekly_running_distance(
    logs: Iterable[DayLog], *, today: dt.date, weeks: int = 4
) -> tuple[WeekDistance, ...]:
    """Return running distance for `weeks` ISO weeks, oldest first, ending with the current one."""
    logs = logs_by_date(logs, until=today)
    current = week_start(today)
    # One week more than asked for: the oldest week's change needs the week before it.
    starts = [current - dt.timedelta(weeks=n) for n in range(max(weeks, 1), -1, -1)]
    totals = [running_distance_between(logs.values(), s, s + dt.timedelta(days=6)) for s in starts]
    return tuple(
        WeekDistance(start, total, percent_change(previous, total), start == current)
        for start, (previous, total) in zip(starts[1:], itertools.pairwise(totals), strict=True)
    )


def longest_run_before(
    logs: Iterable[DayLog], day: dt.date, *, window_days: int = LONGEST_RUN_WINDOW_DAYS
) -> int | None:
    """Return the longest single run in the `window_days` before `day` (not counting `day`)."""
    return _longest_before(runs(logs), day, window_days)


def runs_exceeding_recent_longest(
    logs: Iterable[DayLog],
    *,
    start: dt.date,
    end: dt.date,
    margin_pct: float = 0,
    window_days: int = LONGEST_RUN_WINDOW_DAYS,
) -> tuple[RunSpike, ...]:
    """Return runs dated `start`..`end` longer than the longest run of the previous 30 days.

    A run must exceed that longest run by more than `margin_pct` percent. When there was no run in
    the previous 30 days there is nothing to compare with, and the run is not reported.
    """
    all_runs = runs(logs)
    spikes = []
    for run in all_runs:
        if not start <= run.date <= end:
            continue
        longest = _longest_before(all_runs, run.date, window_days)
        excess = percent_change(longest, run.distance_m) if longest is not None else None
        if excess is not None and excess > margin_pct:
            spikes.append(RunSpike(run.date, run.distance_m, longest, excess))
    return tuple(spikes)


def _longest_before(all_runs: Iterable[Run], day: dt.date, window_days: int) -> int | None:
    start = day - dt.timedelta(days=window_days)
    return max((run.distance_m for run in all_runs if start <= run.date < day), default=None)


def acute_chronic_ratio(logs: Iterable[DayLog], *, today: dt.date) -> float | None:
    """Return the running-distance acute:chronic ratio: 7-day vs 28-day daily average.

    Information only, never an alert rule: the 2025 cohort (B — BJSM 2025) found the opposite of
    the classic "sweet spot" (§7). None when nothing was run in the last 28 days.
    """
    logs = tuple(logs_by_date(logs, until=today).values())
    acute = running_distance_between(logs, today - dt.timedelta(days=ACUTE_WINDOW_DAYS - 1), today)
    chronic = running_distance_between(
        logs, today - dt.timedelta(days=CHRONIC_WINDOW_DAYS - 1), today
    )
    if chronic <= 0:
        return None
    return (acute / ACUTE_WINDOW_DAYS) / (chronic / CHRONIC_WINDOW_DAYS)


# --- Logging habits ---------------------------------------------------------------------------


def adherence(logs: Iterable[DayLog], *, start: dt.date, end: dt.date) -> Adherence:
    """Return the days logged out of the days expected from `start` to `end`, both included."""
    logged = sum(1 for day in logs_by_date(logs) if start <= day <= end)
    return Adherence(logged_days=logged, expected_days=max((end - start).days + 1, 0))


def logging_streak(logs: Iterable[DayLog], *, today: dt.date) -> int:
    """Return how many consecutive days up to today the patient has logged.

    A day not yet logged today does not break the streak: it counts back from yesterday then, so
    the streak does not read 0 every morning.
    """
    logged = set(logs_by_date(logs, until=today))
    day = today if today in logged else today - dt.timedelta(days=1)
    streak = 0
    while day in logged:
        streak += 1
        day -= dt.timedelta(days=1)
    return streak


# --- Units ------------------------------------------------------------------------------------

METRES_PER_UNIT = {"km": Decimal(1000), "mi": Decimal("1609.344")}  # international mile, exact
UNITS = tuple(METRES_PER_UNIT)


def to_display(metres: int, unit: str) -> float:
    """Return `metres` in `unit` ("km" or "mi"), unrounded: round when formatting, not here."""
    return float(Decimal(metres) / _metres_per(unit))


def from_display(value: float | int | Decimal | str, unit: str) -> int:
    """Return the whole metres for a distance entered in `unit` (half a metre rounds up)."""
    metres = Decimal(str(value)) * _metres_per(unit)
    return int(metres.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _metres_per(unit: str) -> Decimal:
    try:
        return METRES_PER_UNIT[unit]
    except KeyError:
        raise ValueError(f"unknown distance unit {unit!r}; expected one of {UNITS}") from None
