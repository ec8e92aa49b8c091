"""Demo rehab plans. Idempotent: every run replaces the demo patients' plans and care tasks.

Maya Chen's plan is replayed day by day through the real services over her eight weeks of logs:
each day her logged session counts as the plan's key session when it is the kind the step asks
for, the progression engine runs as it would have that day, and Dr. Raman approves what waits for
approval the next morning and resumes the plan after its stop. So her transitions are the
engine's own conclusions from her logs: protect, cross-training, readiness, a walk-run that went
too far (a hold, a step back, a stop for review), a week off running, a careful restart and a
step back yesterday. Other demo patients get plans in every phase, stopped, finished and draft,
and a few proposals wait on the approvals list.
"""

import datetime as dt
import uuid
from collections.abc import Iterable

from clinic.models import Clinic, Patient, User
from intake.models import Intake
from notifications.models import PLAN_KINDS, Delivery
from rehab import demo, services
from rehab.demo import DEMO_PATIENT_ID, Day
from rehab.models import (
    CareNote,
    CareTask,
    Plan,
    PlanStatus,
    PlanTemplate,
    PlanTransition,
    ProposalStatus,
    SessionCompletion,
    SessionKind,
    patient_today,
)
from rehab.rules import library
from rehab.rules.content import CROSS_TRAINING, PlanContent, content_from_json
from rehab.today import session_for, today_for

RUN_KINDS = ("walk_run", "run")
MAYA_RESUMES_AT_OFFSET = 11  # after a week of cross-training while the plan was stopped


def seed(clinics: Iterable[Clinic], stories: dict) -> dict:
    """Plans for the demo clinics' patients; `stories` maps patient id to their demo days."""
    clinics = list(clinics)
    patients = list(Patient.objects.filter(clinic__in=clinics).select_related("clinic", "user"))
    CareTask.objects.filter(patient__in=patients).delete()
    Plan.objects.filter(patient__in=patients).delete()
    for clinic in clinics:
        services.library_seed(clinic=clinic)
    counts = {"plans": 0}
    maya = next((p for p in patients if p.pk == DEMO_PATIENT_ID), None)
    if maya is not None:
        _maya(maya, stories.get(maya.pk, []))
        counts["plans"] += 1
    for clinic in clinics:
        counts["plans"] += _others(clinic, [p for p in patients if p.clinic_id == clinic.pk])
    # The replay told the patients about every change; a demo must not send old news.
    Delivery.objects.filter(patient__in=patients, kind__in=PLAN_KINDS).delete()
    return counts


def _template(clinic: Clinic, code: str) -> PlanTemplate:
    return PlanTemplate.objects.select_related("current_version").get(clinic=clinic, code=code)


# --- Maya ---------------------------------------------------------------------------------------


def _maya_content() -> PlanContent:
    """The low-risk template as Dr. Raman adjusted it for Maya: shorter protect and readiness
    phases, cross-training on either kind of session, and something every day of walk-run."""
    phases = [dict(phase) for phase in library.TEMPLATES["low_risk_site"]["phases"]]
    protect, cross, ready, walk_run = phases[0], phases[1], phases[2], phases[3]
    protect["steps"] = protect["steps"][1:]  # she walked 20 minutes from the first day
    cross["steps"] = [
        {
            "code": "maya_cross",
            "label": "Deep-water running or cycling, 35–40 min",
            "segments": [{"activity": "deep_water_running", "minutes": 35}],
            "repeats": 1,
            "distance_m": None,
            "instructions": "Either one counts. Moderate effort: you could speak in short "
            "sentences.",
        }
    ]
    ready["steps"] = ready["steps"][:1]
    walk_run["rest_days"] = []
    walk_run["strength"] = {**walk_run["strength"], "days": [0, 2, 4, 6]}
    walk_run["cross"] = [
        {"activity": "cycling", "minutes": 30, "effort": "Easy", "days": [1, 3, 5]}
    ]
    return content_from_json({"phases": phases})


def _maya(maya: Patient, story: list[Day]) -> None:
    therapist = maya.therapist
    today = patient_today(maya)
    first = max(day.offset for day in story)
    intake = maya.intakes.filter(status=Intake.Status.DECIDED).order_by("-submitted_at").first()
    template = _template(maya.clinic, "low_risk_site")
    plan = services.plan_assign(
        patient=maya,
        template=template,
        by=therapist,
        start_date=today - dt.timedelta(days=first),
        high_risk_site=False,
        intake=intake,
        site_label=(intake.result.get("site") or {}).get("label", "") if intake else "",
        tasks=services.care_tasks_proposed(intake.result if intake else None, maya),
    )
    services.plan_update(
        plan=plan, by=therapist, fields={"name": "Return to running: Maya"}, content=_maya_content()
    )
    plan = services.plan_activate(plan=plan, by=therapist)
    by_offset = {day.offset: day for day in story}
    for offset in range(first, 0, -1):
        day = today - dt.timedelta(days=offset)
        _therapist_acts(plan, therapist, day, offset)  # in the morning
        entry = by_offset.get(offset)
        if entry is not None:
            _live(plan, maya, entry, day)
        services.plan_evaluate(plan, today=day)  # the nightly run
        plan.refresh_from_db()
    _tasks_in_progress(maya, therapist)
    _backdate(plan, today)


def _live(plan: Plan, maya: Patient, entry: Day, day: dt.date) -> None:
    """One of Maya's days in the order the app sees it: this morning's pain on Today, the
    sessions Today offered and she did, then her daily log in the evening."""
    view = today_for(maya, today=day)
    if view.morning_check is not None and entry.morning is not None:
        services.morning_check(completion=view.morning_check, pain=entry.morning, today=day)
        view = today_for(maya, today=day)
    key = session_for(view, "step")
    activity = _key_activity(key.step, entry.activities) if key else None
    if activity is not None:
        services.session_complete(
            plan=view.plan,
            by=maya.user,
            day=day,
            session="step",
            kind=SessionKind.STEP,
            label=key.title,
            phase_index=view.day.phase_index,
            step_index=key.step_index,
            running=key.running,
            site_pain_during=entry.during if entry.during is not None else entry.pain,
            effort=activity[3],
            swelling=entry.swelling,
            limp=entry.limp,
            note=entry.notes[:500],
            today=day,
        )
    strength = session_for(view, "strength")
    if strength and any(activity[0] == "strength" for activity in entry.activities):
        services.session_complete(
            plan=view.plan,
            by=maya.user,
            day=day,
            session="strength",
            kind=SessionKind.STRENGTH,
            label="Strength",
            phase_index=view.day.phase_index,
            step_index=None,
            running=False,
            site_pain_during=min(entry.pain, 2),
            effort=6,
            today=day,
        )
    demo.write_logs(maya, [entry])


def _therapist_acts(plan: Plan, therapist: User, day: dt.date, offset: int) -> None:
    """Approve what waits for approval; resume the plan after the review."""
    pending = plan.proposals.filter(status=ProposalStatus.PENDING).first()
    if pending is not None:
        services.proposal_approve(
            proposal=pending,
            by=therapist,
            note="Walking is pain-free and the bone is not tender: on to cross-training.",
            clearance_confirmed=True,
            today=day,
        )
    if plan.status == PlanStatus.REVIEW and offset == MAYA_RESUMES_AT_OFFSET:
        walk_run = next(i for i, p in enumerate(plan.spec.phases) if p.kind == "walk_run")
        services.plan_resume(
            plan=plan,
            by=therapist,
            position=(walk_run, 0),
            note="Seen in clinic: no tenderness, hop test pain-free. A week of cross-training "
            "done. Restart at the first walk-run step, every other day.",
            today=day,
        )
    plan.refresh_from_db()


def _key_activity(step, activities) -> tuple | None:
    """The logged activity that is this step's key session, if any: a run for a running step,
    cross-training or a walk for Maya's cross-training step, a walk for a walking step."""
    kinds = {segment.activity for segment in step.segments}
    wanted = {"walk"}
    if step.is_running:
        wanted = set(RUN_KINDS)
    elif kinds & set(CROSS_TRAINING):
        wanted = {*CROSS_TRAINING, "walk"}
    return next((activity for activity in activities if activity[0] in wanted), None)


def _backdate(plan: Plan, today: dt.date) -> None:
    """Rows made by the replay carry today's clock time; give each the evening of its day."""
    activated = dt.datetime.combine(plan.start_date, dt.time(9, 30), tzinfo=dt.UTC)
    Plan.objects.filter(pk=plan.pk).update(activated_at=activated, created_at=activated)
    for transition in plan.transitions.all():
        at = dt.datetime.combine(transition.date, dt.time(7, 45), tzinfo=dt.UTC)
        PlanTransition.objects.filter(pk=transition.pk).update(created_at=at)
    CareTask.objects.filter(plan=plan).update(created_at=activated)
    for n, note in enumerate(CareNote.objects.filter(task__plan=plan).order_by("id"), start=2):
        CareNote.objects.filter(pk=note.pk).update(created_at=activated + dt.timedelta(days=n))
    CareTask.objects.filter(plan=plan, done_at__isnull=False).update(
        done_at=activated + dt.timedelta(days=4)
    )
    for proposal in plan.proposals.all():
        at = dt.datetime.combine(proposal.evaluated_on, dt.time(7, 40), tzinfo=dt.UTC)
        proposal.created_at = at
        if proposal.decided_at:
            proposal.decided_at = at + dt.timedelta(hours=2)
        proposal.save(update_fields=["created_at", "decided_at"])


def _tasks_in_progress(maya: Patient, therapist: User) -> None:
    """The risk profile's tasks, one of them answered by the coach."""
    coach = maya.care_team.filter(role="coach").select_related("user").first()
    handoff = maya.care_tasks.filter(source="coach_collaboration").first()
    if coach and handoff:
        services.care_task_reply(
            task=handoff,
            by=coach.user,
            text="Got it. Maya is off the group's track sessions until you clear her; I'll build "
            "her return weeks around the plan's run days.",
        )
    footwear = maya.care_tasks.filter(source="footwear_check").first()
    if footwear:
        services.care_task_reply(
            task=footwear,
            by=therapist,
            text="Shoes at about 950 km: advised a new pair before the walk-run phase. Done.",
        )
        services.care_task_done(task=footwear, by=therapist)


# --- Everyone else ------------------------------------------------------------------------------

# (kind, phase index or None for a draft, status, high-risk site, wait for approval)
OTHERS = [
    ("low_risk_site", 0, PlanStatus.ACTIVE, False, True),  # leaving protect: waits
    ("high_risk_site", 0, PlanStatus.ACTIVE, True, False),
    ("low_risk_site", 1, PlanStatus.ACTIVE, False, False),
    ("high_risk_site", 3, PlanStatus.ACTIVE, True, True),  # high-risk walk-run: waits
    ("low_risk_site", 2, PlanStatus.ACTIVE, False, False),
    ("example_22_day", 1, PlanStatus.ACTIVE, False, False),
    ("low_risk_site", 4, PlanStatus.ACTIVE, False, False),
    ("example_interval", 1, PlanStatus.REVIEW, False, False),
    ("low_risk_site", 5, PlanStatus.ACTIVE, False, False),
    ("high_risk_site", 1, PlanStatus.ACTIVE, True, True),  # high-risk cross-training: waits
    ("low_risk_site", 5, PlanStatus.COMPLETED, False, False),
    ("low_risk_site", None, PlanStatus.DRAFT, False, False),
]
DAYS_PER_PHASE = 9


def _others(clinic: Clinic, patients: list[Patient]) -> int:
    """Plans in every phase; the ones that wait for approval go to runners whose last days were
    calm (pain ≤ 2/10), so the engine's proposal is to move on."""
    candidates = [
        p for p in patients if p.pk != DEMO_PATIENT_ID and p.discharged_at is None and p.therapist
    ]
    candidates.sort(key=lambda p: (uuid.UUID(str(p.pk)).int % 97, str(p.pk)))
    calm = [p for p in candidates if _calm(p)]
    specs = OTHERS if clinic.slug == "demo-sports-pt" else OTHERS[:6]
    made = 0
    for spec in sorted(specs, key=lambda spec: not spec[4]):
        pool = calm if spec[4] else candidates
        if not pool:
            continue
        patient = pool.pop(0)
        for other in (calm, candidates):
            if patient in other:
                other.remove(patient)
        _plan_for(patient, *spec)
        made += 1
    return made


def _calm(patient: Patient) -> bool:
    since = patient_today(patient) - dt.timedelta(days=6)
    logs = patient.daily_logs.filter(date__gte=since)
    return (
        not logs.filter(site_pain__gt=2).exists()
        and not logs.filter(activity_pain__gt=2).exists()
        and not logs.filter(morning_pain__gt=1).exists()
    )


def _plan_for(patient, code, phase_index, status, high_risk, waits) -> Plan:
    therapist = patient.therapist
    today = patient_today(patient)
    days_in = DAYS_PER_PHASE * ((phase_index or 0) + 1)
    plan = services.plan_assign(
        patient=patient,
        template=_template(patient.clinic, code),
        by=therapist,
        start_date=today - dt.timedelta(days=days_in) if phase_index is not None else today,
        high_risk_site=high_risk,
    )
    if status == PlanStatus.DRAFT:
        return plan
    plan = services.plan_activate(plan=plan, by=therapist)
    for index in range(1, phase_index + 1):
        _advance_to(plan, (index, 0), today - dt.timedelta(days=days_in - DAYS_PER_PHASE * index))
    if waits:
        _two_good_sessions(plan, patient, today)
    elif status == PlanStatus.REVIEW:
        _stopped(plan, patient, today)
    elif status == PlanStatus.COMPLETED:
        last = plan.spec.positions()[-1]
        _advance_to(plan, last, today - dt.timedelta(days=4))
        Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.COMPLETED)
        PlanTransition.objects.create(
            plan=plan,
            key="complete:demo",
            kind="complete",
            date=today - dt.timedelta(days=1),
            from_phase_index=last[0],
            from_step_index=last[1],
            to_phase_index=last[0],
            to_step_index=last[1],
            to_label=plan.step_label,
            phase_label=plan.phase_label,
            reasons=[_reason("The last step is done.", "plan_complete")],
        )
    return plan


def _reason(text: str, rule: str = "advance") -> dict:
    return {
        "rule": rule,
        "text": text,
        "evidence": "Policy from C/D sources",
        "section": "§5 Progression rules",
    }


def _advance_to(plan: Plan, position: tuple[int, int], day: dt.date) -> None:
    """A demo history: the plan advanced into this phase on `day`."""
    previous = plan.position
    plan.set_position(*position, on=day)
    plan.save()
    PlanTransition.objects.create(
        plan=plan,
        key=f"advance:demo:{position[0]}.{position[1]}",
        kind="advance",
        date=day,
        from_phase_index=previous[0],
        from_step_index=previous[1],
        to_phase_index=position[0],
        to_step_index=position[1],
        to_label=f"{plan.phase_label} · {plan.step_label}",
        phase_label=plan.phase_label,
        reasons=[
            _reason(
                "Completed 2 times in a row with site pain ≤ 2/10 during and next morning, no "
                "swelling or limp."
            )
        ],
    )


def _two_good_sessions(plan: Plan, patient: Patient, today: dt.date) -> None:
    """Two pain-free key sessions and the mornings after: the engine proposes moving on, and
    (high-risk site, or leaving protect) it waits on the approvals list."""
    step = plan.step
    for offset in (3, 1):
        day = today - dt.timedelta(days=offset)
        SessionCompletion.objects.create(
            plan=plan,
            date=day,
            session="step",
            kind=SessionKind.STEP,
            phase_index=plan.phase_index,
            step_index=plan.step_index,
            label=step.label,
            running=step.is_running,
            site_pain_during=1,
            effort=5,
            next_morning_pain=1,
            created_by=patient.user,
        )
    plan.step_started_on = today - dt.timedelta(days=4)
    plan.baseline_morning_pain = 1
    plan.save(update_fields=["step_started_on", "baseline_morning_pain"])
    services.plan_evaluate(plan, today=today)


def _stopped(plan: Plan, patient: Patient, today: dt.date) -> None:
    """Two step-backs within 14 days: the engine stops the plan and alerts the therapist."""
    plan.set_position(plan.phase_index, 2, on=today - dt.timedelta(days=8))
    plan.save()
    for offset, pain in ((6, 5), (2, 6)):
        day = today - dt.timedelta(days=offset)
        plan.refresh_from_db()
        services.session_complete(
            plan=plan,
            by=patient.user,
            day=day,
            session="step",
            kind=SessionKind.STEP,
            label=plan.step.label,
            phase_index=plan.phase_index,
            step_index=plan.step_index,
            running=plan.step.is_running,
            site_pain_during=pain,
            effort=7,
            swelling=pain >= 6,
            today=day,
        )
