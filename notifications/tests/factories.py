import datetime as dt

import factory
from django.utils import timezone

from clinic.tests import factories as clinic_factories
from notifications import services, unsubscribe
from notifications.models import (
    Channel,
    Delivery,
    Kind,
    Notification,
    Reminder,
    ReminderPreference,
)


def reminder_patient(clinic, therapist, *, email, consent=True, **preference):
    """A patient with an account who consented to reminders, with these preferences."""
    first = email.split("@")[0].capitalize()
    patient = clinic_factories.patient_with_account(
        clinic, therapist, email=email, first_name=first, last_name="Runner"
    )
    patient.set_reminder_consent(consent)
    patient.save()
    if preference:
        ReminderPreference.objects.create(patient=patient, **preference)
    return patient


def plan_and_fan_out(now: dt.datetime, *, in_sql: bool | None = None) -> int:
    """Plan what fell due by `now` and fan it out to ledger rows, as the dispatch and its send
    tasks do (without sending); returns how many reminders were planned."""
    planned = services.reminders_plan(now=now, in_sql=in_sql)
    waiting = Reminder.objects.filter(fanned_out_at__isnull=True)
    services.reminders_fan_out([reminder.key for reminder in waiting], now=now)
    return planned


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    clinic = factory.LazyAttribute(lambda d: d.patient.clinic)
    recipient = factory.LazyAttribute(lambda d: d.patient.user)
    kind = Kind.DAILY_LOG
    channel = Channel.EMAIL
    due_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=5))
    send_after = factory.LazyAttribute(lambda d: d.due_at)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    kind = Kind.CARE_MESSAGE
    title = "A message from your care team"
    body = "See you on Thursday."
    url = "/me/"


def access_cast(pat) -> dict:
    """URL kwargs for clinic/tests/test_access_urls.py: objects that belong to `pat`."""
    notification = NotificationFactory(recipient=pat.user, patient=pat)
    failed = DeliveryFactory(patient=pat, status=Delivery.Status.FAILED, attempts=6)
    return {
        "notification": {"notification_id": notification.pk},
        "delivery": {"delivery_id": failed.pk},
        "unsubscribe_token": {"token": unsubscribe.token_for(pat)},
    }
