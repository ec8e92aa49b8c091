"""Personal API tokens: a person's key for the REST API and the FHIR export, with their rights.

A token stands for one person in one clinic (the clinic they were working in when they made
it): requests with it see exactly what that person sees there, through `clinic.access`. Only a
SHA-256 digest of the secret is stored; the secret is shown once, when it is made. A token is
read-only or read-write, expires, and can be revoked on the account page.

A token is also bound to its owner's credentials when it was made (`credentials`): a password
change or reset, "Sign out everywhere", a role change or a suspension (everything that ends the
person's sessions, `User.end_sessions`) ends their tokens too, as a stolen password or a
departure must.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from clinic.models import Clinic


class TokenScope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


def credentials_fingerprint(user) -> str:
    """Changes whenever the person's sessions would end: their password or `session_version`."""
    return salted_hmac(
        "api.ApiToken.credentials",
        f"{user.password}:{user.session_version}",
        algorithm="sha256",
    ).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now: dt.datetime | None = None):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. “EHR sync”.")
    prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to recognise it in lists."
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token.")
    scope = models.CharField(max_length=8, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    credentials = models.CharField(
        max_length=64,
        blank=True,
        help_text="The owner's credentials when it was made (credentials_fingerprint).",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE

    def credentials_current(self) -> bool:
        """False once the owner's password or sessions changed after the token was made."""
        return constant_time_compare(self.credentials, credentials_fingerprint(self.user))

    def status(self, now: dt.datetime | None = None) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        if not self.credentials_current():
            return "ended"
        return "active"
