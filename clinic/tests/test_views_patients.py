from datetime import UTC, datetime

import pytest
from django.urls import reverse

from clinic.models import AuditEvent, CareTeamMember, Patient
from clinic.tests.factories import PatientFactory


def test_caseload_shows_only_my_active_patients(client, alice, pat, pia, bea):
    PatientFactory(clinic=pat.clinic, first_name="Other", last_name="Person")
    client.force_login(alice)
    body = client.get(reverse("caseload")).content.decode()
    assert "Lane, Pat" in body and "Stone, Pia" in body
    assert "Person, Other" not in body
    assert "North, Bea" not in body


def test_caseload_searches_the_whole_clinic(client, alice, pat, pia):
    client.force_login(alice)
    body = client.get(reverse("caseload"), {"scope": "all", "q": "pia"}).content.decode()
    assert "Stone, Pia" in body and "Lane, Pat" not in body


def test_caseload_query_count_does_not_grow_with_patients(
    client, alice, clinic_a, django_assert_max_num_queries
):
    PatientFactory.create_batch(60, clinic=clinic_a, therapist=alice)
    client.force_login(alice)
    client.get(reverse("caseload"))  # the session's first request also records its policy
    with django_assert_max_num_queries(11):  # 10, and one for the navigation's counts
        response = client.get(reverse("caseload"))
    assert response.context["page"].paginator.count == 60
    assert len(response.context["page"].object_list) == 25


def test_staff_view_of_a_patient_is_audited(client, alice, pat):
    client.force_login(alice)
    client.get(reverse("patient_detail", args=[pat.pk]))
    event = AuditEvent.objects.get(action="patient.view")
    assert (event.actor, event.patient, event.clinic) == (alice, pat, pat.clinic)


def test_staff_see_the_whole_record(client, alice, pat):
    pat.phone, pat.distance_unit, pat.time_zone = "+44 7700 900001", "mi", "Europe/Dublin"
    pat.save()
    client.force_login(alice)
    body = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    for shown in (pat.email, "+44 7700 900001", "Miles", "Europe/Dublin", "Female", "Cole Park"):
        assert shown in body
    assert "Menstrual-health questions</dt><dd>Asked" in body


def test_coach_sees_progress_but_not_contact_details(client, coach_cole, pat):
    client.force_login(coach_cole)
    body = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "Pat Lane" in body
    assert pat.email not in body
    assert "Edit" not in body


def test_therapist_adds_a_patient(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("patient_create"),
        {
            "first_name": "Rosa",
            "last_name": "Diaz",
            "date_of_birth": "1990-02-03",
            "sex": "female",
            "menstrual_questions_apply": "on",
            "email": "rosa@example.com",
            "time_zone": "Europe/London",
            "distance_unit": "km",
            "therapist": alice.pk,
        },
    )
    patient = Patient.objects.get(email="rosa@example.com")
    assert response.url == reverse("patient_detail", args=[patient.pk])
    assert patient.clinic == alice.memberships.get().clinic


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("date_of_birth", "31/31/1990", "Enter a valid date"),
        ("email", "nope", "Enter a valid email address"),
        ("therapist", "999999", "Select a valid choice"),
    ],
)
def test_bad_patient_input_gets_a_message_and_saves_nothing(client, alice, field, value, message):
    client.force_login(alice)
    data = {
        "first_name": "Rosa",
        "last_name": "Diaz",
        "date_of_birth": "1990-02-03",
        "sex": "female",
        "time_zone": "Europe/London",
        "distance_unit": "km",
        "therapist": alice.pk,
        field: value,
    }
    response = client.post(reverse("patient_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Patient.objects.filter(last_name="Diaz").exists()


def test_therapist_cannot_pick_a_therapist_of_another_clinic(client, alice, bob):
    client.force_login(alice)
    response = client.post(
        reverse("patient_create"),
        {
            "first_name": "X",
            "last_name": "Y",
            "date_of_birth": "1990-02-03",
            "sex": "male",
            "time_zone": "UTC",
            "distance_unit": "km",
            "therapist": bob.pk,
        },
    )
    assert "Select a valid choice" in response.content.decode()


def test_care_team_add_and_remove(client, alice, pia, nutri_nia):
    client.force_login(alice)
    client.post(reverse("care_team_add", args=[pia.pk]), {"user": nutri_nia.pk})
    member = CareTeamMember.objects.get(patient=pia)
    assert member.role == "nutritionist"
    client.post(reverse("care_team_remove", args=[pia.pk, member.pk]))
    assert not CareTeamMember.objects.filter(patient=pia).exists()


def test_only_the_clinics_coaches_can_join_a_care_team(client, alice, pia, bob):
    client.force_login(alice)
    client.post(reverse("care_team_add", args=[pia.pk]), {"user": bob.pk})
    assert not CareTeamMember.objects.filter(patient=pia).exists()


def test_patient_home_shows_care_team_and_next_step(client, pat):
    client.force_login(pat.user)
    body = client.get(reverse("patient_home")).content.decode()
    assert "Hi Pat" in body
    assert "Alice Moss" in body and "Cole Park" in body
    assert "Your next step" in body


def test_patient_changes_own_settings(client, pat):
    client.force_login(pat.user)
    client.post(
        reverse("patient_settings"),
        {"phone": "+44 7700 900123", "time_zone": "Europe/Paris", "distance_unit": "mi",
         "reminder_consent": "on"},
    )  # fmt: skip
    pat.refresh_from_db()
    assert (pat.time_zone, pat.distance_unit, pat.reminder_consent) == ("Europe/Paris", "mi", True)
    assert pat.reminder_consent_at is not None


def test_discharge_and_reactivate(client, alice, pat):
    client.force_login(alice)
    client.post(reverse("patient_discharge", args=[pat.pk]))
    pat.refresh_from_db()
    assert pat.discharged_at is not None
    client.post(reverse("patient_discharge", args=[pat.pk]))
    pat.refresh_from_db()
    assert pat.discharged_at is None


def test_admin_cannot_suspend_own_admin_role(client, adam):
    client.force_login(adam)
    membership = adam.memberships.get()
    client.post(reverse("membership_toggle", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.is_active


def test_suspended_staff_lose_access(client, adam, alice, pat):
    client.force_login(adam)
    client.post(reverse("membership_toggle", args=[alice.memberships.get().pk]))
    alice.refresh_from_db()  # the suspension ended her sessions; she signs in afresh
    client.force_login(alice)
    assert client.get(reverse("patient_detail", args=[pat.pk])).status_code == 404
    assert client.get(reverse("caseload")).status_code == 403


def test_clinic_switcher_changes_the_workspace(client, alice, clinic_b, bea):
    from clinic.tests.factories import MembershipFactory

    MembershipFactory(user=alice, clinic=clinic_b, role="therapist")
    client.force_login(alice)
    assert client.get(reverse("patient_detail", args=[bea.pk])).status_code == 404
    client.post(reverse("switch_clinic"), {"clinic": clinic_b.pk})
    assert client.get(reverse("patient_detail", args=[bea.pk])).status_code == 200


def test_a_patient_choosing_a_time_zone_sees_their_pages_in_it(client, pat):
    client.force_login(pat.user)
    client.post(
        reverse("patient_settings"),
        {"phone": "", "time_zone": "America/Chicago", "distance_unit": "km"},
    )
    pat.user.refresh_from_db()
    assert pat.user.time_zone == "America/Chicago"
    AuditEvent.objects.create(
        actor=pat.user, action="auth.login", at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    )
    page = client.get(reverse("account_security")).content.decode()
    assert "15 Jan 2026, 06:00" in page  # noon UTC is 6 a.m. in Chicago in January


def test_staff_set_their_own_time_zone(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("account_security"), {"time_zone": "Australia/Perth"}, follow=True
    )
    assert "Times are now shown in Australia/Perth" in response.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone == "Australia/Perth"


def test_a_time_zone_that_does_not_exist_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(reverse("account_security"), {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone != "Mars/Olympus_Mons"


def test_a_patient_changing_the_time_zone_on_the_account_page_moves_their_reminders(client, pat):
    client.force_login(pat.user)
    client.post(reverse("account_security"), {"time_zone": "Pacific/Auckland"})
    pat.refresh_from_db()
    assert pat.time_zone == "Pacific/Auckland"


def test_the_clinic_page_links_every_clinic_setting(client, adam):
    client.force_login(adam)
    body = client.get(reverse("clinic_admin")).content.decode()
    for name in (
        "scoring_policy",
        "alert_policy",
        "progression_policy",
        "delivery_failures",
        "clinic_security",
    ):
        assert f'href="{reverse(name)}"' in body, name
