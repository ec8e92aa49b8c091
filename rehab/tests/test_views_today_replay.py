"""Marking a session done and the morning check, posted twice, are kept and acted on once."""

import datetime as dt
import uuid

from django.contrib.messages import get_messages
from django.urls import reverse

from clinic.models import Submission
from rehab.models import SessionCompletion, patient_today
from rehab.tests.factories import active_plan


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_session_marked_done_twice_is_kept_once_and_answered_as_the_first(
    client, alice, pat, monkeypatch
):
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(pat.user)
    evaluated = []
    monkeypatch.setattr(
        "rehab.services.plans.plan_evaluate", lambda plan, today: evaluated.append(plan)
    )
    data = {"session": "step", "step-submission": uuid.uuid4(), "step-site_pain_during": "1"}

    first = client.post(reverse("session_complete"), data)
    again = client.post(reverse("session_complete"), {**data, "step-site_pain_during": "7"})

    assert first.url == again.url == reverse("today")
    done = SessionCompletion.objects.get(plan=plan)
    assert done.site_pain_during == 1  # the replay changed nothing
    assert len(evaluated) == 1  # and the plan was judged once
    assert said(again)[-1].endswith("Nicely done. (You sent this twice; it was kept once.)")


def test_the_morning_check_posted_twice_is_recorded_once(client, alice, pat):
    today = patient_today(pat)
    plan = active_plan(pat, start=today - dt.timedelta(days=1), by=alice)
    completion = SessionCompletion.objects.create(
        plan=plan, date=today - dt.timedelta(days=1), session="step", kind="step",
        phase_index=0, step_index=0, label="Walk 20", site_pain_during=1,
    )  # fmt: skip
    client.force_login(pat.user)
    data = {"completion": completion.pk, "pain": "1", "submission": uuid.uuid4()}

    client.post(reverse("morning_check"), data)
    again = client.post(reverse("morning_check"), {**data, "pain": "6"})

    completion.refresh_from_db()
    assert completion.next_morning_pain == 1
    assert said(again)[-1] == (
        "Thanks: this morning's pain is recorded. (You sent this twice; it was kept once.)"
    )
    assert Submission.objects.filter(scope="morning-check", user=pat.user).count() == 1


def test_a_session_done_without_a_submission_id_asks_to_reload(client, alice, pat):
    active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(pat.user)
    response = client.post(
        reverse("session_complete"), {"session": "step", "step-site_pain_during": "1"}
    )
    assert response.status_code == 400
    assert "This page is out of date. Reload it" in response.content.decode()
    assert not SessionCompletion.objects.exists()
