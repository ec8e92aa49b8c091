"""Small widgets other pages show: the notification bell, a patient's reminders and history."""

import datetime as dt

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from notifications.models import Channel, ReminderPreference, reminders_allowed

register = template.Library()

HISTORY_ROWS = 8


@register.inclusion_tag("notifications/includes/bell.html", takes_context=True)
def notification_bell(context):
    """The bell in the navigation bar, with the signed-in person's unread count."""
    from notifications.views import visible_notifications

    request = context["request"]
    return {
        "unread": visible_notifications(request).unread().count(),
        "active": request.path == "/notifications/",
    }


def _reminder_facts(patient) -> dict:
    preference = ReminderPreference.of(patient)
    return {
        "patient": patient,
        "preference": preference,
        "reason": reminders_allowed(patient, preference),
        "channels": [Channel(channel).label for channel in preference.channels()],
    }


@register.inclusion_tag("notifications/includes/reminders_card.html")
def reminder_summary(patient):
    """The patient's own reminder settings in a sentence, for their home page."""
    return _reminder_facts(patient)


@register.inclusion_tag("notifications/includes/delivery_history.html")
def delivery_history(patient):
    """The latest deliveries to and about a patient, for staff on the patient's page."""
    deliveries = patient.deliveries.select_related("recipient").order_by("-due_at", "-id")
    since = timezone.now() - dt.timedelta(days=30)
    counts = patient.deliveries.filter(due_at__gte=since).aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in ("sent", "failed", "skipped")}
    )
    return {**_reminder_facts(patient), "deliveries": deliveries[:HISTORY_ROWS], "counts": counts}
