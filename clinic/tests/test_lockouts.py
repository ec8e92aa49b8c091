"""Sign-in throttling: five wrong passwords lock an account from one address for 15 minutes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from clinic.tests import otp
from clinic.tests.factories import PASSWORD
from clinic.tests.html import inline_code

WRONG = "not-the-password"


def sign_in(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def fail(client, email, times, **extra):
    return [sign_in(client, email, WRONG, **extra) for _ in range(times)][-1]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def pass_time(minutes: int) -> None:
    """Move every recorded failure `minutes` into the past."""
    earlier = timezone.now() - timedelta(minutes=minutes)
    AccessAttempt.objects.update(attempt_time=earlier)
    AccessAttemptExpiration.objects.update(expires_at=earlier + timedelta(minutes=15))


def test_four_wrong_passwords_only_say_it_is_wrong(client, alice):
    response = fail(client, alice.email, 4)
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert sign_in(client, alice.email, PASSWORD).status_code == 302


def test_the_fifth_wrong_password_locks_the_account_for_15_minutes(client, alice):
    response = fail(client, alice.email, 5)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Signing in is paused for 15 minutes" in body
    assert "Ask your clinic admin" in body
    assert inline_code(body) == []
    response = sign_in(client, alice.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lock_lifts_after_the_cool_off(client, alice):
    fail(client, alice.email, 5)
    pass_time(14)
    assert sign_in(client, alice.email, PASSWORD).status_code == 429
    pass_time(16)
    response = sign_in(client, alice.email, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_holds_only_for_that_address(client, alice):
    fail(client, alice.email, 5)
    response = sign_in(client, alice.email, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302


def test_capital_letters_do_not_dodge_the_lock(client, alice):
    for email in [
        "Alice@Alder.example",
        "ALICE@alder.example",
        alice.email,
        " alice@alder.example",
    ]:
        sign_in(client, email, WRONG)
    assert sign_in(client, alice.email, WRONG).status_code == 429


def test_each_clinic_sets_its_own_limits(client, alice, clinic_a):
    clinic_a.lockout_failures, clinic_a.lockout_minutes = 3, 60
    clinic_a.save()
    response = fail(client, alice.email, 3)
    assert response.status_code == 429
    assert "paused for 60 minutes" in response.content.decode()


def test_an_unknown_email_gets_the_same_page_as_a_known_one(client, alice):
    known = fail(client, alice.email, 5)
    unknown = fail(client, "nobody@nowhere.example", 5)
    assert unknown.status_code == known.status_code == 429
    assert unknown.content == known.content


def test_unknown_emails_get_the_default_limits_whatever_the_clinics_set(client, clinic_a):
    clinic_a.lockout_failures = 3
    clinic_a.save()
    assert fail(client, "nobody@nowhere.example", 4).status_code == 200
    assert fail(client, "nobody@nowhere.example", 1).status_code == 429


def test_the_login_page_says_the_same_for_a_known_and_an_unknown_email(client, alice):
    known = sign_in(client, alice.email, WRONG).context["form"].non_field_errors()
    unknown = sign_in(client, "nobody@nowhere.example", WRONG).context["form"].non_field_errors()
    assert known == unknown
    assert "do not match an account" in known[0]


def test_a_suspended_account_gets_the_same_message(client, alice):
    alice.is_active = False
    alice.save()
    response = sign_in(client, alice.email, PASSWORD)
    assert response.context["form"].non_field_errors() == (
        sign_in(client, "nobody@nowhere.example", WRONG).context["form"].non_field_errors()
    )


def test_password_reset_says_the_same_for_a_known_and_an_unknown_email(client, alice, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": alice.email}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@x.example"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content == unknown.content
    assert [m.to for m in mailoutbox] == [[alice.email]]


def test_a_password_reset_link_works_once(client, alice, mailoutbox):
    client.post(reverse("password_reset"), {"email": alice.email})
    link = next(line for line in mailoutbox[0].body.splitlines() if "/reset/" in line)
    path = link[link.index("/accounts/") :]
    form_page = client.get(path, follow=True)
    new = {"new_password1": "a-fresh-password-42", "new_password2": "a-fresh-password-42"}
    assert client.post(form_page.redirect_chain[-1][0], new).status_code == 302
    again = client.get(path, follow=True)
    assert "This link no longer works" in again.content.decode()


@pytest.fixture
def alice_locked(client, alice):
    fail(client, alice.email, 5)
    return AccessAttempt.objects.get(username=alice.email)


def test_the_clinic_admin_sees_a_locked_member_and_unlocks_them(client, adam, alice, alice_locked):
    admin = Client()
    admin.force_login(adam)
    page = admin.get(reverse("clinic_admin")).content.decode()
    assert "Locked sign-ins" in page and alice.email in page and "127.0.0.1" in page
    response = admin.post(reverse("lockout_unlock", args=[alice_locked.pk]))
    assert response.status_code == 302
    assert sign_in(client, alice.email, PASSWORD).status_code == 302
    event = AuditEvent.objects.get(action="auth.unlock")
    assert (event.actor, event.clinic, event.detail["email"]) == (
        adam,
        adam_clinic(adam),
        alice.email,
    )


def adam_clinic(adam):
    return adam.memberships.get().clinic


def test_an_admin_cannot_unlock_another_clinics_member(client, adam, bob):
    fail(client, bob.email, 5)
    attempt = AccessAttempt.objects.get(username=bob.email)
    admin = Client()
    admin.force_login(adam)
    assert admin.post(reverse("lockout_unlock", args=[attempt.pk])).status_code == 404
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_a_lock_that_ran_out_is_not_listed(client, adam, alice, alice_locked):
    pass_time(16)
    otp.sign_in(client, adam)
    assert "No one is locked out" in client.get(reverse("clinic_admin")).content.decode()


def test_sign_ins_failures_and_locks_are_audited_with_the_address(client, alice):
    sign_in(client, alice.email, PASSWORD, REMOTE_ADDR="203.0.113.5")
    client.logout()
    fail(client, alice.email, 5, REMOTE_ADDR="203.0.113.6")
    fail(client, "nobody@nowhere.example", 1, REMOTE_ADDR="203.0.113.7")

    login = AuditEvent.objects.get(action="auth.login", ip_address="203.0.113.5")
    assert (login.actor, login.object_id) == (alice, str(alice.pk))
    failures = AuditEvent.objects.filter(action="auth.login_failed", ip_address="203.0.113.6")
    assert failures.count() == 5
    assert {(e.actor, e.object_id, e.detail["email"]) for e in failures} == {
        (None, str(alice.pk), alice.email)
    }
    lock = AuditEvent.objects.get(action="auth.locked_out")
    assert (lock.ip_address, lock.object_id, lock.detail["email"]) == (
        "203.0.113.6",
        str(alice.pk),
        alice.email,
    )
    stranger = AuditEvent.objects.get(action="auth.login_failed", ip_address="203.0.113.7")
    assert (stranger.object_id, stranger.detail["email"]) == ("", "nobody@nowhere.example")


def test_a_successful_sign_in_clears_earlier_failures(client, alice):
    fail(client, alice.email, 4)
    sign_in(client, alice.email, PASSWORD)
    client.logout()
    assert fail(client, alice.email, 4).status_code == 200


def test_a_try_while_locked_starts_the_wait_again_as_the_page_says(client, alice):
    fail(client, alice.email, 5)
    pass_time(10)
    assert sign_in(client, alice.email, PASSWORD).status_code == 429
    left = AccessAttemptExpiration.objects.get().expires_at - timezone.now()
    assert timedelta(minutes=14) < left <= timedelta(minutes=15)


# Behind a reverse proxy every connection comes from the proxy; the client is in X-Forwarded-For.

PROXY = "10.0.0.5"


def from_client(address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


def test_without_a_proxy_setting_a_forged_forwarded_address_does_not_dodge_the_lock(client, alice):
    for n in range(4):
        sign_in(client, alice.email, WRONG, **from_client(f"198.51.100.{n}"))
    response = sign_in(client, alice.email, WRONG, **from_client("198.51.100.99"))
    assert response.status_code == 429
    assert AccessAttempt.objects.get().ip_address == PROXY


def test_behind_a_proxy_one_persons_wrong_passwords_do_not_lock_out_a_colleague(
    client, settings, alice
):
    settings.TRUSTED_PROXY_COUNT = 1
    assert fail(client, alice.email, 5, **from_client("203.0.113.66")).status_code == 429
    colleague = Client()
    response = sign_in(colleague, alice.email, PASSWORD, **from_client("203.0.113.10"))
    assert response.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"


def test_behind_a_proxy_the_audit_trail_has_the_persons_own_address(client, settings, alice):
    settings.TRUSTED_PROXY_COUNT = 1
    sign_in(client, alice.email, PASSWORD, **from_client("198.51.100.1, 203.0.113.10"))
    fail(Client(), alice.email, 1, **from_client("203.0.113.66"))
    rows = AuditEvent.objects.order_by("id").values_list("action", "ip_address")
    assert list(rows) == [("auth.login", "203.0.113.10"), ("auth.login_failed", "203.0.113.66")]


def test_without_a_proxy_setting_the_audit_trail_has_the_connections_address(client, alice):
    sign_in(client, alice.email, PASSWORD, **from_client("203.0.113.10"))
    assert AuditEvent.objects.get(action="auth.login").ip_address == PROXY


def test_behind_a_proxy_the_reset_limit_counts_each_client_apart(
    client, settings, alice, pat, mailoutbox
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = (1, 60 * 60)
    reset = reverse("password_reset")
    client.post(reset, {"email": alice.email}, **from_client("203.0.113.66"))
    client.post(reset, {"email": pat.user.email}, **from_client("203.0.113.66"))
    client.post(reset, {"email": pat.user.email}, **from_client("203.0.113.10"))
    assert [m.to for m in mailoutbox] == [[alice.email], [pat.user.email]]
