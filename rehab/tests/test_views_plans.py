"""The clinic's side of plans: assignment from an intake, the draft, versioned templates, the
approvals list and the progression rules; and the patient's Today."""

import dataclasses
import datetime as dt
import uuid

import pytest
from django.urls import reverse

from clinic.models import AuditEvent, CareTeamMember
from intake import demo as intake_demo
from intake.tests.factories import FEMORAL_NECK, submitted_intake
from rehab import services
from rehab.models import (
    CareTask,
    ClinicProgressionPolicy,
    Plan,
    PlanTemplate,
    ProposalStatus,
    SessionCompletion,
    patient_today,
)
from rehab.tests.factories import active_plan, pending_proposal

LOW_RISK = {**intake_demo.METATARSAL, "confirmed_site": "metatarsal_shaft_2_4"}


@pytest.fixture
def library(clinic_a):
    services.library_seed(clinic=clinic_a)
    return {t.code: t for t in PlanTemplate.objects.filter(clinic=clinic_a)}


def assign_page(client, intake):
    return client.get(reverse("plan_assign_intake", args=[intake.pk]))


# --- Assignment -----------------------------------------------------------------------------


def test_start_rehab_leads_to_the_assignment_page(client, alice, pat, clinic_a):
    intake = submitted_intake(clinic_a, pat, LOW_RISK)
    client.force_login(alice)
    response = client.post(
        reverse("intake_decide", args=[intake.pk]), {"kind": "start_rehab", "notes": ""}
    )
    assert response.url == reverse("plan_assign_intake", args=[intake.pk])
    assert assign_page(client, intake).status_code == 200


def test_it_proposes_the_low_risk_template_for_a_low_risk_site(client, alice, pat, library):
    intake = submitted_intake(pat.clinic, pat, LOW_RISK)
    client.force_login(alice)
    response = assign_page(client, intake)
    assert response.context["proposed"] == library["low_risk_site"]
    assert response.context["form"].initial["high_risk_site"] is False
    assert "Shafts of metatarsals 2–4 is a low-risk site" in response.content.decode()


def test_it_proposes_the_high_risk_template_when_a_high_risk_red_flag_fired(
    client, alice, pat, library
):
    intake = submitted_intake(pat.clinic, pat, FEMORAL_NECK)
    client.force_login(alice)
    response = assign_page(client, intake)
    assert response.context["proposed"] == library["high_risk_site"]
    assert response.context["form"].initial["high_risk_site"] is True
    assert "Red flag" in response.context["risk"].reason


def test_it_adds_care_tasks_from_the_risk_profile(client, alice, pat, nutri_nia, library):
    CareTeamMember.objects.create(patient=pat, user=nutri_nia, role="nutritionist")
    intake = submitted_intake(pat.clinic, pat, intake_demo.RECURRENT_LOW_ENERGY)
    client.force_login(alice)
    tasks = {task["source"]: task for task in assign_page(client, intake).context["tasks"]}
    referral = tasks["nutritionist_referral"]
    assert referral["role"] == "nutritionist" and referral["assignee"] == nutri_nia
    response = client.post(
        reverse("plan_assign_intake", args=[intake.pk]),
        {
            "template": library["low_risk_site"].pk,
            "start_date": patient_today(pat).isoformat(),
            "tasks": ["nutritionist_referral"],
        },
    )
    plan = pat.plans.get()
    assert response.url == reverse("plan_detail", args=[pat.pk, plan.pk])
    assert plan.is_draft and plan.intake == intake
    task = CareTask.objects.get(patient=pat)
    assert (task.kind, task.assignee, task.shared_with) == (
        "nutritionist_referral",
        nutri_nia,
        "nutritionist",
    )
    assert AuditEvent.objects.filter(action="plan.assign", patient=pat).exists()


def test_footwear_and_coach_tasks_go_to_the_therapist_and_the_coach(pat, coach_cole):
    result = {
        "risk_profile": [
            {"flagged": True, "actions": [{"code": "footwear_check"}]},
            {"flagged": True, "actions": [{"code": "coach_collaboration"}]},
            {"flagged": True, "actions": [{"code": "strength_emphasis"}]},
            {"flagged": False, "actions": [{"code": "nutritionist_referral"}]},
        ]
    }
    tasks = services.care_tasks_proposed(result, pat)
    assert [(t["source"], t["role"]) for t in tasks] == [
        ("footwear_check", "therapist"),
        ("coach_collaboration", "coach"),
        ("strength_emphasis", "therapist"),
    ]
    assert tasks[1]["assignee"] == coach_cole


def test_a_patient_with_a_plan_is_sent_to_it_instead(client, alice, pat, clinic_a):
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(alice)
    response = client.get(reverse("plan_assign", args=[pat.pk]))
    assert response.url == reverse("plan_detail", args=[pat.pk, plan.pk])


# --- The draft and the template's versions ----------------------------------------------------


def phase_post(editor_phase, **changes) -> dict:
    """The phase editor's POST for a phase as it is, with `changes` to its fields."""
    data = {
        "phase-kind": editor_phase.kind,
        "phase-label": editor_phase.label,
        "phase-goal": editor_phase.goal,
        "phase-entry_criteria": "\n".join(editor_phase.entry_criteria),
        "phase-rest_days": [str(d) for d in editor_phase.rest_days],
        "phase-strength_days": [str(d) for d in editor_phase.strength.days],
        "step-TOTAL_FORMS": str(len(editor_phase.steps)),
        "step-INITIAL_FORMS": str(len(editor_phase.steps)),
        "exercise-TOTAL_FORMS": str(len(editor_phase.strength.exercises)),
        "exercise-INITIAL_FORMS": str(len(editor_phase.strength.exercises)),
        "cross-TOTAL_FORMS": "0",
        "cross-INITIAL_FORMS": "0",
    }
    for n, step in enumerate(editor_phase.steps):
        data.update(
            {
                f"step-{n}-code": step.code,
                f"step-{n}-label": step.label,
                f"step-{n}-segments": step.segments_text(),
                f"step-{n}-repeats": str(step.repeats),
                f"step-{n}-ORDER": str(n + 1),
            }
        )
    for n, item in enumerate(editor_phase.strength.exercises):
        data.update(
            {
                f"exercise-{n}-exercise": item.code,
                f"exercise-{n}-sets": str(item.sets),
                f"exercise-{n}-reps": item.reps,
                f"exercise-{n}-load": item.load,
            }
        )
    data.update(changes)
    return data


def test_editing_a_template_saves_a_version_and_leaves_assigned_plans_unchanged(
    client, alice, pat, pia, library
):
    template = library["low_risk_site"]
    before = services.plan_assign(
        patient=pat,
        template=template,
        by=alice,
        start_date=patient_today(pat),
        high_risk_site=False,
    )
    client.force_login(alice)
    protect = template.current_version.spec.phase(0)
    response = client.post(
        reverse("template_phase_edit", args=[template.pk, 0]),
        phase_post(
            protect, **{"step-0-label": "Walk 15 min, pain-free", "step-0-segments": "walk 15"}
        ),
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.current_version.number == 2
    assert template.current_version.spec.step(0, 0).label == "Walk 15 min, pain-free"
    before.refresh_from_db()
    assert before.spec.step(0, 0).label == "Walk 10 min, pain-free"  # its own snapshot
    assert before.template_version.number == 1
    after = services.plan_assign(
        patient=pia,
        template=template,
        by=alice,
        start_date=patient_today(pia),
        high_risk_site=False,
    )
    assert after.spec.step(0, 0).label == "Walk 15 min, pain-free"
    old = client.get(reverse("template_detail", args=[template.pk]) + "?version=1")
    assert "Walk 10 min, pain-free" in old.content.decode()


def test_the_therapist_adjusts_the_draft_for_this_patient_only(client, alice, pat, library):
    template = library["low_risk_site"]
    plan = services.plan_assign(
        patient=pat,
        template=template,
        by=alice,
        start_date=patient_today(pat),
        high_risk_site=False,
    )
    client.force_login(alice)
    protect = plan.spec.phase(0)
    data = phase_post(
        protect,
        **{
            "step-TOTAL_FORMS": str(len(protect.steps) + 1),
            f"step-{len(protect.steps)}-label": "Walk 40 min",
            f"step-{len(protect.steps)}-segments": "walk 40",
            f"step-{len(protect.steps)}-repeats": "1",
            "step-0-DELETE": "on",
        },
    )
    response = client.post(reverse("plan_phase_edit", args=[pat.pk, plan.pk, 0]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert [s.label for s in plan.spec.phase(0).steps][-1] == "Walk 40 min"
    assert len(plan.spec.phase(0).steps) == len(protect.steps)
    assert template.current_version.spec.phase(0) == protect  # the template is untouched
    edit = client.post(
        reverse("plan_edit", args=[pat.pk, plan.pk]),
        {
            "name": "For Pat",
            "start_date": (patient_today(pat) + dt.timedelta(days=2)).isoformat(),
            **{f"order_{n}": str(n + 1) for n in range(6)},
            "remove_5": "on",
        },
    )
    assert edit.status_code == 302
    plan.refresh_from_db()
    assert plan.name == "For Pat" and len(plan.spec.phases) == 5


def test_activating_the_draft_puts_it_on_the_patients_today(client, alice, pat, library):
    plan = services.plan_assign(
        patient=pat,
        template=library["low_risk_site"],
        by=alice,
        start_date=patient_today(pat),
        high_risk_site=False,
    )
    client.force_login(pat.user)
    assert "on its way" in client.get(reverse("today")).content.decode()
    client.force_login(alice)
    client.post(reverse("plan_activate", args=[pat.pk, plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "active" and plan.transitions.get().kind == "start"
    client.force_login(pat.user)
    page = client.get(reverse("today")).content.decode()
    assert "Walk 10 min, pain-free" in page and "The week ahead" in page


def test_a_started_plan_cannot_be_edited(client, alice, pat):
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(alice)
    response = client.post(reverse("plan_phase_edit", args=[pat.pk, plan.pk, 0]), {})
    assert response.url == reverse("plan_detail", args=[pat.pk, plan.pk])


# --- Today ------------------------------------------------------------------------------------


def test_the_patient_marks_a_session_done_with_pain_and_effort(client, alice, pat):
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(pat.user)
    response = client.post(
        reverse("session_complete"),
        {
            "session": "step",
            "step-submission": uuid.uuid4(),
            "step-site_pain_during": "1",
            "step-effort": "4",
        },
    )
    assert response.url == reverse("today")
    done = SessionCompletion.objects.get(plan=plan)
    assert (done.site_pain_during, done.effort, done.session) == (1, 4, "step")
    assert "Done · pain 1/10" in client.get(reverse("today")).content.decode()


def test_a_missing_pain_is_asked_for_again(client, alice, pat):
    active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(pat.user)
    response = client.post(
        reverse("session_complete"), {"session": "step", "step-submission": uuid.uuid4()}
    )
    assert response.status_code == 400
    assert "Choose how much the injury site hurt" in response.content.decode()
    assert not SessionCompletion.objects.exists()


def test_a_session_not_on_todays_plan_cannot_be_marked_done(client, alice, pat):
    active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(pat.user)
    response = client.post(
        reverse("session_complete"),
        {"session": "cross-3", "cross-3-submission": uuid.uuid4(), "cross-3-site_pain_during": "1"},
    )
    assert response.url == reverse("today") and not SessionCompletion.objects.exists()


def test_the_morning_check_comes_before_todays_key_session(client, alice, pat):
    today = patient_today(pat)
    plan = active_plan(pat, start=today - dt.timedelta(days=1), by=alice)
    SessionCompletion.objects.create(
        plan=plan, date=today - dt.timedelta(days=1), session="step", kind="step",
        phase_index=0, step_index=0, label="Walk 20", site_pain_during=1,
    )  # fmt: skip
    client.force_login(pat.user)
    page = client.get(reverse("today")).content.decode()
    assert "sit this morning?" in page
    refused = client.post(
        reverse("session_complete"),
        {"session": "step", "step-submission": uuid.uuid4(), "step-site_pain_during": "1"},
    )
    assert refused.url == reverse("today") and plan.completions.count() == 1
    completion = plan.completions.get()
    client.post(
        reverse("morning_check"),
        {"completion": completion.pk, "pain": "1", "submission": uuid.uuid4()},
    )
    completion.refresh_from_db()
    assert completion.next_morning_pain == 1


def test_rest_days_are_shown_as_rest_days(client, alice, pat):
    today = patient_today(pat)
    sunday = today + dt.timedelta(days=(6 - today.weekday()) % 7)
    active_plan(pat, start=today, by=alice)
    client.force_login(pat.user)
    week = client.get(reverse("today")).context["view"]
    days = [week.day, *week.week]
    rest = next(d for d in days if d.date == sunday)
    assert rest.is_rest


# --- Approvals and rules ----------------------------------------------------------------------


def test_the_therapist_approves_with_one_click_and_a_note(client, alice, pat):
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    proposal = pending_proposal(plan)
    client.force_login(alice)
    listing = client.get(reverse("approval_list")).content.decode()
    assert "Pat Lane" in listing and "Approve" in listing
    client.post(
        reverse("proposal_approve", args=[pat.pk, proposal.pk]),
        {"note": "Seen today.", "next": reverse("approval_list")},
    )
    proposal.refresh_from_db()
    plan.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and plan.position == (1, 0)
    assert plan.transitions.last().note == "Seen today."
    assert AuditEvent.objects.filter(action="plan.proposal.approve").exists()


def test_another_clinic_cannot_approve(client, alice, bob, pat):
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    proposal = pending_proposal(plan)
    client.force_login(bob)
    response = client.post(reverse("proposal_approve", args=[pat.pk, proposal.pk]))
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.is_pending
    assert "Pat Lane" not in client.get(reverse("approval_list")).content.decode()


def test_the_clinic_admin_changes_the_progression_rules_audited(client, adam):
    client.force_login(adam)
    fields = {
        "advance_max_pain": "2",
        "advance_after_completions": "3",
        "step_back_pain": "5",
        "step_back_window_days": "14",
        "step_backs_to_stop": "2",
    }  # auto_apply unticked
    response = client.post(reverse("progression_policy"), fields)
    assert response.status_code == 302
    policy = ClinicProgressionPolicy.objects.get(clinic=adam.memberships.get().clinic)
    assert policy.overrides == {"advance_after_completions": 3, "auto_apply": False}
    event = AuditEvent.objects.get(action="policy.progression.update")
    assert event.detail["after"] == policy.overrides


def test_step_back_pain_must_be_above_the_advance_limit(client, adam):
    client.force_login(adam)
    response = client.post(
        reverse("progression_policy"),
        {"advance_max_pain": "4", "advance_after_completions": "2", "step_back_pain": "4",
         "step_back_window_days": "14", "step_backs_to_stop": "2"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "must be above" in response.content.decode()


# --- The library in the app -------------------------------------------------------------------


def test_staff_create_a_template_and_an_exercise_in_the_app(client, alice, library):
    client.force_login(alice)
    response = client.post(
        reverse("template_create"),
        {"name": "Navicular", "risk_class": "high", "copy_from": library["high_risk_site"].pk},
    )
    template = PlanTemplate.objects.get(name="Navicular")
    assert response.url == reverse("template_detail", args=[template.pk])
    assert template.current_version.content == library["high_risk_site"].current_version.content
    client.post(
        reverse("exercise_create"),
        {"name": "Toe yoga", "target": "calves", "sets": "2", "reps": "10",
         "instructions": "Lift the big toe alone."},
    )  # fmt: skip
    assert template.clinic.exercises.filter(code="toe-yoga").exists()


def test_the_library_has_the_reference_examples_and_25_exercises(clinic_a):
    counts = services.library_seed(clinic=clinic_a)
    assert counts["exercises"] >= 25 and counts["templates"] == 4
    names = set(PlanTemplate.objects.values_list("name", flat=True))
    assert "Example: 22-day walk–jog–run progression" in names
    assert "Example: interval walk/run in six stages" in names
    assert services.library_seed(clinic=clinic_a) == {"exercises": 0, "templates": 0}


def test_a_plan_never_changes_when_its_template_is_edited_even_while_active(alice, pat, library):
    template = library["low_risk_site"]
    plan = services.plan_assign(
        patient=pat,
        template=template,
        by=alice,
        start_date=patient_today(pat),
        high_risk_site=False,
    )
    plan = services.plan_activate(plan=plan, by=alice)
    content = dict(plan.content)
    spec = template.current_version.spec
    renamed = dataclasses.replace(spec.phase(0), label="Protect the bone")
    services.template_save(template=template, by=alice, content=spec.replace_phase(0, renamed))
    assert template.current_version.number == 2
    assert Plan.objects.get(pk=plan.pk).content == content


def test_today_and_the_done_message_follow_the_clinics_pain_limits(client, alice, pat):
    ClinicProgressionPolicy.objects.create(
        clinic=pat.clinic, overrides={"advance_max_pain": 1, "step_back_pain": 4}
    )
    active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(pat.user)
    assert "site of 1/10 or less" in client.get(reverse("today")).content.decode()
    response = client.post(
        reverse("session_complete"),
        {
            "session": "step",
            "step-submission": uuid.uuid4(),
            "step-site_pain_during": "4",
            "step-effort": "4",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Pain of 4/10 is a sign to ease off" in page  # the clinic steps back at 4
    assert "will step back" not in page


def test_the_next_milestone_says_when_the_therapist_must_approve(client, alice, pat):
    plan = active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(alice)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "Next milestone:" in page and "site pain ≤ 2/10" in page
    assert "and your approval" in page  # the next step leaves the protect phase
    assert "imaging confirms healing" not in page  # a low-risk site: no imaging to confirm
    services.plan_end(plan=plan, by=alice, today=patient_today(pat))
    ClinicProgressionPolicy.objects.create(
        clinic=pat.clinic, overrides={"advance_max_pain": 1, "auto_apply": False}
    )
    steps = [{"code": "a", "label": "Walk 4 / run 1"}, {"code": "b", "label": "Walk 3 / run 2"}]
    content = {"phases": [{"kind": "walk_run", "label": "Walk-run", "steps": steps}]}
    active_plan(pat, start=patient_today(pat), by=alice, content=content)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "site pain ≤ 1/10" in page and "and your approval" in page


def test_the_week_ahead_never_runs_past_a_phase_the_therapist_signs_off(client, alice, pat):
    today = patient_today(pat)
    active_plan(pat, start=today, by=alice)  # SMALL_PLAN: one protect step, then cross-training
    client.force_login(pat.user)
    response = client.get(reverse("today"))
    view = response.context["view"]
    assert {day.phase_index for day in [view.day, *view.week]} == {0}
    page = response.content.decode()
    assert "Cross-train starts only when your therapist signs off" in page
    assert "could start here" not in page


def test_the_coach_reads_that_the_therapist_approves_the_next_move(client, alice, pat, coach_cole):
    active_plan(pat, start=patient_today(pat), by=alice)
    client.force_login(coach_cole)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "and the therapist’s approval" in page and "your approval" not in page


def test_a_high_risk_milestone_names_the_imaging_clearance(client, alice, pat):
    active_plan(pat, start=patient_today(pat), by=alice, high_risk_site=True)
    client.force_login(alice)
    page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
    assert "once you confirm: imaging confirms healing (high-risk site)" in page
