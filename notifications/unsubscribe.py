"""Signed one-click unsubscribe links: they work without signing in and never expire.

Two kinds of token, both signed with the site's secret (django.core.signing), so they cannot be
guessed or altered, and both revealing nothing but an opaque id:
- a patient's (`token_for`), in every reminder and notice: it stops them all;
- an intake link's (`token_for_link`), in the questionnaire e-mails a runner gets before they are
  a patient: it stops the reminders about that questionnaire.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from clinic.models import Patient
from intake.models import IntakeLink

SALT = "rebound.notifications.unsubscribe"
LINK_PREFIX = "link-"


def token_for(patient: Patient) -> str:
    return signing.Signer(salt=SALT).sign(patient.pk.hex)


def token_for_link(link: IntakeLink) -> str:
    return signing.Signer(salt=SALT).sign(LINK_PREFIX + link.pk.hex)


def _signed_value(token: str) -> str | None:
    try:
        return signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None


def patient_for(token: str) -> Patient | None:
    """The patient a token was made for, or None for a forged, damaged or stale token."""
    value = _signed_value(token)
    if value is None or value.startswith(LINK_PREFIX):
        return None
    try:
        return Patient.objects.select_related("clinic").get(pk=value)
    except (Patient.DoesNotExist, ValueError):
        return None


def link_for(token: str) -> IntakeLink | None:
    """The intake link a token was made for, or None."""
    value = _signed_value(token)
    if value is None or not value.startswith(LINK_PREFIX):
        return None
    try:
        return IntakeLink.objects.select_related("clinic").get(pk=value.removeprefix(LINK_PREFIX))
    except (IntakeLink.DoesNotExist, ValueError):
        return None


def url_for(patient: Patient) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("unsubscribe", args=[token_for(patient)])


def url_for_link(link: IntakeLink) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("unsubscribe", args=[token_for_link(link)])
