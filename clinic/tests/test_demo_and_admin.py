import pytest
from django.test import Client
from django.urls import reverse

from clinic import demo
from clinic.models import AuditEvent, Clinic, Invitation, Membership, Patient, User


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


@pytest.fixture
def root(db):
    return User.objects.create_superuser(
        email="root@example.com", password="x" * 12, full_name="Site Root"
    )


CHANGELISTS = {
    "clinic_patient": "Lane",
    "clinic_user": "alice",
    "clinic_clinic": "Alder",
    "clinic_membership": "alice",
    "clinic_invitation": "new@",
    "clinic_auditevent": "patient.view",
}


@pytest.mark.parametrize("name,term", CHANGELISTS.items())
def test_superuser_searches_and_filters_every_changelist(client, root, pat, bea, name, term):
    """Search finds the row, and every choice of every filter on the page opens without error."""
    Invitation.objects.create(
        clinic=pat.clinic, email="new@alder.example", full_name="New One", role="coach"
    )
    AuditEvent.objects.create(clinic=pat.clinic, actor=root, action="patient.view", patient=pat)
    client.force_login(root)
    url = reverse(f"admin:{name}_changelist")
    found = client.get(url, {"q": term})
    assert found.status_code == 200
    assert found.context["cl"].result_count >= 1, f"searching {name} for {term!r} found nothing"
    assert client.get(url, {"q": "no-such-thing-anywhere"}).context["cl"].result_count == 0
    page = client.get(url)
    queries = [
        choice["query_string"]
        for spec in page.context["cl"].filter_specs
        for choice in spec.choices(page.context["cl"])
    ]
    assert queries, f"{name} has no filters"
    for query in queries:
        assert client.get(url + query).status_code == 200, query


def test_patient_filters_narrow_the_list(client, root, pat, pia, bea):
    client.force_login(root)
    url = reverse("admin:clinic_patient_changelist")
    by_clinic = client.get(url, {"clinic__id__exact": pat.clinic_id}).context["cl"]
    assert {p.pk for p in by_clinic.result_list} == {pat.pk, pia.pk}
    by_therapist = client.get(url, {"therapist__id__exact": bea.therapist_id}).context["cl"]
    assert [p.pk for p in by_therapist.result_list] == [bea.pk]


def test_superuser_adds_a_person_in_the_admin(client, root, clinic_a):
    client.force_login(root)
    response = client.post(
        reverse("admin:clinic_user_add"),
        {
            "email": "Tess@Example.com",
            "full_name": "Tess Ward",
            "password1": "a-long-pass-123",
            "password2": "a-long-pass-123",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-clinic": clinic_a.pk,
            "memberships-0-role": "coach",
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tess = User.objects.get(email__iexact="tess@example.com")
    assert tess.check_password("a-long-pass-123")
    assert tess.memberships.get().role == "coach"


def test_a_superuser_without_a_clinic_role_lands_on_the_django_admin(client, root):
    client.force_login(root)
    assert client.get(reverse("home")).url == reverse("admin:index")
    page = client.get(reverse("account_security")).content.decode()
    assert reverse("admin:index") in page  # the menu links to it


def test_clinic_staff_do_not_see_the_django_admin_link(client, alice):
    client.force_login(alice)
    assert reverse("admin:index") not in client.get(reverse("caseload")).content.decode()


def test_opening_and_saving_a_patient_in_the_admin_is_audited(client, root, pat):
    client.force_login(root)
    url = reverse("admin:clinic_patient_change", args=[pat.pk])
    assert client.get(url).status_code == 200
    view = AuditEvent.objects.get(action="patient.view")
    assert (view.actor, view.patient, view.clinic, view.detail) == (
        root,
        pat,
        pat.clinic,
        {"page": "admin"},
    )
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        first_name="Patricia",
        date_of_birth="1994-05-17",
        clinic=pat.clinic_id,
        user=pat.user_id,
        therapist=pat.therapist_id,
        **{
            "care_team-TOTAL_FORMS": "1",
            "care_team-INITIAL_FORMS": "1",
            "care_team-0-id": pat.care_team.get().pk,
            "care_team-0-patient": pat.pk,
            "care_team-0-user": pat.care_team.get().user_id,
            "care_team-0-role": "coach",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    update = AuditEvent.objects.get(action="patient.update")
    assert update.patient == pat and "first_name" in update.detail["fields"]


def test_changing_roles_in_the_admin_ends_the_persons_sessions(client, root, alice):
    alice_browser = Client()
    alice_browser.force_login(alice)
    assert alice_browser.get(reverse("caseload")).status_code == 200
    client.force_login(root)
    membership = alice.memberships.get()
    response = client.post(
        reverse("admin:clinic_membership_change", args=[membership.pk]),
        {"user": alice.pk, "clinic": membership.clinic_id, "role": "coach", "is_active": "on"},
    )
    assert response.status_code == 302
    assert alice_browser.get(reverse("caseload")).url.startswith(reverse("login"))


def test_giving_django_admin_rights_ends_the_persons_sessions(client, root, alice):
    alice_browser = Client()
    alice_browser.force_login(alice)
    client.force_login(root)
    alice.is_staff = True
    alice.save()  # the model alone does not end sessions; the admin's save does
    assert alice_browser.get(reverse("caseload")).status_code == 200
    alice.is_staff = False
    alice.save()
    form = client.get(reverse("admin:clinic_user_change", args=[alice.pk])).context["adminform"]
    data = {
        name: value
        for name, value in form.form.initial.items()
        if name in form.form.fields and value not in (None, False)
    }
    membership = alice.memberships.get()
    data.update(
        is_staff="on",
        is_active="on",
        last_login_0="",
        last_login_1="",
        date_joined_0="2026-01-01",
        date_joined_1="10:00:00",
        **{
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": membership.pk,
            "memberships-0-user": alice.pk,
            "memberships-0-clinic": membership.clinic_id,
            "memberships-0-role": "therapist",
            "memberships-0-is_active": "on",
        },
    )
    data.pop("groups", None)
    response = client.post(reverse("admin:clinic_user_change", args=[alice.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert alice_browser.get(reverse("caseload")).url.startswith(reverse("login"))


def test_audit_rows_cannot_be_changed_in_the_admin(client, db):
    root = User.objects.create_superuser(email="root@example.com", password="x" * 12, full_name="R")
    client.force_login(root)
    assert client.get(reverse("admin:clinic_auditevent_add")).status_code == 403


def test_clinic_staff_without_django_admin_flag_cannot_open_admin(client, alice):
    client.force_login(alice)
    assert client.get(reverse("admin:index")).status_code == 302
