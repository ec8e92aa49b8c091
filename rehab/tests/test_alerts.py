import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehab.rules.alerts import (
    ALERT_POLICY_DEFAULTS,
    ALERT_RULES,
    ALERT_RULES_VERSION,
    baseline_morning_pain,
    evaluate_alerts,
    resolve_thresholds,
)
from rehab.rules.load import Activity, ActivityKind
from rehab.tests.test_load import any_date, day, log, log_lists, run

TODAY = day(13)  # a Sunday, two weeks after MONDAY


def alerts_for(logs, rule, **options):
    options.setdefault("today", TODAY)
    return [alert for alert in evaluate_alerts(logs, **options) if alert.rule == rule]


def daily(n_from, n_to, **fields):
    """Logs for days n_from..n_to, so that the no-log rule stays quiet."""
    return [log(n, **fields) for n in range(n_from, n_to + 1)]


# --- Site pain --------------------------------------------------------------------------------


def test_it_alerts_on_site_pain_at_the_threshold():
    (alert,) = alerts_for([log(13, site_pain=5)], "site_pain_high")

    assert alert.key == "site_pain_high:2026-03-15"
    assert alert.dates == (TODAY,)
    assert "5/10 over the day" in alert.reason


def test_it_does_not_alert_on_site_pain_below_the_threshold():
    assert (
        alerts_for([log(13, site_pain=4, activity_pain=4, morning_pain=4)], "site_pain_high") == []
    )


def test_pain_during_activity_or_on_waking_counts_as_site_pain():
    logs = [log(12, activity_pain=6), log(13, morning_pain=5)]

    assert [a.dates for a in alerts_for(logs, "site_pain_high")] == [(day(12),), (day(13),)]


def test_a_clinic_can_raise_the_site_pain_threshold():
    logs = [log(12, site_pain=6), log(13, site_pain=7)]

    alerts = alerts_for(logs, "site_pain_high", thresholds={"site_pain_threshold": 7})

    assert [a.dates for a in alerts] == [(day(13),)]


# --- Morning pain -----------------------------------------------------------------------------


def test_it_alerts_when_morning_pain_is_2_above_the_given_baseline():
    logs = [log(12, morning_pain=2), log(13, morning_pain=3)]

    alerts = alerts_for(logs, "morning_pain_above_baseline", baseline=1)

    assert [a.key for a in alerts] == ["morning_pain_above_baseline:2026-03-15"]


def test_without_a_baseline_it_uses_the_median_of_the_first_3_logs():
    logs = [log(0, morning_pain=1), log(1, morning_pain=3), log(2, morning_pain=2)]
    logs += [log(12, morning_pain=3), log(13, morning_pain=4)]

    alerts = alerts_for(logs, "morning_pain_above_baseline")

    assert [a.dates for a in alerts] == [(day(13),)]
    assert "baseline 2/10" in alerts[0].reason


def test_the_baseline_median_skips_logs_without_morning_pain_and_can_be_a_half():
    logs = [log(0), log(1, morning_pain=1), log(2, morning_pain=2), log(3, morning_pain=9)]

    assert baseline_morning_pain(logs, first_n=2) == 1.5


def test_no_morning_pain_alert_without_any_morning_pain_to_set_a_baseline():
    assert baseline_morning_pain([log(13, site_pain=3)], first_n=3) is None
    assert alerts_for([log(13, site_pain=3)], "morning_pain_above_baseline") == []


# --- Rising pain ------------------------------------------------------------------------------


def test_it_alerts_when_pain_rises_three_days_in_a_row():
    logs = [log(11, site_pain=1), log(12, site_pain=2), log(13, site_pain=3)]

    (alert,) = alerts_for(logs, "pain_rising")

    assert alert.key == "pain_rising:2026-03-15"
    assert alert.dates == (day(11), day(12), day(13))


def test_it_does_not_alert_when_pain_levels_off():
    logs = [log(11, site_pain=1), log(12, site_pain=2), log(13, site_pain=2)]

    assert alerts_for(logs, "pain_rising") == []


def test_a_day_without_a_log_breaks_the_rise():
    logs = [log(10, site_pain=1), log(11, site_pain=2), log(13, site_pain=3)]

    assert alerts_for(logs, "pain_rising") == []


def test_a_longer_rise_raises_one_alert_not_one_a_day():
    logs = [log(n, site_pain=n - 9) for n in range(10, 14)]

    assert [a.dates[-1] for a in alerts_for(logs, "pain_rising")] == [day(12)]


def test_a_clinic_can_ask_for_a_longer_rise():
    logs = [log(11, site_pain=1), log(12, site_pain=2), log(13, site_pain=3)]

    assert alerts_for(logs, "pain_rising", thresholds={"rising_pain_days": 4}) == []


# --- Longest run ------------------------------------------------------------------------------


def test_it_alerts_on_a_run_longer_than_the_longest_of_the_previous_30_days():
    logs = [log(0, run(8)), log(13, Activity(ActivityKind.RUN, distance_m=8001))]

    (alert,) = alerts_for(logs, "run_longer_than_recent_longest")

    assert alert.key == "run_longer_than_recent_longest:2026-03-15"
    assert alert.evidence.startswith("B — BJSM 2025, 5,205 runners")
    assert "(8.0 km)" in alert.reason


def test_it_does_not_alert_on_a_run_as_long_as_the_recent_longest():
    logs = [log(0, run(8)), log(13, run(8))]

    assert alerts_for(logs, "run_longer_than_recent_longest") == []


def test_two_long_runs_on_one_day_raise_one_alert():
    logs = [log(0, run(5)), log(13, run(6), run(7))]

    (alert,) = alerts_for(logs, "run_longer_than_recent_longest")

    assert "7.0 km" in alert.reason


def test_the_reason_uses_the_patients_unit():
    logs = [log(0, run(8.0467)), log(13, run(9.6561))]

    (alert,) = alerts_for(logs, "run_longer_than_recent_longest", unit="mi")

    assert "Run of 6.0 mi" in alert.reason


# --- Weekly distance --------------------------------------------------------------------------


def test_it_alerts_when_weekly_distance_rises_more_than_30_percent():
    logs = [log(0, run(10)), log(7, run(13.001))]

    (alert,) = alerts_for(logs, "weekly_distance_increase")

    assert alert.key == "weekly_distance_increase:2026-03-09"
    assert alert.dates == (day(7),)


def test_it_does_not_alert_on_a_30_percent_rise():
    logs = [log(0, run(10)), log(7, run(13))]

    assert alerts_for(logs, "weekly_distance_increase") == []


def test_the_weekly_alert_fires_mid_week_and_keeps_its_key_all_week():
    logs = [log(0, run(10)), log(7, run(7)), log(9, run(7))]

    keys = {
        alert.key
        for today in (day(9), day(11), day(13))
        for alert in alerts_for(logs, "weekly_distance_increase", today=today)
    }

    assert keys == {"weekly_distance_increase:2026-03-09"}


def test_no_weekly_alert_after_a_week_without_running():
    logs = [log(0, run(10, ActivityKind.CYCLING)), log(7, run(5))]

    assert alerts_for(logs, "weekly_distance_increase") == []


def test_walking_and_cross_training_do_not_raise_the_weekly_alert():
    logs = [log(0, run(10)), log(7, run(10)), log(8, run(10, ActivityKind.WALK))]
    logs.append(log(9, run(30, ActivityKind.CYCLING)))

    assert alerts_for(logs, "weekly_distance_increase") == []


# --- Running while not allowed ----------------------------------------------------------------


def test_it_alerts_on_running_on_a_day_the_plan_does_not_allow():
    blocked = {day(12), day(13)}
    logs = [log(11, run(3)), log(12, run(2, ActivityKind.WALK_RUN))]

    alerts = alerts_for(logs, "running_not_allowed", running_not_allowed=blocked.__contains__)

    assert [a.key for a in alerts] == ["running_not_allowed:2026-03-14"]


def test_walking_and_cross_training_are_fine_on_a_no_running_day():
    logs = [log(13, run(3, ActivityKind.WALK), run(10, ActivityKind.DEEP_WATER_RUNNING))]

    assert alerts_for(logs, "running_not_allowed", running_not_allowed=lambda d: True) == []


def test_without_plan_dates_the_running_rule_is_skipped():
    assert alerts_for([log(13, run(3))], "running_not_allowed") == []


# --- No log -----------------------------------------------------------------------------------


def test_it_alerts_after_3_days_without_a_log():
    (alert,) = alerts_for([log(10)], "no_log")

    assert alert.key == "no_log:2026-03-13"
    assert alert.dates == (day(11), day(12), day(13))


def test_it_does_not_alert_after_2_days_without_a_log():
    assert alerts_for([log(11)], "no_log") == []


def test_one_silence_keeps_one_key_night_after_night():
    keys = {a.key for n in (13, 14, 20) for a in alerts_for([log(10)], "no_log", today=day(n))}

    assert keys == {"no_log:2026-03-13"}


def test_a_patient_who_never_logged_is_alerted_from_the_plan_start():
    (alert,) = alerts_for([], "no_log", logging_since=day(11))

    assert alert.key == "no_log:2026-03-13"


def test_without_logs_or_a_plan_start_there_is_no_no_log_alert():
    assert alerts_for([], "no_log") == []


# --- Evaluation -------------------------------------------------------------------------------


def test_evaluating_the_same_logs_again_gives_the_same_keys():
    logs = daily(0, 13, site_pain=6, morning_pain=6)

    first = evaluate_alerts(logs, today=TODAY, baseline=1)
    again = evaluate_alerts(list(reversed(logs)), today=TODAY, baseline=1)

    assert [a.key for a in first] == [a.key for a in again]
    assert len({a.key for a in first}) == len(first)


def test_since_keeps_old_history_from_raising_alerts():
    logs = daily(0, 13) + [log(2, site_pain=7), log(12, site_pain=7)]

    alerts = evaluate_alerts(logs, today=TODAY, since=day(10))

    assert [a.key for a in alerts] == ["site_pain_high:2026-03-14"]


def test_every_alert_names_its_rule_evidence_section_and_version():
    alert = alerts_for([log(13, site_pain=9)], "site_pain_high")[0]

    assert alert.label and alert.evidence and alert.section.startswith("§")
    assert alert.version == ALERT_RULES_VERSION
    assert json.loads(json.dumps(alert.to_dict()))["dates"] == ["2026-03-15"]


def test_a_bad_fortnight_raises_every_rule_once():
    logs = [log(0, run(10), morning_pain=0), log(2, morning_pain=0)]
    logs += [log(3, morning_pain=0), log(7, run(11), site_pain=2), log(8, site_pain=3)]
    logs += [log(9, run(4), site_pain=5, morning_pain=4)]

    alerts = evaluate_alerts(logs, today=TODAY, running_not_allowed=lambda d: d == day(9))

    assert sorted(alert.rule for alert in alerts) == sorted(rule.code for rule in ALERT_RULES)


def test_rule_codes_are_unique_and_each_names_a_reference_section():
    codes = [rule.code for rule in ALERT_RULES]

    assert len(set(codes)) == len(codes)
    assert all(rule.evidence and rule.section.startswith("§") for rule in ALERT_RULES)


# --- Thresholds -------------------------------------------------------------------------------


def test_each_default_lies_within_its_own_limits_and_has_help():
    for policy in ALERT_POLICY_DEFAULTS.values():
        assert policy.min <= policy.value <= policy.max
        assert policy.label and policy.help
    assert resolve_thresholds(None, ALERT_POLICY_DEFAULTS)["site_pain_threshold"] == 5


@pytest.mark.parametrize(
    "overrides",
    [{"site_pain_treshold": 5}, {"site_pain_threshold": 11}, {"site_pain_threshold": True}],
)
def test_a_bad_threshold_is_refused(overrides):
    with pytest.raises(ValueError):
        evaluate_alerts([], today=TODAY, thresholds=overrides)


@given(
    logs=log_lists,
    today=any_date,
    since=st.none() | any_date,
    baseline=st.none() | st.floats(min_value=-5, max_value=15),
    blocked=st.sets(any_date, max_size=10),
    logging_since=st.none() | any_date,
)
def test_evaluation_never_raises_on_odd_logs(logs, today, since, baseline, blocked, logging_since):
    alerts = evaluate_alerts(
        logs,
        today=today,
        since=since,
        baseline=baseline,
        running_not_allowed=blocked.__contains__,
        logging_since=logging_since,
    )

    assert len({alert.key for alert in alerts}) == len(alerts)
    assert all(max(alert.dates) <= today for alert in alerts)
