"""Whatever is posted to a plan form, the answer is a page with messages or a redirect, never a
500, and nothing invalid is stored."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rehab import services
from rehab.models import Plan, PlanTemplate, SessionCompletion, patient_today
from rehab.tests.factories import active_plan, care_task_for_coach, pending_proposal

junk = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["", " ", "0", "1", "10", "11", "-1", "2.5", "NaN", "Infinity", "1e400", "on", "step",
         "strength", "cross-0", "cross-99", "walk 2, run 3", "run 999", "fly 3", "0.0",
         "2999-12-31", "1800-01-01", "9" * 40, "<script>", "é" * 300, "walk_run", "protect"]
    ),
)  # fmt: skip
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OK = (200, 302, 400)


def clean(data: dict) -> dict:
    return {key: value.replace("\x00", "") for key, value in data.items()}


def fields(*names):
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, junk))


@pytest.fixture
def plan(pat, alice):
    return active_plan(pat, start=patient_today(pat), by=alice)


@FUZZ
@given(data=fields("session", "step-site_pain_during", "step-effort", "step-swelling",
                   "step-limp", "step-note", "strength-site_pain_during"),
       key=st.uuids())  # fmt: skip
def test_marking_a_session_done_never_errors(client, plan, data, key):
    client.force_login(plan.patient.user)
    data = {"step-submission": str(key), **data}
    assert client.post(reverse("session_complete"), clean(data)).status_code in OK
    for done in SessionCompletion.objects.all():
        assert 0 <= done.site_pain_during <= 10


@FUZZ
@given(data=fields("completion", "pain", "submission"), key=st.uuids())
def test_the_morning_check_never_errors(client, plan, data, key):
    client.force_login(plan.patient.user)
    data = {"submission": str(key), **data}
    assert client.post(reverse("morning_check"), clean(data)).status_code in OK


PHASE_FIELDS = [
    "phase-kind", "phase-label", "phase-goal", "phase-entry_criteria", "phase-exit_clearance",
    "phase-weeks", "phase-rest_days", "phase-strength_days", "step-TOTAL_FORMS",
    "step-INITIAL_FORMS", "step-0-label", "step-0-segments", "step-0-repeats", "step-0-distance",
    "step-0-ORDER", "step-0-DELETE", "step-0-code", "step-1-label", "step-1-segments",
    "exercise-TOTAL_FORMS", "exercise-INITIAL_FORMS", "exercise-0-exercise", "exercise-0-sets",
    "exercise-0-reps", "cross-TOTAL_FORMS", "cross-INITIAL_FORMS", "cross-0-activity",
    "cross-0-minutes", "cross-0-days",
]  # fmt: skip


@FUZZ
@given(data=fields(*PHASE_FIELDS))
def test_the_phase_editor_never_errors(client, alice, pat, data):
    services.library_seed(clinic=pat.clinic)
    template = PlanTemplate.objects.filter(clinic=pat.clinic).first()
    client.force_login(alice)
    url = reverse("template_phase_edit", args=[template.pk, 0])
    assert client.post(url, clean(data)).status_code in OK
    template.refresh_from_db()
    assert template.current_version.spec.phases  # what was stored reads back


@FUZZ
@given(data=fields("name", "start_date", "high_risk_site", "baseline_morning_pain", "order_0",
                   "order_1", "remove_0", "remove_1", "add_kind", "add_label"))  # fmt: skip
def test_the_draft_settings_never_error(client, alice, pat, data):
    services.library_seed(clinic=pat.clinic)
    draft = pat.plans.first() or services.plan_assign(
        patient=pat,
        template=PlanTemplate.objects.filter(clinic=pat.clinic).first(),
        by=alice,
        start_date=patient_today(pat),
        high_risk_site=False,
    )
    client.force_login(alice)
    assert client.post(reverse("plan_edit", args=[pat.pk, draft.pk]), clean(data)).status_code in OK
    assert Plan.objects.get(pk=draft.pk).spec.phases


@FUZZ
@given(data=fields("template", "start_date", "high_risk_site", "tasks"))
def test_assigning_a_plan_never_errors(client, alice, pia, data):
    client.force_login(alice)
    response = client.post(reverse("plan_assign", args=[pia.pk]), clean(data))
    assert response.status_code in OK


@FUZZ
@given(data=fields("note", "clearance", "next"))
def test_approving_and_declining_never_error(client, alice, plan, data):
    proposal = plan.proposals.first() or pending_proposal(plan)
    client.force_login(alice)
    for name in ("proposal_approve", "proposal_decline"):
        url = reverse(name, args=[plan.patient_id, proposal.pk])
        assert client.post(url, clean(data)).status_code in OK


@FUZZ
@given(data=fields("position", "note"))
def test_resuming_and_ending_never_error(client, alice, plan, data):
    client.force_login(alice)
    for name in ("plan_resume", "plan_end", "plan_activate"):
        url = reverse(name, args=[plan.patient_id, plan.pk])
        assert client.post(url, clean(data)).status_code in OK


@FUZZ
@given(data=fields("title", "detail", "role", "shared_with", "text"))
def test_care_task_forms_never_error(client, alice, pat, coach_cole, data):
    task = pat.care_tasks.first() or care_task_for_coach(pat, by=alice, coach=coach_cole)
    for person in (alice, coach_cole):
        client.force_login(person)
        assert (
            client.post(reverse("care_task_create", args=[pat.pk]), clean(data)).status_code in OK
        )
        url = reverse("care_task_reply", args=[pat.pk, task.pk])
        assert client.post(url, clean(data)).status_code in OK


@FUZZ
@given(data=fields("advance_max_pain", "advance_after_completions", "step_back_pain",
                   "step_back_window_days", "step_backs_to_stop", "auto_apply"))  # fmt: skip
def test_the_progression_rules_form_never_errors(client, adam, data):
    client.force_login(adam)
    assert client.post(reverse("progression_policy"), clean(data)).status_code in OK
    from rehab.models import progression_thresholds

    progression_thresholds(adam.memberships.get().clinic)  # stored overrides stay valid


@FUZZ
@given(data=fields("name", "target", "sets", "reps", "load", "instructions", "risk_class",
                   "copy_from", "description", "is_archived"))  # fmt: skip
def test_library_forms_never_error(client, alice, data):
    client.force_login(alice)
    assert client.post(reverse("exercise_create"), clean(data)).status_code in OK
    assert client.post(reverse("template_create"), clean(data)).status_code in OK
