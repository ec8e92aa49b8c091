"""Making, finding and revoking personal API tokens (`api.models.ApiToken`).

A token reads `rbt_<prefix>_<secret>`: 160 random bits from `secrets`, so a plain SHA-256 digest
is enough to store it (nothing to guess, unlike a password) and a lookup by digest finds it in
one indexed query. The prefix is shown in lists, never enough to use the token.
"""

import datetime as dt
import hashlib
import secrets

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken, TokenScope, credentials_fingerprint
from clinic.models import STAFF_ROLES, Clinic, Membership

TOKEN_START = "rbt_"  # noqa: S105 - the public start of every token, not a secret
EXPIRY_CHOICES = (7, 30, 90, 365)  # days a token may live; the account page offers these
LAST_USED_EVERY = dt.timedelta(minutes=5)  # how stale `last_used_at` may be (saves a write)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *, user, clinic: Clinic, name: str, scope: str, days: int
) -> tuple[ApiToken, str]:
    """A new token and its secret, which exists only in this return value."""
    if scope not in TokenScope.values:
        raise ValueError(f"unknown token scope {scope!r}")
    if days not in EXPIRY_CHOICES:
        raise ValueError(f"a token lives one of {EXPIRY_CHOICES} days, not {days}")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(20)}"
    token = ApiToken.objects.create(
        user=user,
        clinic=clinic,
        name=name.strip()[:80],
        prefix=prefix,
        digest=token_digest(secret),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=days),
        credentials=credentials_fingerprint(user),
    )
    return token, secret


def api_token_revoke(*, token: ApiToken) -> bool:
    """Revoke a token now; False when it was revoked already."""
    return bool(
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The usable token of this secret, or None: unknown, revoked, expired, its owner suspended
    or no longer holding an active role in the token's clinic, their password or sessions changed
    since it was made, or a staff owner without the two-step verification their clinic now
    requires (a token cannot ask for the second step, so it must have been set up)."""
    if not secret.startswith(TOKEN_START) or len(secret) > 100:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.usable(now)
        .alias(
            member=Exists(
                Membership.objects.active().filter(user=OuterRef("user"), clinic=OuterRef("clinic"))
            ),
            second_step_required=Exists(
                Membership.objects.active().filter(
                    user=OuterRef("user"),
                    clinic=OuterRef("clinic"),
                    role__in=STAFF_ROLES,
                    clinic__require_staff_2fa=True,
                )
            ),
            has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)),
            has_static=Exists(StaticDevice.objects.filter(user=OuterRef("user"), confirmed=True)),
        )
        .filter(digest=token_digest(secret), user__is_active=True, member=True)
        .filter(Q(second_step_required=False) | Q(has_totp=True) | Q(has_static=True))
        .select_related("user")
        .first()
    )
    if token is None or not token.credentials_current():
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
