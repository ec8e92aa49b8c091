"""What a plan puts on each day: the key session, strength, cross-training, or rest.

Pure Python, no Django import. `plan_days()` lays a plan out from its current step as if every
step advanced on time (each done `sessions_per_step` times, the progression engine's advance
count), which is what the patient's "Today" and "the week ahead" show.

A phase whose end waits for the therapist (`gated_phases`: leaving protect, a phase with a
clearance to confirm, every phase of a high-risk-site plan) is never projected past: its last step
repeats, marked as waiting, because nothing moves on until the therapist has signed off.

Two rules decide a rest day:
- the phase's rest weekdays (§4: fewer than one rest day a week is a risk factor, so templates
  set one and the plan enforces it);
- never two running days in a row (§5 Walk-run), through the engine's own
  `next_running_day_allowed`: a running step due the day after a run waits a day, and that day
  is a rest day from running (strength and cross-training still happen).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

from rehab.rules.content import PlanContent
from rehab.rules.load import Record
from rehab.rules.progression import next_running_day_allowed


@dataclasses.dataclass(frozen=True)
class PlannedDay(Record):
    date: dt.date
    phase_index: int
    position: tuple[int, int] | None = None  # the key session's step, or None
    running: bool = False  # the key session includes running
    rest_from_running: bool = False  # a running step waits: yesterday was a running day
    rest_weekday: bool = False  # the phase's rest day
    key_off: bool = False  # no key session today: the plan stepped back today
    strength: bool = False
    cross: tuple[int, ...] = ()  # indexes into the phase's cross-training sessions
    done: bool = False  # the key session was already completed that day
    after_plan: bool = False  # the plan's last step is behind
    waiting: bool = False  # the phase's last step again: moving on waits for the therapist

    @property
    def is_rest(self) -> bool:
        return self.position is None and not self.strength and not self.cross


def plan_days(
    content: PlanContent,
    *,
    position: tuple[int, int],
    start: dt.date,
    days: int,
    sessions_left: int,
    sessions_per_step: int,
    last_run_date: dt.date | None,
    done_on_start: bool = False,
    key_off_on_start: bool = False,
    gated_phases: frozenset[int] = frozenset(),
) -> list[PlannedDay]:
    """Lay out `days` days from `start`.

    The current step's key session comes `sessions_left` more times (at least once), then every
    later step `sessions_per_step` times. `last_run_date` is the patient's latest running day, so
    the first run waits if it was yesterday. `done_on_start`: the key session of `start` is done
    already (it counts as one of `sessions_left`). `key_off_on_start`: no key session on
    `start` (the plan stepped back that day: the same day's pain must not be judged twice).
    `gated_phases`: indexes of phases the plan leaves only with the therapist's approval.
    """
    queue = _sessions(content, position, max(sessions_left, 1), sessions_per_step, gated_phases)
    upcoming, waiting = next(queue, (None, False))
    out = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        phase_index = upcoming[0] if upcoming else len(content.phases) - 1
        phase = content.phase(phase_index)
        weekday = day.weekday()
        rest_weekday = weekday in phase.rest_days and not (offset == 0 and done_on_start)
        fields = {"rest_weekday": rest_weekday, "after_plan": upcoming is None}
        if offset == 0 and key_off_on_start and not done_on_start:
            fields["key_off"] = True
        elif upcoming and not rest_weekday:
            step = content.step(*upcoming)
            allowed = next_running_day_allowed(last_run_date, day) <= day
            if step.is_running and not allowed and not (offset == 0 and done_on_start):
                fields["rest_from_running"] = True
            else:
                fields.update(position=upcoming, running=step.is_running, waiting=waiting)
                fields["done"] = offset == 0 and done_on_start
                if step.is_running:
                    last_run_date = day
                upcoming, waiting = next(queue, (None, False))
        if not rest_weekday:
            fields["strength"] = phase.strength.on(weekday)
            fields["cross"] = tuple(n for n, c in enumerate(phase.cross) if weekday in c.days)
        out.append(PlannedDay(date=day, phase_index=phase_index, **fields))
    return out


def _sessions(
    content: PlanContent,
    position: tuple[int, int],
    first: int,
    each: int,
    gated: frozenset[int],
) -> Iterator[tuple[tuple[int, int], bool]]:
    """(position, waiting) of each key session to come; endless at a gate."""
    positions = content.positions()
    start = positions.index(position)
    for _ in range(first):
        yield position, False
    current = position
    for later in positions[start + 1 :]:
        if later[0] != current[0] and current[0] in gated:
            while True:  # the gate: the phase's last step until the therapist approves
                yield current, True
        for _ in range(each):
            yield later, False
        current = later


def key_sessions_expected(days: list[tuple[dt.date, bool, bool]]) -> int:
    """How many key sessions a run of plan days asks for: one a day, one every other running day,
    none on rest weekdays.

    `days` are (date, the step that day is a running step, the day is a rest weekday). Adherence
    on the therapist's page is completions against this number.
    """
    expected, last_run = 0, None
    for day, running, rest in sorted(days):
        if rest:
            continue
        if running:
            if next_running_day_allowed(last_run, day) <= day:
                expected += 1
                last_run = day
        else:
            expected += 1
    return expected
