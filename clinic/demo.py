"""Lifelike demo data. Idempotent: running it again updates the same rows, it never duplicates.

Every capability adds its own part here so the demo always shows every feature.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from clinic.models import CareTeamMember, Clinic, DistanceUnit, Membership, Patient, Role, Sex, User
from intake import demo as intake_demo
from notifications import demo as notifications_demo
from rehab import demo as rehab_demo
from reports import demo as reports_demo

DEMO_PASSWORD = "rebound-demo"  # noqa: S105 - published demo password, demo data only
NAMESPACE = uuid.UUID("5f0c1a52-6f1e-4d7b-9a53-0c8f4f1e2b77")


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    role: str


DEMO_CLINICS = {
    "demo-sports-pt": {
        "name": "Demo Sports PT",
        "time_zone": "America/New_York",
        "phone": "+1 555 0100",
        "email": "front-desk@demo.example",
        "staff": [
            Person("admin@demo.example", "Alex Morgan", Role.ADMIN),
            Person("therapist@demo.example", "Dr. Priya Raman", Role.THERAPIST),
            Person("sam.okafor@demo.example", "Sam Okafor", Role.THERAPIST),
            Person("coach@demo.example", "Jamie Reyes", Role.COACH),
            Person("nutritionist@demo.example", "Hannah Lindqvist", Role.NUTRITIONIST),
        ],
        "patients": 30,
        "unit": DistanceUnit.MI,
    },
    "riverside-physio": {
        "name": "Riverside Physio",
        "time_zone": "Europe/London",
        "phone": "+44 20 7946 0000",
        "email": "hello@riverside.example",
        "staff": [
            Person("therapist@riverside.example", "Tom Bradley", Role.THERAPIST),
            Person("eilidh.ross@riverside.example", "Eilidh Ross", Role.THERAPIST),
            Person("admin@riverside.example", "Grace Achebe", Role.ADMIN),
        ],
        "patients": 26,
        "unit": DistanceUnit.KM,
    },
}

DEMO_PATIENT = Person("patient@demo.example", "Maya Chen", Role.PATIENT)

FIRST_NAMES_F = [
    "Olivia", "Emma", "Ava", "Sofia", "Isabella", "Mia", "Amelia", "Harper", "Ella", "Chloe",
    "Zoe", "Nora", "Leah", "Aisha", "Freya", "Ines", "Keira", "Lucia", "Naomi", "Ruth",
]  # fmt: skip
FIRST_NAMES_M = [
    "Liam", "Noah", "Ethan", "Lucas", "Mateo", "Owen", "Caleb", "Ravi", "Finn", "Jonah",
    "Kwame", "Diego", "Arjun", "Felix", "Hugo", "Marcus", "Nico", "Theo", "Elias", "Omar",
]  # fmt: skip
LAST_NAMES = [
    "Alvarez", "Baker", "Campbell", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ibrahim",
    "Jensen", "Kowalski", "Lopez", "Mensah", "Nakamura", "O'Neill", "Patel", "Quinn", "Rossi",
    "Schmidt", "Tanaka", "Underwood", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Brennan",
    "Costa", "Duarte", "Fitzgerald",
]  # fmt: skip


def seed() -> dict:
    """Create or refresh the whole demo. Returns counts for the command to print."""
    with transaction.atomic():
        rng = random.Random(20261124)  # noqa: S311 - reproducible demo data, not security
        counts = {"clinics": 0, "staff": 0, "patients": 0}
        for slug, spec in DEMO_CLINICS.items():
            clinic = _clinic(slug, spec)
            counts["clinics"] += 1
            staff = [_member(clinic, person) for person in spec["staff"]]
            counts["staff"] += len(staff)
            therapists = [
                u for u, p in zip(staff, spec["staff"], strict=True) if p.role == Role.THERAPIST
            ]
            care_team = [
                (u, p.role)
                for u, p in zip(staff, spec["staff"], strict=True)
                if p.role in (Role.COACH, Role.NUTRITIONIST)
            ]
            for index in range(spec["patients"]):
                _patient(clinic, index, therapists, care_team, spec["unit"], rng)
                counts["patients"] += 1
        _demo_patient_account(Clinic.objects.get(slug="demo-sports-pt"))
        # Each capability adds its part of the demo, in the order the data flows.
        intake_demo.seed()
        counts.update(rehab_demo.seed(Clinic.objects.filter(slug__in=DEMO_CLINICS)))
        notifications_demo.seed()
        reports_demo.seed()
    return counts


def _clinic(slug: str, spec: dict) -> Clinic:
    # Demo clinics do not require two-step verification, so the published demo logins work with
    # the password alone. Anyone may still turn it on for their own account.
    clinic, _ = Clinic.objects.update_or_create(
        slug=slug,
        defaults={
            **{k: spec[k] for k in ("name", "time_zone", "phone", "email")},
            "require_staff_2fa": False,
        },
    )
    return clinic


def _user(person: Person, time_zone: str) -> User:
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User.objects.create_user(
            email=person.email, password=DEMO_PASSWORD, full_name=person.full_name
        )
    elif not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.full_name, user.time_zone, user.is_active = person.full_name, time_zone, True
    user.save()
    return user


def _member(clinic: Clinic, person: Person) -> User:
    user = _user(person, clinic.time_zone)
    Membership.objects.update_or_create(
        user=user, clinic=clinic, role=person.role, defaults={"is_active": True}
    )
    return user


def _patient(clinic, index, therapists, care_team, unit, rng) -> Patient:
    sex = Sex.FEMALE if rng.random() < 0.6 else Sex.MALE
    first = rng.choice(FIRST_NAMES_F if sex == Sex.FEMALE else FIRST_NAMES_M)
    last = rng.choice(LAST_NAMES)
    age = rng.randint(16, 58)
    today = timezone.localdate()
    born = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    email_name = f"{first}.{last}".lower().replace("'", "")
    patient, _ = Patient.objects.update_or_create(
        pk=uuid.uuid5(NAMESPACE, f"{clinic.slug}:{index}"),
        defaults={
            "clinic": clinic,
            "first_name": first,
            "last_name": last,
            "date_of_birth": born,
            "sex": sex,
            "menstrual_questions_apply": sex == Sex.FEMALE and age < 52,
            "email": f"{email_name}{index}@runners.example",
            "phone": f"+1 555 01{index:02d}"
            if unit == DistanceUnit.MI
            else f"+44 7700 9000{index:02d}",
            "time_zone": clinic.time_zone,
            "distance_unit": unit,
            "reminder_consent": rng.random() < 0.8,
            "therapist": therapists[index % len(therapists)],
            "discharged_at": timezone.now() - timedelta(days=rng.randint(3, 60))
            if index % 11 == 10
            else None,
        },
    )
    Patient.objects.filter(pk=patient.pk).update(
        created_at=timezone.now() - timedelta(days=rng.randint(1, 120))
    )
    if index % 3 == 0:
        for member, role in care_team:
            CareTeamMember.objects.get_or_create(
                patient=patient, user=member, defaults={"role": role}
            )
    return patient


def _demo_patient_account(clinic: Clinic) -> None:
    """The demo patient login: Maya Chen, on Dr. Raman's caseload, with a coach and nutritionist."""
    user = _member(clinic, DEMO_PATIENT)
    therapist = User.objects.get(email="therapist@demo.example")
    patient, _ = Patient.objects.update_or_create(
        pk=uuid.uuid5(NAMESPACE, "demo-patient"),
        defaults={
            "clinic": clinic,
            "user": user,
            "first_name": "Maya",
            "last_name": "Chen",
            "date_of_birth": date(timezone.localdate().year - 29, 4, 17),
            "sex": Sex.FEMALE,
            "menstrual_questions_apply": True,
            "email": DEMO_PATIENT.email,
            "phone": "+1 555 0142",
            "time_zone": clinic.time_zone,
            "distance_unit": DistanceUnit.MI,
            "reminder_consent": True,
            "reminder_consent_at": timezone.now() - timedelta(days=56),
            "therapist": therapist,
            "discharged_at": None,
        },
    )
    Patient.objects.filter(pk=patient.pk).update(created_at=timezone.now() - timedelta(days=58))
    for email, role in (
        ("coach@demo.example", "coach"),
        ("nutritionist@demo.example", "nutritionist"),
    ):
        CareTeamMember.objects.get_or_create(
            patient=patient, user=User.objects.get(email=email), defaults={"role": role}
        )
