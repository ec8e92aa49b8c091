"""Sign-in throttling: each clinic's limits for django-axes, the lockout page, and unlocking.

Axes counts failed sign-ins per e-mail address and client address (AXES_LOCKOUT_PARAMETERS).
The limits come from the clinics the e-mail belongs to (the strictest of them); an e-mail that
belongs to no clinic, or to no account at all, gets the defaults, so the lockout does not tell a
stranger whether an account exists.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from axes.utils import reset
from django.db.models import Max, Min, Sum
from django.shortcuts import render
from django.utils import timezone

from clinic.models import (
    LOCKOUT_FAILURES_DEFAULT,
    LOCKOUT_MINUTES_DEFAULT,
    Clinic,
    Membership,
    User,
)


@dataclass(frozen=True)
class LockoutPolicy:
    failures: int = LOCKOUT_FAILURES_DEFAULT
    minutes: int = LOCKOUT_MINUTES_DEFAULT


@dataclass(frozen=True)
class Lockout:
    """One e-mail address locked from one client address, as a clinic admin sees it."""

    attempt_id: int
    email: str
    ip_address: str | None
    failures: int
    last_attempt: datetime
    unlocks_at: datetime
    person: User


def policy_for(email: str | None) -> LockoutPolicy:
    """The strictest limits of the clinics this e-mail belongs to, or the defaults."""
    if not email:
        return LockoutPolicy()
    limits = Clinic.objects.filter(memberships__user__email__iexact=email).aggregate(
        failures=Min("lockout_failures"), minutes=Max("lockout_minutes")
    )
    if limits["failures"] is None:
        return LockoutPolicy()
    return LockoutPolicy(failures=limits["failures"], minutes=limits["minutes"])


def attempted_email(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the e-mail being tried, normalised so case cannot dodge a lock."""
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "POST", {}).get("username")
    return value.strip().lower()[:254] if value else None


def failure_limit(request, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT: failures that lock the e-mail being tried."""
    return policy_for(attempted_email(request, credentials)).failures


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: how long the e-mail being tried stays locked."""
    email = attempted_email(request) if request is not None else None
    return timedelta(minutes=policy_for(email).minutes)


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """AXES_LOCKOUT_CALLABLE: the page that says how long to wait and whom to ask."""
    policy = policy_for(attempted_email(request, credentials))
    return render(request, "registration/locked_out.html", {"minutes": policy.minutes}, status=429)


def clinic_lockouts(clinic: Clinic) -> list[Lockout]:
    """Current locks on the e-mail addresses of the clinic's members, newest first."""
    members = {
        m.user.email: m.user
        for m in Membership.objects.filter(clinic=clinic).select_related("user")
    }
    rows = (
        AccessAttempt.objects.filter(
            username__in=list(members), expiration__expires_at__gt=timezone.now()
        )
        .values("username", "ip_address")
        .annotate(
            attempt_id=Min("id"),
            failures=Sum("failures_since_start"),
            last_attempt=Max("attempt_time"),
            unlocks_at=Max("expiration__expires_at"),
        )
        .order_by("-last_attempt")
    )
    return [
        Lockout(
            attempt_id=row["attempt_id"],
            email=row["username"],
            ip_address=row["ip_address"],
            failures=row["failures"],
            last_attempt=row["last_attempt"],
            unlocks_at=row["unlocks_at"],
            person=members[row["username"]],
        )
        for row in rows
        if row["failures"] >= policy_for(row["username"]).failures
    ]


def lockout_clear(attempt: AccessAttempt) -> int:
    """Unlock the e-mail and client address of `attempt` at once (every browser they used)."""
    return reset(ip=attempt.ip_address, username=attempt.username)
