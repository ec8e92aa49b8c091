"""The patient's daily log: saving a day, units, the edit window, history and bad input."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from rehab import services
from rehab.models import Activity, Alert, DailyLog, LogRevision, patient_today
from rehab.tests.factories import ActivityFactory, day_log


def log_data(day: dt.date, *, pain=2, morning="", during="", activities=(), initial=0, **extra):
    """The POST data of the log form; each activity a dict of kind/distance/minutes/rpe."""
    data = {
        "submission": str(uuid.uuid4()),
        "date": day.isoformat(),
        "site_pain": pain,
        "morning_pain": morning,
        "activity_pain": during,
        "notes": "",
        "activity-TOTAL_FORMS": len(activities),
        "activity-INITIAL_FORMS": initial,
        "activity-MIN_NUM_FORMS": 0,
        "activity-MAX_NUM_FORMS": 8,
    }
    for index, activity in enumerate(activities):
        for name in ("kind", "distance", "minutes", "rpe", "DELETE"):
            if name in activity:
                data[f"activity-{index}-{name}"] = activity[name]
    data.update(extra)
    return data


@pytest.fixture
def pat_in(client, pat):
    """Pat signed in, in care for 30 days (so back-filling is limited by the 14-day window)."""
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    pat.refresh_from_db()
    client.force_login(pat.user)
    return pat


def today_of(patient) -> dt.date:
    return patient_today(patient)


# --- Logging a day ----------------------------------------------------------------------------


def test_patient_logs_today_with_two_activities(client, pat_in):
    today = today_of(pat_in)
    activities = [
        {"kind": "walk_run", "distance": "3.5", "minutes": "30", "rpe": "5"},
        {"kind": "strength", "minutes": "25"},
    ]
    response = client.post(
        reverse("log_today"),
        log_data(today, pain=2, morning=1, during=3, activities=activities, notes="Felt fine."),
    )
    assert response.status_code == 302 and response.url == reverse("my_progress")
    log = pat_in.daily_logs.get()
    assert (log.date, log.site_pain, log.morning_pain, log.activity_pain, log.notes) == (
        today,
        2,
        1,
        3,
        "Felt fine.",
    )
    assert [(a.kind, a.distance_m, a.duration_min, a.rpe) for a in log.activities.all()] == [
        ("walk_run", 3500, 30, 5),
        ("strength", None, 25, None),
    ]


def test_the_form_opens_on_today_in_the_patients_time_zone(client, pat_in, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 3, 18, 10, 30, tzinfo=dt.UTC))
    Patient.objects.filter(pk=pat_in.pk).update(
        time_zone="Pacific/Kiritimati", created_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    )
    response = client.get(reverse("log_today"))
    assert response.context["form"].initial["date"] == dt.date(2026, 3, 19)  # UTC+14
    Patient.objects.filter(pk=pat_in.pk).update(time_zone="Pacific/Pago_Pago")
    response = client.get(reverse("log_today"))
    assert response.context["form"].initial["date"] == dt.date(2026, 3, 17)  # UTC−11


def test_distance_in_miles_is_stored_in_metres_and_shown_in_miles(client, pat_in):
    Patient.objects.filter(pk=pat_in.pk).update(distance_unit="mi")
    today = today_of(pat_in)
    client.post(
        reverse("log_today"), log_data(today, activities=[{"kind": "run", "distance": "3.1"}])
    )
    assert Activity.objects.get().distance_m == 4989  # 3.1 × 1609.344 = 4988.97
    form = client.get(reverse("log_today")).context["formset"].forms[0]
    assert str(form.initial["distance"]) == "3.1"
    assert "mi" in client.get(reverse("log_today")).content.decode()


def test_a_comma_works_as_the_decimal_mark(client, pat_in):
    today = today_of(pat_in)
    client.post(
        reverse("log_today"), log_data(today, activities=[{"kind": "walk", "distance": "5,25"}])
    )
    assert Activity.objects.get().distance_m == 5250


def test_a_rest_day_needs_no_activity(client, pat_in):
    response = client.post(reverse("log_today"), log_data(today_of(pat_in), pain=0))
    assert response.status_code == 302
    assert pat_in.daily_logs.get().activities.count() == 0


def test_saving_a_log_raises_its_alerts_in_the_same_request(client, pat_in):
    client.post(reverse("log_today"), log_data(today_of(pat_in), pain=6))
    assert list(Alert.objects.values_list("patient", "rule")) == [(pat_in.pk, "site_pain_high")]


def test_a_failing_alert_evaluation_saves_nothing(client, pat_in, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("rules unavailable")

    monkeypatch.setattr(services.logs, "alerts_evaluate", broken)
    activities = [{"kind": "run", "distance": "5"}]
    with pytest.raises(RuntimeError):
        client.post(reverse("log_today"), log_data(today_of(pat_in), activities=activities))
    assert (DailyLog.objects.count(), Activity.objects.count(), LogRevision.objects.count()) == (
        0,
        0,
        0,
    )


# --- History and the 14-day window ------------------------------------------------------------


def test_each_change_is_kept_with_who_when_before_and_after(client, pat_in):
    today = today_of(pat_in)
    client.post(reverse("log_today"), log_data(today, pain=3, activities=[{"kind": "walk"}]))
    client.post(
        reverse("log_today"),
        log_data(today, pain=2, activities=[{"kind": "walk", "distance": "2"}], initial=1),
    )
    created, updated = LogRevision.objects.order_by("changed_at", "id")
    assert (created.action, created.before, created.after["site_pain"]) == ("create", None, 3)
    assert (updated.action, updated.changed_by) == ("update", pat_in.user)
    assert (updated.before["site_pain"], updated.after["site_pain"]) == (3, 2)
    assert updated.after["activities"] == [
        {"kind": "walk", "distance_m": 2000, "duration_min": None, "rpe": None}
    ]
    assert updated.changed_fields() == ["site_pain", "activities"]


def test_saving_without_a_change_adds_no_revision(client, pat_in):
    today = today_of(pat_in)
    data = log_data(today, pain=3, activities=[{"kind": "cycling", "minutes": "40"}])
    client.post(reverse("log_today"), data)
    client.post(reverse("log_today"), {**data, "activity-INITIAL_FORMS": 1})
    assert LogRevision.objects.count() == 1
    assert Activity.objects.get().duration_min == 40  # the unchanged activity is kept


def test_an_activity_can_be_removed(client, pat_in):
    today = today_of(pat_in)
    two = [{"kind": "walk"}, {"kind": "strength"}]
    client.post(reverse("log_today"), log_data(today, activities=two))
    two[0]["DELETE"] = "on"
    client.post(reverse("log_today"), log_data(today, activities=two, initial=2))
    assert list(Activity.objects.values_list("kind", flat=True)) == ["strength"]


def test_a_patient_can_back_fill_14_days(client, pat_in):
    day = today_of(pat_in) - dt.timedelta(days=14)
    response = client.post(reverse("log_day", args=[day]), log_data(day))
    assert response.status_code == 302
    assert pat_in.daily_logs.get().date == day


def test_a_patient_cannot_log_15_days_back(client, pat_in):
    day = today_of(pat_in) - dt.timedelta(days=15)
    response = client.post(reverse("log_today"), log_data(day))
    assert response.status_code == 200
    assert "You can log up to 14 days back" in response.content.decode()
    assert not DailyLog.objects.exists()


def test_a_log_older_than_14_days_is_shown_but_cannot_change(client, pat_in):
    day = today_of(pat_in) - dt.timedelta(days=15)
    day_log(pat_in, day, 4, notes="Old note")
    page = client.get(reverse("log_day", args=[day]))
    assert page.status_code == 200 and "can no longer be changed" in page.content.decode()
    assert "Old note" in page.content.decode()
    client.post(reverse("log_day", args=[day]), log_data(day, pain=1))
    client.post(reverse("log_delete", args=[day]))
    assert DailyLog.objects.get().site_pain == 4
    assert not LogRevision.objects.exists()


def test_a_day_before_care_started_cannot_be_logged(client, pat_in):
    Patient.objects.filter(pk=pat_in.pk).update(created_at=timezone.now() - dt.timedelta(days=3))
    day = today_of(pat_in) - dt.timedelta(days=5)
    response = client.post(reverse("log_today"), log_data(day))
    assert "the day you joined the clinic" in response.content.decode()
    assert client.get(reverse("log_day", args=[day])).status_code == 404


def test_a_future_day_cannot_be_logged(client, pat_in):
    tomorrow = today_of(pat_in) + dt.timedelta(days=1)
    response = client.post(reverse("log_today"), log_data(tomorrow))
    assert "That day has not happened yet" in response.content.decode()
    assert client.get(reverse("log_day", args=[tomorrow])).status_code == 404


def test_a_day_already_logged_is_not_overwritten_from_another_day(client, pat_in):
    yesterday = today_of(pat_in) - dt.timedelta(days=1)
    day_log(pat_in, yesterday, 4)
    response = client.post(reverse("log_today"), log_data(yesterday, pain=1))
    assert "You already logged" in response.content.decode()
    assert DailyLog.objects.get().site_pain == 4


def test_a_log_can_move_to_a_free_day(client, pat_in):
    today = today_of(pat_in)
    yesterday = today - dt.timedelta(days=1)
    day_log(pat_in, today, 2)
    client.post(reverse("log_today"), log_data(yesterday, pain=2))
    assert list(DailyLog.objects.values_list("date", flat=True)) == [yesterday]
    assert LogRevision.objects.get().before["date"] == today.isoformat()


def test_deleting_a_day_keeps_what_it_said(client, pat_in):
    today = today_of(pat_in)
    log = day_log(pat_in, today, 5, notes="Sore")
    ActivityFactory(log=log, kind="run", distance_m=4000)
    response = client.post(reverse("log_delete", args=[today]))
    assert response.status_code == 302
    assert not DailyLog.objects.exists()
    revision = LogRevision.objects.get()
    assert (revision.action, revision.log_date, revision.after) == ("delete", today, None)
    assert revision.before["notes"] == "Sore" and revision.before["activities"][0]["kind"] == "run"


# --- Only one's own logs ----------------------------------------------------------------------


def test_a_patient_never_sees_another_patients_log(client, pat, pia):
    today = today_of(pat)
    day_log(pat, today, 7, notes="Pat's private note")
    client.force_login(pia.user)
    page = client.get(reverse("log_day", args=[today])).content.decode()
    assert "Pat&#x27;s private note" not in page and "Pat's private note" not in page
    assert client.post(reverse("log_delete", args=[today])).status_code == 404
    assert DailyLog.objects.get().patient == pat


def test_a_patients_post_only_ever_writes_their_own_record(client, pat, pia):
    client.force_login(pia.user)
    client.post(reverse("log_today"), log_data(today_of(pia), patient=str(pat.pk)))
    assert list(DailyLog.objects.values_list("patient", flat=True)) == [pia.pk]


# --- Bad input: clear messages, never a 500 ---------------------------------------------------


@pytest.mark.parametrize("pain", ["11", "-1", "5.5", "ten", ""])
def test_pain_must_be_a_whole_number_from_0_to_10(client, pat_in, pain):
    response = client.post(reverse("log_today"), log_data(today_of(pat_in), pain=pain))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in body
    assert "from 0 (no pain) to 10" in body or "from 0 to 10" in body
    assert not DailyLog.objects.exists()


def test_a_distance_over_150_km_a_day_is_refused_in_the_patients_unit(client, pat_in):
    Patient.objects.filter(pk=pat_in.pk).update(distance_unit="mi")
    activities = [{"kind": "run", "distance": "94"}]
    response = client.post(reverse("log_today"), log_data(today_of(pat_in), activities=activities))
    assert "at most 93.2 miles" in response.content.decode()
    assert not DailyLog.objects.exists()


def test_distances_that_add_up_to_more_than_150_km_are_refused(client, pat_in):
    activities = [{"kind": "run", "distance": "80"}, {"kind": "walk", "distance": "71"}]
    response = client.post(reverse("log_today"), log_data(today_of(pat_in), activities=activities))
    assert "at most 150 km in all" in response.content.decode()
    assert not DailyLog.objects.exists()


@pytest.mark.parametrize(
    ("activities", "message"),
    [
        ([{"kind": "cycling", "minutes": "1441"}], "at most 1,440 minutes"),
        ([{"kind": "walk", "minutes": "800"}, {"kind": "cycling", "minutes": "700"}], "24 hours"),
        ([{"kind": "strength", "distance": "3"}], "has no distance"),
        ([{"kind": "run", "distance": "-2"}], "cannot be negative"),
        ([{"kind": "run", "distance": "lots"}], "Enter the distance as a number"),
        ([{"distance": "3"}], "Choose what you did"),
        ([{"kind": "parkour"}], "Choose an activity from the list"),
        ([{"kind": "run", "rpe": "12"}], "effort from 0"),
    ],
)
def test_bad_activities_get_a_message_next_to_the_field(client, pat_in, activities, message):
    response = client.post(reverse("log_today"), log_data(today_of(pat_in), activities=activities))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DailyLog.objects.exists()


def test_a_malformed_date_in_the_url_is_not_found(client, pat_in):
    assert client.get("/me/log/2026-02-30/").status_code == 404
    assert client.get("/me/log/yesterday/").status_code == 404
