"""Passwords: Argon2 hashing, at least 10 characters and not a common one, reset links that work
once and expire after 24 hours."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse

from clinic import services
from clinic import settings as project_settings
from clinic.models import User


def test_production_hashes_passwords_with_argon2(settings, db):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # tests use a fast hasher
    user = User.objects.create_user(email="hash@example.com", password="a-long-pass-123")
    assert user.password.startswith("argon2$")
    assert user.check_password("a-long-pass-123")


@pytest.fixture
def invitation(clinic_a, adam):
    return services.invitation_create(
        clinic=clinic_a, email="nova@example.com", full_name="Nova", role="coach", invited_by=adam
    )


@pytest.mark.parametrize(
    "password,message",
    [
        ("tr0mb-9x!", "at least 10 characters"),  # 9 characters
        ("qwertyuiop", "too common"),
        ("1234509876", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(client, invitation, password, message):
    url = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    response = client.post(url, {"full_name": "Nova", "password1": password, "password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="nova@example.com").exists()


def test_ten_characters_that_are_not_common_are_enough(client, invitation):
    url = reverse("invitation_accept", args=[services.invitation_token(invitation)])
    client.post(url, {"full_name": "Nova", "password1": "tr0mb-9x!k", "password2": "tr0mb-9x!k"})
    assert User.objects.get(email="nova@example.com").check_password("tr0mb-9x!k")


def reset_link(client, user, mailoutbox) -> str:
    client.post(reverse("password_reset"), {"email": user.email})
    line = next(line for line in mailoutbox[-1].body.splitlines() if "/reset/" in line)
    return line[line.index("/accounts/") :].strip()


def later(hours: float):
    """Move the reset-token clock `hours` ahead."""
    now = PasswordResetTokenGenerator()._now() + timedelta(hours=hours)
    return mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=now)


def test_a_reset_link_still_works_within_24_hours(client, alice, mailoutbox):
    link = reset_link(client, alice, mailoutbox)
    with later(23):
        page = client.get(link, follow=True)
    assert page.context["validlink"] is True


def test_a_reset_link_expires_after_24_hours(client, alice, mailoutbox):
    link = reset_link(client, alice, mailoutbox)
    with later(25):
        page = client.get(link, follow=True)
    assert page.context["validlink"] is False
    assert "This link no longer works" in page.content.decode()


def test_the_reset_form_is_labelled_like_the_login_form(client):
    page = client.get(reverse("password_reset")).content.decode()
    assert "E-mail address" in page
