from django.urls import reverse

from clinic import demo
from clinic.models import Clinic, Membership, Patient, User


def test_seed_demo_is_idempotent(db):
    demo.seed()
    counts = (User.objects.count(), Patient.objects.count(), Membership.objects.count())
    demo.seed()
    assert (User.objects.count(), Patient.objects.count(), Membership.objects.count()) == counts


def test_seed_demo_has_every_login_and_two_therapists_per_clinic(db):
    demo.seed()
    for email in [
        "admin@demo.example",
        "therapist@demo.example",
        "patient@demo.example",
        "coach@demo.example",
        "nutritionist@demo.example",
        "therapist@riverside.example",
    ]:
        assert User.objects.get(email=email).check_password("rebound-demo")
    for clinic in Clinic.objects.all():
        therapists = Membership.objects.filter(clinic=clinic, role="therapist").count()
        assert therapists == 2
        assert 20 <= clinic.patients.count() <= 35
    maya = Patient.objects.get(email="patient@demo.example")
    assert {m.role for m in maya.care_team.all()} == {"coach", "nutritionist"}


def test_superuser_uses_the_django_admin_with_search(client, db, pat):
    root = User.objects.create_superuser(email="root@example.com", password="x" * 12, full_name="R")
    client.force_login(root)
    for name in ["clinic_patient", "clinic_user", "clinic_clinic", "clinic_membership"]:
        response = client.get(reverse(f"admin:{name}_changelist"), {"q": "Lane"})
        assert response.status_code == 200, name
    assert (
        "Lane"
        in client.get(reverse("admin:clinic_patient_changelist"), {"q": "Lane"}).content.decode()
    )


def test_audit_rows_cannot_be_changed_in_the_admin(client, db):
    root = User.objects.create_superuser(email="root@example.com", password="x" * 12, full_name="R")
    client.force_login(root)
    assert client.get(reverse("admin:clinic_auditevent_add")).status_code == 403


def test_clinic_staff_without_django_admin_flag_cannot_open_admin(client, alice):
    client.force_login(alice)
    assert client.get(reverse("admin:index")).status_code == 302
