"""Sending a ledger row: claimed by one sender, checked again, sent once, outcome recorded."""

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from notifications import channels, services, sms
from notifications.models import Channel, Delivery, Kind, Notification, ReminderPreference
from notifications.schedule import zone_named
from notifications.tests.factories import DeliveryFactory, reminder_patient
from notifications.unsubscribe import token_for
from rehab.models import DailyLog


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "notifications.sms.LocmemBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def runner(clinic_a, alice):
    # No quiet hours, so tests do not depend on the hour they run at.
    return reminder_patient(
        clinic_a, alice, email="robin@runner.example", quiet_start=None, quiet_end=None
    )


def refreshed(delivery: Delivery) -> Delivery:
    delivery.refresh_from_db()
    return delivery


def test_an_email_reminder_says_what_to_do_and_carries_a_one_click_unsubscribe(runner, settings):
    settings.SITE_URL = "https://rebound.example"
    delivery = DeliveryFactory(patient=runner)
    assert services.delivery_send(delivery.pk) == "sent"
    [message] = mail.outbox
    assert message.to == ["robin@runner.example"]
    assert message.subject == "Time to log your day"
    assert "How did today go, Robin?" in message.body
    assert "https://rebound.example/me/log/" in message.body
    unsubscribe_url = f"https://rebound.example/unsubscribe/{token_for(runner)}/"
    assert unsubscribe_url in message.body
    assert unsubscribe_url in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == f"<delivery-{delivery.pk}@rebound.example>"
    sent = refreshed(delivery)
    assert (sent.status, sent.attempts, sent.claimed_until) == ("sent", 1, None)
    assert sent.provider_id == f"<delivery-{delivery.pk}@rebound.example>"


def test_a_row_is_sent_once_however_often_its_task_runs(runner):
    delivery = DeliveryFactory(patient=runner)
    outcomes = [services.delivery_send(delivery.pk) for _ in range(3)]
    assert outcomes == ["sent", "not claimed", "not claimed"]
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_a_live_sender_is_left_alone(runner):
    delivery = DeliveryFactory(
        patient=runner,
        status=Delivery.Status.SENDING,
        attempts=1,
        claimed_until=timezone.now() + dt.timedelta(minutes=4),
    )
    assert services.delivery_send(delivery.pk) == "not claimed"
    assert mail.outbox == []


def test_a_row_whose_sender_died_is_sent_once_its_lease_runs_out(runner):
    delivery = DeliveryFactory(
        patient=runner,
        status=Delivery.Status.SENDING,
        attempts=1,
        claimed_until=timezone.now() - dt.timedelta(seconds=1),
    )
    assert services.delivery_send(delivery.pk) == "sent"
    assert refreshed(delivery).attempts == 2
    assert len(mail.outbox) == 1


def test_a_row_due_later_is_not_claimed_early(runner):
    delivery = DeliveryFactory(patient=runner, send_after=timezone.now() + dt.timedelta(hours=1))
    assert services.delivery_send(delivery.pk) == "not claimed"


def test_a_transient_failure_puts_the_row_back_and_raises_for_a_retry(runner):
    delivery = DeliveryFactory(patient=runner)
    refused = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    with (
        mock.patch("clinic.emails.EmailMultiAlternatives.send", side_effect=refused),
        pytest.raises(channels.TransientError),
    ):
        services.delivery_send(delivery.pk)
    row = refreshed(delivery)
    assert (row.status, row.attempts, row.claimed_until) == ("queued", 1, None)
    assert "unexpectedly closed" in row.last_error
    assert services.delivery_send(delivery.pk) == "sent"


def test_the_last_attempt_records_a_failure_instead_of_retrying(runner):
    delivery = DeliveryFactory(patient=runner, attempts=services.MAX_ATTEMPTS - 1)
    with mock.patch(
        "clinic.emails.EmailMultiAlternatives.send", side_effect=TimeoutError("timed out")
    ):
        assert services.delivery_send(delivery.pk) == "failed"
    row = refreshed(delivery)
    assert row.status == "failed"
    assert row.last_error == "Gave up after 6 attempts: timed out"


def test_a_refused_address_fails_at_once(runner):
    delivery = DeliveryFactory(patient=runner)
    refused = smtplib.SMTPRecipientsRefused({"robin@runner.example": (550, b"No such user")})
    with mock.patch("clinic.emails.EmailMultiAlternatives.send", side_effect=refused):
        assert services.delivery_send(delivery.pk) == "failed"
    assert refreshed(delivery).attempts == 1


def test_a_text_message_is_short_and_ends_with_the_stop_link(runner, sms_outbox, settings):
    settings.SITE_URL = "https://rebound.example"
    runner.phone = "+44 7700 900123"
    runner.save()
    ReminderPreference.objects.filter(patient=runner).update(by_sms=True)
    delivery = DeliveryFactory(patient=runner, channel=Channel.SMS)
    assert services.delivery_send(delivery.pk) == "sent"
    [text] = sms_outbox
    assert text["to"] == "+44 7700 900123"
    assert text["body"].startswith("Alder Sports PT: Time to log your day. https://")
    assert text["body"].endswith(
        f"Stop reminders: https://rebound.example/unsubscribe/{token_for(runner)}/"
    )
    assert len(text["body"]) <= 2 * 160


def test_an_in_app_reminder_appears_once_in_the_patients_list(runner):
    delivery = DeliveryFactory(patient=runner, channel=Channel.IN_APP)
    services.delivery_send(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(status="queued")  # as if sent again
    services.delivery_send(delivery.pk)
    [notice] = Notification.objects.filter(recipient=runner.user)
    assert (notice.title, notice.url, notice.read_at) == ("Time to log your day", "/me/log/", None)
    assert notice.expires_at is not None


@pytest.mark.parametrize(
    "change,reason",
    [
        (lambda p: services.reminders_unsubscribe(patient=p), "unsubscribed"),
        (lambda p: type(p).objects.filter(pk=p.pk).update(reminder_consent=False), "no consent"),
        (
            lambda p: ReminderPreference.objects.filter(patient=p).update(
                paused_until=timezone.now().date() + dt.timedelta(days=3)
            ),
            "paused until",
        ),
        (
            lambda p: ReminderPreference.objects.filter(patient=p).update(by_email=False),
            "turned off",
        ),
    ],
    ids=["unsubscribed", "consent withdrawn", "paused", "channel turned off"],
)
def test_what_changed_since_planning_is_checked_before_sending(runner, change, reason):
    delivery = DeliveryFactory(patient=runner)
    change(runner)
    assert services.delivery_send(delivery.pk) == "skipped"
    assert reason in refreshed(delivery).reason
    assert mail.outbox == []


def test_no_daily_reminder_once_the_patient_logged_that_day(runner):
    delivery = DeliveryFactory(patient=runner)
    day = delivery.due_at.astimezone(zone_named(runner.time_zone)).date()
    DailyLog.objects.create(patient=runner, date=day, site_pain=1)
    assert services.delivery_send(delivery.pk) == "skipped"
    assert refreshed(delivery).reason == "already logged that day"


def test_a_reminder_that_could_not_go_out_in_time_is_dropped(runner):
    long_ago = timezone.now() - dt.timedelta(days=2)
    delivery = DeliveryFactory(patient=runner, due_at=long_ago)
    Delivery.objects.filter(pk=delivery.pk).update(created_at=long_ago)
    assert services.delivery_send(delivery.pk) == "skipped"
    assert refreshed(delivery).reason == "too late to be useful"


def test_an_email_that_would_arrive_in_quiet_hours_waits_for_their_end(runner):
    ReminderPreference.objects.filter(patient=runner).update(
        quiet_start=dt.time(22), quiet_end=dt.time(7)
    )
    late_evening = dt.datetime(2027, 1, 12, 23, 30, tzinfo=zone_named(runner.time_zone))
    delivery = DeliveryFactory(
        patient=runner, due_at=late_evening - dt.timedelta(minutes=5), enqueued_at=late_evening
    )
    assert services.delivery_send(delivery.pk, now=late_evening) == "deferred"
    row = refreshed(delivery)
    assert (row.status, row.attempts, row.enqueued_at) == ("queued", 0, None)
    assert row.send_after == dt.datetime(2027, 1, 13, 7, 0, tzinfo=zone_named(runner.time_zone))
    assert mail.outbox == []


def test_a_therapist_notice_is_dropped_once_the_patient_logs_again(runner, alice):
    delivery = DeliveryFactory(
        patient=runner,
        kind=Kind.MISSED_LOGS_THERAPIST,
        channel=Channel.IN_APP,
        recipient=alice,
        context={"since": "2026-01-01", "days": 3},
    )
    DailyLog.objects.create(patient=runner, date=dt.date(2026, 1, 3), site_pain=1)
    assert services.delivery_send(delivery.pk) == "skipped"
    assert refreshed(delivery).reason == "logged again"


def test_a_therapist_notice_lands_in_the_therapists_list(runner, alice):
    delivery = DeliveryFactory(
        patient=runner,
        kind=Kind.MISSED_LOGS_THERAPIST,
        channel=Channel.IN_APP,
        recipient=alice,
        context={"since": "2026-01-01", "days": 3},
    )
    assert services.delivery_send(delivery.pk) == "sent"
    notice = Notification.objects.get(recipient=alice)
    assert notice.title == "Robin Runner has not logged for 3 days"
    assert notice.url == f"/patients/{runner.pk}/"


def test_a_provider_api_through_anymail_records_its_message_id(runner, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {}
    delivery = DeliveryFactory(patient=runner)
    assert services.delivery_send(delivery.pk) == "sent"
    assert refreshed(delivery).provider_id == "0"  # the id Anymail's test backend gives


@pytest.mark.parametrize("status,outcome", [(503, "retry"), (429, "retry"), (422, "failed")])
def test_provider_api_errors_are_retried_only_when_worth_it(runner, status, outcome):
    from anymail.exceptions import AnymailRequestsAPIError

    response = mock.Mock(status_code=status, reason="No", text="{}")
    response.json.return_value = {"message": "provider said no"}
    error = AnymailRequestsAPIError("provider said no", status_code=status, response=response)
    delivery = DeliveryFactory(patient=runner)
    with mock.patch("clinic.emails.EmailMultiAlternatives.send", side_effect=error):
        if outcome == "retry":
            with pytest.raises(channels.TransientError):
                services.delivery_send(delivery.pk)
        else:
            assert services.delivery_send(delivery.pk) == "failed"
