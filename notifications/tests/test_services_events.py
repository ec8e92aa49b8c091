"""Events (plan changes, care-team messages), intake-link reminders, retries and clean-up."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from intake.models import IntakeLink
from intake.tests.factories import IntakeLinkFactory
from notifications import services
from notifications.models import (
    Channel,
    Delivery,
    Kind,
    Notification,
    Reminder,
    ReminderPreference,
)
from notifications.tests.factories import DeliveryFactory, NotificationFactory, reminder_patient
from notifications.unsubscribe import token_for_link


@pytest.fixture
def runner(clinic_a, alice):
    return reminder_patient(
        clinic_a, alice, email="robin@runner.example", quiet_start=None, quiet_end=None
    )


@pytest.fixture
def no_publish():
    with mock.patch.object(services, "publish_sends") as publish:
        yield publish


def test_a_plan_change_is_queued_on_each_channel_once_per_event(
    runner, no_publish, django_capture_on_commit_callbacks
):
    context = {"step": "Walk-run 1:1, 20 minutes", "reason": "Three pain-free days."}
    with django_capture_on_commit_callbacks(execute=True):
        rows = services.notify_patient(
            runner, Kind.PLAN_ADVANCED, context=context, key="transition-41"
        )
        services.notify_patient(runner, Kind.PLAN_ADVANCED, context=context, key="transition-41")
    assert sorted(r.channel for r in rows) == ["email", "in_app"]
    assert Delivery.objects.count() == 2
    no_publish.assert_called_once()
    for row in rows:
        services.delivery_send(row.pk)
    assert mail.outbox[0].subject == "Your plan moves up a step"
    assert "Next: Walk-run 1:1, 20 minutes. Three pain-free days." in mail.outbox[0].body


def test_the_same_event_key_for_two_patients_is_two_events(runner, pia, no_publish):
    pia.set_reminder_consent(True)
    pia.save()
    services.notify_patient(runner, Kind.CARE_MESSAGE, context={"text": "Hi"}, key="m1")
    services.notify_patient(pia, Kind.CARE_MESSAGE, context={"text": "Hi"}, key="m1")
    assert Delivery.objects.filter(channel=Channel.EMAIL).count() == 2


def test_an_unsubscribed_patient_gets_nothing_but_the_care_team_sees_why(runner, no_publish):
    services.reminders_unsubscribe(patient=runner)
    rows = services.notify_patient(runner, Kind.CARE_MESSAGE, context={"text": "Hi"}, key="m1")
    assert {(r.status, r.reason) for r in rows} == {("skipped", "unsubscribed")}
    no_publish.assert_not_called()


def test_only_events_can_be_raised(runner):
    with pytest.raises(ValueError, match="not an event kind"):
        services.notify_patient(runner, Kind.DAILY_LOG, context={}, key="x")


def test_a_care_message_shows_its_sender_and_text_in_the_app(runner, no_publish):
    [_, in_app] = sorted(
        services.notify_patient(
            runner,
            Kind.CARE_MESSAGE,
            context={"sender": "Alice Moss", "text": "See you on Thursday."},
            key="m2",
        ),
        key=lambda r: r.channel,
    )
    services.delivery_send(in_app.pk)
    notice = Notification.objects.get()
    assert (notice.title, notice.body) == ("A message from Alice Moss", "See you on Thursday.")


# --- Intake links -----------------------------------------------------------------------------


def expiring_link(clinic, **fields):
    link = IntakeLinkFactory(clinic=clinic, **fields)
    created = timezone.now() - dt.timedelta(days=12, hours=1)
    IntakeLink.objects.filter(pk=link.pk).update(
        created_at=created, expires_at=created + dt.timedelta(days=14)
    )
    link.refresh_from_db()
    return link


def test_an_intake_link_gets_one_reminder_two_days_before_it_expires(clinic_a, no_publish):
    link = expiring_link(clinic_a)
    now = timezone.now()
    for _ in range(3):
        services.intake_reminders_dispatch(now=now)
    row = Delivery.objects.get()
    assert (row.kind, row.due_at) == (Kind.INTAKE_EXPIRY, link.expires_at - dt.timedelta(days=2))
    assert services.delivery_send(row.pk) == "sent"
    assert mail.outbox[0].subject.startswith("Reminder: Alder Sports PT")
    assert "Your questionnaire link expires on" in mail.outbox[0].body
    link.refresh_from_db()
    assert link.reminded_at is not None
    services.intake_reminders_dispatch(now=now + dt.timedelta(hours=1))
    assert Delivery.objects.count() == 1


def test_no_reminder_for_a_link_that_is_used_or_far_from_expiry(clinic_a, no_publish):
    used = expiring_link(clinic_a, email="used@runner.example")
    IntakeLink.objects.filter(pk=used.pk).update(used_at=timezone.now())
    IntakeLinkFactory(clinic=clinic_a)  # expires in 14 days
    services.intake_reminders_dispatch(now=timezone.now())
    assert Delivery.objects.count() == 0


def test_a_link_used_after_its_reminder_was_planned_gets_none(clinic_a, no_publish):
    link = expiring_link(clinic_a)
    services.intake_reminders_dispatch(now=timezone.now())
    IntakeLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    assert services.delivery_send(Delivery.objects.get().pk) == "skipped"
    assert Delivery.objects.get().reason == "link used"
    assert mail.outbox == []


def test_an_invitation_through_the_ledger_is_sent_once(
    clinic_a, django_capture_on_commit_callbacks
):
    link = IntakeLinkFactory(clinic=clinic_a)
    with (
        mock.patch.object(services, "publish_sends") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.intake_invitation_queue(link)
        services.intake_invitation_queue(link)
    [row] = Delivery.objects.all()
    publish.assert_called_once_with([row.pk])
    services.delivery_send(row.pk)
    assert len(mail.outbox) == 1
    assert "Your questionnaire link expires" not in mail.outbox[0].body


# --- Retry and clean-up -----------------------------------------------------------------------


def test_a_failed_row_can_be_sent_again(runner, no_publish, django_capture_on_commit_callbacks):
    failed = DeliveryFactory(patient=runner, status=Delivery.Status.FAILED, attempts=6)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry(delivery=failed)
    no_publish.assert_called_once_with([failed.pk])
    assert services.delivery_send(failed.pk) == "sent"


def test_clean_up_forgets_old_settled_rows_and_expired_notices(runner):
    now = timezone.now()
    old = now - dt.timedelta(days=100)
    old_sent = DeliveryFactory(patient=runner, status="sent", due_at=old)
    recent = DeliveryFactory(patient=runner, kind=Kind.PAIN_CHECK, status="sent")
    old_queued = DeliveryFactory(patient=runner, kind=Kind.MISSED_LOG, due_at=old)
    kept = NotificationFactory(recipient=runner.user, delivery=old_sent)
    NotificationFactory(recipient=runner.user, expires_at=now - dt.timedelta(minutes=1))
    NotificationFactory(recipient=runner.user, read_at=old)
    Reminder.objects.create(patient=runner, kind=Kind.DAILY_LOG, due_at=now - dt.timedelta(days=4))
    fresh = Reminder.objects.create(patient=runner, kind=Kind.DAILY_LOG, due_at=now)
    result = services.notifications_clean_up(now=now)
    assert result == {"deliveries": 1, "notifications": 2, "reminders": 1}
    assert list(Reminder.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert set(Delivery.objects.values_list("pk", flat=True)) == {recent.pk, old_queued.pk}
    kept.refresh_from_db()
    assert kept.delivery is None
    assert services.notifications_clean_up(now=now) == {
        "deliveries": 0,
        "notifications": 0,
        "reminders": 0,
    }


def test_unsubscribing_and_resuming_are_idempotent(runner):
    first = services.reminders_unsubscribe(patient=runner).opted_out_at
    assert services.reminders_unsubscribe(patient=runner).opted_out_at == first
    services.reminders_resume(patient=runner)
    services.reminders_resume(patient=runner)
    assert ReminderPreference.objects.get(patient=runner).opted_out_at is None


def test_a_new_intake_link_goes_out_through_the_ledger_with_an_unsubscribe_link(
    clinic_a, alice, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "http://testserver"
    from intake.services import link_create
    from notifications.tests.sending import sent_in_process

    with sent_in_process(), django_capture_on_commit_callbacks(execute=True):
        link = link_create(
            clinic=clinic_a, created_by=alice, email="robin@runner.example", full_name="Robin"
        )
    row = Delivery.objects.get()
    assert (row.kind, row.intake_link, row.status) == (Kind.INTAKE_INVITATION, link, "sent")
    [message] = mail.outbox
    unsubscribe = f"http://testserver/unsubscribe/{token_for_link(link)}/"
    assert f"No reminder about this questionnaire, with one click: {unsubscribe}" in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["Message-ID"] == f"<delivery-{row.pk}@testserver>"


def test_the_invitation_goes_out_to_an_unsubscribed_patient_but_no_reminder_does(
    runner, no_publish
):
    services.reminders_unsubscribe(patient=runner)
    link = expiring_link(runner.clinic, patient=runner, email=runner.email)
    services.intake_invitation_queue(link)
    services.intake_reminders_dispatch(now=timezone.now())
    invitation = Delivery.objects.get(kind=Kind.INTAKE_INVITATION)
    reminder = Delivery.objects.get(kind=Kind.INTAKE_EXPIRY)
    assert services.delivery_send(invitation.pk) == "sent"
    assert services.delivery_send(reminder.pk) == "skipped"
    assert [m.to for m in mail.outbox] == [[runner.email]]
    assert Delivery.objects.get(pk=reminder.pk).reason == "unsubscribed"


def test_unsubscribing_from_a_link_stops_its_reminder_planned_or_not(clinic_a, no_publish):
    early, late = expiring_link(clinic_a), expiring_link(clinic_a)
    services.intake_reminders_dispatch(now=timezone.now())  # plans both reminders
    IntakeLink.objects.filter(pk=early.pk).update(expires_at=timezone.now() + dt.timedelta(days=5))
    Delivery.objects.filter(intake_link=early).delete()  # not planned yet for this one
    early.refresh_from_db()
    for link in (early, late):
        services.intake_link_unsubscribe(link=link)
    IntakeLink.objects.filter(pk=early.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    services.intake_reminders_dispatch(now=timezone.now())
    assert set(Delivery.objects.values_list("intake_link", "status", "reason")) == {
        (early.pk, "skipped", "unsubscribed"),
        (late.pk, "skipped", "unsubscribed"),
    }
    services.intake_link_resume(link=late)
    assert services.delivery_send(Delivery.objects.get(intake_link=late).pk) == "sent"
    assert len(mail.outbox) == 1
