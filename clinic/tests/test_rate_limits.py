"""Password-reset requests: at most 3 e-mails per address in 15 minutes and 20 requests per client
address in an hour; past a limit the page says exactly what it always says, and no e-mail goes."""

import hashlib
import logging
import time
from unittest import mock

import pytest
import redis
from django.urls import reverse

RESET_SENT = reverse("password_reset_done")


def ask_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def later(seconds: int):
    """Move the cache's clock `seconds` ahead, as if the window had passed."""
    clock = mock.Mock(time=mock.Mock(return_value=time.time() + seconds))
    return mock.patch("django.core.cache.backends.locmem.time", clock)


def test_twelve_fast_requests_for_one_address_send_three_emails(client, alice, mailoutbox):
    answers = [ask_reset(client, alice.email) for _ in range(12)]
    assert [(a.status_code, a.url) for a in answers] == [(302, RESET_SENT)] * 12
    assert [m.to for m in mailoutbox] == [[alice.email]] * 3


def test_a_limited_request_is_answered_like_an_unknown_address(client, alice, mailoutbox):
    for _ in range(3):
        ask_reset(client, alice.email)
    limited = client.post(reverse("password_reset"), {"email": alice.email}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@x.example"}, follow=True)
    assert limited.redirect_chain == unknown.redirect_chain == [(RESET_SENT, 302)]
    assert limited.content == unknown.content
    assert len(mailoutbox) == 3


def test_capital_letters_do_not_dodge_the_limit(client, alice, mailoutbox):
    for email in ["Alice@Alder.example", "ALICE@ALDER.EXAMPLE", alice.email, alice.email]:
        ask_reset(client, email)
    assert len(mailoutbox) == 3


def test_the_limit_lifts_after_15_minutes(client, alice, mailoutbox):
    for _ in range(4):
        ask_reset(client, alice.email)
    with later(14 * 60):
        ask_reset(client, alice.email)
        assert len(mailoutbox) == 3
    with later(16 * 60):
        ask_reset(client, alice.email)
    assert len(mailoutbox) == 4


def test_other_addresses_are_not_held_up_by_one_that_is_limited(client, alice, pat, mailoutbox):
    for _ in range(5):
        ask_reset(client, alice.email)
    ask_reset(client, pat.user.email)
    assert mailoutbox[-1].to == [pat.user.email]


def test_one_client_cannot_spread_requests_over_many_addresses(
    client, settings, alice, pat, pia, mailoutbox
):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = (2, 60 * 60)
    for person in (alice, pat.user, pia.user):
        ask_reset(client, person.email)
    assert [m.to for m in mailoutbox] == [[alice.email], [pat.user.email]]
    ask_reset(client, pia.user.email, REMOTE_ADDR="198.51.100.9")  # someone else, elsewhere
    assert mailoutbox[-1].to == [pia.user.email]


def test_every_unknown_address_counts_against_the_client(client, settings, alice, mailoutbox):
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = (20, 60 * 60)
    for n in range(20):
        ask_reset(client, f"guess{n}@x.example")
    ask_reset(client, alice.email)
    assert mailoutbox == []


def test_a_limited_request_is_logged_without_the_answer_changing(client, alice, caplog):
    for _ in range(3):
        ask_reset(client, alice.email)
    with caplog.at_level(logging.WARNING, logger="clinic.rate_limits"):
        ask_reset(client, alice.email)
    digest = hashlib.sha256(alice.email.encode()).hexdigest()[:12]
    assert [r.getMessage() for r in caplog.records if r.name == "clinic.rate_limits"] == [
        f"Password reset not sent: too many requests for address {digest}."
    ]


def test_with_the_cache_out_of_reach_the_answer_is_the_same_and_nothing_is_sent(
    client, alice, mailoutbox
):
    down = redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch("clinic.rate_limits.cache.add", side_effect=down):
        response = ask_reset(client, alice.email)
    assert (response.status_code, response.url) == (302, RESET_SENT)
    assert mailoutbox == []


@pytest.mark.parametrize("bad", ["", "not-an-address", "a@" + "x" * 300])
def test_a_bad_address_gets_its_message_and_counts_nothing(client, alice, mailoutbox, bad):
    response = ask_reset(client, bad)
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    for _ in range(3):
        ask_reset(client, alice.email)
    assert len(mailoutbox) == 3
