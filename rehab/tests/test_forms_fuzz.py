"""Whatever is typed into the daily log, the answer is the form with messages, never a 500."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Patient
from rehab.models import MAX_DISTANCE_M_PER_DAY, AcknowledgementReason, DailyLog, patient_today
from rehab.tests.factories import AlertFactory

junk = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["", " ", "0", "10", "11", "-1", "5.5", "1e400", "NaN", "Infinity", "3,5", "2999-12-31",
         "1800-01-01", "run", "rest", "strength", "on", "9" * 40, "<script>", "é" * 200]
    ),
)  # fmt: skip
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LOG_FIELDS = ["date", "site_pain", "morning_pain", "activity_pain", "swelling", "limp", "notes"]
ACTIVITY_FIELDS = [f"activity-{i}-{name}" for i in range(3) for name in
                   ("kind", "distance", "minutes", "rpe", "DELETE")]  # fmt: skip
MANAGEMENT = ["activity-TOTAL_FORMS", "activity-INITIAL_FORMS", "activity-MAX_NUM_FORMS"]


def clean(data: dict) -> dict:
    return {key: value.replace("\x00", "") for key, value in data.items()}


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "activity-TOTAL_FORMS": st.sampled_from(["0", "1", "3"]),
            "activity-INITIAL_FORMS": st.just("0"),
            "submission": st.uuids().map(str) | junk,
        },
        optional=dict.fromkeys(LOG_FIELDS + ACTIVITY_FIELDS, junk),
    )
)
def test_the_log_form_never_errors(client, pat, data):
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=20))
    client.force_login(pat.user)
    response = client.post(reverse("log_today"), clean(data))
    assert response.status_code in (200, 302)
    for log in DailyLog.objects.filter(patient=pat).prefetch_related("activities"):
        assert 0 <= log.site_pain <= 10
        assert log.date <= patient_today(pat)
        assert sum(a.distance_m or 0 for a in log.activities.all()) <= MAX_DISTANCE_M_PER_DAY


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(LOG_FIELDS + MANAGEMENT, junk)))
def test_a_tampered_activity_formset_never_errors(client, pat, data):
    client.force_login(pat.user)
    assert client.post(reverse("log_today"), clean(data)).status_code in (200, 302)


@FUZZ
@given(note=junk, reason=st.one_of(st.sampled_from(AcknowledgementReason.values), junk), seen=junk)
def test_acknowledging_an_alert_never_errors(client, alice, pat, note, reason, seen):
    alert = pat.alerts.first() or AlertFactory(patient=pat)
    client.force_login(alice)
    url = reverse("alert_acknowledge", args=[pat.pk, alert.pk])
    posted = clean({"note": note, "next": note, "reason": reason, "seen": seen})
    assert client.post(url, posted).status_code in (200, 302)


@FUZZ
@given(rule=junk, days=junk)
def test_snoozing_a_rule_never_errors(client, alice, pat, rule, days):
    client.force_login(alice)
    url = reverse("alert_snooze", args=[pat.pk])
    assert client.post(url, clean({"rule": rule, "days": days})).status_code in (200, 302)


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(
    ["site_pain_threshold", "morning_pain_rise", "baseline_logs", "rising_pain_days",
     "longest_run_margin_pct", "weekly_increase_pct", "no_log_days"], junk)))  # fmt: skip
def test_the_alert_policy_form_never_errors(client, adam, data):
    client.force_login(adam)
    assert client.post(reverse("alert_policy"), clean(data)).status_code in (200, 302)
