"""Acknowledging alerts, the clinic's open-alert list, and the clinic admin's thresholds."""

import datetime as dt

from django.urls import reverse

from clinic.models import AuditEvent
from clinic.tests import factories
from rehab import services
from rehab.models import ClinicAlertPolicy
from rehab.tests.factories import AlertFactory, day_log


def test_therapist_acknowledges_an_alert_with_a_note(client, alice, pat):
    alert = AlertFactory(patient=pat)
    client.force_login(alice)
    url = reverse("alert_acknowledge", args=[pat.pk, alert.pk])
    response = client.post(url, {"note": "Called Pat; holding the step."})
    assert response.url == reverse("patient_detail", args=[pat.pk]) + "#alerts"
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (
        alice,
        "Called Pat; holding the step.",
    )
    assert alert.acknowledged_at is not None and not alert.is_open
    event = AuditEvent.objects.get(action="alert.acknowledge")
    assert (event.actor, event.patient, event.object_id) == (alice, pat, str(alert.pk))
    assert event.detail["note"] == "Called Pat; holding the step."


def test_an_acknowledged_alert_keeps_its_first_acknowledgement(client, alice, adam, pat):
    alert = AlertFactory(patient=pat)
    services.alert_acknowledge(alert=alert, by=alice, note="First")
    client.force_login(adam)
    client.post(reverse("alert_acknowledge", args=[pat.pk, alert.pk]), {"note": "Second"})
    alert.refresh_from_db()
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (alice, "First")


def test_acknowledging_returns_to_the_page_it_came_from_on_this_site_only(client, alice, pat):
    client.force_login(alice)
    own = AlertFactory(patient=pat)
    url = reverse("alert_acknowledge", args=[pat.pk, own.pk])
    assert client.post(url, {"next": "/alerts/?scope=all"}).url == "/alerts/?scope=all"
    other = AlertFactory(patient=pat)
    url = reverse("alert_acknowledge", args=[pat.pk, other.pk])
    assert client.post(url, {"next": "https://evil.example/"}).url.startswith("/patients/")


def test_a_too_long_note_acknowledges_nothing(client, alice, pat):
    alert = AlertFactory(patient=pat)
    client.force_login(alice)
    client.post(reverse("alert_acknowledge", args=[pat.pk, alert.pk]), {"note": "x" * 1001})
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
    services.alert_acknowledge(alert=AlertFactory(patient=pat, reason="Done"), by=alice, note="")
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
