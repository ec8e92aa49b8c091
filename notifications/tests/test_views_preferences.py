"""The patient's reminder settings page: phone-first, errors beside the field, never a 500."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Patient
from notifications import services
from notifications.models import ReminderPreference

URL = reverse("reminder_preferences")
VALID = {
    "reminders_on": "on",
    "by_email": "on",
    "in_app": "on",
    "daily_time": "20:15",
    "morning_time": "07:45",
    "quiet_start": "22:30",
    "quiet_end": "06:30",
    "paused_until": "",
}


def test_the_page_shows_the_patients_current_choices(client, pat):
    client.force_login(pat.user)
    page = client.get(URL).content.decode()
    assert 'value="19:00"' in page  # the default daily time
    assert "pat@runner.example" in page
    assert "Add a mobile number in Settings first." in page
    assert "Reminders are off." in page  # pat never consented


def test_saving_stores_the_choices_and_gives_consent(client, pat):
    client.force_login(pat.user)
    response = client.post(URL, VALID)
    assert response.status_code == 302
    preference = ReminderPreference.objects.get(patient=pat)
    assert (preference.daily_time, preference.morning_time) == (dt.time(20, 15), dt.time(7, 45))
    assert (preference.quiet_start, preference.quiet_end) == (dt.time(22, 30), dt.time(6, 30))
    pat.refresh_from_db()
    assert pat.reminder_consent and pat.reminder_consent_at is not None


def test_switching_reminders_off_withdraws_consent(client, pat):
    pat.set_reminder_consent(True)
    pat.save()
    client.force_login(pat.user)
    client.post(URL, {**VALID, "reminders_on": ""})
    assert not Patient.objects.get(pk=pat.pk).reminder_consent


def test_switching_reminders_on_again_resumes_after_an_unsubscribe(client, pat):
    services.reminders_unsubscribe(patient=pat)
    client.force_login(pat.user)
    assert "You unsubscribed on" in client.get(URL).content.decode()
    client.post(URL, VALID)
    assert ReminderPreference.objects.get(patient=pat).opted_out_at is None


def errors_of(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def test_a_reminder_inside_quiet_hours_is_refused_beside_the_field(client, pat):
    client.force_login(pat.user)
    response = client.post(URL, {**VALID, "daily_time": "23:00"})
    assert response.status_code == 200
    assert "daily_time" in errors_of(response)
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert 'href="#id_daily_time"' in page
    assert "falls in your quiet hours (22:30–06:30)" in page


def test_text_messages_need_a_phone_number(client, pat):
    client.force_login(pat.user)
    response = client.post(URL, {**VALID, "by_sms": "on"})
    assert errors_of(response) == {"by_sms": ["Add your mobile number in Settings first."]}
    pat.phone = "+44 7700 900123"
    pat.save()
    assert client.post(URL, {**VALID, "by_sms": "on"}).status_code == 302


def test_reminders_need_a_way_to_reach_the_patient(client, pat):
    client.force_login(pat.user)
    response = client.post(URL, {**VALID, "by_email": "", "in_app": ""})
    assert errors_of(response) == {"by_email": ["Choose at least one way to reach you."]}


def test_quiet_hours_need_both_ends(client, pat):
    client.force_login(pat.user)
    response = client.post(URL, {**VALID, "quiet_end": ""})
    assert errors_of(response) == {"quiet_end": ["Give both ends of your quiet hours, or neither."]}
    assert client.post(URL, {**VALID, "quiet_start": "", "quiet_end": ""}).status_code == 302


def test_a_pause_lies_between_today_and_ninety_days_ahead(client, pat):
    client.force_login(pat.user)
    today = timezone.localdate()
    for day, ok in [(today - dt.timedelta(days=2), False), (today + dt.timedelta(days=95), False),
                    (today + dt.timedelta(days=7), True)]:  # fmt: skip
        response = client.post(URL, {**VALID, "paused_until": day.isoformat()})
        assert (response.status_code == 302) is ok


def test_staff_and_the_care_team_have_no_reminder_settings(client, alice, coach_cole):
    for person in (alice, coach_cole):
        client.force_login(person)
        assert client.get(URL).status_code == 403


junk = st.one_of(
    st.text(max_size=20).map(lambda s: s.replace("\x00", "")),
    st.sampled_from(["", "on", "off", "25:00", "12:60", "7", "07:30:99", "2999-01-01",
                     "1900-02-30", "-1", "99999999999", "24:00", "00:00"]),
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.dates().map(lambda d: d.isoformat()),
)  # fmt: skip


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(VALID, junk)))
def test_whatever_is_posted_the_answer_is_a_page_never_an_error(client, pat, data):
    client.force_login(pat.user)
    response = client.post(URL, data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
