"""The demo shows every part of reminders, and seeding it again changes nothing."""

from clinic import demo
from clinic.models import Patient, User
from notifications.models import Delivery, Notification, ReminderPreference


def snapshot(maya):
    return (
        sorted(Delivery.objects.filter(patient=maya).values_list("kind", "channel", "status")),
        Notification.objects.filter(patient=maya).count(),
    )


def test_the_demo_patient_has_preferences_a_history_and_unread_notifications(db):
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")
    preference = ReminderPreference.objects.get(patient=maya)
    assert preference.by_email and preference.by_sms and preference.opted_out_at is None
    statuses = set(Delivery.objects.filter(patient=maya).values_list("status", flat=True))
    assert statuses == {"sent", "failed", "skipped"}
    assert Notification.objects.filter(recipient=maya.user, read_at__isnull=True).count() >= 2
    therapist = User.objects.get(email="therapist@demo.example")
    assert Notification.objects.filter(recipient=therapist, read_at__isnull=True).exists()
    assert Delivery.objects.filter(status="failed").exclude(patient=maya).exists()

    before = snapshot(maya)
    demo.seed()
    assert snapshot(maya) == before
    assert Delivery.objects.filter(status="failed").count() == 2
