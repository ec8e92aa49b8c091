"""Demo reminders: Maya's preferences, a week of delivery history, unread in-app notifications.

Idempotent: Maya's ledger and notifications are rebuilt from scratch on every run, relative to
today, so running it again never duplicates a row.
"""

import datetime as dt

from django.utils import timezone

from clinic.models import Patient
from notifications.messages import compose
from notifications.models import Channel, Delivery, Kind, Notification, ReminderPreference
from notifications.schedule import local_moment, zone_named

DAILY = dt.time(19, 30)
MORNING = dt.time(7, 30)
SENT, FAILED, SKIPPED = Delivery.Status.SENT, Delivery.Status.FAILED, Delivery.Status.SKIPPED

# (days ago, kind, channel, status, read in the app?, reason or error)
MAYA_HISTORY = [
    (6, Kind.DAILY_LOG, Channel.EMAIL, SENT, True, ""),
    (5, Kind.DAILY_LOG, Channel.EMAIL, SKIPPED, True, "already logged that day"),
    (4, Kind.DAILY_LOG, Channel.EMAIL, SENT, True, ""),
    (4, Kind.DAILY_LOG, Channel.SMS, FAILED, True, "Gave up after 6 attempts: Twilio 503"),
    (3, Kind.PAIN_CHECK, Channel.EMAIL, SENT, True, ""),
    (3, Kind.PAIN_CHECK, Channel.IN_APP, SENT, True, ""),
    (2, Kind.DAILY_LOG, Channel.EMAIL, SENT, True, ""),
    (2, Kind.DAILY_LOG, Channel.SMS, SENT, True, ""),
    (1, Kind.DAILY_LOG, Channel.EMAIL, SENT, False, ""),
    (1, Kind.DAILY_LOG, Channel.SMS, SENT, False, ""),
    (1, Kind.DAILY_LOG, Channel.IN_APP, SENT, False, ""),
]


def seed() -> None:
    maya = Patient.objects.select_related("clinic", "therapist", "user").get(
        user__email="patient@demo.example", clinic__slug="demo-sports-pt"
    )
    ReminderPreference.objects.update_or_create(
        patient=maya,
        defaults={
            "by_email": True,
            "by_sms": True,
            "in_app": True,
            "daily_time": DAILY,
            "morning_time": MORNING,
            "quiet_start": dt.time(22, 0),
            "quiet_end": dt.time(6, 30),
            "paused_until": None,
            "opted_out_at": None,
        },
    )
    Notification.objects.filter(patient=maya).delete()
    Delivery.objects.filter(patient=maya).delete()
    zone = zone_named(maya.time_zone)
    today = timezone.localdate(timezone=zone)
    for days_ago, kind, channel, status, read, note in MAYA_HISTORY:
        day = today - dt.timedelta(days=days_ago)
        due = local_moment(day, MORNING if kind == Kind.PAIN_CHECK else DAILY, zone)
        context = {"day": day.isoformat()}
        if kind == Kind.PAIN_CHECK:
            context["ran_on"] = (day - dt.timedelta(days=1)).isoformat()
        _delivery(maya, kind, channel, due, status, note, context, read=read)
    now = timezone.now()
    therapist = maya.therapist
    message = {
        "sender": therapist.full_name if therapist else "Your therapist",
        "text": "Lovely steady week, Maya. Keep the walk-run days pain-free and tell me "
        "if the shin aches the morning after.",
    }
    _delivery(
        maya,
        Kind.CARE_MESSAGE,
        Channel.IN_APP,
        now - dt.timedelta(hours=3),
        SENT,
        "",
        message,
        key=f"{maya.pk}:demo-care-message",
    )
    _bounced_email(maya)
    if therapist:
        since = today - dt.timedelta(days=24)
        clinic_zone = zone_named(maya.clinic.time_zone)
        _delivery(
            maya,
            Kind.MISSED_LOGS_THERAPIST,
            Channel.IN_APP,
            local_moment(since + dt.timedelta(days=4), dt.time(8), clinic_zone),
            SENT,
            "",
            {"since": since.isoformat(), "days": 3},
            recipient=therapist,
        )


def _bounced_email(maya: Patient) -> None:
    """One message the provider refused, to another patient, for the admin's failures page."""
    other = (
        Patient.objects.active()
        .filter(clinic=maya.clinic, reminder_consent=True)
        .exclude(pk=maya.pk)
        .exclude(email="")
        .order_by("pk")
        .first()
    )
    Delivery.objects.filter(kind=Kind.CARE_MESSAGE, key__endswith=":demo-bounce").delete()
    if other is None:
        return
    due = timezone.now() - dt.timedelta(days=2, hours=5)
    error = f"550 5.1.1 <{other.email}>: Recipient address rejected: User unknown"
    text = {"sender": "Front desk", "text": "Your follow-up visit moved to Thursday, 9:00."}
    key = f"{other.pk}:demo-bounce"
    _delivery(
        other, Kind.CARE_MESSAGE, Channel.EMAIL, due, FAILED, error, text, key=key, attempts=1
    )


def _delivery(patient, kind, channel, due, status, note, context, *, key="", read=False, **extra):
    failed = status == FAILED
    delivery = Delivery.objects.create(
        clinic=patient.clinic,
        patient=patient,
        recipient=extra.get("recipient", patient.user),
        kind=kind,
        channel=channel,
        due_at=due,
        key=key,
        context=context,
        status=status,
        reason=note if status == SKIPPED else "",
        last_error=note if failed else "",
        attempts=extra.get("attempts", 6 if failed else (0 if status == SKIPPED else 1)),
        send_after=due,
        created_at=due,
        sent_at=due + dt.timedelta(seconds=4) if status == SENT else None,
        provider_id=f"<delivery-demo-{kind}-{due:%Y%m%d}>" if status == SENT else "",
    )
    if channel == Channel.IN_APP and status == SENT:
        message = compose(delivery)
        Notification.objects.create(
            recipient=delivery.recipient,
            patient=patient,
            delivery=delivery,
            kind=kind,
            title=message.title,
            body=message.body,
            url=message.path,
            created_at=delivery.sent_at,
            read_at=delivery.sent_at + dt.timedelta(hours=1) if read else None,
        )
    return delivery
