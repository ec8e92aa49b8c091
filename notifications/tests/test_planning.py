"""Which reminders fall due for one patient: the pure rules (no database)."""

import datetime as dt

from notifications import planning
from notifications.models import Kind
from notifications.planning import PatientFacts, due_reminders
from notifications.schedule import UTC, zone_named

LONDON = zone_named("Europe/London")
JUNE_10 = dt.date(2026, 6, 10)


def facts(**overrides) -> PatientFacts:
    values = {
        "zone": LONDON,
        "clinic_zone": LONDON,
        "daily_time": dt.time(19, 0),
        "morning_time": dt.time(7, 30),
        "logging_since": dt.date(2026, 6, 1),
        "last_log": JUNE_10 - dt.timedelta(days=1),
    }
    return PatientFacts(**{**values, **overrides})


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def kinds_due(patient: PatientFacts, until: dt.datetime, hours: int = 3) -> list[str]:
    due = due_reminders(patient, after=until - dt.timedelta(hours=hours), until=until)
    return [d.kind for d in due]


def test_the_kinds_it_plans_are_ledger_kinds():
    assert set(planning.KINDS) <= set(Kind.values)


def test_the_daily_reminder_falls_due_at_the_patients_time():
    assert kinds_due(facts(), at(JUNE_10, 19, 0)) == ["daily_log"]
    assert kinds_due(facts(), at(JUNE_10, 18, 59)) == []


def test_no_daily_reminder_when_the_day_is_already_logged():
    assert kinds_due(facts(logged_days=frozenset({JUNE_10})), at(JUNE_10, 19, 5)) == []


def test_no_reminder_while_paused_and_again_the_day_after():
    paused = facts(paused_until=JUNE_10)
    assert kinds_due(paused, at(JUNE_10, 19, 5)) == []
    next_day = JUNE_10 + dt.timedelta(days=1)
    assert kinds_due(paused, at(next_day, 19, 5)) == ["daily_log"]


def test_two_days_without_a_log_bring_a_nudge_instead_of_the_daily_reminder():
    silent = facts(last_log=JUNE_10 - dt.timedelta(days=3))
    due = due_reminders(silent, after=at(JUNE_10, 18), until=at(JUNE_10, 20))
    assert [(d.kind, d.context["since"]) for d in due] == [("missed_log", "2026-06-07")]


def test_the_nudge_comes_once_per_silence():
    silent = facts(last_log=JUNE_10 - dt.timedelta(days=5))
    assert kinds_due(silent, at(JUNE_10, 19, 5)) == ["daily_log"]


def test_three_days_without_a_log_tell_the_therapist_next_morning():
    silent = facts(last_log=JUNE_10 - dt.timedelta(days=4))
    due = due_reminders(silent, after=at(JUNE_10, 6), until=at(JUNE_10, 9))
    assert [(d.kind, d.due_at) for d in due] == [("missed_logs_therapist", at(JUNE_10, 8))]
    assert due[0].context == {"since": "2026-06-06", "days": 3}


def test_before_the_first_log_the_silence_counts_from_when_logging_was_expected():
    new = facts(last_log=None, logging_since=JUNE_10 - dt.timedelta(days=2))
    assert kinds_due(new, at(JUNE_10, 19, 5)) == ["missed_log"]


def test_the_morning_after_a_run_brings_a_pain_check():
    ran = facts(ran_days=frozenset({JUNE_10 - dt.timedelta(days=1)}))
    due = due_reminders(ran, after=at(JUNE_10, 6), until=at(JUNE_10, 8))
    assert [(d.kind, d.context["ran_on"]) for d in due] == [("pain_check", "2026-06-09")]


def test_no_pain_check_after_a_day_without_running_or_once_the_morning_is_logged():
    assert kinds_due(facts(), at(JUNE_10, 8)) == []
    ran = facts(
        ran_days=frozenset({JUNE_10 - dt.timedelta(days=1)}),
        morning_logged=frozenset({JUNE_10}),
    )
    assert kinds_due(ran, at(JUNE_10, 8)) == []


def test_every_run_of_the_planner_finds_the_same_due_moment():
    patient = facts()
    first = due_reminders(patient, after=at(JUNE_10, 16), until=at(JUNE_10, 19, 1))
    later = due_reminders(patient, after=at(JUNE_10, 18), until=at(JUNE_10, 21))
    assert first == later


def test_the_days_sessions_are_announced_at_the_morning_time_while_a_plan_runs():
    following = facts(plan_from=JUNE_10, last_log=JUNE_10)
    assert kinds_due(following, at(JUNE_10, 7, 30)) == ["sessions_today"]
    assert kinds_due(following, at(JUNE_10 - dt.timedelta(days=1), 7, 30)) == []  # not started
    assert kinds_due(facts(last_log=JUNE_10), at(JUNE_10, 7, 30)) == []  # no plan
    paused = facts(plan_from=JUNE_10, last_log=JUNE_10, paused_until=JUNE_10)
    assert kinds_due(paused, at(JUNE_10, 7, 30)) == []
    [due] = due_reminders(following, after=at(JUNE_10, 7, 0), until=at(JUNE_10, 8, 0))
    assert due.context == {"day": "2026-06-10"}


def test_a_day_span_holds_exactly_the_instants_of_that_local_day():
    new_york = zone_named("America/New_York")
    for day in (dt.date(2027, 3, 14), dt.date(2027, 11, 7), JUNE_10):  # gap, fold, summer
        start, end = planning.day_span(day, new_york)
        for minutes in range(-90, 26 * 60 + 90, 15):
            moment = start + dt.timedelta(minutes=minutes)
            inside = start <= moment < end
            assert (moment.astimezone(new_york).date() == day) == inside, moment


def test_slots_are_the_pure_rules_instants_once_per_zone_and_time():
    after = dt.datetime(2027, 3, 28, 0, 0, tzinfo=UTC)  # London skips 01:00-02:00 that night
    pairs = {("Europe/London", dt.time(1, 30)), ("Europe/London", dt.time(19, 0))}
    [slot] = planning.daily_slots(
        pairs, zone_named, after=after, until=after + dt.timedelta(hours=3)
    )
    assert slot.moment == dt.datetime(2027, 3, 28, 1, 0, tzinfo=UTC)  # 02:00 BST, after the gap
    assert slot.day == dt.date(2027, 3, 28)
    assert (slot.since_from, slot.since_until) == planning.day_span(dt.date(2027, 3, 26), LONDON)


def test_the_evening_reminder_is_planned_once_per_moment_whichever_kind():
    assert planning.rivals(planning.DAILY_LOG) == planning.rivals(planning.MISSED_LOG)
    assert planning.rivals(planning.PAIN_CHECK) == (planning.PAIN_CHECK,)
