import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehab.rules.load import (
    Activity,
    ActivityKind,
    DayLog,
    acute_chronic_ratio,
    adherence,
    from_display,
    logging_streak,
    logs_by_date,
    longest_run_before,
    runs_exceeding_recent_longest,
    to_display,
    weekly_running_distance,
)

MONDAY = dt.date(2026, 3, 2)  # an ISO week starts here


def day(n: int) -> dt.date:
    return MONDAY + dt.timedelta(days=n)


def run(km: float, kind: str = ActivityKind.RUN) -> Activity:
    return Activity(kind, distance_m=round(km * 1000), duration_min=30, rpe=4)


def log(n: int, *activities: Activity, **fields) -> DayLog:
    return DayLog(day(n), activities=activities, **fields)


# Strategies for "odd but typed" input, shared with the alert and progression tests.
pains = st.none() | st.integers(min_value=-3, max_value=15)
activities = st.builds(
    Activity,
    kind=st.sampled_from(list(ActivityKind)) | st.text(max_size=4),
    distance_m=st.none() | st.integers(min_value=-1000, max_value=100_000),
    duration_min=st.none() | st.integers(min_value=0, max_value=600),
    rpe=st.none() | st.integers(min_value=0, max_value=10),
)
day_logs = st.builds(
    DayLog,
    date=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 4, 30)),
    site_pain=pains,
    activity_pain=pains,
    morning_pain=pains,
    swelling=st.booleans(),
    limp=st.booleans(),
    activities=st.lists(activities, max_size=3).map(tuple),
)
log_lists = st.lists(day_logs, max_size=40)  # unsorted, with duplicate dates, sometimes empty
any_date = st.dates(min_value=dt.date(2025, 12, 1), max_value=dt.date(2026, 5, 31))


# --- Running load -----------------------------------------------------------------------------


def test_only_runs_and_walk_runs_count_as_running_load():
    logs = [
        log(
            0,
            run(5),
            run(2, ActivityKind.WALK_RUN),
            run(4, ActivityKind.WALK),
            run(20, ActivityKind.CYCLING),
            run(3, ActivityKind.DEEP_WATER_RUNNING),
            run(3, ActivityKind.ANTIGRAVITY_TREADMILL),
        )
    ]

    week = weekly_running_distance(logs, today=day(6), weeks=1)[-1]

    assert week.distance_m == 7000


def test_a_running_kind_read_from_the_database_as_a_plain_string_counts():
    assert log(0, Activity("run", distance_m=3000)).running_m == 3000


def test_an_activity_without_a_distance_adds_nothing():
    assert log(0, Activity(ActivityKind.RUN, distance_m=None, duration_min=20)).running_m == 0


def test_weeks_are_iso_weeks_from_monday_oldest_first():
    logs = [log(-1, run(4)), log(0, run(5)), log(6, run(6)), log(7, run(7))]

    weeks = weekly_running_distance(logs, today=day(7), weeks=3)

    assert [(w.start, w.distance_m) for w in weeks] == [
        (day(-7), 4000),
        (day(0), 11000),
        (day(7), 7000),
    ]


def test_only_the_week_that_holds_today_is_partial():
    weeks = weekly_running_distance([], today=day(9), weeks=3)

    assert [w.partial for w in weeks] == [False, False, True]


def test_weekly_change_is_the_percent_change_against_the_week_before():
    logs = [log(0, run(10)), log(7, run(13))]

    weeks = weekly_running_distance(logs, today=day(8), weeks=2)

    assert weeks[-1].change_pct == pytest.approx(30.0)


def test_weekly_change_is_none_after_a_week_without_running():
    weeks = weekly_running_distance([log(7, run(5))], today=day(8), weeks=2)

    assert weeks[-1].change_pct is None


def test_logs_after_today_are_ignored():
    weeks = weekly_running_distance([log(1, run(5)), log(3, run(9))], today=day(2), weeks=1)

    assert weeks[-1].distance_m == 5000


def test_the_last_log_given_for_a_date_wins():
    logs = [log(1, run(5)), log(0, run(1)), log(1, run(8))]

    assert [entry.running_m for entry in logs_by_date(logs).values()] == [1000, 8000]


def test_peak_pain_is_the_highest_pain_reported_in_a_log():
    assert log(0, site_pain=2, activity_pain=4, morning_pain=None).peak_pain == 4
    assert log(0).peak_pain is None


# --- Longest run ------------------------------------------------------------------------------


def test_the_longest_run_looks_back_30_days_not_counting_the_day_itself():
    logs = [log(-31, run(20)), log(-30, run(8)), log(-1, run(6)), log(0, run(15))]

    assert longest_run_before(logs, day(0)) == 8000


def test_longest_run_is_none_without_a_recent_run():
    assert longest_run_before([log(-31, run(20))], day(0)) is None


def test_a_run_longer_than_the_recent_longest_is_reported():
    logs = [log(0, run(10)), log(5, Activity(ActivityKind.RUN, distance_m=10_001))]

    (spike,) = runs_exceeding_recent_longest(logs, start=day(0), end=day(5))

    assert (spike.date, spike.distance_m, spike.previous_longest_m) == (day(5), 10_001, 10_000)


def test_a_run_as_long_as_the_recent_longest_is_not_reported():
    logs = [log(0, run(10)), log(5, run(10))]

    assert runs_exceeding_recent_longest(logs, start=day(0), end=day(5)) == ()


def test_the_margin_lets_a_run_exceed_the_longest_by_that_percentage():
    logs = [log(0, run(10)), log(5, run(11)), log(10, run(12.2))]

    spikes = runs_exceeding_recent_longest(logs, start=day(0), end=day(10), margin_pct=10)

    assert [spike.date for spike in spikes] == [day(10)]


def test_the_first_run_after_30_days_without_running_is_not_a_spike():
    logs = [log(0, run(5)), log(40, run(8))]

    assert runs_exceeding_recent_longest(logs, start=day(0), end=day(40)) == ()


def test_a_walk_run_session_counts_as_a_single_run():
    logs = [log(0, run(3)), log(2, run(4, ActivityKind.WALK_RUN)), log(3, run(9, "walk"))]

    spikes = runs_exceeding_recent_longest(logs, start=day(0), end=day(3))

    assert [spike.date for spike in spikes] == [day(2)]


# --- Acute:chronic ----------------------------------------------------------------------------


def test_acute_chronic_ratio_is_1_for_steady_running():
    logs = [log(n, run(5)) for n in range(-27, 1)]

    assert acute_chronic_ratio(logs, today=day(0)) == pytest.approx(1.0)


def test_acute_chronic_ratio_compares_the_7_day_with_the_28_day_average():
    logs = [log(n, run(2)) for n in range(-27, -6)] + [log(n, run(8)) for n in range(-6, 1)]

    # acute 8 km a day; chronic (21 × 2 + 7 × 8) / 28 = 3.5 km a day.
    assert acute_chronic_ratio(logs, today=day(0)) == pytest.approx(8 / 3.5)


def test_acute_chronic_ratio_is_none_without_running_in_28_days():
    logs = [log(-28, run(10)), log(0, run(10, ActivityKind.CYCLING))]

    assert acute_chronic_ratio(logs, today=day(0)) is None


# --- Logging habits ---------------------------------------------------------------------------


def test_adherence_counts_distinct_logged_days_between_both_dates():
    logs = [log(0), log(1), log(1), log(3), log(9)]

    result = adherence(logs, start=day(0), end=day(4))

    assert (result.logged_days, result.expected_days, result.ratio) == (3, 5, 0.6)


def test_adherence_of_an_empty_range_has_no_ratio():
    result = adherence([log(0)], start=day(3), end=day(1))

    assert (result.expected_days, result.ratio) == (0, None)


def test_the_streak_counts_consecutive_logged_days_up_to_today():
    logs = [log(0), log(2), log(3), log(4)]

    assert logging_streak(logs, today=day(4)) == 3


def test_the_streak_counts_from_yesterday_while_today_is_not_logged_yet():
    assert logging_streak([log(2), log(3)], today=day(4)) == 2


def test_the_streak_is_0_after_a_missed_day():
    assert logging_streak([log(1), log(2)], today=day(4)) == 0


# --- Units ------------------------------------------------------------------------------------


def test_a_mile_is_exactly_1609_344_metres():
    assert from_display(1, "mi") == 1609
    assert from_display(1000, "mi") == 1_609_344
    assert to_display(1_609_344, "mi") == 1000


def test_a_marathon_converts_both_ways():
    assert to_display(42_195, "km") == 42.195
    assert to_display(42_195, "mi") == pytest.approx(26.2188, abs=1e-4)
    assert from_display(26.2188, "mi") == 42_195


def test_distances_entered_as_decimal_or_text_convert():
    assert from_display(Decimal("5.5"), "km") == 5500
    assert from_display("3.1", "mi") == 4989


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown distance unit"):
        to_display(1000, "furlong")


@given(metres=st.integers(min_value=0, max_value=10_000_000), unit=st.sampled_from(["km", "mi"]))
def test_metres_survive_a_round_trip_through_the_display_unit(metres, unit):
    assert from_display(to_display(metres, unit), unit) == metres


@given(
    value=st.decimals(min_value=0, max_value=10_000, places=3),
    unit=st.sampled_from(["km", "mi"]),
)
def test_a_displayed_distance_survives_a_round_trip_within_half_a_metre(value, unit):
    back = to_display(from_display(value, unit), unit)

    assert abs(Decimal(str(back)) - value) * (1609 if unit == "mi" else 1000) <= Decimal("0.51")


# --- Shape ------------------------------------------------------------------------------------


def test_results_serialise_to_json():
    weeks = weekly_running_distance([log(0, run(5))], today=day(8), weeks=2)
    data = json.loads(json.dumps([w.to_dict() for w in weeks] + [log(0, run(5)).to_dict()]))

    assert data[1] == {
        "start": "2026-03-09",
        "distance_m": 0,
        "change_pct": -100.0,
        "partial": True,
    }
    assert data[2]["activities"][0]["kind"] == "run"


@given(logs=log_lists, today=any_date, start=any_date, end=any_date)
def test_load_functions_never_raise_on_odd_logs(logs, today, start, end):
    weekly_running_distance(logs, today=today)
    runs_exceeding_recent_longest(logs, start=start, end=end)
    acute_chronic_ratio(logs, today=today)
    adherence(logs, start=start, end=end)
    logging_streak(logs, today=today)
    longest_run_before(logs, today)
