"""The caseload and the patient's page show the site, side, phase and days in care at a glance;
the site and side (clinical) to clinic staff only."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from intake.tests.factories import submitted_intake
from rehab.glance import days_in_care
from rehab.models import Plan, PlanStatus
from rehab.tests.factories import active_plan

SHIN = {"region": "shin_front", "side": "left", "confirmed_site": "anterior_tibia"}
SITE = "Anterior tibial cortex (front of the shin)"


def in_care_for(patient, days: int) -> None:
    Patient.objects.filter(pk=patient.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days - 1)
    )


def test_the_caseload_shows_site_side_phase_and_days_in_care(client, alice, clinic_a, pat, pia):
    submitted_intake(clinic_a, pat, SHIN)
    active_plan(pat, start=timezone.localdate(), by=alice)
    in_care_for(pat, 56)
    client.force_login(alice)
    body = client.get(reverse("caseload")).content.decode()
    assert f"{SITE}, left" in body
    assert "Protect</span>" in body
    assert "day 56" in body
    assert "Site not confirmed" in body and "No plan yet" in body  # pia


def test_a_stopped_plan_and_a_draft_say_so(client, alice, clinic_a, pat, pia):
    plan = active_plan(pat, start=timezone.localdate(), by=alice)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.REVIEW)
    active_plan(pia, start=timezone.localdate(), by=alice)
    Plan.objects.filter(patient=pia).update(status=PlanStatus.DRAFT)
    client.force_login(alice)
    body = client.get(reverse("caseload")).content.decode()
    assert "Protect, stopped for review" in body
    assert "Plan in draft" in body


def test_the_patient_header_shows_the_glance_to_the_therapist(client, alice, clinic_a, pat):
    submitted_intake(clinic_a, pat, SHIN)
    active_plan(pat, start=timezone.localdate(), by=alice)
    in_care_for(pat, 12)
    client.force_login(alice)
    body = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    header = body[body.index('class="page-head"') : body.index('class="row g-4"')]
    assert f"{SITE}, left" in header
    assert "Protect" in header and "Day 12 in care" in header


def test_the_coach_sees_phase_and_days_but_not_the_site(client, alice, coach_cole, clinic_a, pat):
    submitted_intake(clinic_a, pat, SHIN)
    active_plan(pat, start=timezone.localdate(), by=alice)
    client.force_login(coach_cole)
    body = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    header = body[body.index('class="page-head"') : body.index('class="row g-4"')]
    assert "Protect" in header and "Day 1 in care" in header
    assert "tibial" not in body and "Site" not in header


def test_the_side_examined_wins_over_the_runners_answer(client, alice, clinic_a, pat):
    intake = submitted_intake(clinic_a, pat, SHIN)
    type(intake).objects.filter(pk=intake.pk).update(exam_side="right")
    client.force_login(alice)
    assert f"{SITE}, right" in client.get(reverse("caseload")).content.decode()


def test_day_one_is_the_first_day_in_care(pat):
    assert days_in_care(pat, today=timezone.localtime(pat.created_at).date()) == 1
