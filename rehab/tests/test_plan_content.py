"""The pure plan modules: content read from JSON, segments as typed, and the calendar."""

import contextlib
import datetime as dt
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab.rules import library
from rehab.rules.content import (
    ContentError,
    content_from_json,
    parse_segments,
    step_summary,
)
from rehab.rules.schedule import key_sessions_expected, plan_days
from rehab.tests.factories import SMALL_PLAN

MONDAY = dt.date(2026, 3, 2)


def small():
    return content_from_json(SMALL_PLAN)


def test_segments_read_as_a_therapist_types_them():
    segments = parse_segments("Walk 15 + jog 5 + walk 10")
    assert [(s.activity, s.minutes) for s in segments] == [("walk", 15), ("jog", 5), ("walk", 10)]
    assert parse_segments("deep-water running 30 min")[0].activity == "deep_water_running"
    assert parse_segments("run 0.5")[0].minutes == 0.5
    assert parse_segments("") == ()


@pytest.mark.parametrize("text", ["fly 3", "walk", "walk -2", "run 999", "walk 2, " * 13])
def test_a_segment_that_is_not_one_says_how_to_write_it(text):
    with pytest.raises(ContentError):
        parse_segments(text)


def test_every_library_template_is_valid_content():
    for spec in library.TEMPLATES.values():
        content = content_from_json({"phases": spec["phases"]})
        assert content.phases and content.step_count
    assert len(library.EXERCISES) >= 25


def test_a_step_with_jog_or_run_is_a_running_step_and_its_timer_repeats():
    step = small().step(2, 0)
    assert step.is_running and len(step.timer()) == 10
    assert step.timer()[1] == {"label": "Run", "seconds": 60, "kind": "run", "text": "1 min"}
    assert step_summary(step) == "Walk 4 min · Run 1 min × 5"


def test_content_round_trips_through_json():
    content = small()
    assert content_from_json(json.loads(json.dumps(content.to_json()))) == content


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "phases",
                    "kind",
                    "label",
                    "steps",
                    "segments",
                    "activity",
                    "minutes",
                    "code",
                    "strength",
                    "days",
                    "exercises",
                    "cross",
                    "repeats",
                    "distance_m",
                ]
            ),
            children,
            max_size=5,
        )
    ),  # fmt: skip
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(data=json_values)
def test_any_json_is_either_valid_content_or_a_content_error(data):
    with contextlib.suppress(ContentError):
        content_from_json(data)


def test_the_week_puts_a_rest_day_between_runs_and_rests_on_sundays():
    days = plan_days(
        small(),
        position=(2, 0),
        start=MONDAY,
        days=14,
        sessions_left=2,
        sessions_per_step=2,
        last_run_date=None,
    )
    runs = [d.date for d in days if d.running]
    assert runs[:3] == [MONDAY, MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=4)]
    assert days[1].rest_from_running and days[6].rest_weekday and days[6].is_rest


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 1, 1)),
    position=st.sampled_from(small().positions()),
    left=st.integers(min_value=0, max_value=3),
    each=st.integers(min_value=1, max_value=3),
    ran=st.one_of(st.none(), st.integers(min_value=0, max_value=3)),
    done=st.booleans(),
    gated=st.frozensets(st.integers(min_value=0, max_value=3)),
)
def test_a_schedule_never_has_two_running_days_in_a_row(
    start, position, left, each, ran, done, gated
):
    last_run = start - dt.timedelta(days=ran) if ran is not None else None
    days = plan_days(
        small(),
        position=position,
        start=start,
        days=21,
        sessions_left=left,
        sessions_per_step=each,
        last_run_date=last_run,
        done_on_start=done,
        gated_phases=gated,
    )
    runs = ([last_run] if last_run and not done else []) + [d.date for d in days if d.running]
    assert all(b - a >= dt.timedelta(days=2) for a, b in itertools.pairwise(runs))
    assert not any(d.position and d.rest_weekday for d in days)
    if position[0] in gated:  # never projected past a phase the therapist must sign off
        assert {d.phase_index for d in days} == {position[0]}


def test_the_week_stops_at_a_phase_the_therapist_must_sign_off():
    days = plan_days(
        small(),
        position=(0, 0),
        start=MONDAY,
        days=7,
        sessions_left=1,
        sessions_per_step=2,
        last_run_date=None,
        gated_phases=frozenset({0}),
    )
    keyed = [d for d in days if d.position]
    assert {d.position for d in keyed} == {(0, 0)}
    assert [d.waiting for d in keyed] == [False] + [True] * (len(keyed) - 1)
    ungated = plan_days(
        small(),
        position=(0, 0),
        start=MONDAY,
        days=7,
        sessions_left=1,
        sessions_per_step=2,
        last_run_date=None,
    )
    assert {0, 1} < {d.phase_index for d in ungated}


def test_key_sessions_expected_counts_runs_every_other_day_and_skips_rest_days():
    days = [(MONDAY + dt.timedelta(days=n), True, n == 6) for n in range(7)]
    assert key_sessions_expected(days) == 3  # Mon, Wed, Fri; Sunday is a rest day
    assert key_sessions_expected([(MONDAY, False, False), (MONDAY, False, False)]) == 2
