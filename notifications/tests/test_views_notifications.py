"""In-app notifications for patients and staff; delivery history; failures for clinic admins."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AuditEvent
from notifications.models import Delivery, Kind, Notification
from notifications.tests.factories import DeliveryFactory, NotificationFactory


def test_the_bell_shows_the_unread_count_on_every_page(client, pat):
    NotificationFactory.create_batch(2, recipient=pat.user, patient=pat)
    NotificationFactory(recipient=pat.user, patient=pat, read_at="2026-01-01T00:00Z")
    client.force_login(pat.user)
    page = client.get(reverse("patient_home")).content.decode()
    assert "Notifications, 2 unread" in page


def test_people_see_only_their_own_notifications(client, pat, pia):
    NotificationFactory(recipient=pat.user, patient=pat, title="For Pat")
    theirs = NotificationFactory(recipient=pia.user, patient=pia, title="For Pia")
    client.force_login(pat.user)
    page = client.get(reverse("notification_list")).content.decode()
    assert "For Pat" in page and "For Pia" not in page
    assert client.get(reverse("notification_open", args=[theirs.pk])).status_code == 404


def test_a_therapist_no_longer_sees_notices_about_patients_of_another_clinic(client, alice, bea):
    NotificationFactory(recipient=alice, patient=bea, title="About Bea")
    client.force_login(alice)
    assert "About Bea" not in client.get(reverse("notification_list")).content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, pat):
    notice = NotificationFactory(recipient=pat.user, patient=pat, url="/me/log/")
    client.force_login(pat.user)
    response = client.get(reverse("notification_open", args=[notice.pk]))
    assert response.url == "/me/log/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_link_to_another_site_is_never_followed(client, pat):
    notice = NotificationFactory(recipient=pat.user, url="https://evil.example/")
    client.force_login(pat.user)
    response = client.get(reverse("notification_open", args=[notice.pk]))
    assert response.url == reverse("notification_list")


def test_all_can_be_marked_read_at_once(client, pat):
    NotificationFactory.create_batch(3, recipient=pat.user, patient=pat)
    client.force_login(pat.user)
    client.post(reverse("notifications_read_all"))
    assert not Notification.objects.unread().exists()


def test_the_therapist_sees_the_patients_delivery_history_on_the_patient_page(client, alice, pat):
    DeliveryFactory(patient=pat, status="sent")
    DeliveryFactory(patient=pat, kind=Kind.PAIN_CHECK, status="failed", last_error="Twilio 503")
    DeliveryFactory(patient=pat, kind=Kind.MISSED_LOG, status="skipped", reason="unsubscribed")
    client.force_login(alice)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "Reminders and notices" in page
    for text in ("Sent", "Failed", "Twilio 503", "Unsubscribed", "Next-morning pain check"):
        assert text in page
    full = client.get(reverse("patient_deliveries", args=[pat.pk]))
    assert full.status_code == 200
    assert AuditEvent.objects.filter(action="patient.deliveries.view", patient=pat).exists()


def test_the_care_team_does_not_see_the_delivery_history(client, coach_cole, pat):
    DeliveryFactory(patient=pat, status="sent")
    client.force_login(coach_cole)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "Reminders and notices" not in page


def test_the_clinic_admin_sees_failures_of_their_clinic_only(client, adam, pat, bea):
    DeliveryFactory(patient=pat, status="failed", last_error="550 no such user")
    DeliveryFactory(patient=bea, status="failed", last_error="Birch problem")
    client.force_login(adam)
    page = client.get(reverse("delivery_failures")).content.decode()
    assert "550 no such user" in page and "Birch problem" not in page


def test_the_clinic_admin_can_send_a_failed_message_again(client, adam, pat, monkeypatch):
    from notifications import services

    monkeypatch.setattr(services, "publish_sends", lambda ids: None)
    failed = DeliveryFactory(patient=pat, status="failed", attempts=6)
    client.force_login(adam)
    response = client.post(reverse("delivery_retry", args=[failed.pk]))
    assert response.url == reverse("delivery_failures")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Delivery.Status.QUEUED, 0)
    assert AuditEvent.objects.filter(action="notifications.retry").exists()


@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_has_words(kind, pat, alice):
    if kind in (Kind.INTAKE_INVITATION, Kind.INTAKE_EXPIRY):
        return  # sent with the intake link's own e-mail
    from notifications.messages import compose

    message = compose(DeliveryFactory.build(patient=pat, kind=kind, context={"days": 3}))
    assert message.title and message.paragraphs


def test_the_bell_checks_each_notices_own_patient_never_the_clinics_patient_list(
    client, alice, pat, pia
):
    """Issue 13: `patient__in=<the clinic's patients>` hashed 50,000 patients on every staff page
    for four notices. The bell starts from the recipient's rows and checks each one's patient."""
    NotificationFactory(recipient=alice, patient=pat)
    NotificationFactory(recipient=alice, patient=None)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("caseload")).content.decode()
    assert "Notifications, 2 unread" in page
    (bell,) = [q["sql"] for q in queries if 'FROM "notifications_notification"' in q["sql"]]
    assert "EXISTS" in bell and '"patient_id" IN (SELECT' not in bell


def test_a_coach_counts_only_notices_about_runners_on_their_team(client, coach_cole, pat, pia):
    NotificationFactory(recipient=coach_cole, patient=pat)
    NotificationFactory(recipient=coach_cole, patient=pia)  # not on Cole's team
    client.force_login(coach_cole)
    page = client.get(reverse("notification_list")).content.decode()
    assert "Notifications, 1 unread" in page
