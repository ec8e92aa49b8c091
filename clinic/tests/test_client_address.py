"""The client address: the connection's own unless trusted proxies are configured; then the
address the nearest proxy saw, never one a client wrote into X-Forwarded-For itself."""

import pytest
from django.test import RequestFactory

from clinic.client_address import client_address

PROXY = "10.0.0.5"


def address(forwarded: str | None = None, connection: str = PROXY) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=connection, **extra))


def test_without_a_proxy_setting_forwarded_headers_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert address("203.0.113.9") == PROXY
    real_ip = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.9")
    assert client_address(real_ip) == PROXY


def test_behind_one_proxy_the_address_it_saw_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address("203.0.113.9") == "203.0.113.9"


def test_an_address_a_client_forged_in_front_is_never_used(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address("198.51.100.66, 203.0.113.9") == "203.0.113.9"
    assert address("garbage, 203.0.113.9") == "203.0.113.9"


def test_behind_two_proxies_the_farther_ones_record_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address("198.51.100.66, 203.0.113.9, 192.0.2.1") == "203.0.113.9"


def test_a_request_that_skipped_the_proxies_keeps_the_connections_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address(None) == PROXY
    assert address("") == PROXY


@pytest.mark.parametrize(
    "connection,expected",
    [("10.0.0.5", "203.0.113.9"), ("10.1.2.3", "203.0.113.9"), ("192.0.2.50", "192.0.2.50")],
)
def test_with_trusted_proxies_only_their_connections_may_forward(settings, connection, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert address("203.0.113.9", connection=connection) == expected
