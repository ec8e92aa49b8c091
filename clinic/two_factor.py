"""Two-step verification: an authenticator app (TOTP) plus ten one-time backup codes.

Devices are django-otp's: a `TOTPDevice` (unconfirmed until the person types a code from it) and
a `StaticDevice` holding the backup codes, each deleted once used. Both throttle wrong codes
(1, 2, 4, 8… seconds between tries). Who must use it is decided in clinic/access.py.
"""

import math
import re
from base64 import b32encode

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import User

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"

WRONG_CODE = (
    "That code did not work. Enter the 6-digit code your authenticator app shows now "
    "(check that your phone's clock is right), or one of your backup codes."
)


class CodeRefused(Exception):
    """The code was not accepted; the message says why and what to do."""


def pending_authenticator(user: User) -> TOTPDevice:
    """The authenticator being set up: a fresh secret, kept until the person confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// set-up link as a QR code, an SVG data: URI for an <img> (CSP allows it)."""
    return segno.make(device.config_url, error="m").svg_data_uri(
        scale=5, border=2, dark="#0b3b37", title="QR code for your authenticator app"
    )


def secret_for_display(device: TOTPDevice) -> str:
    """The secret in base32 groups of four, for people who type it in instead of scanning."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(code: str) -> str:
    """Codes are typed with spaces or dashes, in any case; compare without them."""
    return re.sub(r"[^0-9a-z]", "", code.lower())[:16]


def _refusal(device, code: str) -> str | None:
    """Why `device` refuses `code`, or None once it accepted it (and used it up).

    Callers raise only after their transaction commits, so a wrong code's throttling sticks.
    """
    allowed, data = device.verify_is_allowed()
    if not allowed:
        wait = max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))
        return f"Too many wrong codes. Wait {wait} second{'s' if wait > 1 else ''}, then try again."
    return None if device.verify_token(code) else WRONG_CODE


def authenticator_confirm(device: TOTPDevice, code: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; returns new backup codes."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        refusal = _refusal(device, normalise_code(code))
        if refusal is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    if refusal:
        raise CodeRefused(refusal)
    return backup_codes_issue(device.user)


def backup_codes_issue(user: User) -> list[str]:
    """Replace the person's backup codes with BACKUP_CODE_COUNT new ones, shown once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return [f"{c[:4]}-{c[4:]}" for c in codes]


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def code_verify(user: User, code: str) -> TOTPDevice | StaticDevice:
    """The device that accepts `code` (6 digits: the app; otherwise a backup code).

    Raises CodeRefused when the code is wrong or the device is throttled after wrong codes.
    """
    code = normalise_code(code)
    model = TOTPDevice if re.fullmatch(r"\d{6}", code) else StaticDevice
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        refusal = _refusal(device, code) if device else WRONG_CODE
    if refusal:
        raise CodeRefused(refusal)
    return device
