"""Audit rows are append-only: no URL changes or deletes one, and PostgreSQL refuses it too.

Also checks the actions that were missing an audit row: joining a clinic through an
invitation (a role granted), assigning an intake, opening a patient's edit form.
"""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from clinic import services
from clinic.models import AuditEvent, User
from clinic.tests import otp
from clinic.tests.test_access_urls import TABLE, cast  # noqa: F401
from intake.tests.factories import submitted_intake

PASSPHRASE = "a-long-passphrase-9"


def snapshot():
    return list(AuditEvent.objects.order_by("pk").values())


@pytest.mark.parametrize("name", sorted(TABLE))
def test_no_url_edits_or_deletes_an_audit_row(client, cast, name):  # noqa: F811
    for person in ("alice", "cole", "pat"):
        AuditEvent.objects.create(action="patient.view", actor=cast["people"][person])
    before = snapshot()
    _, kwargs_name, _ = TABLE[name]
    kwargs = cast["kwargs"][kwargs_name] if kwargs_name else {}
    otp.sign_in(client, cast["people"]["adam"])
    for method in ("get", "post"):
        getattr(client, method)(reverse(name, kwargs=kwargs), {"action": "x", "detail": "{}"})
    after = snapshot()
    assert after[: len(before)] == before


def test_the_django_admin_cannot_change_or_delete_audit_rows(client, pat):
    row = AuditEvent.objects.create(action="patient.view", patient=pat)
    root = User.objects.create_superuser(email="root@example.com", password="x" * 12, full_name="R")
    client.force_login(root)
    delete = reverse("admin:clinic_auditevent_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(reverse("admin:clinic_auditevent_change", args=[row.pk]), {"action": "changed"})
    assert AuditEvent.objects.get(pk=row.pk).action == "patient.view"


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)


@postgresql_only
def test_the_database_refuses_to_update_an_audit_row(pat):
    row = AuditEvent.objects.create(action="patient.view", patient=pat)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).update(action="nothing")


@postgresql_only
def test_the_database_refuses_to_delete_an_audit_row(pat):
    row = AuditEvent.objects.create(action="patient.view", patient=pat)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk).delete()
    assert AuditEvent.objects.filter(pk=row.pk).exists()


@postgresql_only
def test_a_patient_without_audit_rows_can_still_be_deleted(clinic_a):
    from clinic.tests.factories import PatientFactory

    patient = PatientFactory(clinic=clinic_a)
    patient.delete()
    assert not AuditEvent.objects.exists()


def test_joining_a_clinic_through_an_invitation_records_the_role_granted(client, clinic_a, adam):
    invitation = services.invitation_create(
        clinic=clinic_a,
        email="new@alder.example",
        full_name="Noor Ali",
        role="coach",
        invited_by=adam,
    )
    token = services.invitation_token(invitation)
    client.post(
        reverse("invitation_accept", args=[token]),
        {"full_name": "Noor Ali", "password1": PASSPHRASE, "password2": PASSPHRASE},
    )
    event = AuditEvent.objects.get(action="membership.grant")
    assert event.actor.email == "new@alder.example" and event.clinic == clinic_a
    assert event.detail == {"user": "new@alder.example", "role": "coach"}


def test_assigning_an_intake_is_audited(client, clinic_a, alice, pat):
    intake = submitted_intake(clinic_a, pat, {"region": "heel"})
    client.force_login(alice)
    client.post(reverse("intake_claim", args=[intake.pk]))
    event = AuditEvent.objects.get(action="intake.assign")
    assert (event.actor, event.patient, event.detail) == (alice, pat, {"to": alice.pk})


def test_opening_a_patients_edit_form_is_a_view_of_the_record(client, alice, pat):
    client.force_login(alice)
    client.get(reverse("patient_edit", args=[pat.pk]))
    event = AuditEvent.objects.get(action="patient.view")
    assert event.detail == {"page": "edit"}


# --- Every staff view of a patient's record leaves a row ---------------------------------------

# URL kwargs (clinic/tests/test_access_urls.py) that name pat's record or a part of it.
PATIENT_RECORD_KWARGS = {
    "patient",
    "plan",
    "plan_phase",
    "intake",
    "intake_step",
    "care_task",
    "alert",
    "proposal",
}
# Pages about a patient that show nothing of the record beyond the name, with the reason.
NOT_A_VIEW_OF_THE_RECORD = {
    "care_message_create": "a blank message form",
    "visit_book": "a blank booking form (a date, a time and a therapist to choose)",
}
READERS = ("alice", "adam", "cole")  # pat's therapist, the clinic admin, the coach on the team
STAFF_READS = [
    (name, person)
    for name, (method, kwargs_name, expected) in sorted(TABLE.items())
    for person in READERS
    if method == "get"
    and kwargs_name in PATIENT_RECORD_KWARGS
    and expected[person] == 200
    and name not in NOT_A_VIEW_OF_THE_RECORD
]


@pytest.mark.parametrize("name,person", STAFF_READS)
def test_every_staff_view_of_a_patients_record_is_audited(client, cast, name, person):  # noqa: F811
    reader = cast["people"][person]
    patient = cast["people"]["pat"].patient_records.get()
    otp.sign_in(client, reader)
    rows = AuditEvent.objects.filter(actor=reader, patient=patient)
    before = rows.count()
    response = client.get(reverse(name, kwargs=cast["kwargs"][TABLE[name][1]]))
    assert response.status_code == 200
    # At least one row: the patient page names the clinical notes it showed in a row of its own.
    assert rows.count() >= before + 1, f"{person} opened {name} without an audit row"
    assert rows.latest("pk").ip_address
