"""The therapist's triage: the queue, one intake, the examination, decisions, the policy."""

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from clinic.tests.factories import PatientFactory
from intake.models import ClinicScoringPolicy, Intake, IntakeScore
from intake.tests.factories import (
    DIFFUSE_SHIN,
    FEMORAL_NECK,
    FOCAL_ANTERIOR_SHIN,
    submitted_intake,
)
from notifications.tests.sending import sent_in_process

METATARSAL = {
    "region": "foot_top",
    "pain_localized": "one_spot",
    "point_tenderness": "yes",
    "swelling": "yes",
    "pain_on_impact": "yes",
}


@pytest.fixture
def queue(clinic_a, alice):
    """Four runners whose answers land in each part of the queue."""
    return {
        name: submitted_intake(clinic_a, PatientFactory(clinic=clinic_a, last_name=name), answers)
        for name, answers in [
            ("Diffuse", DIFFUSE_SHIN),
            ("Metatarsal", METATARSAL),
            ("Groin", FEMORAL_NECK),
            ("Shin", FOCAL_ANTERIOR_SHIN),
        ]
    }


def test_red_flags_come_first_then_band_then_score(client, alice, queue):
    client.force_login(alice)
    page = client.get(reverse("triage_queue")).context["page"]
    order = [intake.patient.last_name for intake in page]
    assert order[-1] == "Diffuse"
    assert set(order[:2]) == {"Groin", "Shin"}
    assert all(i.red_flag_level == "urgent" for i in list(page)[:2])
    assert order[2] == "Metatarsal"


def test_the_queue_says_the_red_flag_action_in_plain_words(client, alice, queue):
    client.force_login(alice)
    body = client.get(reverse("triage_queue")).content.decode()
    assert "Urgent: stop running" in body


def test_queue_filters_by_band_region_and_therapist(client, alice, queue):
    client.force_login(alice)
    page = client.get(reverse("triage_queue"), {"band": "low"}).context["page"]
    assert {i.patient.last_name for i in page} <= {"Diffuse"}
    page = client.get(reverse("triage_queue"), {"region": "hip_groin"}).context["page"]
    assert [i.patient.last_name for i in page] == ["Groin"]
    client.post(reverse("intake_claim", args=[queue["Shin"].pk]))
    page = client.get(reverse("triage_queue"), {"therapist": "me"}).context["page"]
    assert [i.patient.last_name for i in page] == ["Shin"]


def test_queue_hides_decided_intakes_unless_asked(client, alice, queue):
    client.force_login(alice)
    client.post(
        reverse("intake_decide", args=[queue["Diffuse"].pk]), {"kind": "not_bsi", "notes": "MTSS"}
    )
    names = [i.patient.last_name for i in client.get(reverse("triage_queue")).context["page"]]
    assert "Diffuse" not in names
    page = client.get(reverse("triage_queue"), {"status": "decided"}).context["page"]
    assert [i.patient.last_name for i in page] == ["Diffuse"]


def test_the_queue_of_2000_intakes_runs_a_fixed_number_of_queries(
    client, alice, clinic_a, django_assert_max_num_queries
):
    patients = PatientFactory.create_batch(20, clinic=clinic_a)
    template = submitted_intake(clinic_a, patients[0], FOCAL_ANTERIOR_SHIN)
    Intake.objects.bulk_create(
        Intake(
            clinic=clinic_a,
            patient=patients[n % 20],
            source="link",
            status="new",
            answers=template.answers,
            result=template.result,
            score=n % 9,
            band=["low", "moderate", "high"][n % 3],
            priority_rank=n % 6,
            red_flag_level="urgent" if n % 6 == 0 else "",
            submitted_at=template.submitted_at,
            region="shin_front",
        )
        for n in range(2000)
    )
    client.force_login(alice)
    with django_assert_max_num_queries(13):  # with the navigation's counts
        response = client.get(reverse("triage_queue"))
    assert response.context["page"].paginator.count == 2001
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(13):  # with the navigation's counts
        client.get(reverse("triage_queue"), {"page": 40, "band": "high"})


def test_the_intake_page_explains_the_score_and_is_audited(client, alice, queue):
    client.force_login(alice)
    intake = queue["Shin"]
    body = client.get(reverse("intake_detail", args=[intake.pk])).content.decode()
    for item in intake.result["items"]:
        assert item["reason"].removesuffix(f" ({item['evidence']})") in body
        assert f"{item['evidence']} · reference {item['section']}" in body
    assert "Why it happened: risk profile" in body
    assert "does not diagnose" in body.lower() or "not a diagnosis" in body.lower()
    assert AuditEvent.objects.filter(action="intake.view", patient=intake.patient).exists()


def test_a_red_flag_says_in_words_what_raised_it_and_that_it_overrides_the_band(
    client, alice, queue
):
    client.force_login(alice)
    response = client.get(reverse("intake_detail", args=[queue["Groin"].pk]))
    body = response.content.decode()
    assert "Raised by: Hip internal rotation / FADIR pain: Positive." in body
    client.post(reverse("intake_exam", args=[queue["Groin"].pk]), {"confirmed_site": "navicular"})
    body = client.get(reverse("intake_detail", args=[queue["Groin"].pk])).content.decode()
    assert "Raised by: Confirmed site: Tarsal navicular (midfoot), a high-risk site." in body
    assert "region=hip_groin" not in body
    assert "Queue priority: Urgent." in body and "overrides the" in body


def test_each_item_shows_its_reason_once_and_its_evidence_on_its_own_line(client, alice, queue):
    client.force_login(alice)
    body = client.get(reverse("intake_detail", args=[queue["Shin"].pk])).content.decode()
    assert "Pain in one spot — bone rather than soft tissue<div" in body
    assert "C: Patel et al. 2011, AAFP · reference §1" in body


def test_an_incomplete_triad_does_not_claim_a_clearance_category(client, alice, clinic_a):
    patient = PatientFactory(clinic=clinic_a, sex="female")
    answers = {"sex": "female", "region": "heel", "dietary_restriction": "some"}
    intake = submitted_intake(clinic_a, patient, answers)
    client.force_login(alice)
    body = client.get(reverse("intake_detail", args=[intake.pk])).content.decode()
    assert "at least 1 · Incomplete (1 of 6 factors known)" in body
    assert "Full clearance" not in body
    assert "Energy deficiency: IOC REDs CAT2" in body  # both where both apply
    assert "Not answered: Low BMI or weight loss," in body
    assert "low_bmi" not in body


def test_a_complete_triad_shows_its_category(client, alice, clinic_a):
    patient = PatientFactory(clinic=clinic_a, sex="female")
    answers = {
        "dietary_restriction": "eating_disorder",
        "weight_loss_pct_month": 12,
        "menstrual_applicable": "yes",
        "age_first_period": 16,
        "periods_last_12_months": 3,
        "previous_stress_fractures": 0,
    }
    intake = submitted_intake(clinic_a, patient, answers)
    client.force_login(alice)
    body = client.get(reverse("intake_detail", args=[intake.pk])).content.decode()
    # Bone density: no scan, so delayed menarche stands in (2 points).
    assert "10 · Restricted" in body
    assert "no bone scan: delayed menarche stands in" in body


def test_the_examination_rescores_and_both_scores_stay_visible(client, alice, queue):
    client.force_login(alice)
    intake = queue["Diffuse"]
    response = client.post(
        reverse("intake_exam", args=[intake.pk]),
        {"bony_tenderness": "positive", "hop_test": "positive", "confirmed_site": "femoral_neck"},
    )
    assert response.status_code == 302
    kinds = list(IntakeScore.objects.filter(intake=intake).values_list("kind", flat=True))
    assert kinds == ["runner", "therapist"]
    intake.refresh_from_db()
    assert intake.confirmed_site == "femoral_neck"
    assert intake.status == "in_review"
    body = client.get(reverse("intake_detail", args=[intake.pk])).content.decode()
    assert "Runner&#x27;s answers" in body and "With the therapist" in body
    runner, therapist = (stored.result for stored in intake.scores.all())
    assert body.count("What gave") == 2
    assert f"What gave {runner['score']} point" in body
    assert f"What gave {therapist['score']} point" in body
    assert "+3 Bony tenderness on examination" in body


def test_the_examination_groups_the_site_tests_with_their_evidence_grade(client, alice, queue):
    client.force_login(alice)
    response = client.get(reverse("intake_exam", args=[queue["Diffuse"].pk]))
    sections = {
        group["section"].title: [(t["title"], t["grade"]) for t in group["tests"]]
        for group in response.context["form"].exam_sections()
    }
    assert list(sections)[:6] == [
        "Any site", "Heel", "Navicular", "Tibia", "Femoral shaft", "Femoral neck"
    ]  # fmt: skip
    assert sections["Heel"] == [("Calcaneal squeeze", "C")]
    assert sections["Navicular"] == [("Navicular N-spot", "C")]
    assert sections["Tibia"] == [("Single-leg hop test", "B"), ("Tuning fork (128 Hz)", "A")]
    assert sections["Femoral shaft"] == [("Fulcrum test", "B")]
    assert sections["Femoral neck"] == [("Hip internal rotation / FADIR pain", "C")]
    body = response.content.decode()
    assert (
        'Calcaneal squeeze</span> <span class="evidence-grade evidence-grade-c">Evidence C' in body
    )
    assert "Record only</span>" in body  # the tuning fork's grade A is not a recommendation
    assert body.count('name="calcaneal_squeeze"') == 3  # positive, negative, not done


@pytest.mark.parametrize("version", ["2026.1", "2026.2", "2026.3"])
def test_every_examination_field_is_shown_once_whatever_the_rule_set(version):
    from intake.forms import AnswerStepForm

    form = AnswerStepForm(step="therapist", version=version)
    shown = [t["field"].name for g in form.exam_sections() for t in g["tests"]]
    assert sorted(shown) == sorted(form.fields)


def test_an_imaging_result_given_by_mistake_can_be_cleared(client, alice, queue):
    client.force_login(alice)
    intake = queue["Diffuse"]
    url = reverse("intake_exam", args=[intake.pk])
    client.post(url, {"imaging_modality": "mri", "imaging_result": "stress_fracture"})
    intake.refresh_from_db()
    assert "imaging_shows_bsi" in {item["key"] for item in intake.result["items"]}
    form = client.get(url).context["form"]
    assert ("", "Not recorded") in form.fields["imaging_result"].choices
    client.post(url, {"imaging_modality": "", "imaging_result": ""})
    intake.refresh_from_db()
    assert "imaging_result" not in intake.answers
    assert "imaging_shows_bsi" not in {item["key"] for item in intake.result["items"]}


def test_a_bad_examination_value_is_refused_and_changes_nothing(client, alice, queue):
    client.force_login(alice)
    intake = queue["Diffuse"]
    response = client.post(reverse("intake_exam", args=[intake.pk]), {"imaging_grade": "9"})
    assert response.status_code == 200
    assert "less than or equal to 5" in response.content.decode()
    assert intake.scores.count() == 1


def test_a_decision_is_recorded_with_history(client, alice, queue):
    client.force_login(alice)
    intake = queue["Metatarsal"]
    response = client.post(
        reverse("intake_decide", args=[intake.pk]),
        {"kind": "start_rehab", "notes": "2nd metatarsal shaft, low risk"},
    )
    assert response.url == reverse("plan_assign_intake", args=[intake.pk])
    intake.refresh_from_db()
    assert intake.status == "decided"
    assert [e.to_status for e in intake.events.all()] == ["new", "decided"]
    assert AuditEvent.objects.filter(action="intake.decide").exists()


def test_the_status_history_names_each_status_in_words(client, alice, queue):
    client.force_login(alice)
    intake = queue["Shin"]
    client.post(reverse("intake_claim", args=[intake.pk]))
    body = client.get(reverse("intake_detail", args=[intake.pk])).content.decode()
    assert "<strong>In review</strong> — Assigned to Alice Moss" in body
    assert "In_review" not in body


def test_the_intake_page_runs_a_fixed_number_of_queries(
    client, alice, queue, django_assert_max_num_queries
):
    from intake import services

    intake = queue["Shin"]
    for _ in range(15):
        services.intake_rescore(intake=intake, answers={"hop_test": "positive"}, actor=alice)
        services.intake_assign(intake=intake, therapist=alice, actor=alice)
        services.intake_decide(
            intake=intake, kind="not_bsi", notes="", follow_up_on=None, actor=alice
        )
    client.force_login(alice)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("intake_detail", args=[intake.pk]))
    assert response.status_code == 200
    assert len(response.context["scores"]) == 16


def test_the_links_page_is_paginated_with_a_fixed_number_of_queries(
    client, alice, clinic_a, django_assert_max_num_queries
):
    from intake.models import IntakeLink

    IntakeLink.objects.bulk_create(
        IntakeLink(clinic=clinic_a, email=f"r{n}@example.com", full_name=f"Runner {n}")
        for n in range(60)
    )
    client.force_login(alice)
    with django_assert_max_num_queries(13):  # with the navigation's counts
        response = client.get(reverse("intake_links"), {"page": 2})
    assert response.context["page"].paginator.num_pages == 3
    assert len(response.context["page"].object_list) == 25


def test_a_follow_up_needs_a_date(client, alice, queue):
    client.force_login(alice)
    response = client.post(
        reverse("intake_decide", args=[queue["Metatarsal"].pk]), {"kind": "follow_up"}
    )
    assert response.status_code == 400
    assert "Choose the date of the follow-up visit" in response.content.decode()
    assert not queue["Metatarsal"].decisions.exists()


def test_assigning_to_another_clinics_therapist_is_refused(client, alice, bob, queue):
    client.force_login(alice)
    client.post(reverse("intake_assign", args=[queue["Shin"].pk]), {"therapist": bob.pk})
    queue["Shin"].refresh_from_db()
    assert queue["Shin"].assigned_to is None


def test_sending_a_link_for_a_known_patient(
    client, alice, pat, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with sent_in_process(), django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("intake_link_create") + f"?patient={pat.pk}",
            {"full_name": pat.full_name, "email": pat.email},
        )
    assert pat.intake_links.count() == 1
    assert mailoutbox[0].to == [pat.email]


def test_a_therapist_fills_the_intake_during_a_visit(client, alice, pia):
    client.force_login(alice)
    response = client.post(reverse("intake_start_visit", args=[pia.pk]))
    intake = Intake.objects.get(patient=pia)
    assert response.url == reverse("intake_answer", args=[intake.pk, "pain"])
    for step, data in [
        ("pain", METATARSAL),
        ("pattern", METATARSAL),
        ("training", {}),
        ("equipment", {}),
        ("history", {}),
        ("body", {}),
    ]:
        response = client.post(reverse("intake_answer", args=[intake.pk, step]), data)
    assert response.url == reverse("intake_detail", args=[intake.pk])
    intake.refresh_from_db()
    assert (intake.status, intake.band, intake.red_flag_level) == ("new", "high", "")


def test_a_visit_intake_is_also_kept_as_it_is_answered(client, alice, pia):
    client.force_login(alice)
    client.post(reverse("intake_start_visit", args=[pia.pk]))
    intake = Intake.objects.get(patient=pia)
    response = client.post(
        reverse("intake_answer", args=[intake.pk, "pain"]),
        {"region": "heel"},
        headers={"X-Intake-Autosave": "1"},
    )
    assert response.json() == {"saved": True}
    intake.refresh_from_db()
    assert (intake.answers["region"], intake.steps_done, intake.status) == ("heel", [], "draft")


def test_the_admin_changes_a_policy_value_and_it_is_audited(client, adam, clinic_a):
    client.force_login(adam)
    from intake.scoring import POLICY_DEFAULTS

    data = {key: setting.value for key, setting in POLICY_DEFAULTS.items()}
    data.update(band_high_from=4, high_risk_from_region="")
    response = client.post(reverse("scoring_policy"), data)
    assert response.status_code == 302
    assert ClinicScoringPolicy.objects.get(clinic=clinic_a).values == {
        "band_high_from": 4,
        "high_risk_from_region": False,
    }
    event = AuditEvent.objects.get(action="policy.scoring.update")
    assert event.detail["after"]["band_high_from"] == 4


def test_the_policy_page_shows_each_default_readably(client, adam):
    client.force_login(adam)
    body = client.get(reverse("scoring_policy")).content.decode()
    assert "Default: on." in body and "Default: True" not in body
    assert "phase change.." not in body
    assert "Default: 5." in body


def test_an_inconsistent_policy_is_refused(client, adam, clinic_a):
    client.force_login(adam)
    from intake.scoring import POLICY_DEFAULTS

    data = {key: setting.value for key, setting in POLICY_DEFAULTS.items()}
    data.update(band_moderate_from=9, band_high_from=4)
    response = client.post(reverse("scoring_policy"), data)
    assert response.status_code == 200
    assert "must be lower than" in response.content.decode()
    assert not ClinicScoringPolicy.objects.filter(clinic=clinic_a).exclude(values={}).exists()


def test_the_intake_page_says_which_policy_values_differ_from_the_defaults(
    client, alice, clinic_a, pat
):
    ClinicScoringPolicy.objects.create(
        clinic=clinic_a,
        values={"band_high_from": 6, "patella_high_risk": False, "action_rest_pain": "Call today."},
    )
    intake = submitted_intake(clinic_a, pat, METATARSAL)
    client.force_login(alice)
    body = client.get(reverse("intake_detail", args=[intake.pk])).content.decode()
    assert (
        "Clinic policy differs from the defaults: High suspicion from score: 6 (default 5); "
        "Action: rest or walking pain: the clinic&#x27;s own wording; "
        "Patella counts as a high-risk site: off (default on)." in body
    )


def test_default_policy_is_not_announced(client, alice, queue):
    client.force_login(alice)
    body = client.get(reverse("intake_detail", args=[queue["Shin"].pk])).content.decode()
    assert "Clinic policy differs" not in body


def test_the_clinic_policy_applies_to_new_scores_and_is_stored_with_them(clinic_a, pat):
    ClinicScoringPolicy.objects.create(clinic=clinic_a, values={"band_high_from": 20})
    intake = submitted_intake(clinic_a, pat, METATARSAL)
    assert intake.band == "moderate"
    stored = intake.scores.get()
    assert stored.result["policy_used"]["band_high_from"] == 20
