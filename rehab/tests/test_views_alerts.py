"""Acknowledging alerts, the clinic's open-alert list, and the clinic admin's thresholds."""

import datetime as dt

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from clinic.tests import factories
from rehab import services
from rehab.models import Alert, AlertSnooze, ClinicAlertPolicy
from rehab.tests.factories import AlertFactory, day_log


def test_therapist_acknowledges_an_alert_with_a_reason_and_a_note(client, alice, pat):
    alert = AlertFactory(patient=pat)
    client.force_login(alice)
    url = reverse("alert_acknowledge", args=[pat.pk, alert.pk])
    response = client.post(
        url, {"reason": "spoke_to_runner", "note": "Called Pat; holding the step.", "seen": 1}
    )
    assert response.url == reverse("patient_detail", args=[pat.pk]) + "#alerts"
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (
        alice,
        "Called Pat; holding the step.",
    )
    assert alert.get_acknowledgement_reason_display() == "Spoke to the runner"
    assert alert.acknowledged_at is not None and not alert.is_open
    event = AuditEvent.objects.get(action="alert.acknowledge")
    assert (event.actor, event.patient, event.object_id) == (alice, pat, str(alert.pk))
    assert event.detail["note"] == "Called Pat; holding the step."
    assert event.detail["reason"] == "spoke_to_runner"


def test_an_acknowledged_alert_keeps_its_first_acknowledgement(client, alice, adam, pat):
    alert = AlertFactory(patient=pat)
    services.alert_acknowledge(alert=alert, by=alice, reason="other", note="First")
    client.force_login(adam)
    client.post(
        reverse("alert_acknowledge", args=[pat.pk, alert.pk]), {"reason": "other", "note": "Second"}
    )
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (alice, "First")


def test_acknowledging_returns_to_the_page_it_came_from_on_this_site_only(client, alice, pat):
    client.force_login(alice)
    own = AlertFactory(patient=pat)
    url = reverse("alert_acknowledge", args=[pat.pk, own.pk])
    posted = {"reason": "expected", "next": "/alerts/?scope=all"}
    assert client.post(url, posted).url == "/alerts/?scope=all"
    other = AlertFactory(patient=pat)
    url = reverse("alert_acknowledge", args=[pat.pk, other.pk])
    posted = {"reason": "expected", "next": "https://evil.example/"}
    assert client.post(url, posted).url.startswith("/patients/")


def test_a_too_long_note_acknowledges_nothing(client, alice, pat):
    alert = AlertFactory(patient=pat)
    client.force_login(alice)
    url = reverse("alert_acknowledge", args=[pat.pk, alert.pk])
    response = client.post(url, {"reason": "other", "note": "x" * 1001})
    assert response.status_code == 200
    assert "Keep the note under 1,000 characters." in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open


def test_an_alert_of_another_patient_cannot_be_acknowledged_through_this_one(
    client, alice, pat, pia
):
    alert = AlertFactory(patient=pia)
    client.force_login(alice)
    url = reverse("alert_acknowledge", args=[pat.pk, alert.pk])
    assert client.post(url).status_code == 404


def test_open_alerts_list_my_patients_by_default_and_the_clinic_on_request(
    client, alice, adam, pat, bea, clinic_a
):
    someone_else = factories.PatientFactory(clinic=clinic_a, therapist=adam, first_name="Sol")
    mine = AlertFactory(patient=pat, reason="Pat's pain")
    theirs = AlertFactory(patient=someone_else, reason="Sol's pain")
    AlertFactory(patient=bea, reason="Bea's pain")
    services.alert_acknowledge(
        alert=AlertFactory(patient=pat, reason="Done"), by=alice, reason="plan_adjusted"
    )
    client.force_login(alice)
    response = client.get(reverse("alert_list"))
    assert list(response.context["page"]) == [mine]
    response = client.get(reverse("alert_list"), {"scope": "all"})
    assert set(response.context["page"]) == {mine, theirs}
    assert "Bea&#x27;s pain" not in response.content.decode()


# --- The clinic's thresholds ------------------------------------------------------------------


def policy_post(**changes) -> dict:
    values = {
        "site_pain_threshold": 5,
        "morning_pain_rise": 2,
        "baseline_logs": 3,
        "rising_pain_days": 3,
        "longest_run_margin_pct": 0,
        "weekly_increase_pct": 30,
        "no_log_days": 3,
    }
    return {**values, **changes}


def test_admin_changes_a_threshold_and_the_change_is_audited(client, adam, clinic_a):
    client.force_login(adam)
    response = client.post(reverse("alert_policy"), policy_post(site_pain_threshold=6))
    assert response.url == reverse("alert_policy")
    assert ClinicAlertPolicy.objects.get(clinic=clinic_a).overrides == {"site_pain_threshold": 6}
    client.post(reverse("alert_policy"), policy_post(site_pain_threshold=4, no_log_days=5))
    events = AuditEvent.objects.filter(action="policy.alerts.update").order_by("at", "id")
    assert [event.detail for event in events] == [
        {"before": {}, "after": {"site_pain_threshold": 6}},
        {
            "before": {"site_pain_threshold": 6},
            "after": {"site_pain_threshold": 4, "no_log_days": 5},
        },
    ]
    assert all(event.actor == adam and event.clinic == clinic_a for event in events)


def test_saving_unchanged_thresholds_records_nothing(client, adam):
    client.force_login(adam)
    client.post(reverse("alert_policy"), policy_post())
    assert not AuditEvent.objects.filter(action="policy.alerts.update").exists()


def test_a_threshold_outside_its_limits_gets_a_message(client, adam, clinic_a):
    client.force_login(adam)
    response = client.post(reverse("alert_policy"), policy_post(site_pain_threshold=11))
    assert response.status_code == 200
    assert "Enter a whole number from 1 to 10." in response.content.decode()
    assert not ClinicAlertPolicy.objects.filter(clinic=clinic_a).exclude(overrides={}).exists()


def test_the_page_shows_each_default_and_its_evidence(client, adam):
    client.force_login(adam)
    body = client.get(reverse("alert_policy")).content.decode()
    assert "Default: 5." in body and "BJSM 2025" in body and "Policy default" in body


def test_the_thresholds_an_admin_saves_are_the_ones_alerts_use(client, adam, pat):
    client.force_login(adam)
    client.post(reverse("alert_policy"), policy_post(site_pain_threshold=8))
    today = dt.date(2026, 3, 18)
    day_log(pat, today, 7)
    services.alerts_evaluate(pat, today=today)
    assert not pat.alerts.exists()
    day_log(pat, today + dt.timedelta(days=1), 8)
    services.alerts_evaluate(pat, today=today + dt.timedelta(days=1))
    assert list(pat.alerts.values_list("rule", flat=True)) == ["site_pain_high"]


def test_a_therapist_cannot_change_the_thresholds(client, alice):
    client.force_login(alice)
    assert client.post(reverse("alert_policy"), policy_post()).status_code == 403


# --- Reasons, grouped alerts and snoozes on the pages -----------------------------------------


def test_acknowledging_without_a_reason_says_so_beside_the_field(client, alice, pat):
    alert = AlertFactory(patient=pat)
    client.force_login(alice)
    url = reverse("alert_acknowledge", args=[pat.pk, alert.pk])
    response = client.post(url, {"note": "Looked at it", "next": "/alerts/"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error_1_id_reason"' in page or "is-invalid" in page
    assert "Choose why you are acknowledging this alert." in page
    assert 'value="/alerts/"' in page  # still goes back to the list once corrected
    alert.refresh_from_db()
    assert alert.is_open


def test_other_needs_a_note(client, alice, pat):
    alert = AlertFactory(patient=pat)
    client.force_login(alice)
    url = reverse("alert_acknowledge", args=[pat.pk, alert.pk])
    response = client.post(url, {"reason": "other", "note": "  "})
    assert "Say what the reason is when you choose “Other”." in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open


def test_an_alert_that_fired_again_since_the_page_was_shown_is_not_acknowledged_blind(
    client, alice, pat
):
    alert = AlertFactory(patient=pat)
    client.force_login(alice)
    url = reverse("alert_acknowledge", args=[pat.pk, alert.pk])
    Alert.objects.filter(pk=alert.pk).update(occurrences=3)
    response = client.post(url, {"reason": "expected", "seen": 1})
    assert response.status_code == 200
    assert "took new occurrences since you looked" in response.content.decode()
    alert.refresh_from_db()
    assert alert.is_open


def test_the_acknowledge_page_shows_every_occurrence_and_is_audited(client, alice, pat):
    for n in (2, 1, 0):
        day_log(pat, dt.date(2026, 3, 18) - dt.timedelta(days=n), 6 + n)
        services.alerts_evaluate(pat, today=dt.date(2026, 3, 18) - dt.timedelta(days=n))
    alert = pat.alerts.get()
    client.force_login(alice)
    page = client.get(reverse("alert_acknowledge", args=[pat.pk, alert.pk])).content.decode()
    assert "3 times" in page
    assert all(f"Site pain {p}/10" in page for p in (6, 7, 8))
    assert AuditEvent.objects.filter(action="alert.view", patient=pat).count() == 1


def test_the_patient_page_shows_one_alert_per_rule_with_its_count(client, alice, pat):
    for n in (2, 1, 0):
        day = dt.date.today() - dt.timedelta(days=n)
        day_log(pat, day, 7)
        services.alerts_evaluate(pat, today=day)
    client.force_login(alice)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert page.count('class="list-group-item alert-item') == 1
    assert "3 times" in page and "1 open" in page
    assert "A safety alert: it cannot be snoozed." in page


def test_a_therapist_snoozes_a_rule_and_it_leaves_the_lists(client, alice, pat):
    alert = AlertFactory(patient=pat, rule="no_log", key="no_log:2026-03-01")
    client.force_login(alice)
    page = client.get(reverse("alert_snooze", args=[pat.pk]), {"rule": "no_log"}).content
    assert b"Safety alerts cannot be snoozed" in page
    response = client.post(reverse("alert_snooze", args=[pat.pk]), {"rule": "no_log", "days": 5})
    assert response.url == reverse("patient_detail", args=[pat.pk]) + "#alerts"
    assert list(client.get(reverse("alert_list")).context["page"]) == []
    snooze = AlertSnooze.objects.get(patient=pat)
    assert snooze.created_by == alice and snooze.rule == "no_log"
    event = AuditEvent.objects.get(action="alert.snooze")
    assert (event.actor, event.patient, event.detail["days"]) == (alice, pat, 5)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "Snoozed for Pat" in page and "by Alice Moss" in page
    assert "1 occurrence recorded meanwhile" in page
    client.post(reverse("alert_snooze_lift", args=[pat.pk, snooze.pk]))
    assert list(client.get(reverse("alert_list")).context["page"]) == [alert]
    assert AuditEvent.objects.filter(action="alert.snooze_lift", actor=alice).exists()


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"rule": "site_pain_high", "days": 3}, "This rule cannot be snoozed"),
        ({"rule": "plan_stopped", "days": 3}, "This rule cannot be snoozed"),
        ({"rule": "no_log", "days": 31}, "Snooze for 30 days at most."),
        ({"rule": "no_log", "days": 0}, "Enter a number of days from 1 to 30."),
        ({"rule": "no_log", "days": "soon"}, "Enter a number of days from 1 to 30."),
    ],
)
def test_a_snooze_that_cannot_be_made_is_explained_beside_the_field(
    client, alice, pat, posted, message
):
    client.force_login(alice)
    response = client.post(reverse("alert_snooze", args=[pat.pk]), posted)
    assert response.status_code == 200 and message in response.content.decode()
    assert not AlertSnooze.objects.exists()


def test_a_snooze_of_another_patient_cannot_be_lifted_through_this_one(client, alice, pat, pia):
    snooze = services.alert_snooze(patient=pia, rule="no_log", days=3, by=alice)
    client.force_login(alice)
    response = client.post(reverse("alert_snooze_lift", args=[pat.pk, snooze.pk]))
    assert response.status_code == 404
    snooze.refresh_from_db()
    assert snooze.lifted_at is None


def test_the_coach_cannot_snooze(client, coach_cole, pat):
    client.force_login(coach_cole)
    response = client.post(reverse("alert_snooze", args=[pat.pk]), {"rule": "no_log", "days": 3})
    assert response.status_code == 404 and not AlertSnooze.objects.exists()


def test_the_alert_list_costs_the_same_queries_with_more_alerts(
    client, alice, pat, clinic_a, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            patient = factories.PatientFactory(clinic=clinic_a, therapist=alice)
            AlertFactory(patient=patient)
            AlertFactory(patient=patient)
            services.alert_snooze(patient=patient, rule="no_log", days=3, by=alice)

    client.force_login(alice)
    add(1)
    with django_assert_max_num_queries(50) as small:
        client.get(reverse("alert_list"))
    add(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("alert_list"))
