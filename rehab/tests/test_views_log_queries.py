"""Saving a day stays as cheap after a year of logs as after a week (issue 13): the write reads
one bounded window of logs, and the safety alerts are still raised by the post itself."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from rehab.models import Activity, Alert, DailyLog, LogRevision, patient_today
from rehab.tests.factories import active_plan
from rehab.tests.test_views_log import log_data

# The whole request: session, sign-in and access, the claim of the submission id, the lock,
# the window of logs, the upsert, the revision, the alert rules, the stored facts, the session;
# an active plan adds the progression engine's reads.
LOG_POST_BUDGET = {False: 34, True: 50}


@pytest.fixture
def pat_in(client, pat):
    """Pat signed in, in care for a year."""
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    pat.refresh_from_db()
    client.force_login(pat.user)
    return pat


def history(patient, *, first: dt.date, last: dt.date) -> None:
    """A quiet log with a short walk on every day from `first` to `last`."""
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    logs = DailyLog.objects.bulk_create(
        DailyLog(patient=patient, date=day, site_pain=1, morning_pain=1) for day in days
    )
    Activity.objects.bulk_create(
        Activity(log=log, kind="walk", distance_m=2000, duration_min=30) for log in logs
    )


def post_counted(client, day: dt.date, **data) -> int:
    walk = [{"kind": "walk", "distance": "2", "minutes": "30"}]
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("log_day", args=[day]), log_data(day, pain=1, morning=1, activities=walk)
        )
    assert response.status_code == 302, response.content.decode()[:500]
    return len(queries)


@pytest.mark.parametrize("with_plan", [False, True], ids=["no plan", "active plan"])
def test_saving_a_day_takes_the_same_queries_after_10_or_300_days_of_logs(
    client, pat_in, alice, with_plan
):
    today = patient_today(pat_in)
    history(pat_in, first=today - dt.timedelta(days=12), last=today - dt.timedelta(days=3))
    if with_plan:
        active_plan(pat_in, start=today - dt.timedelta(days=5), by=alice)
    client.get(reverse("log_day", args=[today]))  # the session's first request checks more
    after_10_days = post_counted(client, today - dt.timedelta(days=2))

    history(pat_in, first=today - dt.timedelta(days=302), last=today - dt.timedelta(days=13))
    after_300_days = post_counted(client, today - dt.timedelta(days=1))

    assert pat_in.daily_logs.count() == 302
    assert after_300_days == after_10_days
    assert after_300_days <= LOG_POST_BUDGET[with_plan]


def test_changing_a_day_keeps_its_revision_and_the_same_sessions(client, pat_in):
    today = patient_today(pat_in)
    history(pat_in, first=today - dt.timedelta(days=300), last=today - dt.timedelta(days=1))
    walk = [{"kind": "walk", "distance": "2", "minutes": "30"}]
    url = reverse("log_day", args=[today - dt.timedelta(days=1)])
    client.post(url, log_data(today - dt.timedelta(days=1), pain=3, morning=1, activities=walk))

    log = pat_in.daily_logs.get(date=today - dt.timedelta(days=1))
    revision = LogRevision.objects.get(log=log)
    assert (revision.action, revision.before["site_pain"], revision.after["site_pain"]) == (
        "update",
        1,
        3,
    )
    assert revision.after["activities"] == revision.before["activities"]
    assert [a.snapshot() for a in log.activities.all()] == revision.after["activities"]


def test_a_painful_day_raises_the_safety_alert_in_the_same_post(client, pat_in):
    today = patient_today(pat_in)
    history(pat_in, first=today - dt.timedelta(days=300), last=today - dt.timedelta(days=1))

    response = client.post(reverse("log_day", args=[today]), log_data(today, pain=7, morning=1))

    assert response.status_code == 302
    alert = Alert.objects.get(patient=pat_in, acknowledged_at__isnull=True)
    assert alert.rule == "site_pain_high"
    assert alert.last_date == today
