"""Signed one-click unsubscribe links: they work without signing in and never expire.

The token is the patient's id signed with the site's secret (django.core.signing), so it cannot
be guessed or altered; it reveals nothing but an opaque id.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from clinic.models import Patient

SALT = "rebound.notifications.unsubscribe"


def token_for(patient: Patient) -> str:
    return signing.Signer(salt=SALT).sign(patient.pk.hex)


def patient_for(token: str) -> Patient | None:
    """The patient a token was made for, or None for a forged, damaged or stale token."""
    try:
        patient_id = signing.Signer(salt=SALT).unsign(token)
        return Patient.objects.select_related("clinic").get(pk=patient_id)
    except (signing.BadSignature, Patient.DoesNotExist, ValueError):
        return None


def url_for(patient: Patient) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("unsubscribe", args=[token_for(patient)])
