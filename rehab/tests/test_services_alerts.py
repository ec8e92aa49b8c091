"""The alert service stores what the pure rules find, once, with each clinic's thresholds.

The rules themselves are unit-tested in test_alerts.py; these tests check the wiring on both sides
of every boundary: the logs read from the database, the policy row, the dedupe on (patient, key).
"""

import datetime as dt

import pytest
from django.core.management import call_command

from clinic.models import Patient
from notifications.models import Delivery, Notification
from rehab import services
from rehab.models import (
    PLAN_STOPPED,
    Alert,
    AlertOccurrence,
    AlertSnooze,
    ClinicAlertPolicy,
    patient_today,
)
from rehab.rules import alerts as alert_rules
from rehab.services.alerts import AlertChanged, NotSnoozable
from rehab.tests.factories import day_log

TODAY = dt.date(2026, 3, 18)  # a Wednesday


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def rules_raised(patient) -> list[str]:
    return sorted(patient.alerts.values_list("rule", flat=True))


def set_policy(clinic, **overrides):
    ClinicAlertPolicy.objects.update_or_create(clinic=clinic, defaults={"overrides": overrides})


# --- One test pair per rule: just below the threshold, and at it -----------------------------


@pytest.mark.parametrize(("pain", "raised"), [(4, []), (5, ["site_pain_high"])])
def test_site_pain_alerts_from_the_default_level_of_5(pat, pain, raised):
    day_log(pat, TODAY, pain)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == raised


@pytest.mark.parametrize(("pain", "raised"), [(6, []), (7, ["site_pain_high"])])
def test_site_pain_level_comes_from_the_clinic_policy(pat, pain, raised):
    set_policy(pat.clinic, site_pain_threshold=7)
    day_log(pat, TODAY, pain)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == raised


def test_another_clinics_policy_does_not_apply(pat, bea):
    set_policy(bea.clinic, site_pain_threshold=9)
    day_log(pat, TODAY, 5)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == ["site_pain_high"]


def _three_calm_mornings(patient):
    for n in (3, 2, 1):
        day_log(patient, days_ago(n), 0, morning=1)


@pytest.mark.parametrize(("morning", "raised"), [(2, []), (3, ["morning_pain_above_baseline"])])
def test_morning_pain_alerts_at_baseline_plus_2(pat, morning, raised):
    _three_calm_mornings(pat)  # baseline: the median of the first three mornings, 1
    day_log(pat, TODAY, 0, morning=morning)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == raised


@pytest.mark.parametrize(("morning", "raised"), [(3, []), (4, ["morning_pain_above_baseline"])])
def test_morning_pain_rise_comes_from_the_clinic_policy(pat, morning, raised):
    set_policy(pat.clinic, morning_pain_rise=3)
    _three_calm_mornings(pat)
    day_log(pat, TODAY, 0, morning=morning)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == raised


def test_morning_baseline_is_read_from_the_first_logs_even_when_they_are_old(pat):
    for n in (60, 59, 58):  # long before the evaluated window
        day_log(pat, days_ago(n), 0, morning=2)
    day_log(pat, TODAY, 0, morning=3)  # 2 + 2 would be needed
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == []


@pytest.mark.parametrize(("pains", "raised"), [((1, 2, 2), []), ((1, 2, 3), ["pain_rising"])])
def test_pain_rising_over_three_logged_days_alerts(pat, pains, raised):
    for n, pain in zip((2, 1, 0), pains, strict=True):
        day_log(pat, days_ago(n), pain)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == raised


def test_rising_days_come_from_the_clinic_policy(pat):
    set_policy(pat.clinic, rising_pain_days=4)
    for n, pain in zip((2, 1, 0), (1, 2, 3), strict=True):
        day_log(pat, days_ago(n), pain)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == []


@pytest.mark.parametrize(
    ("metres", "raised"), [(5000, []), (5001, ["run_longer_than_recent_longest"])]
)
def test_a_run_longer_than_the_longest_of_30_days_alerts(pat, metres, raised):
    day_log(pat, days_ago(20), run_m=5000)
    day_log(pat, days_ago(10), run_m=4000)
    day_log(pat, TODAY, run_m=metres)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == raised


def test_a_run_is_not_compared_with_runs_older_than_30_days(pat):
    day_log(pat, days_ago(31), run_m=9000)
    day_log(pat, days_ago(5), run_m=4000)
    day_log(pat, TODAY, run_m=5000)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == ["run_longer_than_recent_longest"]


@pytest.mark.parametrize(
    ("metres", "raised"), [(5500, []), (5501, ["run_longer_than_recent_longest"])]
)
def test_longest_run_margin_comes_from_the_clinic_policy(pat, metres, raised):
    set_policy(pat.clinic, longest_run_margin_pct=10)
    day_log(pat, days_ago(7), run_m=5000)
    day_log(pat, TODAY, run_m=metres)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == raised


def _two_weeks(patient, last_week_m, this_week_m):
    # TODAY is a Wednesday: last week's runs on its Tuesday and Thursday, this week's on Monday and
    # Tuesday, each week split the same way so that no single run stands out.
    day_log(patient, days_ago(8), run_m=last_week_m // 2)
    day_log(patient, days_ago(6), run_m=last_week_m - last_week_m // 2)
    day_log(patient, days_ago(2), run_m=this_week_m // 2)
    day_log(patient, days_ago(1), run_m=this_week_m - this_week_m // 2)


def test_weekly_distance_up_30_percent_exactly_does_not_alert(pat):
    set_policy(pat.clinic, longest_run_margin_pct=100)  # keep the single-run rule out of it
    _two_weeks(pat, 10_000, 13_000)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == []


def test_weekly_distance_up_more_than_30_percent_alerts(pat):
    set_policy(pat.clinic, longest_run_margin_pct=100)
    _two_weeks(pat, 10_000, 13_002)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == ["weekly_distance_increase"]
    assert pat.alerts.get().log_dates == [days_ago(2), days_ago(1)]


def test_weekly_increase_comes_from_the_clinic_policy(pat):
    set_policy(pat.clinic, longest_run_margin_pct=100, weekly_increase_pct=50)
    _two_weeks(pat, 10_000, 14_000)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == []


def test_running_not_allowed_is_skipped_without_a_plan(pat):
    day_log(pat, TODAY, run_m=3000)
    assert services.running_not_allowed_rule(pat) is None
    services.alerts_evaluate(pat, today=TODAY)
    assert "running_not_allowed" not in rules_raised(pat)


@pytest.mark.parametrize(("allowed", "raised"), [(True, []), (False, ["running_not_allowed"])])
def test_running_not_allowed_is_wired_through_the_plan_rule(pat, monkeypatch, allowed, raised):
    monkeypatch.setattr(
        services.logs, "running_not_allowed_rule", lambda patient, **_: lambda day: not allowed
    )
    day_log(pat, TODAY, run_m=3000)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == raised


@pytest.mark.parametrize(("silent_days", "raised"), [(2, []), (3, ["no_log"])])
def test_no_log_for_3_days_alerts(pat, silent_days, raised):
    day_log(pat, days_ago(silent_days))
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == raised


def test_no_log_days_come_from_the_clinic_policy(pat):
    set_policy(pat.clinic, no_log_days=5)
    day_log(pat, days_ago(4))
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == []


def test_a_long_silence_keeps_one_no_log_alert(pat):
    day_log(pat, days_ago(60))  # older than any window the rules read
    for n in (40, 20, 0):
        services.alerts_evaluate(pat, today=days_ago(n), since=days_ago(n))
    assert pat.alerts.get().key == f"no_log:{days_ago(59).isoformat()}"


def test_a_patient_without_an_account_or_logs_is_not_expected_to_log(clinic_a, alice):
    patient = Patient.objects.create(
        clinic=clinic_a, first_name="No", last_name="Account", date_of_birth=dt.date(1990, 1, 1)
    )
    services.alerts_evaluate(patient, today=dt.date.today() + dt.timedelta(days=10))
    assert rules_raised(patient) == []


# --- Storing: reasons, dedupe, window ---------------------------------------------------------


def test_an_alert_says_which_rule_fired_why_and_about_which_logs(pat):
    day_log(pat, TODAY, 6)
    services.alerts_evaluate(pat, today=TODAY)
    alert = pat.alerts.get()
    assert alert.get_rule_display() == "Site pain at or above the alert level"
    assert "6/10" in alert.reason and "alert at 5/10" in alert.reason
    assert "Vincent 2022" in alert.evidence and alert.section == "§5 Progression rules"
    assert alert.log_dates == [TODAY] and alert.last_date == TODAY
    assert alert.rules_version == "2026.1" and alert.is_open


def test_evaluating_again_does_not_duplicate_alerts(pat):
    day_log(pat, TODAY, 7)
    first = services.alerts_evaluate(pat, today=TODAY)
    second = services.alerts_evaluate(pat, today=TODAY)
    assert len(first) == 1 and second == []
    assert Alert.objects.filter(patient=pat).count() == 1


def test_an_acknowledged_alert_is_not_raised_again(pat, alice):
    day_log(pat, TODAY, 7)
    services.alerts_evaluate(pat, today=TODAY)
    services.alert_acknowledge(
        alert=pat.alerts.get(), by=alice, reason="spoke_to_runner", note="Called her."
    )
    services.alerts_evaluate(pat, today=TODAY)
    alert = pat.alerts.get()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (alice, "Called her.")


def test_alerts_about_days_before_the_edit_window_are_not_raised(pat):
    day_log(pat, days_ago(15), 8)
    day_log(pat, TODAY, 1)
    services.alerts_evaluate(pat, today=TODAY)
    assert rules_raised(pat) == []


def test_a_lower_threshold_raises_alerts_about_the_last_two_weeks_only(pat):
    day_log(pat, days_ago(20), 4)
    day_log(pat, days_ago(10), 4)
    day_log(pat, TODAY, 1)
    set_policy(pat.clinic, site_pain_threshold=4)
    services.alerts_evaluate(pat, today=TODAY)
    assert list(pat.alerts.values_list("last_date", flat=True)) == [days_ago(10)]


def test_the_nightly_command_evaluates_every_active_patient_once(pat, pia, bea, capsys):
    for patient in (pat, pia, bea):
        day_log(patient, patient_today(patient), 8)
    Patient.objects.filter(pk=pia.pk).update(discharged_at=dt.datetime.now(dt.UTC))
    call_command("evaluate_alerts")
    call_command("evaluate_alerts")
    assert capsys.readouterr().out.splitlines() == ["Raised 2 new alerts.", "Raised 0 new alerts."]
    assert (rules_raised(pat), rules_raised(pia), rules_raised(bea)) == (
        ["site_pain_high"],
        [],
        ["site_pain_high"],
    )


# --- One open alert per rule: occurrences refresh it ------------------------------------------


def test_a_rule_firing_again_refreshes_its_open_alert_with_the_new_evidence(pat):
    for n, pain in ((4, 6), (2, 7), (0, 8)):
        day_log(pat, days_ago(n), pain)
        services.alerts_evaluate(pat, today=days_ago(n))
    alert = pat.alerts.get()
    assert alert.occurrences == 3
    assert alert.log_dates == [days_ago(4), days_ago(2), days_ago(0)]
    assert (alert.first_date, alert.last_date) == (days_ago(4), TODAY)
    assert "8/10" in alert.reason and alert.key == f"site_pain_high:{TODAY}"
    assert list(alert.history.values_list("key", flat=True)) == [
        f"site_pain_high:{days_ago(n)}" for n in (4, 2, 0)
    ]


def test_evaluating_twice_changes_nothing_on_a_refreshed_alert(pat):
    day_log(pat, days_ago(1), 6)
    day_log(pat, TODAY, 7)
    services.alerts_evaluate(pat, today=TODAY)
    before = list(Alert.objects.values_list("pk", "occurrences", "dates", "reason", "refreshed_at"))
    assert services.alerts_evaluate(pat, today=TODAY) == []
    after = list(Alert.objects.values_list("pk", "occurrences", "dates", "reason", "refreshed_at"))
    assert after == before and before[0][1] == 2
    assert AlertOccurrence.objects.count() == 2


def test_an_occurrence_after_an_acknowledgement_opens_a_new_alert(pat, alice):
    day_log(pat, days_ago(2), 6)
    services.alerts_evaluate(pat, today=days_ago(2))
    first = pat.alerts.get()
    services.alert_acknowledge(alert=first, by=alice, reason="spoke_to_runner")
    services.alerts_evaluate(pat, today=days_ago(1))  # nothing new: stays acknowledged
    assert pat.alerts.count() == 1
    day_log(pat, TODAY, 7)
    services.alerts_evaluate(pat, today=TODAY)
    second = pat.alerts.open().get()
    assert second.pk != first.pk and second.occurrences == 1 and second.log_dates == [TODAY]
    first.refresh_from_db()
    assert first.occurrences == 1 and not first.is_open


def test_each_rule_keeps_its_own_open_alert(pat):
    day_log(pat, days_ago(3), 1, morning=1)
    day_log(pat, days_ago(2), 1, morning=1)
    day_log(pat, days_ago(1), 6, morning=1)
    day_log(pat, TODAY, 6, morning=5)
    services.alerts_evaluate(pat, today=TODAY)
    counts = dict(pat.alerts.values_list("rule", "occurrences"))
    assert counts == {"site_pain_high": 2, "morning_pain_above_baseline": 1}


def test_acknowledging_refuses_when_new_occurrences_arrived_unseen(pat, alice):
    day_log(pat, days_ago(1), 6)
    services.alerts_evaluate(pat, today=days_ago(1))
    alert = pat.alerts.get()
    day_log(pat, TODAY, 7)
    services.alerts_evaluate(pat, today=TODAY)
    with pytest.raises(AlertChanged):
        services.alert_acknowledge(alert=alert, by=alice, reason="expected", seen_occurrences=1)
    alert.refresh_from_db()
    assert alert.is_open
    assert services.alert_acknowledge(alert=alert, by=alice, reason="expected", seen_occurrences=2)


def test_a_plan_stop_is_recorded_on_one_open_alert(pat):
    """The plan engine's stop goes through the same store: keyed by day, folded by rule."""
    from rehab.services.alerts import alerts_record

    def stop(day):
        return alert_rules.Alert(
            rule=PLAN_STOPPED,
            label="Plan stopped for review",
            key=f"{PLAN_STOPPED}:{day}",
            reason=f"Stopped on {day}.",
            evidence="",
            section="§5 Progression rules",
            dates=(day,),
        )

    alerts_record(patient=pat, found=[stop(days_ago(3))])
    alerts_record(patient=pat, found=[stop(days_ago(3)), stop(TODAY)])
    alert = pat.alerts.get()
    assert (alert.rule, alert.occurrences, alert.reason) == (
        PLAN_STOPPED,
        2,
        f"Stopped on {TODAY}.",
    )


def test_refreshing_an_alert_sends_no_notice(pat, alice):
    """Alerts reach people through the lists and the worklist, never as a notice per occurrence."""
    for n in (2, 1, 0):
        day_log(pat, days_ago(n), 6 + n)
        services.alerts_evaluate(pat, today=days_ago(n))
    assert not Notification.objects.exists() and not Delivery.objects.exists()


# --- Snoozing a rule for one patient ----------------------------------------------------------


def test_a_snoozed_rule_still_records_occurrences_but_is_not_open(pat, alice):
    services.alert_snooze(patient=pat, rule="morning_pain_above_baseline", days=7, by=alice)
    for n in (4, 3, 2, 1):
        day_log(pat, days_ago(n), 1, morning=1)
    day_log(pat, TODAY, 1, morning=4)
    services.alerts_evaluate(pat, today=TODAY)
    assert not pat.alerts.open().exists()
    snoozed = pat.alerts.snoozed().get()
    assert snoozed.occurrences == 1 and snoozed.is_open


def test_lifting_a_snooze_shows_what_was_recorded_meanwhile(pat, alice):
    snooze = services.alert_snooze(patient=pat, rule="no_log", days=3, by=alice)
    day_log(pat, days_ago(5))
    services.alerts_evaluate(pat, today=TODAY)
    assert not pat.alerts.open().exists()
    assert services.alert_snooze_lift(snooze=snooze, by=alice)
    assert list(pat.alerts.open().values_list("rule", flat=True)) == ["no_log"]
    snooze.refresh_from_db()
    assert snooze.lifted_by == alice and snooze.lifted_at is not None
    assert not services.alert_snooze_lift(snooze=snooze, by=alice)  # already ended


def test_a_snooze_ends_by_itself(pat, alice, monkeypatch):
    services.alert_snooze(patient=pat, rule="no_log", days=1, by=alice)
    day_log(pat, days_ago(5))
    services.alerts_evaluate(pat, today=TODAY)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1, minutes=1)
    assert list(Alert.objects.open(now=later).values_list("rule", flat=True)) == ["no_log"]


def test_snoozing_again_replaces_the_running_snooze(pat, alice, adam):
    services.alert_snooze(patient=pat, rule="no_log", days=3, by=alice)
    services.alert_snooze(patient=pat, rule="no_log", days=10, by=adam)
    running = AlertSnooze.objects.active().get(patient=pat)
    assert running.created_by == adam
    assert AlertSnooze.objects.filter(patient=pat).count() == 2


@pytest.mark.parametrize("rule", ["site_pain_high", PLAN_STOPPED])
def test_safety_rules_cannot_be_snoozed(pat, alice, rule):
    with pytest.raises(NotSnoozable):
        services.alert_snooze(patient=pat, rule=rule, days=3, by=alice)
    assert not AlertSnooze.objects.exists()


@pytest.mark.parametrize("days", [0, 31])
def test_a_snooze_lasts_one_to_thirty_days(pat, alice, days):
    with pytest.raises(ValueError):
        services.alert_snooze(patient=pat, rule="no_log", days=days, by=alice)
