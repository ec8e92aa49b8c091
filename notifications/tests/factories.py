import datetime as dt

import factory
from django.utils import timezone

from clinic.tests import factories as clinic_factories
from notifications import unsubscribe
from notifications.models import Channel, Delivery, Kind, Notification, ReminderPreference


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
