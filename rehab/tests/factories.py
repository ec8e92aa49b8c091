"""Factories for daily logs and alerts, plus `day_log()` to write one day in a line."""

import datetime as dt

import factory
from django.utils import timezone

from rehab.models import RULE_CHOICES, Activity, Alert, AlertOccurrence, DailyLog
from rehab.services import patient_signals_refresh


class DailyLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DailyLog

    date = factory.LazyFunction(dt.date.today)
    site_pain = 1


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    kind = "walk"


def _free_rule(alert) -> str:
    """The first rule without an open alert for the patient (one open alert per rule)."""
    if alert.acknowledged_at is not None:
        return "site_pain_high"
    taken = set(Alert.objects.unacknowledged().filter(patient=alert.patient).values_list("rule"))
    free = [code for code, _label in RULE_CHOICES if (code,) not in taken]
    return free[0] if free else "site_pain_high"


class AlertFactory(factory.django.DjangoModelFactory):
    """An alert with its one occurrence. A patient's first open alert is "site pain high"; more
    open ones take the next rule without one, since a patient has one open alert per rule."""

    class Meta:
        model = Alert
        skip_postgeneration_save = True

    acknowledged_at = None
    rule = factory.LazyAttribute(_free_rule)
    key = factory.LazyAttributeSequence(
        lambda alert, n: f"{alert.rule}:{dt.date(2026, 1, 1) + dt.timedelta(days=n)}"
    )
    reason = "Site pain 6/10 over the day (alert at 5/10)."
    evidence = "D — SEMC; C — Vincent 2022"
    section = "§5 Progression rules"
    dates = factory.LazyAttribute(lambda alert: [alert.last_date.isoformat()])
    first_date = factory.LazyAttribute(
        lambda alert: dt.date.fromisoformat(min(alert.dates)) if alert.dates else alert.last_date
    )
    last_date = factory.LazyFunction(dt.date.today)
    rules_version = "2026.1"

    @factory.post_generation
    def history(alert, create, extracted, **kwargs):
        if create:
            AlertOccurrence.objects.create(
                alert=alert,
                patient=alert.patient,
                key=alert.key,
                reason=alert.reason,
                dates=alert.dates,
                last_date=alert.last_date,
                rules_version=alert.rules_version,
            )
            patient_signals_refresh(alert.patient_id)  # as the services keep it


def day_log(patient, date, pain=1, *, morning=None, during=None, run_m=None, **fields) -> DailyLog:
    """One day's log; `run_m` adds a run of that many metres."""
    log = DailyLogFactory(
        patient=patient,
        date=date,
        site_pain=pain,
        morning_pain=morning,
        activity_pain=during,
        **fields,
    )
    if run_m is not None:
        ActivityFactory(log=log, kind="run", distance_m=run_m, duration_min=30)
    patient_signals_refresh(patient.pk)  # its last log date, as daily_log_save keeps it
    return log


# --- Plans ------------------------------------------------------------------------------------

# A small plan for scenarios: protect (1 step), cross-train (1), walk-run (3 running steps),
# rebuild (1 running step). Sundays are rest days, as in the seeded templates.
SMALL_PLAN = {
    "phases": [
        {
            "kind": "protect",
            "label": "Protect",
            "rest_days": [6],
            "steps": [{"code": "walk_20", "label": "Walk 20", "segments": [
                {"activity": "walk", "minutes": 20}]}],
            "strength": {"days": [0, 3], "exercises": [{
                "code": "glute_bridge", "name": "Glute bridge", "target": "glutes", "sets": 3,
                "reps": "12", "load": "Bodyweight", "instructions": "Lift the hips."}]},
        },
        {
            "kind": "cross_train",
            "label": "Cross-train",
            "rest_days": [6],
            "steps": [{"code": "dwr_30", "label": "Deep-water running 30", "segments": [
                {"activity": "deep_water_running", "minutes": 30}]}],
            "cross": [{"activity": "cycling", "minutes": 30, "effort": "Easy", "days": [2]}],
        },
        {
            "kind": "walk_run",
            "label": "Walk-run",
            "rest_days": [6],
            "steps": [
                {"code": "wr_1", "label": "Walk 4 / run 1", "repeats": 5, "segments": [
                    {"activity": "walk", "minutes": 4}, {"activity": "run", "minutes": 1}]},
                {"code": "wr_2", "label": "Walk 3 / run 2", "repeats": 5, "segments": [
                    {"activity": "walk", "minutes": 3}, {"activity": "run", "minutes": 2}]},
                {"code": "wr_3", "label": "Walk 2 / run 3", "repeats": 5, "segments": [
                    {"activity": "walk", "minutes": 2}, {"activity": "run", "minutes": 3}]},
            ],
        },
        {
            "kind": "rebuild",
            "label": "Rebuild",
            "rest_days": [6],
            "steps": [{"code": "run_30", "label": "Run 30", "segments": [
                {"activity": "run", "minutes": 30}]}],
        },
    ]
}  # fmt: skip


def template_of(clinic, *, content=None, risk_class="low", name="Small plan"):
    from rehab import services
    from rehab.rules.content import content_from_json

    return services.template_create(
        clinic=clinic,
        by=None,
        fields={"name": name, "risk_class": risk_class},
        content=content_from_json(content or SMALL_PLAN),
    )


def active_plan(patient, *, start, by, content=None, high_risk_site=False, **fields):
    """A plan made from a template of `content` (SMALL_PLAN), activated to start on `start`."""
    from rehab import services

    template = template_of(patient.clinic, content=content)
    plan = services.plan_assign(
        patient=patient, template=template, by=by, start_date=start, high_risk_site=high_risk_site
    )
    if fields:
        services.plan_update(plan=plan, by=by, fields=fields)
    return services.plan_activate(plan=plan, by=by)


def place(plan, phase_index: int, step_index: int, *, on):
    """Move an active plan to a step as if it had advanced there on `on` (with its transition)."""
    from rehab.models import PlanTransition

    previous = plan.position
    plan.set_position(phase_index, step_index, on=on)
    plan.save()
    PlanTransition.objects.create(
        plan=plan,
        key=f"placed:{on.isoformat()}:{phase_index}.{step_index}",
        kind="advance",
        date=on,
        from_phase_index=previous[0],
        from_step_index=previous[1],
        to_phase_index=phase_index,
        to_step_index=step_index,
        to_label=plan.step_label,
        phase_label=plan.phase_label,
    )
    return plan


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "rehab.Exercise"

    code = factory.Sequence(lambda n: f"exercise-{n}")
    name = factory.Sequence(lambda n: f"Exercise {n}")
    target = "calves"
    sets = 3
    reps = "12"
    instructions = "Rise onto your toes and lower slowly."


def pending_proposal(plan, **fields):
    """A proposal to advance the plan one step that waits for the therapist's approval."""
    from rehab.models import PlanProposal

    following = plan.next_position()
    return PlanProposal.objects.create(
        plan=plan,
        key=fields.pop("key", "advance:test"),
        action="advance",
        from_phase_index=plan.phase_index,
        from_step_index=plan.step_index,
        to_phase_index=following[0],
        to_step_index=following[1],
        from_label=plan.step_label,
        to_label=plan.spec.step(*following).label,
        reasons=[{"rule": "advance", "text": "Completed 2 times.", "evidence": "", "section": ""}],
        needs_approval=True,
        rules_version="2026.1",
        evaluated_on=plan.start_date,
        status="pending",
        **fields,
    )


def care_task_for_coach(patient, *, by, coach):
    from rehab import services

    return services.care_task_create(
        patient=patient,
        by=by,
        kind="coach_load_planning",
        role="coach",
        title="Load planning hand-off",
        detail="Hold running outside the plan.",
        shared_with="coach",
        assignee=coach,
    )


# --- Follow-up visits -------------------------------------------------------------------------


class VisitFactory(factory.django.DjangoModelFactory):
    """A booked visit in the clinic, two days from now, with the patient's therapist."""

    class Meta:
        model = "rehab.Visit"

    therapist = factory.LazyAttribute(lambda v: v.patient.therapist)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    )
    created_by = factory.LazyAttribute(lambda v: v.therapist)
