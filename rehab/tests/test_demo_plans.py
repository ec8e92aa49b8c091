"""The plans demo: Maya's plan follows her logs, every phase has patients, approvals wait, and
every plan page of the demo renders for the people who use it."""

import pytest
from django.urls import reverse

from clinic import demo
from clinic.models import Patient, User
from rehab.models import (
    CareTask,
    Exercise,
    Plan,
    PlanProposal,
    PlanTemplate,
    PlanTransition,
    SessionCompletion,
    patient_today,
)
from rehab.rules.content import PHASE_KINDS
from rehab.today import today_for


@pytest.fixture
def seeded(db):
    demo.seed()
    return Patient.objects.get(email="patient@demo.example")


def test_mayas_transitions_line_up_with_her_eight_weeks_of_logs(seeded):
    maya = seeded
    plan = maya.plans.get()
    kinds = list(plan.transitions.values_list("kind", flat=True))
    assert kinds[0] == "start" and {"advance", "hold", "step_back", "stop_review"} <= set(kinds)
    assert "resume" in kinds and plan.status == "active" and plan.phase_kind == "walk_run"
    stop = plan.transitions.get(kind="stop_review")
    assert stop.date in set(maya.daily_logs.filter(swelling=True).values_list("date", flat=True))
    left_protect = plan.transitions.get(kind="advance", from_phase_index=0, to_phase_index=1)
    assert left_protect.by == maya.therapist  # leaving protect waited for Dr. Raman
    # Every key session she completed is a day she logged that kind of activity.
    for completion in SessionCompletion.objects.filter(plan=plan, kind="step"):
        assert maya.daily_logs.filter(date=completion.date).exists()
    assert maya.alerts.filter(rule="running_not_allowed").exists()


def test_mayas_today_shows_sessions(seeded):
    view = today_for(seeded, today=patient_today(seeded))
    assert view.state == "active" and view.day.sessions and len(view.week) == 6


def test_the_demo_has_plans_in_every_phase_and_approvals_waiting(seeded):
    kinds = set(Plan.objects.started().values_list("phase_kind", flat=True))
    assert kinds == set(PHASE_KINDS)
    assert {"draft", "review", "completed"} <= set(Plan.objects.values_list("status", flat=True))
    assert PlanProposal.objects.pending().filter(plan__patient__clinic=seeded.clinic).count() >= 2


def test_seeding_again_does_not_duplicate_plans(seeded):
    counts = (Plan.objects.count(), PlanTransition.objects.count(), CareTask.objects.count())
    library = (PlanTemplate.objects.count(), Exercise.objects.count())
    demo.seed()
    assert (
        Plan.objects.count(),
        PlanTransition.objects.count(),
        CareTask.objects.count(),
    ) == counts
    assert (PlanTemplate.objects.count(), Exercise.objects.count()) == library


def test_every_plan_page_of_the_demo_renders(client, seeded):
    maya = seeded
    plan = maya.plans.get()
    template = PlanTemplate.objects.filter(clinic=maya.clinic).first()
    draft = Plan.objects.get(status="draft", patient__clinic=maya.clinic)
    task = CareTask.objects.filter(patient=maya).first()
    pages = {
        "patient@demo.example": [reverse("today"), reverse("patient_home"), reverse("my_progress")],
        "therapist@demo.example": [
            reverse("patient_detail", args=[maya.pk]),
            reverse("plan_detail", args=[maya.pk, plan.pk]),
            reverse("approval_list"),
            reverse("template_list"),
            reverse("template_detail", args=[template.pk]),
            reverse("template_edit", args=[template.pk]),
            reverse("template_phase_edit", args=[template.pk, 0]),
            reverse("exercise_list"),
            reverse("care_tasks", args=[maya.pk]),
            reverse("care_task_detail", args=[maya.pk, task.pk]),
            reverse("care_task_inbox"),
            reverse("plan_detail", args=[draft.patient_id, draft.pk]),
            reverse("plan_edit", args=[draft.patient_id, draft.pk]),
            reverse("plan_phase_edit", args=[draft.patient_id, draft.pk, 1]),
            reverse("caseload"),
        ],
        "admin@demo.example": [reverse("progression_policy")],
        "coach@demo.example": [
            reverse("patient_detail", args=[maya.pk]),
            reverse("care_tasks", args=[maya.pk]),
            reverse("plan_detail", args=[maya.pk, plan.pk]),
        ],
    }
    for email, urls in pages.items():
        client.force_login(User.objects.get(email=email))
        for url in urls:
            assert client.get(url).status_code == 200, (email, url)
