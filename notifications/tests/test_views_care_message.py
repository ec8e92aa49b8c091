"""Clinic staff write to a patient: the message is kept, audited, and reaches the patient once on
the channels they chose; bad input gets a message beside the field and changes nothing."""

import uuid

from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import AuditEvent
from notifications.models import CareMessage, Delivery, Kind, Notification
from notifications.tests.factories import reminder_patient
from notifications.tests.sending import sent_in_process


def url(patient):
    return reverse("care_message_create", args=[patient.pk])


def test_the_therapists_message_reaches_the_patient_in_the_app_and_by_email(
    client, clinic_a, alice, django_capture_on_commit_callbacks
):
    robin = reminder_patient(
        clinic_a, alice, email="robin@runner.example", quiet_start=None, quiet_end=None
    )
    client.force_login(alice)
    assert "Message Robin" in client.get(url(robin)).content.decode()
    with sent_in_process(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(robin), {"submission": uuid.uuid4(), "text": "  See you on Thursday at 9.  "}
        )
    assert response.url == reverse("patient_detail", args=[robin.pk]) + "#reminders"
    message = CareMessage.objects.get()
    assert (message.patient, message.sender, message.text) == (
        robin,
        alice,
        "See you on Thursday at 9.",
    )
    assert sorted(
        Delivery.objects.filter(kind=Kind.CARE_MESSAGE).values_list("channel", "status")
    ) == [("email", "sent"), ("in_app", "sent")]
    notice = Notification.objects.get(recipient=robin.user)
    assert (notice.title, notice.body) == ("A message from Alice Moss", "See you on Thursday at 9.")
    [email] = mail.outbox
    assert (
        email.subject == "A message from Alice Moss" and "See you on Thursday at 9." in email.body
    )
    event = AuditEvent.objects.get(action="notifications.message")
    assert (event.actor, event.patient, event.object_id) == (alice, robin, str(message.pk))


def test_a_patient_without_consent_is_not_told_and_the_therapist_learns_why(client, alice, pat):
    client.force_login(alice)
    response = client.post(url(pat), {"submission": uuid.uuid4(), "text": "Hello"}, follow=True)
    assert "will not be told: no consent to reminders" in response.content.decode()
    assert set(Delivery.objects.values_list("status", "reason")) == {
        ("skipped", "no consent to reminders")
    }


def test_an_empty_or_overlong_message_is_refused_beside_the_field(client, alice, pat):
    client.force_login(alice)
    for text, error in (("   ", "Write the message first."), ("x" * 1001, "at most 1000")):
        response = client.post(url(pat), {"submission": uuid.uuid4(), "text": text})
        assert response.status_code == 200
        page = response.content.decode()
        assert error in page and 'id="error-summary"' in page
    assert not CareMessage.objects.exists() and not Delivery.objects.exists()


def test_a_coach_or_another_clinic_cannot_write(client, coach_cole, bob, pat):
    for person in (coach_cole, bob):
        client.force_login(person)
        assert client.post(url(pat), {"submission": uuid.uuid4(), "text": "Hi"}).status_code == 404
    assert not CareMessage.objects.exists()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.fixed_dictionaries(
        {}, optional={"submission": st.uuids().map(str), "text": st.text(max_size=1200)}
    )
)
def test_whatever_is_posted_the_answer_is_a_page_never_an_error(client, alice, pat, data):
    client.force_login(alice)
    response = client.post(url(pat), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors


def test_a_message_posted_twice_is_kept_and_sent_once(
    client, clinic_a, alice, django_capture_on_commit_callbacks
):
    robin = reminder_patient(
        clinic_a, alice, email="robin@runner.example", quiet_start=None, quiet_end=None
    )
    client.force_login(alice)
    data = {"submission": uuid.uuid4(), "text": "See you on Thursday at 9."}
    with sent_in_process(), django_capture_on_commit_callbacks(execute=True):
        client.post(url(robin), data)
        again = client.post(url(robin), data, follow=True)

    assert CareMessage.objects.count() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=robin.user).count() == 1
    assert AuditEvent.objects.filter(action="notifications.message").count() == 1
    assert "You sent this twice; it was kept once." in again.content.decode()
