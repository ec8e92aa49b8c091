"""A daily log posted twice, from two tabs or eight times at once is kept once, activities intact.

The review found that re-posting a saved day (a double tap, a retry, the back button) said
"Saved" and dropped every activity of the day, and that concurrent posts answered 500.
"""

import datetime as dt
import re
import threading
import uuid

import pytest
import requests
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient, Submission
from rehab.models import DailyLog, LogRevision
from rehab.tests.test_views_log import log_data, today_of

RUN = [
    {"kind": "run", "distance": "5", "minutes": "30", "rpe": "4"},
    {"kind": "strength", "minutes": "20"},
]


@pytest.fixture
def pat_in(client, pat):
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    pat.refresh_from_db()
    client.force_login(pat.user)
    return pat


def activities_of(patient) -> list[tuple]:
    log = patient.daily_logs.get()
    return [(a.kind, a.distance_m, a.duration_min) for a in log.activities.all()]


def revisions_of(patient) -> list[str]:
    revisions = LogRevision.objects.filter(patient=patient).order_by("pk")
    return list(revisions.values_list("action", flat=True))


def test_the_identical_post_twice_keeps_the_day_once_with_its_activities(client, pat_in):
    day = today_of(pat_in)
    data = log_data(day, pain=2, activities=RUN)

    first = client.post(reverse("log_day", args=[day]), data)
    again = client.post(reverse("log_day", args=[day]), data)

    assert first.status_code == again.status_code == 302
    assert again.url == reverse("my_progress")
    assert activities_of(pat_in) == [("run", 5000, 30), ("strength", None, 20)]
    assert revisions_of(pat_in) == [LogRevision.Action.CREATE]
    said = [str(m) for m in get_messages(again.wsgi_request)]
    assert any("You sent this twice; it was kept once." in text for text in said)


def test_the_same_day_posted_from_a_second_tab_keeps_its_activities(client, pat_in):
    """Two tabs: two submission ids. The second save updates the day, never empties it."""
    day = today_of(pat_in)
    client.post(reverse("log_day", args=[day]), log_data(day, activities=RUN))
    client.post(reverse("log_day", args=[day]), log_data(day, activities=RUN))

    assert DailyLog.objects.filter(patient=pat_in).count() == 1
    assert activities_of(pat_in) == [("run", 5000, 30), ("strength", None, 20)]
    assert revisions_of(pat_in) == [LogRevision.Action.CREATE]  # no phantom "update → []"


def test_a_second_tab_with_other_activities_replaces_them_with_one_revision(client, pat_in):
    day = today_of(pat_in)
    client.post(reverse("log_day", args=[day]), log_data(day, activities=RUN))
    walk = [{"kind": "walk", "distance": "2", "minutes": "25"}]
    client.post(reverse("log_day", args=[day]), log_data(day, activities=walk))

    assert activities_of(pat_in) == [("walk", 2000, 25)]
    assert revisions_of(pat_in) == [LogRevision.Action.CREATE, LogRevision.Action.UPDATE]


def test_editing_a_saved_day_without_touching_its_activities_keeps_them(client, pat_in):
    day = today_of(pat_in)
    client.post(reverse("log_day", args=[day]), log_data(day, pain=2, activities=RUN))
    client.post(reverse("log_day", args=[day]), log_data(day, pain=4, activities=RUN, initial=2))

    log = pat_in.daily_logs.get()
    assert log.site_pain == 4
    assert activities_of(pat_in) == [("run", 5000, 30), ("strength", None, 20)]


def test_a_post_without_a_submission_id_saves_nothing_and_asks_to_reload(client, pat_in):
    day = today_of(pat_in)
    data = log_data(day, activities=RUN)
    del data["submission"]

    response = client.post(reverse("log_day", args=[day]), data)

    assert response.status_code == 200
    assert "This page is out of date. Reload it" in response.content.decode()
    assert not DailyLog.objects.filter(patient=pat_in).exists()
    fresh = re.search(r'name="submission" value="([0-9a-f-]{36})"', response.content.decode())
    assert fresh, "the page shown again carries a fresh id, so the next try goes through"


def test_a_submission_id_of_another_person_is_refused(client, pat_in, pia):
    day = today_of(pat_in)
    data = log_data(day, activities=RUN)
    client.post(reverse("log_day", args=[day]), data)

    Patient.objects.filter(pk=pia.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    client.force_login(pia.user)
    response = client.post(reverse("log_day", args=[day]), data)

    assert response.status_code == 302
    assert not DailyLog.objects.filter(patient=pia).exists()
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["This page is out of date. Reload it and enter your answers again."]


def test_the_page_carries_a_fresh_submission_id_each_time(client, pat_in):
    day = today_of(pat_in)
    ids = {
        re.search(r'name="submission" value="([^"]+)"', page.content.decode()).group(1)
        for page in (client.get(reverse("log_day", args=[day])) for _ in range(2))
    }
    assert len(ids) == 2


# --- Concurrent posts against a live server -----------------------------------------------------


def live_session(live_server, client, patient, day):
    """A requests session signed in as the patient, with the log page's CSRF token."""
    client.force_login(patient.user)
    session = requests.Session()
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    page = session.get(f"{live_server.url}{reverse('log_day', args=[day])}", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session, token


def post_at_once(session, url: str, bodies: list[dict]) -> list[int]:
    """Post every body from its own thread, released together; the status of each."""
    gate, statuses = threading.Barrier(len(bodies)), []

    def post(body):
        gate.wait()
        response = session.post(
            url, data=body, headers={"Referer": url}, allow_redirects=False, timeout=60
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_id", [True, False], ids=["one-submission-id", "eight-tabs"])
def test_eight_concurrent_posts_keep_one_log_with_its_activities(live_server, client, pat, same_id):
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    day = today_of(pat)
    session, token = live_session(live_server, client, pat, day)
    body = {**log_data(day, activities=RUN), "csrfmiddlewaretoken": token}
    bodies = [body if same_id else {**body, "submission": str(uuid.uuid4())} for _ in range(8)]

    statuses = post_at_once(session, f"{live_server.url}{reverse('log_day', args=[day])}", bodies)

    assert statuses == [302] * 8
    assert activities_of(pat) == [("run", 5000, 30), ("strength", None, 20)]
    assert revisions_of(pat) == [LogRevision.Action.CREATE]
    assert Submission.objects.filter(scope="daily-log").count() == (1 if same_id else 8)
