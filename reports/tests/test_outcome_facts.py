"""The per-patient outcome facts: the writes keep them current in their own transaction, and the
rebuild (the command) works out the same rows from scratch."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from clinic.services import patient_owner_set
from clinic.tests import factories
from intake import services as intake_services
from intake.models import IntakeDecision
from rehab import services
from rehab.models import patient_today
from rehab.tests.factories import active_plan
from reports.models import OutcomeFacts, PlanState
from reports.outcome_facts import outcome_facts_rebuild
from reports.tests.factories import episode


def facts(patient) -> OutcomeFacts:
    return OutcomeFacts.objects.get(patient=patient)


def save_log(patient, day, *, pain=0, run_m=None, walk_m=None, log=None):
    activities = []
    if run_m:
        activities.append({"kind": "run", "distance_m": run_m})
    if walk_m:
        activities.append({"kind": "walk", "distance_m": walk_m})
    return services.daily_log_save(
        patient=patient,
        by=patient.user,
        log=log,
        fields={"date": day, "site_pain": pain},
        activities=activities,
        today=patient_today(patient),
    )


def snapshot(patient) -> dict:
    return model_to_dict(facts(patient), exclude=["updated_at"])


@pytest.fixture
def day0(pat):
    episode(pat, intake_days_ago=20, weekly_km=(5,))
    return patient_today(pat) - dt.timedelta(days=20)


def test_a_plan_starting_opens_rehab_and_a_saved_run_is_the_first_run(pat, alice, day0):
    save_log(pat, day0 + dt.timedelta(days=1), pain=3, run_m=3000)  # before the plan: not counted
    assert facts(pat).first_run is None and facts(pat).rehab_from is None
    plan = active_plan(pat, start=day0 + dt.timedelta(days=4), by=alice)
    row = facts(pat)
    assert (row.plan_state, row.phase_kind) == (PlanState.UNDER_WAY, "protect")
    assert row.rehab_from == day0 + dt.timedelta(days=4)
    save_log(pat, day0 + dt.timedelta(days=6), walk_m=2000)
    log = save_log(pat, day0 + dt.timedelta(days=9), run_m=5000)
    row = facts(pat)
    assert (row.days_to_pain_free_walk, row.days_to_first_run) == (6, 9)
    assert row.days_to_full_volume == 9  # 5 km in a week: the 5 km a week before the injury
    services.daily_log_delete(log=log, by=pat.user, today=patient_today(pat))
    assert facts(pat).first_run is None
    services.plan_end(plan=plan, by=alice, today=patient_today(pat))
    assert facts(pat).plan_state == PlanState.ENDED and facts(pat).phase_kind == ""


def test_a_running_session_marked_done_is_the_first_run(pat, alice, day0):
    plan = active_plan(pat, start=day0 + dt.timedelta(days=2), by=alice)
    services.session_complete(
        plan=plan,
        by=pat.user,
        day=day0 + dt.timedelta(days=5),
        session="step",
        kind="step",
        label="Walk 4 / run 1",
        phase_index=0,
        step_index=0,
        running=True,
        site_pain_during=0,
        effort=3,
        today=patient_today(pat),
    )
    assert facts(pat).days_to_first_run == 5


def test_deciding_rehab_starts_the_milestones_and_counts_the_patient_treated(pat, alice, day0):
    save_log(pat, day0 + dt.timedelta(days=3), run_m=1000)
    intake = pat.intakes.get()
    assert (facts(pat).open_intake, facts(pat).treated) == (True, False)
    intake_services.intake_decide(
        intake=intake,
        kind=IntakeDecision.Kind.START_REHAB,
        notes="",
        follow_up_on=None,
        actor=alice,
    )
    row = facts(pat)
    assert (row.open_intake, row.treated, row.rehab_from) == (False, True, patient_today(pat))
    assert row.first_run is None  # the run on day 3 came before the decision (today)


def test_a_new_intake_after_rehab_is_a_recurrence_and_day_zero_moves(pat, alice, day0):
    intake = pat.intakes.get()
    IntakeDecision.objects.create(intake=intake, kind=IntakeDecision.Kind.START_REHAB)
    again = episode(pat, intake_days_ago=2)
    again.status = "draft"
    again.save()
    intake_services.intake_submit(intake=again)
    row = facts(pat)
    assert (row.recurrences, row.treated, row.open_intake) == (1, True, True)
    assert row.day0 == patient_today(pat)  # submitted now


def test_a_plan_started_before_the_intake_counts_from_day_zero(pat, alice, day0):
    active_plan(pat, start=day0 - dt.timedelta(days=10), by=alice)
    save_log(pat, day0 - dt.timedelta(days=2), run_m=2000)  # before the intake
    save_log(pat, day0 + dt.timedelta(days=3), run_m=2000)
    row = facts(pat)
    assert row.rehab_from == day0 and row.days_to_first_run == 3


def test_the_rebuild_works_out_the_rows_the_writes_kept(pat, pia, alice, day0):
    active_plan(pat, start=day0 + dt.timedelta(days=1), by=alice)
    save_log(pat, day0 + dt.timedelta(days=2), walk_m=3000)
    save_log(pat, day0 + dt.timedelta(days=5), run_m=5000)
    kept = snapshot(pat)
    OutcomeFacts.objects.all().delete()
    call_command("outcome_facts_rebuild", stdout=io.StringIO())
    assert snapshot(pat) == kept
    assert facts(pia).plan_state == PlanState.NONE  # every patient gets a row
    assert outcome_facts_rebuild() == OutcomeFacts.objects.count()  # and again: the same rows
    assert snapshot(pat) == kept


def test_the_rebuild_can_be_limited_to_one_clinic(pat, bea, clinic_a):
    call_command("outcome_facts_rebuild", clinic=clinic_a.slug, stdout=io.StringIO())
    assert OutcomeFacts.objects.filter(patient=pat).exists()
    assert not OutcomeFacts.objects.filter(patient=bea).exists()
    with pytest.raises(CommandError):
        call_command("outcome_facts_rebuild", clinic="no-such-clinic")


def test_a_discharge_and_a_new_therapist_reach_the_row(client, pat, alice, clinic_a, day0):
    ben = factories.member(clinic_a, "therapist", email="ben@alder.example", full_name="Ben Ruiz")
    patient_owner_set(patient=pat, therapist=ben, actor=alice)
    assert facts(pat).therapist_id == ben.pk
    client.force_login(alice)
    client.post(reverse("patient_discharge", args=[pat.pk]))
    assert facts(pat).discharged is True
    client.post(reverse("patient_discharge", args=[pat.pk]))
    assert facts(pat).discharged is False


def test_the_nightly_job_repairs_a_row_an_edit_bypassed(pat, alice, day0):
    from clinic.celery import BEAT_SCHEDULE
    from reports import tasks

    active_plan(pat, start=day0 + dt.timedelta(days=1), by=alice)
    save_log(pat, day0 + dt.timedelta(days=5), run_m=5000)
    kept = snapshot(pat)
    OutcomeFacts.objects.filter(patient=pat).update(first_run=None, days_to_first_run=None)
    assert snapshot(pat) != kept  # as an edit in the admin would leave it
    assert tasks.outcome_facts_rebuild_nightly.apply().get() >= 1
    assert snapshot(pat) == kept
    job = BEAT_SCHEDULE["outcome-facts-rebuild-nightly"]
    assert job["task"] == "reports.tasks.outcome_facts_rebuild_nightly"
