"""A sender that dies between the provider accepting a message and the ledger recording it.

The row is committed as handed over before the provider is called; after a crash it is in doubt
and is reconciled, never blindly sent again: repeated with the same key where the provider drops
repeats (Brevo), otherwise recorded as unconfirmed for a clinic admin to decide.
"""

import datetime as dt
import json
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import services, sms
from notifications.models import Channel, Delivery, ReminderPreference
from notifications.tests.factories import DeliveryFactory, reminder_patient


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even an `except Exception`."""


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "notifications.sms.LocmemBackend"
    settings.SITE_URL = "https://rebound.example"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def runner(clinic_a, alice):
    patient = reminder_patient(
        clinic_a, alice, email="robin@runner.example", quiet_start=None, quiet_end=None
    )
    patient.phone = "+44 7700 900123"
    patient.save()
    ReminderPreference.objects.filter(patient=patient).update(by_sms=True)
    return patient


def killed_after_the_provider_accepted(delivery: Delivery, now: dt.datetime) -> None:
    """Send `delivery` with a worker that dies right after the provider said yes."""
    real_settle = services._settle

    def settle(row, attempt, **fields):
        if fields.get("status") == Delivery.Status.SENT:
            raise WorkerKilled
        real_settle(row, attempt, **fields)

    with mock.patch.object(services, "_settle", settle), pytest.raises(WorkerKilled):
        services.delivery_send(delivery.pk, now=now)


def after_the_lease(now: dt.datetime, settings) -> dt.datetime:
    return now + dt.timedelta(seconds=settings.NOTIFICATIONS_LEASE_SECONDS + 1)


def test_an_email_is_committed_as_handed_over_before_the_provider_is_called(runner):
    delivery = DeliveryFactory(patient=runner)
    seen = []

    def provider(message):
        seen.append(Delivery.objects.values_list("status", "handed_over_at").get(pk=delivery.pk))

    with mock.patch("clinic.emails.EmailMultiAlternatives.send", provider):
        assert services.delivery_send(delivery.pk) == "sent"
    [(status, handed_over_at)] = seen
    assert status == "sending" and handed_over_at is not None


def test_an_in_app_notice_needs_no_hand_over_it_is_written_with_the_sent_mark(runner):
    delivery = DeliveryFactory(patient=runner, channel=Channel.IN_APP)
    assert services.delivery_send(delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.handed_over_at) == ("sent", None)


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_a_message_accepted_before_the_worker_died_is_not_sent_again(runner, settings, channel):
    delivery = DeliveryFactory(patient=runner, channel=channel)
    now = timezone.now()
    killed_after_the_provider_accepted(delivery, now)
    assert len(mail.outbox) + len(sms.outbox) == 1

    later = after_the_lease(now, settings)
    assert services.delivery_send(delivery.pk, now=later) == "not claimed"  # the task came back
    with mock.patch.object(services, "publish_sends") as publish:
        assert services.deliveries_release(now=later) == 0
    publish.assert_not_called()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_until) == ("unknown", None)
    assert "may have gone out" in delivery.last_error
    assert len(mail.outbox) + len(sms.outbox) == 1  # the runner has it once


def test_a_worker_that_died_before_handing_it_over_leaves_a_row_that_is_sent(runner, settings):
    now = timezone.now()
    delivery = DeliveryFactory(
        patient=runner, status="sending", attempts=1, claimed_until=now - dt.timedelta(seconds=1)
    )
    with mock.patch.object(services, "publish_sends"):
        assert services.deliveries_release(now=now) == 1
    assert services.delivery_send(delivery.pk, now=now) == "sent"
    assert len(mail.outbox) == 1


def brevo(settings):
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {"BREVO_API_KEY": "test-key"}
    posted = []

    def request(session, method, url, **kwargs):
        posted.append(json.loads(kwargs["data"]))
        return mock.Mock(status_code=201, json=lambda: {"messageId": "<brevo-1@smtp-relay>"})

    patcher = mock.patch("requests.Session.request", request)
    patcher.start()
    return posted, patcher


def test_an_email_api_that_drops_repeats_gets_the_same_key_again_after_a_crash(runner, settings):
    posted, patcher = brevo(settings)
    try:
        delivery = DeliveryFactory(patient=runner)
        now = timezone.now()
        killed_after_the_provider_accepted(delivery, now)
        later = after_the_lease(now, settings)
        with mock.patch.object(services, "publish_sends"):
            assert services.deliveries_release(now=later) == 1
        assert services.delivery_send(delivery.pk, now=later) == "sent"
    finally:
        patcher.stop()

    key = f"delivery-{delivery.pk}@rebound.example"
    assert [body["headers"]["idempotencyKey"] for body in posted] == [key, key]
    assert {body["headers"]["Message-ID"] for body in posted} == {f"<{key}>"}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_past_the_providers_memory_of_the_key_it_is_not_repeated(runner, settings):
    posted, patcher = brevo(settings)
    try:
        delivery = DeliveryFactory(patient=runner)
        now = timezone.now()
        killed_after_the_provider_accepted(delivery, now)
        much_later = now + dt.timedelta(minutes=20)  # Brevo keeps a key 15 minutes
        with mock.patch.object(services, "publish_sends"):
            assert services.deliveries_release(now=much_later) == 0
    finally:
        patcher.stop()
    delivery.refresh_from_db()
    assert delivery.status == "unknown"
    assert len(posted) == 1


def test_smtp_messages_carry_no_provider_key(runner):
    delivery = DeliveryFactory(patient=runner)
    services.delivery_send(delivery.pk)
    [message] = mail.outbox
    assert "idempotencyKey" not in message.extra_headers
    assert message.extra_headers["Message-ID"] == f"<delivery-{delivery.pk}@rebound.example>"


def test_the_clinic_admin_sees_an_unconfirmed_message_and_may_send_it_again(
    client, adam, pat, monkeypatch
):
    monkeypatch.setattr(services, "publish_sends", lambda ids: None)
    unknown = DeliveryFactory(
        patient=pat,
        status="unknown",
        attempts=1,
        handed_over_at=timezone.now(),
        last_error=services.IN_DOUBT,
    )
    client.force_login(adam)
    page = client.get(reverse("delivery_failures")).content.decode()
    assert "Unconfirmed" in page and "may have gone out" in page
    client.post(reverse("delivery_retry", args=[unknown.pk]))
    unknown.refresh_from_db()
    assert (unknown.status, unknown.attempts, unknown.handed_over_at) == ("queued", 0, None)
