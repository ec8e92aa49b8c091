"""What a delivery says: its title, body, link and unsubscribe link, from the kind's template.

Each kind's words live in `templates/notifications/messages/<kind>.txt`: the first line is the
title (the e-mail subject), the rest the body. E-mail wraps them in one HTML and one text layout;
SMS and the in-app list use the title and a link.
"""

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse

from notifications import unsubscribe
from notifications.models import KIND_RULES, Delivery


@dataclass(frozen=True)
class Message:
    title: str
    paragraphs: list[str]
    action_label: str
    path: str  # the link inside Rebound, for the in-app list
    url: str  # the same link, absolute, for e-mail and SMS
    unsubscribe_url: str  # "" for messages to staff

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def compose(delivery: Delivery) -> Message:
    rule = KIND_RULES[delivery.kind]
    patient = delivery.patient
    # Plain text: escaping happens where it is shown (the HTML e-mail, the in-app list).
    template = get_template(f"notifications/messages/{delivery.kind}.txt").template
    rendered = template.render(
        Context(
            {"patient": patient, "context": _readable(delivery.context), "delivery": delivery},
            autoescape=False,
        )
    ).strip()
    title, _, body = rendered.partition("\n")
    paragraphs = [" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip()]
    path = ""
    if rule.action:
        path = reverse(rule.action, args=[patient.pk] if rule.to_therapist else [])
    site = settings.SITE_URL.rstrip("/")
    return Message(
        title=title.strip(),
        paragraphs=paragraphs,
        action_label=rule.action_label or "Open Rebound",
        path=path,
        url=site + path if path else site + "/",
        unsubscribe_url="" if rule.to_therapist else unsubscribe.url_for(patient),
    )


DATE_KEYS = ("since", "day", "ran_on")


def _readable(context: dict) -> dict:
    """The context with its ISO dates as dates, so templates can say "Tuesday 3 March"."""
    readable = dict(context)
    for key in DATE_KEYS:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            readable[key] = dt.date.fromisoformat(readable[key])
    return readable


def sms_text(message: Message, *, clinic_name: str) -> str:
    """Short enough for two SMS segments in most cases; the stop link always comes last."""
    stop = f"Stop reminders: {message.unsubscribe_url}"
    return f"{clinic_name}: {message.title}. {message.url}\n{stop}"
