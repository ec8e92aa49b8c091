"""Hand one delivery to its channel: e-mail (clinic.emails), SMS (notifications.sms) or in-app.

Every provider error ends as one of two exceptions, so the sender knows whether to retry:
`TransientError` (try again later) or `PermanentError` (record the failure, never retry).
"""

import smtplib

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from django.conf import settings
from django.utils import timezone

from clinic import emails
from notifications import sms, unsubscribe
from notifications.messages import Message, sms_text
from notifications.models import KIND_RULES, Channel, Delivery, Kind, Notification


class TransientError(Exception):
    """The provider could not take the message now; the sender retries with backoff."""


class PermanentError(Exception):
    """The provider refused the message for good (a bad address); it is recorded as failed."""


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
        "Message-ID": f"<delivery-{delivery.pk}@{_domain()}>",
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
    notification, _ = Notification.objects.get_or_create(
        delivery=delivery,
        defaults={
            "recipient_id": delivery.recipient_id,
            "patient": delivery.patient,
            "kind": delivery.kind,
            "title": message.title,
            "body": message.body,
            "url": message.path,
            "expires_at": timezone.now() + rule.shown_for if rule.shown_for else None,
        },
    )
    return str(notification.pk)


def _intake_link(delivery: Delivery) -> str:
    from intake.services import link_send

    unsubscribe_url = unsubscribe.url_for_link(delivery.intake_link)
    headers = {
        "Message-ID": f"<delivery-{delivery.pk}@{_domain()}>",
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
