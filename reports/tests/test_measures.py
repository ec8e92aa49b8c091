"""Milestones and the pain trend read from logged days (pure, no database)."""

import datetime as dt

from reports.measures import (
    Day,
    Milestones,
    milestones,
    pain_trend,
    pre_injury_weekly_m,
    rehab_start,
)

D0 = dt.date(2026, 3, 2)


def day(n, pain, *, during=None, walked=False, ran=False, metres=0):
    return Day(D0 + dt.timedelta(days=n), pain, during, walked, ran, metres)


def test_a_walk_counts_as_pain_free_only_with_no_site_or_activity_pain():
    days = [day(1, 1, walked=True), day(2, 0, during=2, walked=True), day(4, 0, walked=True)]
    assert milestones(days, since=D0, full_volume_m=None).first_pain_free_walk == D0 + dt.timedelta(
        days=4
    )


def test_the_first_run_is_the_first_day_with_a_run_logged():
    days = [day(1, 0, walked=True), day(6, 1, ran=True, metres=2000), day(8, 1, ran=True)]
    assert milestones(days, since=D0, full_volume_m=None).first_run == D0 + dt.timedelta(days=6)


def test_running_before_rehab_started_is_not_a_first_run():
    # Ran on day 1 (before the diagnosis), the plan started on day 5, ran again on day 8.
    days = [day(1, 3, ran=True, metres=3000), day(3, 0, walked=True), day(8, 1, ran=True)]
    marks = milestones(days, since=D0 + dt.timedelta(days=5), full_volume_m=None)
    assert marks.first_run == D0 + dt.timedelta(days=8)
    assert marks.first_pain_free_walk is None  # the walk on day 3 came before rehab too


def test_no_milestones_before_rehab_has_started():
    days = [day(1, 0, walked=True), day(2, 0, ran=True, metres=2000)]
    assert milestones(days, since=None, full_volume_m=1000) == Milestones(None, None, None)


def test_a_running_session_done_in_a_plan_counts_only_from_rehab_start():
    days = [day(9, 0, ran=True)]
    since = D0 + dt.timedelta(days=4)
    planned = [D0 + dt.timedelta(days=2), D0 + dt.timedelta(days=6)]
    marks = milestones(days, since=since, full_volume_m=None, planned_runs=planned)
    assert marks.first_run == D0 + dt.timedelta(days=6)


def test_rehab_starts_with_the_plan_else_the_decision_never_before_day_zero():
    after = D0 + dt.timedelta(days=3)
    assert rehab_start(D0, [(after, None)], decided_on=D0 + dt.timedelta(days=1)) == after
    assert rehab_start(D0, [], decided_on=D0 + dt.timedelta(days=1)) == D0 + dt.timedelta(days=1)
    assert rehab_start(D0, [], decided_on=None) is None
    # A plan under way since before the intake counts from the intake (day 0)...
    assert rehab_start(D0, [(D0 - dt.timedelta(days=30), None)]) == D0
    # ...a plan that ended before it belongs to the earlier episode.
    ended = (D0 - dt.timedelta(days=30), D0 - dt.timedelta(days=2))
    assert rehab_start(D0, [ended]) is None
    assert rehab_start(D0, [ended], decided_on=D0 - dt.timedelta(days=9)) == D0


def test_full_volume_is_reached_when_seven_days_of_running_match_the_weeks_before_injury():
    days = [day(n, 0, ran=True, metres=5000) for n in (0, 2, 4, 6, 8, 10)]
    # 5 km every other day: 15 km by day 4, 20 km within 7 days from day 6 on.
    assert milestones(days, since=D0, full_volume_m=20000).full_volume == D0 + dt.timedelta(days=6)
    assert milestones(days, since=D0, full_volume_m=40000).full_volume is None
    assert milestones(days, since=D0, full_volume_m=None).full_volume is None


def test_the_weekly_distance_before_injury_is_the_mean_of_the_weeks_given():
    assert pre_injury_weekly_m([30, 40, 50]) == 40000
    assert pre_injury_weekly_m([]) is None
    assert pre_injury_weekly_m("30") is None
    assert pre_injury_weekly_m([0, 0]) is None


def test_the_pain_trend_compares_this_week_with_the_week_before():
    days = [day(n, 4) for n in range(0, 7)] + [day(n, 2) for n in range(7, 14)]
    trend = pain_trend(days, today=D0 + dt.timedelta(days=13))
    assert (trend.recent_mean, trend.previous_mean, trend.change) == (2, 4, -2)
    assert trend.label == "improving"


def test_a_small_change_reads_steady_and_a_missing_week_reads_nothing():
    days = [day(0, 3), day(8, 3)]
    assert pain_trend(days, today=D0 + dt.timedelta(days=13)).label == "steady"
    assert pain_trend([day(8, 3)], today=D0 + dt.timedelta(days=13)).label == ""
