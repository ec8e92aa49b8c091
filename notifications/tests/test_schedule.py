"""When reminders fall due, across daylight-saving changes and quiet hours (no database)."""

import datetime as dt

from notifications.schedule import (
    UTC,
    daily_moments,
    is_quiet,
    local_moment,
    quiet_end,
    time_is_quiet,
    zone_named,
)

NEW_YORK = zone_named("America/New_York")
LONDON = zone_named("Europe/London")
LORD_HOWE = zone_named("Australia/Lord_Howe")  # clocks move by 30 minutes


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def local(moment: dt.datetime, zone) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def test_a_reminder_stays_at_its_local_time_across_the_spring_change():
    days = [dt.date(2026, 3, 7), dt.date(2026, 3, 8), dt.date(2026, 3, 9)]
    moments = [local_moment(day, dt.time(7, 30), NEW_YORK) for day in days]
    assert [local(m, NEW_YORK) for m in moments] == [
        "2026-03-07 07:30 EST",
        "2026-03-08 07:30 EDT",
        "2026-03-09 07:30 EDT",
    ]
    assert moments[1] - moments[0] == dt.timedelta(hours=23)


def test_a_reminder_stays_at_its_local_time_across_the_autumn_change():
    days = [dt.date(2026, 10, 24), dt.date(2026, 10, 25), dt.date(2026, 10, 26)]
    moments = [local_moment(day, dt.time(7, 30), LONDON) for day in days]
    assert [local(m, LONDON) for m in moments] == [
        "2026-10-24 07:30 BST",
        "2026-10-25 07:30 GMT",
        "2026-10-26 07:30 GMT",
    ]
    assert moments[1] - moments[0] == dt.timedelta(hours=25)


def test_a_time_in_the_spring_gap_falls_due_at_the_first_valid_moment_after_it():
    moment = local_moment(dt.date(2026, 3, 8), dt.time(2, 30), NEW_YORK)
    assert moment == utc(2026, 3, 8, 7, 0)
    assert local(moment, NEW_YORK) == "2026-03-08 03:00 EDT"


def test_the_spring_gap_is_found_for_half_hour_changes_too():
    moment = local_moment(dt.date(2026, 10, 4), dt.time(2, 15), LORD_HOWE)
    assert moment.astimezone(LORD_HOWE).strftime("%H:%M") == "02:30"


def test_an_ambiguous_autumn_time_falls_due_once_at_its_first_occurrence():
    moment = local_moment(dt.date(2026, 11, 1), dt.time(1, 30), NEW_YORK)
    assert local(moment, NEW_YORK) == "2026-11-01 01:30 EDT"
    whole_night = daily_moments(
        dt.time(1, 30), NEW_YORK, after=utc(2026, 11, 1, 0), until=utc(2026, 11, 1, 12)
    )
    assert whole_night == [moment]


def test_daily_moments_lists_each_day_in_the_window_once():
    moments = daily_moments(
        dt.time(19, 0), LONDON, after=utc(2026, 6, 1, 12), until=utc(2026, 6, 4, 12)
    )
    assert moments == [utc(2026, 6, 1, 18), utc(2026, 6, 2, 18), utc(2026, 6, 3, 18)]


def test_the_window_is_open_at_its_start_and_closed_at_its_end():
    at_seven = utc(2026, 6, 1, 18)
    assert daily_moments(dt.time(19), LONDON, after=at_seven, until=at_seven) == []
    assert daily_moments(
        dt.time(19), LONDON, after=at_seven - dt.timedelta(minutes=1), until=at_seven
    ) == [at_seven]


def test_quiet_hours_may_run_over_midnight():
    assert time_is_quiet(dt.time(23, 0), dt.time(22, 0), dt.time(7, 0))
    assert time_is_quiet(dt.time(6, 59), dt.time(22, 0), dt.time(7, 0))
    assert not time_is_quiet(dt.time(7, 0), dt.time(22, 0), dt.time(7, 0))
    assert time_is_quiet(dt.time(13, 0), dt.time(12, 0), dt.time(14, 0))
    assert not time_is_quiet(dt.time(13, 0), None, None)


def test_a_message_due_in_quiet_hours_waits_for_their_end_in_local_time():
    night = utc(2026, 3, 8, 4, 0)  # 23:00 EST on 7 March
    assert is_quiet(night, dt.time(22), dt.time(7), NEW_YORK)
    assert local(quiet_end(night, dt.time(22), dt.time(7), NEW_YORK), NEW_YORK) == (
        "2026-03-08 07:00 EDT"
    )


def test_a_message_outside_quiet_hours_goes_at_once():
    noon = utc(2026, 3, 8, 17, 0)
    assert quiet_end(noon, dt.time(22), dt.time(7), NEW_YORK) == noon


def test_an_unknown_zone_name_reads_as_utc():
    assert zone_named("Mars/Olympus_Mons") is UTC
