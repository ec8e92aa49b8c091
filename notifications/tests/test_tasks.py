"""The tasks are thin, safe to redeliver, and scheduled in one place."""

import datetime as dt
from unittest import mock

import pytest

from clinic.celery import BEAT_SCHEDULE
from clinic.celery import app as current_app
from notifications import services, tasks
from notifications.channels import TransientError


def test_the_send_tasks_are_acknowledged_late_and_retried_with_backoff():
    assert tasks.deliveries_send.acks_late and tasks.deliveries_send.reject_on_worker_lost
    task = tasks.delivery_send
    assert task.acks_late is True
    assert task.reject_on_worker_lost is True
    assert task.autoretry_for == (TransientError,)
    assert task.retry_backoff == 5 and task.retry_backoff_max == 600 and task.retry_jitter
    assert task.max_retries == services.MAX_ATTEMPTS - 1


def test_a_batch_retries_a_row_on_its_own_when_the_provider_cannot_take_it_now():
    outcomes = {1: "sent", 2: TransientError("busy"), 3: "skipped"}

    def send(delivery_id):
        if isinstance(outcomes[delivery_id], Exception):
            raise outcomes[delivery_id]
        return outcomes[delivery_id]

    with (
        mock.patch.object(services, "delivery_send", side_effect=send),
        mock.patch.object(tasks.delivery_send, "apply_async") as retry,
    ):
        assert tasks.deliveries_send.run([1, 2, 3]) == {"sent": 1, "retrying": 1, "skipped": 1}
    retry.assert_called_once_with((2,), countdown=tasks.FIRST_RETRY_SECONDS)


def test_the_reminder_task_fans_out_first_then_sends_each_row_as_a_batch_does():
    assert tasks.reminders_send.acks_late and tasks.reminders_send.reject_on_worker_lost
    keys = [["patient", "daily_log", "2027-06-10T18:00:00+00:00"]]
    with (
        mock.patch.object(services, "reminders_fan_out", return_value=[7, 8]) as fan_out,
        mock.patch.object(services, "delivery_send", return_value="sent") as send,
    ):
        assert tasks.reminders_send.run(keys) == {"sent": 2}
    assert fan_out.call_args.args == (keys,)
    assert [call.args for call in send.call_args_list] == [(7,), (8,)]


def test_an_unexpected_error_is_raised_after_the_rest_of_the_batch_is_sent():
    def send(delivery_id):
        if delivery_id == 1:
            raise RuntimeError("bug")
        return "sent"

    with (
        mock.patch.object(services, "delivery_send", side_effect=send) as sent,
        pytest.raises(RuntimeError, match="bug"),
    ):
        tasks.deliveries_send.run([1, 2, 3])
    assert sent.call_count == 3


def test_the_send_task_only_hands_its_id_to_the_service():
    with mock.patch.object(services, "delivery_send", return_value="sent") as send:
        assert tasks.delivery_send.run(41) == "sent"
    send.assert_called_once_with(41)


def test_the_dispatch_task_plans_and_releases_as_of_now():
    result = services.DispatchResult(planned=3, released=2)
    with mock.patch.object(services, "reminders_dispatch", return_value=result) as dispatch:
        assert tasks.reminders_dispatch.run() == {"planned": 3, "released": 2}
    now = dispatch.call_args.kwargs["now"]
    assert abs(now - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_every_periodic_job_is_in_the_one_schedule_and_names_a_real_task():
    assert current_app.conf.beat_schedule is BEAT_SCHEDULE
    current_app.loader.import_default_modules()
    names = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert names >= {
        "notifications.tasks.reminders_dispatch",
        "notifications.tasks.intake_reminders_dispatch",
        "notifications.tasks.notifications_clean_up",
        "rehab.tasks.alerts_evaluate_nightly",
    }
    assert names <= set(current_app.tasks)
    assert BEAT_SCHEDULE["reminders-dispatch"]["schedule"] <= 5 * 60


def test_no_task_runs_eagerly():
    assert not current_app.conf.task_always_eager


def test_make_run_uses_a_folder_queue_when_redis_does_not_answer(settings):
    from clinic.celery import local_broker_url

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    assert local_broker_url() == "filesystem://"
    settings.CELERY_BROKER_URL = "filesystem://"
    assert local_broker_url() == "filesystem://"
