"""The nightly jobs: alert evaluation per active patient and plan progression per active plan,
each thin and idempotent."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from rehab import tasks
from rehab.models import Plan, PlanStatus, SessionCompletion, patient_today
from rehab.tests.factories import active_plan, place


def test_the_nightly_job_queues_one_evaluation_per_active_patient(pat, pia, bea):
    pia.discharged_at = timezone.now()
    pia.save()
    with mock.patch.object(tasks.alerts_evaluate_patient, "apply_async") as queue:
        assert tasks.alerts_evaluate_nightly.run() == 2
    queued = {call.args[0][0] for call in queue.call_args_list}
    assert queued == {str(pat.pk), str(bea.pk)}


def test_a_patients_alerts_are_evaluated_as_of_their_own_today(pat):
    with mock.patch.object(tasks, "alerts_evaluate", return_value=[object()]) as evaluate:
        assert tasks.alerts_evaluate_patient.run(str(pat.pk)) == 1
    patient = evaluate.call_args.args[0]
    assert patient.pk == pat.pk
    assert evaluate.call_args.kwargs == {"today": patient_today(pat)}


def test_a_discharged_or_deleted_patient_is_left_alone(pat):
    pat.discharged_at = timezone.now()
    pat.save()
    with mock.patch.object(tasks, "alerts_evaluate") as evaluate:
        assert tasks.alerts_evaluate_patient.run(str(pat.pk)) == 0
        assert tasks.alerts_evaluate_patient.run("00000000-0000-0000-0000-000000000000") == 0
    evaluate.assert_not_called()


# --- The nightly progression job --------------------------------------------------------------


def test_the_nightly_progression_job_is_on_the_beat_schedule():
    from clinic.celery import BEAT_SCHEDULE, app

    entry = BEAT_SCHEDULE["plans-progress-nightly"]
    assert entry["task"] == "rehab.tasks.plans_progress_nightly"
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {4} and entry["schedule"].minute == {50}
    alerts = BEAT_SCHEDULE["alerts-evaluate-nightly"]["schedule"]
    assert (min(alerts.hour), min(alerts.minute)) < (4, 50)  # a stop's alert joins the others


def test_the_nightly_progression_job_queues_one_task_per_active_plan(pat, pia, bea, alice, bob):
    today = patient_today(pat)
    active = active_plan(pat, start=today, by=alice)
    active_plan(bea, start=today, by=bob)
    stopped = active_plan(pia, start=today, by=alice)
    Plan.objects.filter(pk=stopped.pk).update(status=PlanStatus.REVIEW)
    bea.discharged_at = timezone.now()
    bea.save()
    with mock.patch.object(tasks.plan_progress, "apply_async") as queue:
        assert tasks.plans_progress_nightly.run() == 1
    assert [call.args[0][0] for call in queue.call_args_list] == [str(active.pk)]


def test_the_progression_task_is_idempotent(pat, alice):
    today = patient_today(pat)
    plan = active_plan(pat, start=today - dt.timedelta(days=2), by=alice)
    place(plan, 1, 0, on=plan.start_date)  # past protect: an advance applies without approval
    for n in (0, 1):
        SessionCompletion.objects.create(
            plan=plan, date=plan.start_date + dt.timedelta(days=n), session="step", kind="step",
            phase_index=1, step_index=0, label="Deep-water running 30", site_pain_during=1,
            next_morning_pain=0,
        )  # fmt: skip
    assert tasks.plan_progress.run(str(plan.pk)) is True
    for _ in range(3):  # a retry, a second beat, the on-save evaluation: nothing more
        tasks.plan_progress.run(str(plan.pk))
    plan.refresh_from_db()
    assert plan.position == (2, 0)
    assert plan.transitions.filter(kind="advance").exclude(key__startswith="placed").count() == 1
    assert plan.proposals.count() == 1
    assert tasks.plan_progress.run("00000000-0000-0000-0000-000000000000") is False


def test_a_progression_run_killed_midway_leaves_nothing_and_the_retry_applies_once(pat, alice):
    today = patient_today(pat)
    plan = active_plan(pat, start=today - dt.timedelta(days=2), by=alice)
    place(plan, 1, 0, on=plan.start_date)
    for n in (0, 1):
        SessionCompletion.objects.create(
            plan=plan, date=plan.start_date + dt.timedelta(days=n), session="step", kind="step",
            phase_index=1, step_index=0, label="Deep-water running 30", site_pain_during=1,
            next_morning_pain=0,
        )  # fmt: skip
    with (
        mock.patch("rehab.services.plans._record", side_effect=RuntimeError("worker lost")),
        pytest.raises(RuntimeError),
    ):
        tasks.plan_progress.run(str(plan.pk))
    plan.refresh_from_db()
    assert plan.position == (1, 0) and not plan.proposals.exists()  # rolled back whole
    assert tasks.plan_progress.run(str(plan.pk)) is True
    plan.refresh_from_db()
    assert plan.position == (2, 0) and plan.proposals.count() == 1
