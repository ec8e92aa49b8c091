"""The Twilio backend talks to Twilio's REST API; its errors become transient or permanent."""

from unittest import mock

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from notifications import sms


@pytest.fixture
def twilio(settings):
    settings.SMS_BACKEND = "notifications.sms.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.TWILIO_FROM = "+15550100"


def answer(status: int, body: dict | None = None):
    response = mock.Mock(status_code=status, text=str(body))
    response.json.return_value = body or {}
    return response


def test_a_message_is_posted_to_twilios_messages_api(twilio):
    with mock.patch.object(requests, "post", return_value=answer(201, {"sid": "SM1"})) as post:
        assert sms.send(to="+447700900123", body="Time to log", reference="delivery-7") == "SM1"
    url = post.call_args.args[0]
    assert url == "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
    assert post.call_args.kwargs["data"] == {
        "To": "+447700900123",
        "Body": "Time to log",
        "From": "+15550100",
    }
    assert post.call_args.kwargs["auth"] == ("AC123", "secret-token")
    assert post.call_args.kwargs["timeout"] == sms.TIMEOUT_SECONDS


def test_a_messaging_service_sends_in_place_of_a_number(twilio, settings):
    settings.TWILIO_FROM = "MG0123"
    with mock.patch.object(requests, "post", return_value=answer(201, {"sid": "SM2"})) as post:
        sms.send(to="+447700900123", body="Hi")
    assert post.call_args.kwargs["data"]["MessagingServiceSid"] == "MG0123"


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_outages_are_worth_a_retry(twilio, status):
    with (
        mock.patch.object(requests, "post", return_value=answer(status)),
        pytest.raises(sms.SmsTransientError),
    ):
        sms.send(to="+447700900123", body="Hi")


def test_an_unreachable_twilio_is_worth_a_retry(twilio):
    with (
        mock.patch.object(requests, "post", side_effect=requests.ConnectionError("down")),
        pytest.raises(sms.SmsTransientError),
    ):
        sms.send(to="+447700900123", body="Hi")


def test_a_bad_number_is_not(twilio):
    with (
        mock.patch.object(requests, "post", return_value=answer(400, {"code": 21211})),
        pytest.raises(sms.SmsError) as raised,
    ):
        sms.send(to="+0", body="Hi")
    assert not isinstance(raised.value, sms.SmsTransientError)


def test_twilio_without_its_settings_says_what_is_missing(twilio, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_AUTH_TOKEN"):
        sms.send(to="+447700900123", body="Hi")
