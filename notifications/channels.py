"""Hand one delivery to its channel: e-mail (clinic.emails), SMS (notifications.sms) or in-app.

Every provider error ends as one of two exceptions, so the sender knows whether to retry:
`TransientError` (try again later) or `PermanentError` (record the failure, never retry).

Each e-mail carries a Message-ID made from its ledger row, the same on every attempt; an e-mail
API that drops a second request with the same key (EMAIL_IDEMPOTENCY) gets it as that key too.
`resend_window` says how long after a send whose outcome is unknown it is still safe to repeat
(docs/reminders.md, "The exactly-once guarantee").
"""

import datetime as dt
import smtplib
from dataclasses import dataclass

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.utils import timezone

from clinic import emails
from clinic.access import signal_recipients
from intake.links import link_send
from notifications import sms, unsubscribe
from notifications.messages import Message, sms_text
from notifications.models import KIND_RULES, Channel, Delivery, Kind, Notification


class TransientError(Exception):
    """The provider could not take the message now; the sender retries with backoff."""


class PermanentError(Exception):
    """The provider refused the message for good (a bad address); it is recorded as failed."""


@dataclass(frozen=True)
class Idempotency:
    """How an e-mail API takes our key: a message header Anymail passes on as it is."""

    header: str
    kept_for: dt.timedelta  # how long the provider remembers a key


BREVO = Idempotency("idempotencyKey", dt.timedelta(minutes=15))
# E-mail backends whose provider sends a message once per key. SMTP has no such key; nor have
# Postmark, Amazon SES, SendGrid or Mailgun. Resend has one, but only as an HTTP header, which
# Anymail cannot set. Twilio's Messages API has none (sms.py).
EMAIL_IDEMPOTENCY = {
    "anymail.backends.brevo.EmailBackend": BREVO,
    "anymail.backends.sendinblue.EmailBackend": BREVO,
}
# A repeat must reach the provider before it forgets the key, whatever the send then takes.
RESEND_MARGIN = dt.timedelta(minutes=2)


def hands_over(delivery: Delivery) -> bool:
    """Whether sending leaves our database (e-mail, SMS): then the row is marked in flight
    first. An in-app notice is written in the transaction that marks it sent."""
    return delivery.channel != Channel.IN_APP


def resend_window(channel: str) -> dt.timedelta | None:
    """How long after the first hand-over a message whose fate is unknown may be sent again
    without reaching the person twice (the provider drops the repeat); None: never."""
    if channel != Channel.EMAIL:
        return None
    idempotency = EMAIL_IDEMPOTENCY.get(settings.EMAIL_BACKEND)
    return idempotency.kept_for - RESEND_MARGIN if idempotency else None


def message_id(delivery: Delivery) -> str:
    """The e-mail's Message-ID: one per ledger row, the same on every attempt."""
    return f"<delivery-{delivery.pk}@{_domain()}>"


def _identity_headers(delivery: Delivery) -> dict:
    headers = {"Message-ID": message_id(delivery)}
    if idempotency := EMAIL_IDEMPOTENCY.get(settings.EMAIL_BACKEND):
        headers[idempotency.header] = message_id(delivery).strip("<>")
    return headers


def send(delivery: Delivery, message: Message | None) -> str:
    """Send `delivery`; return the provider's message id. `message` is None for intake links."""
    if delivery.kind in (Kind.INTAKE_INVITATION, Kind.INTAKE_EXPIRY):
        return _intake_link(delivery)
    if delivery.channel == Channel.EMAIL:
        return _email(delivery, message)
    if delivery.channel == Channel.SMS:
        return _sms(delivery, message)
    return _in_app(delivery, message)


def _email(delivery: Delivery, message: Message) -> str:
    headers = {
        **_identity_headers(delivery),
        "List-Unsubscribe": f"<{message.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    with _email_errors():
        sent = emails.send_templated(
            to=delivery.patient.email,
            template="notifications/message",
            context={"message": message, "patient": delivery.patient},
            headers=headers,
        )
    return _provider_id(sent, headers)


def _provider_id(sent, headers: dict) -> str:
    status = getattr(sent, "anymail_status", None)  # set by Anymail's provider backends
    if status is not None and status.message_id is not None:
        return str(status.message_id)
    return headers["Message-ID"]


def _sms(delivery: Delivery, message: Message) -> str:
    try:
        return sms.send(
            to=delivery.patient.phone,
            body=sms_text(message, clinic_name=delivery.clinic.name),
            reference=f"delivery-{delivery.pk}",
        )
    except sms.SmsTransientError as error:
        raise TransientError(str(error)) from error
    except sms.SmsError as error:
        raise PermanentError(str(error)) from error


def _in_app(delivery: Delivery, message: Message) -> str:
    # One notification per delivery (a one-to-one key), so even a resend cannot show it twice.
    rule = KIND_RULES[delivery.kind]
    recipients = [delivery.recipient_id]
    if rule.to_therapist:
        # Whoever must see the patient's signals now: the responsible therapist, or the clinic's
        # inbox (each keeper gets a copy; the first carries the delivery's one-to-one key).
        recipients = [user.pk for user in signal_recipients(delivery.patient)]
        if not recipients:
            raise PermanentError("The clinic has no therapist or admin to tell.")
    shown = {
        "patient": delivery.patient,
        "kind": delivery.kind,
        "title": message.title,
        "body": message.body,
        "url": message.path,
        "expires_at": timezone.now() + rule.shown_for if rule.shown_for else None,
    }
    notification, created = Notification.objects.get_or_create(
        delivery=delivery, defaults={"recipient_id": recipients[0], **shown}
    )
    if created:
        Notification.objects.bulk_create(
            [Notification(recipient_id=pk, **shown) for pk in recipients[1:]]
        )
    return str(notification.pk)


def _intake_link(delivery: Delivery) -> str:
    unsubscribe_url = unsubscribe.url_for_link(delivery.intake_link)
    headers = {
        **_identity_headers(delivery),
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    with _email_errors():
        sent = link_send(
            delivery.intake_link,
            reminder=delivery.kind == Kind.INTAKE_EXPIRY,
            unsubscribe_url=unsubscribe_url,
            headers=headers,
        )
    return _provider_id(sent, headers)


def _domain() -> str:
    host = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0]
    return host or "rebound.local"


class _email_errors:
    """Sort e-mail backend errors into transient and permanent ones."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None:
            return False
        if isinstance(error, AnymailRecipientsRefused | smtplib.SMTPRecipientsRefused):
            raise PermanentError(str(error)) from error
        if isinstance(error, AnymailAPIError):
            status = getattr(error, "status_code", None)
            if status is not None and status != 429 and status < 500:
                raise PermanentError(str(error)) from error
            raise TransientError(str(error)) from error
        if isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600:
            raise PermanentError(str(error)) from error
        if isinstance(error, smtplib.SMTPException | OSError | AnymailError):
            raise TransientError(str(error)) from error
        return False
