"""When reminders fall due: local wall-clock times turned into instants, quiet hours, windows.

Pure Python (no Django): plain dates, times and zones in, UTC instants out, so the daylight-saving
rules can be tested without a database.

- A reminder at 07:30 local stays at 07:30 local across a daylight-saving change: the instant is
  recomputed from the local date every day, never carried over as "24 hours later".
- A local time that does not exist (the spring gap, e.g. 02:30 when clocks jump from 02:00 to
  03:00) falls due at the first valid moment after the gap: 03:00.
- A local time that happens twice (the autumn overlap, e.g. 01:30 when clocks fall back from 02:00
  to 01:00) falls due once, at its first occurrence (PEP 495 fold=0). Every planner run computes
  that same instant, so the ledger's unique key holds it to one delivery.
"""

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterator

UTC = dt.UTC


@functools.lru_cache(maxsize=512)
def zone_named(name: str) -> dt.tzinfo:
    """The zone called `name`, or UTC for a name the system does not know."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def _exists(local: dt.datetime) -> bool:
    """Whether a wall-clock time (with its zone) really happens on that day."""
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None, fold=0)


def local_moment(day: dt.date, at: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone` (see the module's rules)."""
    local = dt.datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone).replace(fold=0)
    if _exists(local):
        return local.astimezone(UTC)
    # In a gap, fold=1 reads the time with the offset after the change and fold=0 with the one
    # before; the change itself lies between those two instants. Find it to the second.
    early = local.replace(fold=1).astimezone(UTC)
    late = local.replace(fold=0).astimezone(UTC)
    if early > late:
        early, late = late, early
    after = late.astimezone(zone).utcoffset()
    while late - early > dt.timedelta(seconds=1):
        middle = early + (late - early) / 2
        if middle.astimezone(zone).utcoffset() == after:
            late = middle
        else:
            early = middle
    return late.replace(microsecond=0)


def local_date(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return moment.astimezone(zone).date()


def days_touching(start: dt.datetime, end: dt.datetime, zone: dt.tzinfo) -> Iterator[dt.date]:
    """Every local date in `zone` that the span from `start` to `end` touches."""
    day, last = local_date(start, zone), local_date(end, zone)
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def is_quiet(
    moment: dt.datetime, start: dt.time | None, end: dt.time | None, zone: dt.tzinfo
) -> bool:
    """Whether `moment` falls within the daily quiet hours [start, end) in `zone`.

    Quiet hours may run over midnight (22:00 to 07:00). Equal or missing ends mean none.
    """
    return time_is_quiet(moment.astimezone(zone).time().replace(tzinfo=None), start, end)


def time_is_quiet(at: dt.time, start: dt.time | None, end: dt.time | None) -> bool:
    """Whether the wall-clock time `at` lies within quiet hours [start, end)."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def quiet_end(
    moment: dt.datetime, start: dt.time | None, end: dt.time | None, zone: dt.tzinfo
) -> dt.datetime:
    """`moment` itself when it is outside quiet hours, else the instant quiet hours end."""
    if not is_quiet(moment, start, end, zone):
        return moment
    day = local_date(moment, zone)
    candidate = local_moment(day, end, zone)
    if candidate <= moment:
        candidate = local_moment(day + dt.timedelta(days=1), end, zone)
    return candidate


def daily_moments(
    at: dt.time, zone: dt.tzinfo, *, after: dt.datetime, until: dt.datetime
) -> list[dt.datetime]:
    """The instants of the daily wall-clock time `at` in `zone` within (after, until]."""
    moments = (local_moment(day, at, zone) for day in days_touching(after, until, zone))
    return [moment for moment in moments if after < moment <= until]
