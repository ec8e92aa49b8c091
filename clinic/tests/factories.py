from datetime import date

import factory

from clinic.models import CareTeamMember, Clinic, Membership, Patient, User

PASSWORD = "correct-horse-battery"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    time_zone = "Europe/London"
    # Off unless a test is about two-step verification (those turn it on and use tests/otp.py),
    # so `client.force_login(therapist)` reaches the page under test.
    require_staff_2fa = False


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = "therapist"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = date(1994, 5, 17)
    sex = "female"
    menstrual_questions_apply = True
    email = factory.Sequence(lambda n: f"runner{n}@example.com")
    time_zone = "Europe/London"


class CareTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    role = "coach"


def member(clinic, role, **user_fields) -> User:
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, clinic=clinic, role=role)
    return user


def patient_with_account(clinic, therapist, *, email, **fields) -> Patient:
    user = member(
        clinic, "patient", email=email, full_name=f"{fields['first_name']} {fields['last_name']}"
    )
    return PatientFactory(clinic=clinic, therapist=therapist, user=user, email=email, **fields)
