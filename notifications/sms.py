"""All text messages Rebound sends go through here: one small backend interface, chosen in settings.

`SMS_BACKEND` names the class: the console backend prints messages (development), the Twilio
backend posts to Twilio's REST API (production, configured from the environment), and the locmem
backend keeps them in `outbox` for tests.
"""

import logging
from typing import Protocol

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10  # well inside the ledger's lease, so a slow provider never outlives a claim


class SmsError(Exception):
    """The message was not accepted and sending it again will not help (a bad number)."""


class SmsTransientError(SmsError):
    """The provider could not take the message now (network, rate limit, outage): retry later."""


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, reference: str) -> str:
        """Send `body` to the phone number `to`; return the provider's message id.

        `reference` names the ledger row, for the provider's logs. Raise SmsTransientError when
        trying again later may work, SmsError when it will not.
        """


class ConsoleBackend:
    def send(self, *, to: str, body: str, reference: str) -> str:
        log.info("SMS to %s (%s):\n%s", to, reference, body)
        return f"console-{reference}"


outbox: list[dict] = []


class LocmemBackend:
    """Keeps messages in `notifications.sms.outbox`, like Django's locmem e-mail backend."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        outbox.append({"to": to, "body": body, "reference": reference})
        return f"locmem-{len(outbox)}"


class TwilioBackend:
    """Twilio's Messages API: https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json."""

    api = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"

    def __init__(self):
        self.sid = settings.TWILIO_ACCOUNT_SID
        self.token = settings.TWILIO_AUTH_TOKEN
        self.sender = settings.TWILIO_FROM
        if not (self.sid and self.token and self.sender):
            raise ImproperlyConfigured(
                "The Twilio SMS backend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM (a number or a Messaging Service SID starting with MG)."
            )

    def send(self, *, to: str, body: str, reference: str) -> str:
        sender = (
            {"MessagingServiceSid": self.sender}
            if self.sender.startswith("MG")
            else {"From": self.sender}
        )
        try:
            response = requests.post(
                self.api.format(sid=self.sid),
                data={"To": to, "Body": body, **sender},
                auth=(self.sid, self.token),
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            raise SmsTransientError(f"Twilio unreachable: {error}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise SmsTransientError(f"Twilio {response.status_code}: {response.text[:300]}")
        if response.status_code >= 400:
            raise SmsError(f"Twilio {response.status_code}: {response.text[:300]}")
        return response.json().get("sid", "")


def backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send(*, to: str, body: str, reference: str = "") -> str:
    """Send one text message through the configured backend; return the provider's id."""
    return backend().send(to=to, body=body, reference=reference)
