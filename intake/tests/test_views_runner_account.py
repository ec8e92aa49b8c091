"""From the questionnaire to an account without a gap (issue 12 §4): consent to reminders at the
end of the questionnaire, the runner's invitation, and the plan as it really stands."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import AuditEvent, Invitation, Patient
from clinic.tests.factories import PatientFactory
from intake import demo as intake_demo
from intake import services
from intake.tests.factories import submitted_intake
from notifications.models import Delivery, ReminderPreference
from notifications.tests.sending import sent_in_process
from rehab import services as rehab_services
from rehab.models import patient_today
from rehab.tests.factories import active_plan

LOW_RISK = {**intake_demo.METATARSAL, "confirmed_site": "metatarsal_shaft_2_4"}
ABOUT = {
    "first_name": "Robin",
    "last_name": "Vale",
    "date_of_birth": "1995-06-01",
    "sex": "female",
    "phone": "",
}


@pytest.fixture
def token(clinic_a, alice, django_capture_on_commit_callbacks):
    with sent_in_process(), django_capture_on_commit_callbacks(execute=True):
        link = services.link_create(
            clinic=clinic_a, created_by=alice, email="robin@example.com", full_name="Robin Vale"
        )
    mail.outbox.clear()
    return services.link_token(link)


def send(client, token, consent, *, about=ABOUT):
    client.post(reverse("intake_step", args=[token, "about"]), about)
    return client.post(reverse("intake_review", args=[token]), consent)


# --- Consent at the end of the questionnaire ---------------------------------------------------


def test_the_review_asks_for_consent_to_reminders_unticked(client, token):
    client.post(reverse("intake_step", args=[token, "about"]), ABOUT)
    body = client.get(reverse("intake_review", args=[token])).content.decode()
    assert "Reminders from your clinic" in body
    assert "Yes, send me reminders and news about my plan" in body
    assert 'name="reminders_on"' in body and 'name="reminders_on" checked' not in body
    assert "We also e-mail you a link to set up your Rebound account" in body


def test_consent_given_at_the_end_is_stored_like_the_preferences_page(
    client, token, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, token, {"reminders_on": "on", "by_email": "on"})
    assert response.status_code == 302
    patient = Patient.objects.get(email="robin@example.com")
    assert patient.reminder_consent and patient.reminder_consent_at is not None
    preference = ReminderPreference.of(patient)
    assert (preference.by_email, preference.by_sms, preference.in_app) == (True, False, False)


def test_consent_without_a_channel_is_refused_beside_the_field(client, token):
    response = send(client, token, {"reminders_on": "on"})
    assert response.status_code == 400
    assert "Choose at least one way to reach you." in response.content.decode()
    assert not Patient.objects.filter(email="robin@example.com").exists()  # nothing sent


def test_text_messages_need_a_mobile_number(client, token):
    response = send(client, token, {"reminders_on": "on", "by_sms": "on"})
    assert response.status_code == 400
    assert "Add your mobile number under About you first" in response.content.decode()
    response = send(
        client,
        token,
        {"reminders_on": "on", "by_sms": "on"},
        about={**ABOUT, "phone": "+447700900123"},
    )
    assert response.status_code == 302
    assert ReminderPreference.of(Patient.objects.get(email="robin@example.com")).by_sms


def test_no_consent_is_kept_as_no_consent(client, token):
    send(client, token, {"by_email": "on"})
    assert Patient.objects.get(email="robin@example.com").reminder_consent is False


def test_sending_invites_the_runner_to_an_account_once(
    client, token, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, token, {"reminders_on": "on", "by_email": "on", "in_app": "on"})
        client.post(reverse("intake_review", args=[token]), {})  # a double tap
    patient = Patient.objects.get(email="robin@example.com")
    invitation = Invitation.objects.get(patient=patient)
    assert invitation.status == "pending" and invitation.role == "patient"
    assert [m.to for m in mail.outbox] == [["robin@example.com"]]
    assert "Set your password here" in mail.outbox[0].body


def test_a_runner_with_an_account_is_not_invited_again(client, clinic_a, alice, pat):
    link = services.link_create(
        clinic=clinic_a, created_by=alice, email=pat.email, full_name=pat.full_name, patient=pat
    )
    intake = services.intake_for_link(link)
    services.intake_submit(intake=intake, reminders=None)
    assert not Invitation.objects.filter(patient=pat).exists()


def test_the_first_plan_notice_is_not_skipped_for_no_consent(
    client, token, alice, django_capture_on_commit_callbacks
):
    """The journey of issue 12: questionnaire, start rehab, plan activated; the runner who said
    yes gets the "plan approved" notice instead of a row skipped for "no consent"."""
    with django_capture_on_commit_callbacks(execute=True):
        send(client, token, {"reminders_on": "on", "by_email": "on"})
    patient = Patient.objects.get(email="robin@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        active_plan(patient, start=patient_today(patient), by=alice)
    notice = Delivery.objects.get(patient=patient, kind="plan_approved")
    assert notice.reason == "" and notice.status != Delivery.Status.SKIPPED


# --- Activating a plan for a runner without an account ---------------------------------------


@pytest.fixture
def robin(clinic_a, alice):
    return PatientFactory(
        clinic=clinic_a, therapist=alice, email="robin@example.com", first_name="Robin"
    )


def draft(patient, by):
    from rehab.tests.factories import template_of

    return rehab_services.plan_assign(
        patient=patient,
        template=template_of(patient.clinic),
        by=by,
        start_date=patient_today(patient),
        high_risk_site=False,
    )


def test_activating_for_a_runner_without_an_account_sends_the_invitation(
    client, alice, robin, django_capture_on_commit_callbacks
):
    plan = draft(robin, alice)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plan_activate", args=[robin.pk, plan.pk]), follow=True)
    body = response.content.decode()
    assert "has no account yet: an invitation to set one up was sent to robin@example.com" in body
    assert "sees it under Today." not in body
    assert Invitation.objects.pending().get(patient=robin).invited_by == alice
    assert mail.outbox[-1].to == ["robin@example.com"]
    assert AuditEvent.objects.filter(action="invitation.create", patient=robin).exists()


def test_activating_says_plainly_when_no_invitation_could_be_sent(client, alice, robin):
    Patient.objects.filter(pk=robin.pk).update(email="")
    plan = draft(robin, alice)
    client.force_login(alice)
    body = client.post(
        reverse("plan_activate", args=[robin.pk, plan.pk]), follow=True
    ).content.decode()
    assert "has no account and cannot see it: no invitation could be sent" in body
    assert "There is no e-mail address on" in body
    plan.refresh_from_db()
    assert plan.status == "active"  # the plan starts; the clinic is told what is missing
    assert not Invitation.objects.filter(patient=robin).exists()


def test_activating_for_a_runner_with_an_account_says_they_see_it_under_today(client, alice, pat):
    plan = draft(pat, alice)
    client.force_login(alice)
    body = client.post(reverse("plan_activate", args=[pat.pk, plan.pk]), follow=True)
    assert f"{plan.name} is active. Pat sees it under Today." in body.content.decode()
    assert not Invitation.objects.filter(patient=pat).exists()


# --- The runner's own intake page tells the truth ---------------------------------------------


def _decided(pat, alice):
    intake = submitted_intake(pat.clinic, pat, LOW_RISK)
    services.intake_decide(
        intake=intake, kind="start_rehab", notes="", follow_up_on=None, actor=alice
    )
    return intake


def test_my_intake_says_the_plan_is_being_prepared_while_it_is_a_draft(client, alice, pat):
    _decided(pat, alice)
    draft(pat, alice)
    client.force_login(pat.user)
    body = client.get(reverse("my_intake")).content.decode()
    assert "Your recovery plan is being prepared" in body


def test_my_intake_counts_the_days_of_the_plan_under_way(client, alice, pat):
    _decided(pat, alice)
    start = patient_today(pat) - dt.timedelta(days=55)
    plan = draft(pat, alice)
    rehab_services.plan_update(plan=plan, by=alice, fields={"start_date": start})
    rehab_services.plan_activate(plan=plan, by=alice)
    client.force_login(pat.user)
    body = client.get(reverse("my_intake")).content.decode()
    assert "Day 56 of your plan" in body
    assert "being prepared" not in body
    assert f'href="{reverse("today")}">Open Today' in body
    home = client.get(reverse("patient_home")).content.decode()
    assert "being prepared" not in home


def test_my_intake_says_when_the_plan_ended(client, alice, pat):
    _decided(pat, alice)
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    rehab_services.plan_end(plan=plan, by=alice, note="", today=patient_today(pat))
    client.force_login(pat.user)
    body = client.get(reverse("my_intake")).content.decode()
    assert "Your plan ended on" in body and "being prepared" not in body
