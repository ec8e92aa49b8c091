"""The planner fills the ledger with what fell due, once, for thousands of patients in a few
queries; releasing queues each due row for sending after the transaction commits."""

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import Channel, Delivery, Kind, Reminder, ReminderPreference
from notifications.schedule import UTC, zone_named
from notifications.tests.factories import DeliveryFactory, plan_and_fan_out, reminder_patient
from rehab.models import Activity, DailyLog

LONDON = zone_named("Europe/London")
DAY = dt.date(2027, 6, 10)


def london(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def runner(clinic_a, alice):
    return reminder_patient(clinic_a, alice, email="robin@runner.example")


def planned(patient=None):
    rows = Delivery.objects.filter(patient=patient) if patient else Delivery.objects.all()
    return sorted(rows.values_list("kind", "channel"))


def test_a_due_reminder_gets_one_row_per_chosen_channel(runner):
    plan_and_fan_out(london(DAY, 19, 2))
    assert planned(runner) == [("daily_log", "email"), ("daily_log", "in_app")]
    row = Delivery.objects.get(patient=runner, channel=Channel.EMAIL)
    assert row.due_at == london(DAY, 19)
    assert row.status == Delivery.Status.QUEUED
    assert row.recipient == runner.user


def test_planning_again_and_again_never_duplicates_a_reminder(runner):
    for minutes in (1, 5, 10, 120):
        plan_and_fan_out(london(DAY, 19) + dt.timedelta(minutes=minutes))
    assert planned(runner) == [("daily_log", "email"), ("daily_log", "in_app")]


def test_text_messages_only_for_patients_who_chose_them_and_have_a_number(runner, clinic_a, alice):
    ReminderPreference.objects.create(patient=runner, by_sms=True, by_email=False)
    no_phone = reminder_patient(clinic_a, alice, email="nophone@runner.example", by_sms=True)
    runner.phone = "+44 7700 900123"
    runner.save()
    plan_and_fan_out(london(DAY, 19, 2))
    assert planned(runner) == [("daily_log", "in_app"), ("daily_log", "sms")]
    assert planned(no_phone) == [("daily_log", "email"), ("daily_log", "in_app")]


@pytest.mark.parametrize(
    "change",
    [
        {"reminder_consent": False},
        {"discharged_at": timezone.now()},
        {"user": None},
    ],
    ids=["without consent", "discharged", "without an account"],
)
def test_no_reminders_are_planned_for(runner, change):
    for name, value in change.items():
        setattr(runner, name, value)
    runner.save()
    plan_and_fan_out(london(DAY, 19, 2))
    assert planned() == []


def test_nothing_is_planned_for_an_unsubscribed_patient(runner):
    services.reminders_unsubscribe(patient=runner)
    plan_and_fan_out(london(DAY, 19, 2))
    assert planned() == []


def test_quiet_hours_hold_back_email_but_not_the_in_app_list(runner):
    ReminderPreference.objects.create(
        patient=runner, daily_time=dt.time(23, 0), quiet_start=dt.time(22), quiet_end=dt.time(7)
    )
    plan_and_fan_out(london(DAY, 23, 1))
    email = Delivery.objects.get(channel=Channel.EMAIL)
    in_app = Delivery.objects.get(channel=Channel.IN_APP)
    assert email.send_after == london(DAY + dt.timedelta(days=1), 7)
    assert in_app.send_after == london(DAY, 23)


def test_two_silent_days_nudge_the_patient_and_three_tell_the_therapist(runner, alice):
    DailyLog.objects.create(patient=runner, date=DAY - dt.timedelta(days=3), site_pain=2)
    plan_and_fan_out(london(DAY, 19, 2))
    assert planned(runner) == [("missed_log", "email"), ("missed_log", "in_app")]
    plan_and_fan_out(london(DAY + dt.timedelta(days=1), 8, 5))
    notice = Delivery.objects.get(kind=Kind.MISSED_LOGS_THERAPIST)
    assert (notice.channel, notice.recipient) == (Channel.IN_APP, alice)
    assert notice.context == {"since": "2027-06-07", "days": 3}


def test_the_morning_after_a_logged_run_brings_a_pain_check(runner):
    log = DailyLog.objects.create(patient=runner, date=DAY - dt.timedelta(days=1), site_pain=1)
    Activity.objects.create(log=log, kind="run", distance_m=3000, duration_min=20)
    plan_and_fan_out(london(DAY, 7, 35))
    assert planned(runner) == [("pain_check", "email"), ("pain_check", "in_app")]


def test_no_daily_reminder_once_the_day_is_logged(runner):
    DailyLog.objects.create(patient=runner, date=DAY, site_pain=1)
    plan_and_fan_out(london(DAY, 19, 2))
    assert planned() == []


def test_planning_takes_three_queries_on_postgresql_whatever_the_number_of_patients(
    clinic_a, alice, django_assert_num_queries
):
    for n in range(3):
        reminder_patient(clinic_a, alice, email=f"r{n}@runner.example")
    # The distinct zones and times, the work_mem and lock, one INSERT ... SELECT.
    with django_assert_num_queries(3):
        assert services.reminders_plan(now=london(DAY, 19, 2)) == 3
    for n in range(3, 30):
        reminder_patient(clinic_a, alice, email=f"r{n}@runner.example")
    with django_assert_num_queries(3):
        assert services.reminders_plan(now=london(DAY, 19, 2)) == 27
    with django_assert_num_queries(3):  # nothing new
        assert services.reminders_plan(now=london(DAY, 19, 7)) == 0
    assert Reminder.objects.count() == 30


def test_the_python_path_takes_a_fixed_number_of_queries_per_chunk(
    clinic_a, alice, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(services, "CHUNK", 10)
    for n in range(10):
        reminder_patient(clinic_a, alice, email=f"r{n}@runner.example")
    # Per chunk: patients, reminders already planned, active plans, last logs, recent logs, one
    # insert; then one empty page. (On SQLite an insert holds fewer rows: at most 999 parameters
    # per query.)
    with django_assert_num_queries(6 + 1):
        services.reminders_plan(now=london(DAY, 19, 2), in_sql=False)
    for n in range(10, 30):
        reminder_patient(clinic_a, alice, email=f"r{n}@runner.example")
    Reminder.objects.all().delete()
    with django_assert_num_queries(3 * 6 + 1):
        services.reminders_plan(now=london(DAY, 19, 2), in_sql=False)
    assert Reminder.objects.count() == 30
    with django_assert_num_queries(3 * 5 + 1):  # nothing new: no insert at all
        assert services.reminders_plan(now=london(DAY, 19, 7), in_sql=False) == 0


def test_fanning_out_a_batch_takes_five_queries_and_adds_nothing_twice(
    clinic_a, alice, django_assert_num_queries
):
    for n in range(5):
        reminder_patient(clinic_a, alice, email=f"r{n}@runner.example")
    now = london(DAY, 19, 2)
    services.reminders_plan(now=now)
    keys = [reminder.key for reminder in Reminder.objects.all()]
    # Reminders, patients, insert, mark fanned out, rows ready; and the savepoint around them.
    with django_assert_num_queries(5 + 2):
        ready = services.reminders_fan_out(keys, now=now)
    assert sorted(ready) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(ready) == 5 * 2
    Reminder.objects.update(fanned_out_at=None)  # as if a redelivered task found them again
    assert services.reminders_fan_out(keys, now=now + dt.timedelta(minutes=1)) == []
    assert Delivery.objects.count() == 5 * 2


def test_release_queues_each_due_row_once_after_commit(runner, django_capture_on_commit_callbacks):
    due = DeliveryFactory(patient=runner)
    DeliveryFactory(
        patient=runner, kind=Kind.PAIN_CHECK, send_after=timezone.now() + dt.timedelta(hours=1)
    )
    with mock.patch.object(services, "publish_sends") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.deliveries_release(now=timezone.now()) == 1
            publish.assert_not_called()
        publish.assert_called_once_with([due.pk])
        with django_capture_on_commit_callbacks(execute=True):
            assert services.deliveries_release(now=timezone.now()) == 0


def test_a_row_whose_sender_keeps_dying_is_recorded_as_failed(runner):
    now = timezone.now()
    poison = DeliveryFactory(
        patient=runner,
        status=Delivery.Status.SENDING,
        attempts=services.MAX_ATTEMPTS,
        claimed_until=now - dt.timedelta(seconds=1),
    )
    with mock.patch.object(services, "publish_sends"):
        assert services.deliveries_release(now=now) == 0
    poison.refresh_from_db()
    assert poison.status == Delivery.Status.FAILED
    assert "stopped before finishing" in poison.last_error


def test_release_queues_a_row_again_when_its_senders_lease_ran_out(runner, settings):
    now = timezone.now()
    stuck = DeliveryFactory(
        patient=runner, status=Delivery.Status.SENDING, claimed_until=now - dt.timedelta(seconds=1)
    )
    DeliveryFactory(
        patient=runner,
        kind=Kind.PAIN_CHECK,
        status=Delivery.Status.SENDING,
        claimed_until=now + dt.timedelta(minutes=4),
    )
    waiting = DeliveryFactory(
        patient=runner,
        kind=Kind.MISSED_LOG,
        enqueued_at=now - dt.timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS + 1),
    )
    with mock.patch.object(services, "publish_sends"):
        assert services.deliveries_release(now=now) == 2
    assert set(Delivery.objects.filter(enqueued_at=now).values_list("pk", flat=True)) == {
        stuck.pk,
        waiting.pk,
    }


def test_patients_without_a_preference_row_get_the_defaults(runner):
    assert not ReminderPreference.objects.filter(patient=runner).exists()
    plan_and_fan_out(london(DAY, 18, 59))
    assert planned() == []
    plan_and_fan_out(london(DAY, 19, 0))
    assert len(planned()) == 2


def test_other_clinics_patients_are_planned_in_their_own_zone(clinic_b, bob):
    tokyo = reminder_patient(clinic_b, bob, email="kenji@runner.example")
    tokyo.time_zone = "Asia/Tokyo"
    tokyo.save()
    tokyo_seven_pm = dt.datetime(2027, 6, 10, 19, 1, tzinfo=zone_named("Asia/Tokyo"))
    plan_and_fan_out(tokyo_seven_pm)
    assert Delivery.objects.get(channel=Channel.EMAIL).due_at == dt.datetime(
        2027, 6, 10, 10, 0, tzinfo=UTC
    )


def test_an_unreachable_broker_leaves_the_rows_for_the_next_dispatch(runner, caplog):
    from kombu.exceptions import OperationalError

    from notifications import tasks

    with mock.patch.object(
        tasks.deliveries_send, "apply_async", side_effect=OperationalError("refused")
    ):
        services.publish_sends([1, 2])
    assert "Broker unreachable: 2 deliveries" in caplog.text


def test_sends_are_published_in_batches(monkeypatch):
    from notifications import tasks

    monkeypatch.setattr(services, "SEND_BATCH", 2)
    with mock.patch.object(tasks.deliveries_send, "apply_async") as publish:
        services.publish_sends([1, 2, 3, 4, 5])
    assert [call.args[0] for call in publish.call_args_list] == [([1, 2],), ([3, 4],), ([5],)]


def test_the_dispatch_queues_what_it_planned_in_the_same_transaction(
    runner, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(services, "publish_sends") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.reminders_dispatch(now=london(DAY, 19, 2))
    assert result == services.DispatchResult(planned=1, released=1)
    [reminder] = Reminder.objects.all()
    [(keys,), options] = publish.call_args
    assert options == {"reminders": True}
    assert [Reminder.key_of(key) for key in keys] == [reminder.pk]
    assert not Delivery.objects.exists()  # the send task fans the reminder out to its channels
    with mock.patch.object(services, "publish_sends") as publish:
        assert services.reminders_dispatch(now=london(DAY, 19, 7)).released == 0


def test_a_patient_following_a_plan_hears_of_the_days_sessions_in_the_morning(
    runner, alice, mailoutbox
):
    from rehab.tests.factories import active_plan

    active_plan(runner, start=DAY - dt.timedelta(days=2), by=alice)
    plan_and_fan_out(london(DAY, 7, 35))
    rows = Delivery.objects.filter(patient=runner, kind=Kind.SESSIONS_TODAY)
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "in_app"]
    email = rows.get(channel=Channel.EMAIL)
    assert email.due_at == london(DAY, 7, 30)
    assert services.delivery_send(email.pk, now=london(DAY, 7, 36)) == "sent"
    [mail] = mailoutbox  # the plan's start notice waits for a commit that never comes here
    assert mail.subject == "Your sessions for today"
    assert "Today's plan: Walk 20, Strength." in mail.body
    assert "See today's plan: " in mail.body and "/me/today/" in mail.body


def test_no_sessions_reminder_on_a_rest_day_or_before_the_plan_starts(runner, alice, pia):
    from rehab.tests.factories import active_plan

    sunday = dt.date(2027, 6, 13)
    assert sunday.weekday() == 6  # the small plan's rest day
    active_plan(runner, start=DAY, by=alice)
    rows = Delivery.objects.filter(patient=runner, kind=Kind.SESSIONS_TODAY)
    plan_and_fan_out(london(DAY - dt.timedelta(days=1), 7, 35))
    assert not rows.exists()  # the plan starts tomorrow
    plan_and_fan_out(london(sunday, 7, 35))
    assert rows.count() == 2
    for row in rows:
        assert services.delivery_send(row.pk, now=london(sunday, 7, 36)) == "skipped"
    assert set(rows.values_list("reason", flat=True)) == {"rest day"}


def test_a_reminders_key_reads_back_from_json_and_from_the_databases_text():
    patient_id = uuid.uuid4()
    moment = dt.datetime(2027, 6, 10, 18, 0, tzinfo=UTC)
    for key in (
        [str(patient_id), "daily_log", moment.isoformat()],  # Reminder.key, as a task carries it
        (str(patient_id), "daily_log", "2027-06-10 18:00:00+00"),  # PostgreSQL's text
        (patient_id.hex, "daily_log", "2027-06-10 18:00:00"),  # SQLite's text
    ):
        assert Reminder.key_of(key) == (patient_id, "daily_log", moment)


def test_deleting_a_patient_deletes_their_reminders(runner):
    services.reminders_plan(now=london(DAY, 19, 2))
    assert Reminder.objects.filter(patient=runner).exists()
    runner.delete()
    assert not Reminder.objects.exists()
