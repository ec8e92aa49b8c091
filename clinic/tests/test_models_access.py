"""The core model and the access module with the small cast of conftest.py (no HTTP)."""

import uuid

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError
from django.db.migrations.loader import MigrationLoader
from django.test import RequestFactory

from clinic import access
from clinic.access import Perm
from clinic.models import Membership, Patient, Role
from clinic.tests import factories


def request_of(user, clinic=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {access.ACTIVE_CLINIC_SESSION_KEY: clinic.pk} if clinic else {}
    return request


def test_the_custom_user_is_made_in_the_very_first_migration():
    assert get_user_model()._meta.label == "clinic.User"
    loader = MigrationLoader(None, ignore_no_migrations=True)
    first = loader.get_migration("clinic", "0001_initial")
    made = {op.name for op in first.operations if op.__class__.__name__ == "CreateModel"}
    assert {"User", "Clinic", "Membership", "Patient", "CareTeamMember"} <= made


def test_the_email_address_is_the_login_whatever_its_case(db):
    user = get_user_model().objects.create_user(
        email="Runner@Example.COM", password="a-long-pass-123", full_name="R"
    )
    assert user.email == "runner@example.com"
    request = RequestFactory().post("/accounts/login/")
    signed_in = authenticate(request, username="RUNNER@example.com", password="a-long-pass-123")
    assert signed_in == user


def test_one_person_holds_roles_in_several_clinics(alice, clinic_a, clinic_b):
    factories.MembershipFactory(user=alice, clinic=clinic_b, role=Role.COACH)
    factories.MembershipFactory(user=alice, clinic=clinic_a, role=Role.ADMIN)
    in_a = access.workspace(request_of(alice, clinic_a))
    in_b = access.workspace(request_of(alice, clinic_b))
    assert in_a.roles == {Role.THERAPIST, Role.ADMIN} and in_a.is_staff
    assert in_b.roles == {Role.COACH} and not in_b.is_staff
    assert [c.name for c in in_a.clinics] == ["Alder Sports PT", "Birch Physio"]
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=alice, clinic=clinic_b, role=Role.COACH)


def test_a_patient_record_holds_what_the_clinic_needs(pat):
    assert isinstance(pat.pk, uuid.UUID)
    assert {f.name for f in Patient._meta.get_fields()} >= {
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "menstrual_questions_apply",
        "email",
        "phone",
        "time_zone",
        "distance_unit",
        "reminder_consent",
        "therapist",
        "care_team",
    }
    assert pat.therapist.email == "alice@alder.example"
    assert [(m.user.email, m.role) for m in pat.care_team.all()] == [
        ("cole@alder.example", "coach")
    ]


def test_reminder_consent_keeps_when_it_was_given(pat):
    pat.set_reminder_consent(True)
    given = pat.reminder_consent_at
    assert pat.reminder_consent and given is not None
    pat.set_reminder_consent(True)
    assert pat.reminder_consent_at == given  # consenting again keeps the first date
    pat.set_reminder_consent(False)
    assert not pat.reminder_consent and pat.reminder_consent_at is None


def test_an_account_has_one_patient_record_per_clinic(pat, clinic_a):
    with pytest.raises(IntegrityError):
        factories.PatientFactory(clinic=clinic_a, user=pat.user)


VISIBLE = {
    # person: (patients for progress, patients for clinical data), by first name
    "alice": ({"Pat", "Pia"}, {"Pat", "Pia"}),
    "adam": ({"Pat", "Pia"}, {"Pat", "Pia"}),
    "cole": ({"Pat"}, set()),
    "nia": (set(), set()),
    "pat": ({"Pat"}, set()),
    "pia": ({"Pia"}, set()),
    "bob": ({"Bea"}, {"Bea"}),
}


@pytest.fixture
def everyone(alice, adam, coach_cole, nutri_nia, pat, pia, bob, bea):
    return {
        "alice": alice,
        "adam": adam,
        "cole": coach_cole,
        "nia": nutri_nia,
        "pat": pat.user,
        "pia": pia.user,
        "bob": bob,
    }


@pytest.mark.parametrize("person", VISIBLE)
def test_each_person_sees_exactly_their_patients(everyone, person):
    request = request_of(everyone[person])
    progress, clinical = VISIBLE[person]
    names = lambda perm: {p.first_name for p in access.patients_visible(request, perm)}  # noqa: E731
    assert names(Perm.VIEW_PROGRESS) == progress
    assert names(Perm.VIEW_CLINICAL) == clinical
    assert names(Perm.EDIT) == clinical
    for patient in Patient.objects.all():
        for perm, allowed in ((Perm.VIEW_PROGRESS, progress), (Perm.VIEW_CLINICAL, clinical)):
            assert access.can(request, perm, patient) == (patient.first_name in allowed)


def test_anonymous_visitors_see_no_patient(db, pat):
    from django.contrib.auth.models import AnonymousUser

    request = request_of(AnonymousUser())
    assert not access.patients_visible(request).exists()


@pytest.mark.parametrize("bad_id", [uuid.uuid4(), "not-a-uuid", 42])
def test_a_patient_out_of_reach_is_a_404_never_a_403(everyone, pat, bea, bad_id):
    from django.http import Http404

    request = request_of(everyone["bob"])
    for patient_id in (pat.pk, bad_id):
        with pytest.raises(Http404):
            access.patient_for(request, patient_id, Perm.VIEW_PROGRESS)
    assert access.patient_for(request, bea.pk, Perm.EDIT) == bea
