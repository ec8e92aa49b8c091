"""Reminders through a real Celery worker on the real broker, as in production.

Each test starts `celery -A clinic worker` as a subprocess on a private queue and triggers the
dispatch task the way beat does; the worker plans, queues and sends, and a recording e-mail
backend shows the test what it sent.
"""

import datetime as dt
import re
import time

import pytest
from django.test import Client
from django.utils import timezone

from clinic.models import Patient, User
from notifications import services
from notifications.models import Channel, Delivery, Notification, ReminderPreference
from notifications.schedule import UTC, zone_named
from notifications.tests.factories import plan_and_fan_out, reminder_patient

pytestmark = pytest.mark.worker

DISPATCH = "notifications.tasks.reminders_dispatch"
NEW_YORK = zone_named("America/New_York")


def local_now(patient: Patient) -> dt.datetime:
    return timezone.now().astimezone(zone_named(patient.time_zone))


def due_now(clinic, therapist, email: str, **preference) -> Patient:
    """A consenting patient whose daily reminder fell due two minutes ago."""
    preference.setdefault("quiet_start", None)
    preference.setdefault("quiet_end", None)
    patient = reminder_patient(clinic, therapist, email=email, daily_time=dt.time(0), **preference)
    minutes_ago = (local_now(patient) - dt.timedelta(minutes=2)).time().replace(second=0)
    ReminderPreference.objects.filter(patient=patient).update(daily_time=minutes_ago)
    return patient


def settled(patient: Patient) -> bool:
    rows = Delivery.objects.filter(patient=patient)
    return rows.exists() and not rows.filter(status__in=["queued", "sending"]).exists()


def delivered_once_with_a_working_unsubscribe_link(harness, patient):
    """The shared body of the delivery tests, on either broker."""
    harness.start_worker()
    harness.trigger(DISPATCH)
    harness.trigger(DISPATCH)  # a duplicate beat changes nothing
    harness.wait_for(lambda: harness.mails_to(patient.email), "the reminder e-mail")
    harness.wait_for(lambda: settled(patient), "every row of the patient to settle")
    harness.trigger(DISPATCH)
    harness.wait_for(
        lambda: Notification.objects.filter(recipient=patient.user).exists(), "the in-app notice"
    )

    [mail] = harness.mails_to(patient.email)
    assert mail["subject"] == "Time to log your day"
    assert f"How did today go, {patient.first_name}?" in mail["body"]
    assert "http://testserver/me/log/" in mail["body"]
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"http://testserver(/unsubscribe/\S+/)", mail["body"]).group(1)
    assert mail["headers"]["List-Unsubscribe"] == f"<http://testserver{link}>"
    assert sorted(Delivery.objects.filter(patient=patient).values_list("channel", "status")) == [
        ("email", "sent"),
        ("in_app", "sent"),
    ]

    signed_out = Client()
    assert "Stop reminders from" in signed_out.get(link).content.decode()
    page = signed_out.post(link, {"List-Unsubscribe": "One-Click"}).content.decode()
    assert "You are unsubscribed" in page
    assert ReminderPreference.objects.get(patient=patient).opted_out_at is not None


def test_a_due_reminder_is_delivered_once_with_a_working_unsubscribe_link(
    worker_harness, clinic_a, alice
):
    patient = due_now(clinic_a, alice, "robin@runner.example")
    delivered_once_with_a_working_unsubscribe_link(worker_harness, patient)


def test_without_redis_the_folder_broker_still_delivers_through_a_real_worker(
    folder_worker_harness, clinic_a, alice
):
    patient = due_now(clinic_a, alice, "robin@runner.example")
    delivered_once_with_a_working_unsubscribe_link(folder_worker_harness, patient)


def test_reminders_across_daylight_saving_changes_go_out_once_at_the_right_moment(
    worker_harness, clinic_a, alice
):
    spring = reminder_patient(
        clinic_a, alice, email="spring@runner.example", daily_time=dt.time(2, 30),
        quiet_start=None, quiet_end=None, in_app=False,
    )  # fmt: skip
    autumn = reminder_patient(
        clinic_a, alice, email="autumn@runner.example", daily_time=dt.time(1, 30),
        quiet_start=None, quiet_end=None, in_app=False,
    )  # fmt: skip
    Patient.objects.filter(pk__in=[spring.pk, autumn.pk]).update(time_zone="America/New_York")
    # 8 March 2026: clocks jump from 02:00 to 03:00, so 02:30 does not exist that night.
    plan_and_fan_out(dt.datetime(2026, 3, 8, 7, 5, tzinfo=UTC))
    # 1 November 2025: 01:30 happens twice, at 05:30 and 06:30 UTC. The planner runs all night.
    for hour, minute in [(5, 31), (5, 55), (6, 31), (6, 59), (7, 40)]:
        plan_and_fan_out(dt.datetime(2025, 11, 2, hour, minute, tzinfo=UTC))
    spring_row = Delivery.objects.get(patient=spring, due_at__year=2026)
    autumn_row = Delivery.objects.get(patient=autumn, due_at__year=2025)
    assert spring_row.due_at.astimezone(NEW_YORK).strftime("%H:%M %Z") == "03:00 EDT"
    assert autumn_row.due_at.astimezone(NEW_YORK).strftime("%H:%M %Z") == "01:30 EDT"

    worker_harness.start_worker()
    worker_harness.trigger(DISPATCH)
    for row in (spring_row, autumn_row):
        worker_harness.wait_for(
            lambda row=row: Delivery.objects.get(pk=row.pk).status == "sent", f"row {row.pk}"
        )
    for row, patient in ((spring_row, spring), (autumn_row, autumn)):
        sent = [
            mail
            for mail in worker_harness.mails_to(patient.email)
            if mail["headers"]["Message-ID"] == f"<delivery-{row.pk}@testserver>"
        ]
        assert len(sent) == 1


def test_quiet_hours_hold_back_email_until_they_end(worker_harness, clinic_a, alice):
    night_owl = due_now(clinic_a, alice, "owl@runner.example")
    now = local_now(night_owl)
    start = (now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    ReminderPreference.objects.filter(patient=night_owl).update(quiet_start=start, quiet_end=end)
    early_bird = due_now(clinic_a, alice, "lark@runner.example")

    worker_harness.start_worker()
    worker_harness.trigger(DISPATCH)
    worker_harness.wait_for(lambda: worker_harness.mails_to(early_bird.email), "the lark's mail")
    worker_harness.wait_for(
        lambda: Notification.objects.filter(recipient=night_owl.user).exists(),
        "the night owl's in-app notice, which quiet hours do not hold back",
    )
    assert worker_harness.mails_to(night_owl.email) == []
    held = Delivery.objects.get(patient=night_owl, channel=Channel.EMAIL)
    assert held.status == Delivery.Status.QUEUED
    assert held.send_after.astimezone(zone_named(night_owl.time_zone)).time() == end
    assert held.send_after > timezone.now()


def test_unsubscribed_patients_get_nothing_even_when_already_queued(
    worker_harness, clinic_a, alice
):
    gone = due_now(clinic_a, alice, "gone@runner.example")
    services.reminders_unsubscribe(patient=gone)
    changed_mind = due_now(clinic_a, alice, "changed@runner.example")
    services.reminders_plan(now=timezone.now())  # queued while still subscribed...
    services.reminders_unsubscribe(patient=changed_mind)  # ...then unsubscribed
    still_in = due_now(clinic_a, alice, "still@runner.example")

    worker_harness.start_worker()
    worker_harness.trigger(DISPATCH)
    worker_harness.wait_for(lambda: worker_harness.mails_to(still_in.email), "the mail")
    worker_harness.wait_for(lambda: settled(changed_mind), "the unsubscribed rows to settle")
    assert worker_harness.mails_to(gone.email) == []
    assert worker_harness.mails_to(changed_mind.email) == []
    assert not Delivery.objects.filter(patient=gone).exists()
    assert set(Delivery.objects.filter(patient=changed_mind).values_list("status", "reason")) == {
        ("skipped", "unsubscribed")
    }


FAULT_PATIENTS = 200
KILLED_IN_SEND = 120


def many_due_patients(clinic, therapist, count: int) -> list[Patient]:
    """`count` consenting patients due two minutes ago, e-mail only, built in bulk."""
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@runner.example", full_name=f"Bulk {n}", password="!")
        for n in range(count)
    )
    patients = Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            user=user,
            therapist=therapist,
            first_name="Bulk",
            last_name=str(n),
            date_of_birth=dt.date(1990, 1, 1),
            sex="female",
            email=user.email,
            time_zone="UTC",
            reminder_consent=True,
        )
        for n, user in enumerate(users)
    )
    minutes_ago = (timezone.now() - dt.timedelta(minutes=2)).time().replace(second=0)
    ReminderPreference.objects.bulk_create(
        ReminderPreference(
            patient=patient, in_app=False, daily_time=minutes_ago, quiet_start=None, quiet_end=None
        )
        for patient in patients
    )
    return patients


def start_and_kill_mid_send(harness, when: str) -> int:
    """Start a worker that dies in its KILLED_IN_SEND-th send; returns how many messages the
    provider accepted (the one in flight among them when it died after the acceptance)."""
    if when == "after the provider accepted":
        worker = harness.start_worker(REBOUND_TEST_MAIL_KILL_AT=str(KILLED_IN_SEND))
        harness.trigger(DISPATCH)
        harness.wait_for(lambda: worker.process.poll() is not None, "the worker to die", 45)
        return KILLED_IN_SEND
    worker = harness.start_worker(REBOUND_TEST_MAIL_HANG_AT=str(KILLED_IN_SEND))
    harness.trigger(DISPATCH)
    hanging = harness.mail_file.with_suffix(".hanging")
    harness.wait_for(hanging.exists, "the worker to hang in the provider's call", 45)
    worker.kill()  # SIGKILL: no clean-up, no acknowledgement
    return KILLED_IN_SEND - 1


@pytest.mark.parametrize("when", ["after the provider accepted", "before the provider accepted"])
def test_a_worker_killed_mid_send_sends_nobody_anything_twice(
    worker_harness, clinic_a, alice, when
):
    many_due_patients(clinic_a, alice, FAULT_PATIENTS)
    accepted = start_and_kill_mid_send(worker_harness, when)
    [in_flight] = Delivery.objects.filter(status="sending")
    assert in_flight.handed_over_at is not None
    assert len(worker_harness.mails()) == accepted

    worker_harness.start_worker()
    last_beat = [0.0]

    def all_settled() -> bool:
        if not Delivery.objects.filter(status__in=["queued", "sending"]).exists():
            return True
        if time.monotonic() - last_beat[0] > 1:  # as beat does: reconcile, re-queue what waits
            worker_harness.trigger(DISPATCH)
            last_beat[0] = time.monotonic()
        return False

    worker_harness.wait_for(all_settled, "every reminder to be settled", 60)
    addresses = [mail["to"][0] for mail in worker_harness.mails()]
    assert len(addresses) == len(set(addresses))  # nobody got a reminder twice
    assert len(addresses) == FAULT_PATIENTS - 1 + (when == "after the provider accepted")
    assert (in_flight.patient.email in addresses) == (when == "after the provider accepted")
    # The one in flight is neither resent nor claimed as sent: it is left for an admin to check.
    assert Delivery.objects.filter(status="sent").count() == FAULT_PATIENTS - 1
    assert list(Delivery.objects.filter(status="unknown").values_list("pk", flat=True)) == [
        in_flight.pk
    ]
