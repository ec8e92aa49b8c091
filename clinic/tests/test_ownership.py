"""Every patient has an owner, every signal reaches a person (issue 12, section 1).

The cast adds to conftest's: `ursa`, a runner of clinic A with no responsible therapist, and
`tom`, a second therapist of clinic A. Adam (admin) keeps the clinic's inbox; Alice keeps it too
once she is on duty.
"""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from clinic.access import clinic_inbox, signal_recipients
from clinic.models import AuditEvent, Membership, Patient
from clinic.tests import factories
from intake.models import IntakeDecision
from intake.tests.factories import submitted_intake
from notifications import services as notices
from notifications.models import KIND_RULES, Channel, Delivery, Kind, Notification
from notifications.tests.factories import plan_and_fan_out
from rehab import services as rehab
from rehab.models import Alert, PlanStatus, patient_today
from rehab.models.logs import RULE_CHOICES
from rehab.tests import factories as rehab_factories

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def ursa(clinic_a):
    return factories.patient_with_account(
        clinic_a, None, email="ursa@runner.example", first_name="Ursa", last_name="Vale"
    )


@pytest.fixture
def tom(clinic_a):
    return factories.member(clinic_a, "therapist", email="tom@alder.example", full_name="Tom Ng")


def on_duty(user, duty=True):
    Membership.objects.filter(user=user, role="therapist").update(on_duty=duty)


def draft_plan(patient, *, by):
    template = rehab_factories.template_of(patient.clinic)
    return rehab.plan_assign(
        patient=patient,
        template=template,
        by=by,
        start_date=patient_today(patient),
        high_risk_site=False,
    )


def owner_of(patient):
    return Patient.objects.get(pk=patient.pk).therapist


# --- Taking, deciding, activating ----------------------------------------------------------


def test_the_journey_ends_with_the_acting_therapist_responsible(client, alice, ursa):
    intake = submitted_intake(ursa.clinic, ursa, {"region": "tibia"})
    client.force_login(alice)
    client.post(reverse("intake_claim", args=[intake.pk]))
    assert owner_of(ursa) == alice
    assert AuditEvent.objects.filter(action="patient.owner", patient=ursa).count() == 1


def test_deciding_start_rehab_makes_the_decider_responsible(client, alice, ursa):
    intake = submitted_intake(ursa.clinic, ursa, {"region": "tibia"})
    client.force_login(alice)
    response = client.post(
        reverse("intake_decide", args=[intake.pk]),
        {"kind": IntakeDecision.Kind.START_REHAB, "notes": ""},
    )
    assert response.status_code == 302
    assert owner_of(ursa) == alice


def test_activating_a_plan_makes_the_therapist_responsible(client, alice, ursa):
    plan = draft_plan(ursa, by=alice)
    client.force_login(alice)
    client.post(reverse("plan_activate", args=[ursa.pk, plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert owner_of(ursa) == alice
    assert AuditEvent.objects.get(action="patient.owner").detail["by"] == "plan.activate"


def test_taking_an_intake_leaves_an_existing_owner_alone(client, alice, tom, pat):
    intake = submitted_intake(pat.clinic, pat, {"region": "tibia"})
    client.force_login(tom)
    client.post(reverse("intake_claim", args=[intake.pk]))
    assert owner_of(pat) == alice
    assert not AuditEvent.objects.filter(action="patient.owner").exists()


def test_an_admin_cannot_activate_a_plan_that_would_reach_nobody(client, adam, alice, ursa):
    plan = draft_plan(ursa, by=adam)
    client.force_login(adam)
    response = client.post(reverse("plan_activate", args=[ursa.pk, plan.pk]), follow=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert owner_of(ursa) is None
    page = response.content.decode()
    assert "Choose Ursa&#x27;s responsible physical therapist first" in page
    assert 'name="therapist"' in page and "Alice Moss" in page  # the picker


def test_choosing_a_therapist_in_the_picker_activates_and_tells_them(client, adam, alice, ursa):
    plan = draft_plan(ursa, by=adam)
    client.force_login(adam)
    client.post(reverse("plan_activate", args=[ursa.pk, plan.pk]), {"therapist": alice.pk})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert owner_of(ursa) == alice
    notice = Notification.objects.get(recipient=alice, kind=Kind.PATIENT_ASSIGNED)
    assert notice.title == "You are now responsible for Ursa Vale"
    assert notice.url == reverse("patient_detail", args=[ursa.pk])


def test_the_picker_refuses_someone_who_is_no_therapist_here(client, adam, bob, ursa):
    plan = draft_plan(ursa, by=adam)
    client.force_login(adam)
    response = client.post(
        reverse("plan_activate", args=[ursa.pk, plan.pk]), {"therapist": bob.pk}, follow=True
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert "Choose a physical therapist of this clinic." in response.content.decode()


# --- Reassigning on the patient page ---------------------------------------------------------


def test_reassigning_is_one_audited_action_and_the_new_owner_is_told(client, alice, tom, pat):
    client.force_login(alice)
    response = client.post(reverse("patient_owner", args=[pat.pk]), {"therapist": tom.pk})
    assert response.url == reverse("patient_detail", args=[pat.pk])
    assert owner_of(pat) == tom
    event = AuditEvent.objects.get(action="patient.owner")
    assert (event.actor, event.detail["from"], event.detail["to"]) == (alice, alice.pk, tom.pk)
    assert Notification.objects.filter(recipient=tom, kind=Kind.PATIENT_ASSIGNED).count() == 1


def test_taking_a_patient_oneself_sends_no_notice(client, tom, ursa):
    client.force_login(tom)
    client.post(reverse("patient_owner", args=[ursa.pk]), {"therapist": tom.pk})
    assert owner_of(ursa) == tom
    assert not Notification.objects.exists()


def test_reassigning_to_another_clinics_therapist_is_refused(client, alice, bob, pat):
    client.force_login(alice)
    response = client.post(
        reverse("patient_owner", args=[pat.pk]), {"therapist": bob.pk}, follow=True
    )
    assert owner_of(pat) == alice
    assert "Choose a physical therapist of this clinic." in response.content.decode()
    assert not AuditEvent.objects.filter(action="patient.owner").exists()


def test_the_patient_page_shows_an_unowned_patient_and_the_picker(client, alice, tom, ursa):
    client.force_login(alice)
    page = client.get(reverse("patient_detail", args=[ursa.pk])).content.decode()
    assert "No responsible therapist" in page and "Unowned" in page
    assert 'id="owner-therapist"' in page and "Tom Ng" in page


# --- The clinic's inbox ------------------------------------------------------------------------


def test_an_admin_puts_a_therapist_on_duty_audited(client, adam, alice):
    membership = Membership.objects.get(user=alice)
    client.force_login(adam)
    client.post(reverse("membership_on_duty", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.on_duty
    assert AuditEvent.objects.filter(action="membership.on_duty", actor=adam).exists()
    assert alice in clinic_inbox(alice.memberships.get().clinic)


def test_only_a_therapist_role_goes_on_duty(client, adam):
    membership = Membership.objects.get(user=adam)
    client.force_login(adam)
    assert client.post(reverse("membership_on_duty", args=[membership.pk])).status_code == 404


def test_the_inbox_is_the_admins_and_the_therapists_on_duty(clinic_a, adam, alice, tom, ursa):
    on_duty(alice)
    assert signal_recipients(ursa) == [adam, alice]


def test_a_clinic_without_admin_or_duty_falls_back_to_every_therapist(clinic_b, bob):
    runner = factories.PatientFactory(clinic=clinic_b, therapist=None)
    assert signal_recipients(runner) == [bob]


def pain_alert_of(patient):
    """The runner logs site pain 8/10 today: the pain alert is raised."""
    today = patient_today(patient)
    rehab_factories.day_log(patient, today, pain=8)
    rehab.alerts_evaluate(patient, today=today)
    return Alert.objects.get(patient=patient, rule="site_pain_high")


def test_an_unowned_patients_pain_alert_is_in_the_inbox_keepers_own_list(
    client, adam, alice, tom, ursa
):
    on_duty(alice)
    alert = pain_alert_of(ursa)
    for keeper in (alice, adam):
        client.force_login(keeper)
        page = client.get(reverse("alert_list")).content.decode()
        assert f'id="alert-{alert.pk}"' in page, keeper
        assert "Unowned" in page
    client.force_login(tom)  # not on duty: his own list stays his own patients'
    assert f'id="alert-{alert.pk}"' not in client.get(reverse("alert_list")).content.decode()


def test_take_on_the_alert_list_makes_the_taker_responsible(client, alice, ursa):
    on_duty(alice)
    pain_alert_of(ursa)
    client.force_login(alice)
    page = client.get(reverse("alert_list")).content.decode()
    assert reverse("patient_owner", args=[ursa.pk]) in page
    response = client.post(
        reverse("patient_owner", args=[ursa.pk]),
        {"therapist": alice.pk, "next": reverse("alert_list")},
    )
    assert response.url == reverse("alert_list")
    assert owner_of(ursa) == alice
    assert "Unowned" not in client.get(reverse("alert_list")).content.decode()


def test_an_unowned_patients_approval_is_in_the_inbox_keepers_own_list(client, adam, alice, ursa):
    plan = rehab_factories.active_plan(ursa, start=patient_today(ursa), by=alice)
    Patient.objects.filter(pk=ursa.pk).update(therapist=None)  # she left the clinic's rota
    proposal = rehab_factories.pending_proposal(plan)
    client.force_login(adam)
    page = client.get(reverse("approval_list") + "?scope=mine").content.decode()
    assert reverse("proposal_approve", args=[ursa.pk, proposal.pk]) in page
    assert "Unowned" in page


# --- Nothing is addressed to nobody ------------------------------------------------------------


@pytest.mark.parametrize("rule", [code for code, _ in RULE_CHOICES])
def test_every_alert_rule_of_an_unowned_patient_reaches_someone(client, adam, alice, ursa, rule):
    alert = rehab_factories.AlertFactory(patient=ursa, rule=rule, key=f"{rule}:1")
    recipients = signal_recipients(ursa)
    assert recipients
    for person in recipients:
        client.force_login(person)
        page = client.get(reverse("alert_list")).content.decode()
        assert f'id="alert-{alert.pk}"' in page, (rule, person)


def sent_in_app(patient, kind, recipient):
    """A ledger row as the planner or `notify_patient` writes it, sent through the channel."""
    delivery = Delivery.objects.create(
        clinic=patient.clinic,
        patient=patient,
        recipient=recipient,
        kind=kind,
        channel=Channel.IN_APP,
        due_at=dt.datetime.now(dt.UTC),
        send_after=dt.datetime.now(dt.UTC),
        context={"since": "2026-01-01", "days": 3, "day": "2026-01-04", "ran_on": "2026-01-03"},
    )
    from notifications import channels, messages

    channels.send(delivery, messages.compose(delivery))
    return Notification.objects.filter(patient=patient, kind=kind)


STAFF_KINDS = [kind for kind in Kind if KIND_RULES[kind].to_therapist]
RUNNER_KINDS = [
    kind
    for kind in Kind
    if not KIND_RULES[kind].to_therapist
    and kind not in (Kind.INTAKE_INVITATION, Kind.INTAKE_EXPIRY)
]


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_every_notice_to_staff_about_an_unowned_patient_reaches_the_inbox(
    client, adam, alice, ursa, kind
):
    on_duty(alice)
    if kind == Kind.PATIENT_ASSIGNED:
        notices.staff_notify(recipient=alice, patient=ursa, kind=kind, by=adam)
        shown = Notification.objects.filter(kind=kind)
    else:
        shown = sent_in_app(ursa, kind, recipient=None)  # the planner found no therapist
    readers = {n.recipient for n in shown}
    assert readers, kind
    assert readers <= {adam, alice}
    for person in readers:
        client.force_login(person)
        assert "Ursa Vale" in client.get(reverse("notification_list")).content.decode()


@pytest.mark.parametrize("kind", RUNNER_KINDS)
def test_every_notice_to_a_runner_reaches_the_runner(client, ursa, kind):
    shown = sent_in_app(ursa, kind, recipient=ursa.user)
    assert [n.recipient for n in shown] == [ursa.user]


@pytest.mark.parametrize("kind", [Kind.INTAKE_INVITATION, Kind.INTAKE_EXPIRY])
def test_every_intake_link_e_mail_has_an_address(clinic_a, alice, kind):
    from intake.tests.factories import IntakeLinkFactory

    link = IntakeLinkFactory(clinic=clinic_a, created_by=alice)
    assert link.email


def test_every_kind_is_walked():
    walked = {*STAFF_KINDS, *RUNNER_KINDS, Kind.INTAKE_INVITATION, Kind.INTAKE_EXPIRY}
    assert walked == set(Kind)


def test_three_silent_days_of_an_unowned_runner_tell_the_inbox(adam, alice, ursa):
    """The planner plans the therapist's notice without a therapist; sending puts it in the
    list of each keeper of the inbox, once."""
    on_duty(alice)
    ursa.set_reminder_consent(True)
    ursa.save()
    day = dt.date(2027, 6, 10)
    rehab_factories.day_log(ursa, day - dt.timedelta(days=3))
    morning = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(8, 5), tzinfo=LONDON)
    plan_and_fan_out(morning)
    notice = Delivery.objects.get(kind=Kind.MISSED_LOGS_THERAPIST)
    assert notice.recipient is None  # nobody owns Ursa: the inbox is found when it is sent
    assert notices.delivery_send(notice.pk, now=morning) == "sent"
    assert notices.delivery_send(notice.pk, now=morning) != "sent"  # once
    readers = Notification.objects.filter(kind=Kind.MISSED_LOGS_THERAPIST)
    assert sorted(readers.values_list("recipient__email", flat=True)) == [
        "adam@alder.example",
        "alice@alder.example",
    ]


# --- Query budgets ---------------------------------------------------------------------------


def unowned_signals(clinic, therapist, n):
    """n runners without an owner, each with an open alert and a proposal waiting."""
    for _ in range(n):
        runner = factories.PatientFactory(clinic=clinic, therapist=None)
        rehab_factories.AlertFactory(patient=runner)
        plan = rehab_factories.active_plan(runner, start=patient_today(runner), by=therapist)
        rehab_factories.pending_proposal(plan)
    Patient.objects.filter(clinic=clinic).update(therapist=None)


@pytest.mark.parametrize("url", ["alert_list", "approval_list"])
def test_the_lists_keep_their_query_count_with_ten_times_the_unowned_signals(
    client, adam, alice, clinic_a, django_assert_max_num_queries, url
):
    client.force_login(adam)
    unowned_signals(clinic_a, alice, 2)
    with django_assert_max_num_queries(30) as few:
        page = client.get(reverse(url) + "?scope=mine").content.decode()
    assert page.count("Unowned") == 2
    unowned_signals(clinic_a, alice, 18)
    with django_assert_max_num_queries(len(few)):
        page = client.get(reverse(url) + "?scope=mine").content.decode()
    assert page.count("Unowned") == 20
