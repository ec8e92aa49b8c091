from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import services
from clinic.models import Invitation, Membership, User


@pytest.fixture
def invitation(clinic_a, adam, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invitation_create(
            clinic=clinic_a,
            email="New.Coach@Example.com",
            full_name="Nova Coach",
            role="coach",
            invited_by=adam,
        )


def accept_url(invitation):
    return reverse("invitation_accept", args=[services.invitation_token(invitation)])


def test_it_emails_a_signed_link(invitation):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.coach@example.com"]
    assert "Alder Sports PT" in message.subject
    assert accept_url(invitation) in message.body


def test_accepting_creates_the_account_and_role(client, invitation):
    response = client.post(
        accept_url(invitation),
        {"full_name": "Nova Coach", "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.coach@example.com")
    assert Membership.objects.filter(user=user, role="coach", clinic=invitation.clinic).exists()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert client.get(reverse("care_team_home")).status_code == 200


def test_a_used_link_does_not_work_twice(client, invitation):
    data = {"full_name": "N", "password1": "a-long-pass-123", "password2": "a-long-pass-123"}
    client.post(accept_url(invitation), data)
    client.logout()
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_an_expired_link_says_what_to_do(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    response = client.get(accept_url(invitation))
    assert response.status_code == 410
    assert "Ask your clinic to send you a new invitation" in response.content.decode()


def test_a_tampered_link_is_refused(client, invitation):
    response = client.get(accept_url(invitation)[:-3] + "xyz/")
    assert response.status_code == 404


def test_mismatched_passwords_show_a_message_and_change_nothing(client, invitation):
    response = client.post(
        accept_url(invitation),
        {"full_name": "Nova", "password1": "a-long-pass-123", "password2": "another-pass-456"},
    )
    assert response.status_code == 200
    assert "The two passwords differ" in response.content.decode()
    assert not User.objects.filter(email="new.coach@example.com").exists()


def test_a_weak_password_is_refused(client, invitation):
    response = client.post(
        accept_url(invitation), {"full_name": "Nova", "password1": "short", "password2": "short"}
    )
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="new.coach@example.com").exists()


def test_a_new_invitation_revokes_the_pending_one(invitation, clinic_a, adam):
    services.invitation_create(
        clinic=clinic_a, email=invitation.email, full_name="N", role="coach", invited_by=adam
    )
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_an_existing_account_joins_after_signing_in(client, clinic_a, adam, bob):
    invitation = services.invitation_create(
        clinic=clinic_a, email=bob.email, full_name=bob.full_name, role="therapist", invited_by=adam
    )
    assert "Sign in to accept" in client.get(accept_url(invitation)).content.decode()
    client.force_login(bob)
    client.post(accept_url(invitation))
    assert Membership.objects.filter(user=bob, clinic=clinic_a, role="therapist").exists()


def test_a_patient_invitation_links_the_patient_record(client, clinic_a, alice):
    from clinic.tests.factories import PatientFactory

    patient = PatientFactory(clinic=clinic_a, therapist=alice, email="runner@example.com")
    client.force_login(alice)
    client.post(reverse("patient_invite", args=[patient.pk]))
    invitation = Invitation.objects.get(patient=patient)
    client.logout()
    client.post(
        accept_url(invitation),
        {"full_name": "Run Ner", "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
    )
    patient.refresh_from_db()
    assert patient.user.email == "runner@example.com"
    assert client.get(reverse("patient_home")).status_code == 200


def test_admin_invites_staff_from_the_clinic_page(client, adam, django_capture_on_commit_callbacks):
    client.force_login(adam)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation_create"),
            {"full_name": "Tess Ward", "email": "tess@example.com", "role": "therapist"},
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["tess@example.com"]


def test_admin_invitation_form_rejects_a_bad_address(client, adam):
    client.force_login(adam)
    response = client.post(
        reverse("invitation_create"), {"full_name": "T", "email": "not-an-email", "role": "coach"}
    )
    assert response.status_code == 200
    assert "Enter a valid email address" in response.content.decode()
    assert not Invitation.objects.exists()


def test_admin_revokes_a_pending_invitation(client, adam, invitation):
    client.force_login(adam)
    client.post(reverse("invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_an_account_with_a_patient_record_cannot_take_a_second_one(client, clinic_a, alice, pat):
    from clinic.tests.factories import PatientFactory

    duplicate = PatientFactory(clinic=clinic_a, therapist=alice, email=pat.user.email)
    invitation = services.invitation_create(
        clinic=clinic_a,
        email=pat.user.email,
        full_name="Pat Lane",
        role="patient",
        invited_by=alice,
        patient=duplicate,
    )
    client.force_login(pat.user)
    response = client.post(accept_url(invitation))
    assert response.status_code == 409
    assert "already has a patient record" in response.content.decode()
    duplicate.refresh_from_db()
    invitation.refresh_from_db()
    assert duplicate.user is None and invitation.status == "pending"


def test_staff_are_told_when_the_email_already_has_a_patient_record(client, clinic_a, alice, pat):
    from clinic.tests.factories import PatientFactory

    duplicate = PatientFactory(clinic=clinic_a, therapist=alice, email=pat.user.email.upper())
    client.force_login(alice)
    response = client.post(reverse("patient_invite", args=[duplicate.pk]), follow=True)
    assert "already signs in to another patient record" in response.content.decode()
    assert not Invitation.objects.filter(patient=duplicate).exists()


def test_new_accounts_start_in_the_clinics_or_the_runners_time_zone(client, clinic_a, alice):
    from clinic.tests.factories import PatientFactory

    clinic_a.time_zone = "America/Denver"
    clinic_a.save()
    staff = services.invitation_create(
        clinic=clinic_a, email="s@example.com", full_name="S", role="coach", invited_by=alice
    )
    runner = PatientFactory(clinic=clinic_a, email="r@example.com", time_zone="Asia/Tokyo")
    patient = services.invitation_create(
        clinic=clinic_a,
        email="r@example.com",
        full_name="R",
        role="patient",
        invited_by=alice,
        patient=runner,
    )
    password = {"full_name": "X", "password1": "a-long-pass-123", "password2": "a-long-pass-123"}
    for invitation in (staff, patient):
        Client().post(accept_url(invitation), password)
    assert User.objects.get(email="s@example.com").time_zone == "America/Denver"
    assert User.objects.get(email="r@example.com").time_zone == "Asia/Tokyo"
