"""Demo intakes: every band and every kind of red flag, at every stage of triage. Idempotent."""

import uuid
from datetime import timedelta

from django.utils import timezone

from clinic.models import Clinic, Patient, User
from intake import services
from intake.forms import step_keys
from intake.models import Intake, IntakeDecision, IntakeEvent, IntakeLink, IntakeScore

NAMESPACE = uuid.UUID("0d5c8a4e-2b7f-4f61-9c3e-5a1e7b9d2c40")

SHIN_SPLINTS = {
    "region": "shin_inner", "side": "both", "pain_localized": "spread", "pain_on_impact": "no",
    "point_tenderness": "no", "swelling": "no", "better_with_rest_returns_running": "yes",
    "pain_eases_warm_up": "yes",
    "pain_now": 2, "pain_worst": 4, "weekly_km": [28, 30, 34, 45], "change_distance": "yes",
    "rest_days_per_week": 2, "shoe_age_km": 450,
}  # fmt: skip
METATARSAL = {
    "region": "foot_top", "side": "right", "pain_localized": "one_spot", "pain_on_impact": "yes",
    "point_tenderness": "yes", "swelling": "yes", "pain_now": 3, "pain_worst": 6,
    "weekly_km": [40, 42, 50, 58], "change_distance": "yes", "change_shoes": "yes",
    "longest_recent_run_km": 24, "longest_run_previous_30d_km": 18, "rest_days_per_week": 1,
    "shoe_age_km": 950, "orthoses": "no", "previous_stress_fractures": 0,
}  # fmt: skip
ANTERIOR_SHIN = {
    "region": "shin_front", "side": "left", "pain_localized": "one_spot", "pain_on_impact": "yes",
    "point_tenderness": "yes", "no_warm_up_stops_run": "yes", "pain_now": 4, "pain_worst": 7,
    "weekly_km": [35, 38, 52, 55], "change_intensity": "yes", "rest_days_per_week": 0,
    "hop_test": "positive", "bony_tenderness": "positive", "confirmed_site": "anterior_tibia",
}  # fmt: skip
KNEECAP = {
    "area": "knee", "region": "knee_front", "side": "left", "pain_localized": "one_spot",
    "pain_on_impact": "yes", "pain_stairs_hills": "yes", "pain_now": 3, "pain_worst": 5,
    "km_before_change": 40, "km_now": 65, "weeks_since_change": 3, "shoe_type": "carbon_plate",
}  # fmt: skip
FEMORAL_NECK = {
    "region": "hip_groin", "side": "right", "pain_localized": "unsure", "pain_on_impact": "yes",
    "limp": "yes", "pain_now": 5, "pain_worst": 8, "weekly_km": [60, 62, 70, 82],
    "hip_internal_rotation_pain": "positive", "dietary_restriction": "some", "height_cm": 168,
    "weight_kg": 51, "menstrual_applicable": "yes", "age_first_period": 15,
    "periods_last_12_months": 5,
}  # fmt: skip
REST_PAIN = {
    "region": "heel", "side": "left", "pain_localized": "one_spot", "pain_on_impact": "yes",
    "pain_at_rest_or_night": "yes", "pain_walking": "yes", "pain_now": 5, "pain_worst": 7,
    "point_tenderness": "yes",
}  # fmt: skip
CANNOT_HOP = {
    "region": "ankle_outer", "side": "right", "pain_localized": "one_spot",
    "pain_on_impact": "yes", "swelling": "yes", "pain_now": 4, "pain_worst": 6,
    "cannot_hop_or_bear_weight": "yes",
}  # fmt: skip
RECURRENT_LOW_ENERGY = {
    "region": "thigh", "side": "left", "pain_localized": "spread", "pain_on_impact": "yes",
    "pain_now": 2, "pain_worst": 5, "previous_stress_fractures": 2,
    "previous_sites": ["metatarsal_shaft_2_4", "posteromedial_tibia"],
    "dietary_restriction": "eating_disorder", "height_cm": 165, "weight_kg": 49,
    "menstrual_applicable": "yes", "periods_last_12_months": 3, "vitamin_d_low": "yes",
}  # fmt: skip
MODERATE_FIBULA = {
    "region": "shin_outer", "side": "right", "pain_localized": "one_spot", "pain_on_impact": "yes",
    "point_tenderness": "unsure", "pain_now": 2, "pain_worst": 4, "weekly_km": [30, 30, 32, 33],
    "rest_days_per_week": 2,
}  # fmt: skip

# (index, answers, status, decision, days ago, therapist examined)
DEMO_CASES = [
    (0, FEMORAL_NECK, "new", None, 0, False),
    (1, ANTERIOR_SHIN, "in_review", None, 1, True),
    (2, REST_PAIN, "new", None, 2, False),
    (3, CANNOT_HOP, "in_review", None, 1, True),
    (4, RECURRENT_LOW_ENERGY, "new", None, 3, False),
    (5, METATARSAL, "new", None, 1, False),
    (6, MODERATE_FIBULA, "new", None, 4, False),
    (7, SHIN_SPLINTS, "new", None, 5, False),
    (8, METATARSAL, "follow_up", IntakeDecision.Kind.FOLLOW_UP, 9, True),
    (9, SHIN_SPLINTS, "decided", IntakeDecision.Kind.NOT_BSI, 12, True),
    (10, ANTERIOR_SHIN, "decided", IntakeDecision.Kind.URGENT_REFERRAL, 20, True),
    (11, MODERATE_FIBULA, "decided", IntakeDecision.Kind.START_REHAB, 30, True),
    (12, KNEECAP, "new", None, 1, False),
]
RIVERSIDE_CASES = [
    (0, METATARSAL, "new", None, 1, False),
    (1, FEMORAL_NECK, "new", None, 0, False),
    (2, SHIN_SPLINTS, "new", None, 3, False),
]
MAYA_ANSWERS = {
    **METATARSAL, "menstrual_applicable": "yes", "periods_last_12_months": 10,
    "age_first_period": 13, "height_cm": 170, "weight_kg": 60, "dietary_restriction": "none",
    "confirmed_site": "metatarsal_shaft_2_4", "bony_tenderness": "positive",
    "hop_test": "positive",
}  # fmt: skip


def seed() -> None:
    for slug, cases in (("demo-sports-pt", DEMO_CASES), ("riverside-physio", RIVERSIDE_CASES)):
        clinic = Clinic.objects.get(slug=slug)
        patients = list(
            Patient.objects.filter(
                clinic=clinic, discharged_at__isnull=True, user__isnull=True
            ).order_by("pk")[: len(cases)]
        )
        therapists = list(
            User.objects.filter(memberships__clinic=clinic, memberships__role="therapist").order_by(
                "email"
            )
        )
        for (index, answers, status, decision, days, examined), patient in zip(
            cases, patients, strict=False
        ):
            key = f"{slug}:{index}"
            _intake(key, patient, answers, status, decision, days, examined, therapists[index % 2])
        _pending_link(clinic, therapists[0], slug)
    maya = Patient.objects.get(email="patient@demo.example")
    start_rehab = IntakeDecision.Kind.START_REHAB
    _intake("maya", maya, MAYA_ANSWERS, "decided", start_rehab, 56, True, maya.therapist)


def _intake(key, patient, answers, status, decision, days_ago, examined, therapist) -> Intake:
    submitted = timezone.now() - timedelta(days=days_ago, hours=3)
    runner_answers = {k: v for k, v in answers.items() if k not in _THERAPIST_KEYS}
    intake, _ = Intake.objects.update_or_create(
        pk=uuid.uuid5(NAMESPACE, key),
        defaults={
            "clinic": patient.clinic,
            "patient": patient,
            "source": Intake.Source.LINK,
            "status": Intake.Status.DRAFT,
            "answers": {**services.patient_answers(patient), **runner_answers},
            "assigned_to": None,
            "decided_at": None,
        },
    )
    intake.scores.all().delete()
    intake.events.all().delete()
    intake.decisions.all().delete()
    services.intake_submit(intake=intake)
    if examined:
        exam = {k: v for k, v in answers.items() if k in _THERAPIST_KEYS}
        services.intake_rescore(intake=intake, answers=exam, actor=therapist)
    if decision:
        services.intake_decide(
            intake=intake, kind=decision, notes=_NOTES[decision], actor=therapist,
            follow_up_on=timezone.localdate() + timedelta(days=5)
            if decision == IntakeDecision.Kind.FOLLOW_UP else None,
        )  # fmt: skip
    elif status == "in_review":
        services.intake_assign(intake=intake, therapist=therapist, actor=therapist)
    # Spread the history over the past weeks, so waiting times look real.
    Intake.objects.filter(pk=intake.pk).update(submitted_at=submitted)
    IntakeScore.objects.filter(intake=intake).update(created_at=submitted)
    IntakeEvent.objects.filter(intake=intake).update(at=submitted)
    IntakeDecision.objects.filter(intake=intake).update(decided_at=submitted + timedelta(hours=20))
    return intake


def _pending_link(clinic, therapist, slug) -> None:
    IntakeLink.objects.update_or_create(
        pk=uuid.uuid5(NAMESPACE, f"{slug}:link"),
        defaults={
            "clinic": clinic,
            "email": f"new.runner@{slug}.example",
            "full_name": "Casey Newman",
            "created_by": therapist,
            "expires_at": timezone.now() + timedelta(days=12),
            "used_at": None,
        },
    )


_THERAPIST_KEYS = set(step_keys("therapist"))
_NOTES = {
    IntakeDecision.Kind.FOLLOW_UP: "Reassess hop test and palpation in 5 days; offload meanwhile.",
    IntakeDecision.Kind.NOT_BSI: "Diffuse medial shin pain, no focal point: MTSS. Load advice.",
    IntakeDecision.Kind.URGENT_REFERRAL: "Anterior tibial cortex suspected: MRI requested today.",
    IntakeDecision.Kind.START_REHAB: "Low-risk site, graded plan; footwear and load review.",
}
