"""Intake links: the signed token in a runner's personal link, and the e-mail that carries it.

Its own module so that notifications' sender can e-mail a link without importing the intake
workflows (intake.services), which themselves queue sends through notifications: the dependency
runs one way, intake.services -> notifications -> intake.links.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic import emails
from intake.models import IntakeLink

LINK_SALT = "rebound.intake-link"


class LinkError(Exception):
    """The intake link cannot be used; str() is one of: invalid, expired, used, revoked."""


def link_token(link: IntakeLink) -> str:
    return signing.dumps(str(link.pk), salt=LINK_SALT)


def link_url(link: IntakeLink) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("intake_start", args=[link_token(link)])


def link_from_token(token: str, *, allow_used: bool = False) -> IntakeLink:
    try:
        link_id = signing.loads(token, salt=LINK_SALT)
        link = IntakeLink.objects.select_related("clinic", "patient").get(pk=str(link_id))
    except (signing.BadSignature, IntakeLink.DoesNotExist, ValueError, ValidationError) as exc:
        raise LinkError("invalid") from exc
    if link.status == "used" and allow_used:
        return link
    if link.status != "open":
        raise LinkError(link.status)
    return link


def link_send(
    link: IntakeLink,
    *,
    reminder: bool = False,
    unsubscribe_url: str = "",
    headers: dict | None = None,
):
    """E-mail the link (or the reminder before it expires). Called by notifications' sender,
    which gives it the one-click unsubscribe link and the ledger's headers."""
    return emails.send_templated(
        to=link.email,
        template="intake_link",
        context={
            "link": link,
            "url": link_url(link),
            "reminder": reminder,
            "unsubscribe_url": unsubscribe_url,
        },
        headers=headers,
    )
