"""Plan workflows: the library, templates and their versions, assignment, the draft, activation,
completed sessions, and the progression engine's proposals, approvals and transitions.

Every write runs in one transaction. The engine runs in the transaction of whatever gave it new
evidence (a completed session, a saved or deleted daily log) and nightly; each run locks the plan
row, and every proposal and transition is unique on (plan, key), so running it twice never moves
a plan twice. Plan changes tell the patient through `notifications.services.notify_patient`
in the same transaction (it sends on commit).
"""

import dataclasses
import datetime as dt
import statistics
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from clinic.models import Clinic, Patient, User
from rehab.models import (
    PLAN_STOPPED,
    ClinicAlertPolicy,
    DailyLog,
    Exercise,
    Plan,
    PlanProposal,
    PlanStatus,
    PlanTemplate,
    PlanTransition,
    ProposalStatus,
    SessionCompletion,
    SessionKind,
    TemplateVersion,
    TransitionKind,
    patient_today,
    progression_thresholds,
)
from rehab.rules import alerts as alert_rules
from rehab.rules import imaging_grade, library, load, progression
from rehab.rules.alerts import ALERT_POLICY_DEFAULTS
from rehab.rules.content import ContentError, PlanContent, content_from_json
from rehab.services import alerts
from reports.outcome_facts import outcome_facts_refresh

Action = progression.Action
RECENT_TRANSITIONS_DAYS = 60  # progression.PlanState: "the last 60 days" are enough
HIGH_RISK_RED_FLAGS = frozenset({"femoral_neck", "high_risk_site"})
# §5 readiness: "imaging-confirmed healing for high-risk sites"; §2: therapist sign-off.
HIGH_RISK_PROTECT_CLEARANCE = (
    "Imaging confirms healing (high-risk site), and the therapist signs off"
)


class PlanError(Exception):
    """A plan workflow cannot go ahead; str() says why, for the person who asked."""


class OwnerMissing(PlanError):
    """Activation would leave the patient without a responsible therapist: choose one."""


# --- The library ------------------------------------------------------------------------------


def library_seed(*, clinic: Clinic) -> dict:
    """Give the clinic the starter exercises and templates it does not have yet. Idempotent.

    Rows the clinic already has (by code) are left alone, so its own edits stay.
    """
    with transaction.atomic():
        known = set(clinic.exercises.values_list("code", flat=True))
        Exercise.objects.bulk_create(
            Exercise(
                clinic=clinic,
                code=code,
                name=name,
                target=target,
                sets=sets,
                reps=reps,
                load=load_text,
                instructions=instructions,
            )
            for code, (name, target, sets, reps, load_text, instructions) in (
                library.EXERCISES.items()
            )
            if code not in known
        )
        existing = set(clinic.plan_templates.values_list("code", flat=True))
        created = 0
        for code, spec in library.TEMPLATES.items():
            if code in existing:
                continue
            template_create(
                clinic=clinic,
                by=None,
                fields={
                    "code": code,
                    "name": spec["name"],
                    "description": spec["description"],
                    "risk_class": spec["risk_class"],
                },
                content=content_from_json({"phases": spec["phases"]}),
                note=f"Starter library {library.LIBRARY_VERSION}",
            )
            created += 1
    return {"exercises": len(library.EXERCISES) - len(known), "templates": created}


def library_ensure(clinic: Clinic) -> None:
    """Seed a clinic's library the first time anyone in it needs one (a new clinic has none)."""
    if clinic is not None and not clinic.plan_templates.exists():
        library_seed(clinic=clinic)


# --- Templates --------------------------------------------------------------------------------


def template_create(
    *, clinic: Clinic, by: User | None, fields: dict, content: PlanContent, note: str = ""
) -> PlanTemplate:
    """A new template with its first version."""
    with transaction.atomic():
        template = PlanTemplate.objects.create(clinic=clinic, **fields)
        _new_version(template, content, by=by, note=note or "Created")
    return template


def template_save(
    *,
    template: PlanTemplate,
    by: User,
    fields: dict | None = None,
    content: PlanContent | None = None,
    note: str = "",
) -> TemplateVersion | None:
    """Change a template. New content saves a new version; plans made from earlier versions keep
    their own copy. Returns the new version, or None when the content did not change."""
    with transaction.atomic():
        locked = PlanTemplate.objects.select_for_update().get(pk=template.pk)
        for name, value in (fields or {}).items():
            setattr(locked, name, value)
        locked.save()
        version = None
        current = locked.current_version
        if content is not None and (current is None or content.to_json() != current.content):
            version = _new_version(locked, content, by=by, note=note)
    template.refresh_from_db()
    return version


def _new_version(
    template: PlanTemplate, content: PlanContent, *, by: User | None, note: str
) -> TemplateVersion:
    content = content_from_json(content.to_json())  # never store what cannot be read back
    number = (template.versions.order_by("-number").values_list("number", flat=True).first()) or 0
    version = TemplateVersion.objects.create(
        template=template, number=number + 1, content=content.to_json(), note=note, created_by=by
    )
    template.current_version = version
    template.save(update_fields=["current_version"])
    return version


# --- Assignment -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SiteRisk:
    """What the intake says about the injury site, for choosing a template."""

    risk: str  # "high", "low", or "" when unknown
    label: str  # the confirmed site, or ""
    reason: str  # why, in words

    @property
    def high(self) -> bool:
        return self.risk == "high"


def intake_site_risk(result: dict | None) -> SiteRisk:
    """The risk class from the confirmed site (intake result `site.risk`), or high when a
    high-risk red flag fired (clinical reference §2, §3)."""
    result = result or {}
    site = result.get("site") or {}
    flags = [
        flag for flag in result.get("red_flags") or [] if flag.get("code") in HIGH_RISK_RED_FLAGS
    ]
    label = str(site.get("label") or "")
    if flags:
        title = flags[0].get("title") or flags[0].get("code")
        return SiteRisk("high", label, f"Red flag: {title}.")
    if site.get("risk") in ("high", "low"):
        return SiteRisk(
            site["risk"], label, f"{label} is a {site['risk']}-risk site (clinical reference §3)."
        )
    return SiteRisk("", label, "No site confirmed yet: choose the template yourself.")


def template_proposed(templates: Iterable[PlanTemplate], risk: SiteRisk) -> PlanTemplate | None:
    """The template for the site's risk class: the first of that class, else None."""
    templates = list(templates)
    if not risk.risk:
        return None
    return next((t for t in templates if t.risk_class == risk.risk), None)


def intake_imaging_advice(intake) -> imaging_grade.ProtectAdvice | None:
    """What the intake's examination imaging (status, and the rule set's result, system and
    grade in the stored score) asks of the protect phase; None when nothing."""
    if intake is None or not intake.imaging_status:
        return None
    imaging = (intake.result or {}).get("imaging") or {}
    return imaging_grade.protect_advice(
        status=intake.imaging_status,
        result=imaging.get("result"),
        system=imaging.get("grade_system"),
        system_label=GRADE_SYSTEM_LABELS.get(imaging.get("grade_system"), ""),
        grade=imaging.get("grade"),
    )


GRADE_SYSTEM_LABELS = {
    "kaeding_miller": "Kaeding–Miller",
    "fredericson": "Fredericson",
    "arendt": "Arendt",
}


def _graded_content(content: dict, advice: imaging_grade.ProtectAdvice | None) -> dict:
    """The content with its first protect phase set as the imaging advises."""
    if advice is None:
        return content
    spec = content_from_json(content)
    for index, phase in enumerate(spec.phases):
        if phase.kind == progression.PhaseKind.PROTECT:
            fields = imaging_grade.protect_phase_fields(phase.weeks, phase.exit_clearance, advice)
            spec = spec.replace_phase(index, dataclasses.replace(phase, **fields))
            return spec.to_json()
    return content


def plan_assign(
    *,
    patient: Patient,
    template: PlanTemplate,
    by: User,
    start_date: dt.date,
    high_risk_site: bool,
    intake=None,
    site_label: str = "",
    tasks: Iterable[dict] = (),
) -> Plan:
    """A draft plan for the patient from the template's current version, and its care tasks.

    The plan copies the version's content, so later template edits never change it. Raises
    PlanError when the patient already has a draft or a plan under way.
    """
    from rehab.services.care import care_task_create

    version = template.current_version
    if version is None:
        raise PlanError("This template has no saved version yet.")
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        current = patient.plans.open().first()
        if current is not None:
            raise PlanError(
                f"{patient.full_name} already has a plan ({current.get_status_display().lower()})."
                " Open it, or end it first."
            )
        plan = Plan(
            patient=patient,
            template_version=version,
            intake=intake,
            name=template.name,
            content=_graded_content(version.content, intake_imaging_advice(intake)),
            high_risk_site=high_risk_site,
            site_label=site_label[:120],
            start_date=start_date,
            created_by=by,
        )
        plan.set_position(0, 0, on=None)
        plan.save()
        for task in tasks:
            care_task_create(patient=patient, plan=plan, by=by, **task)
    return plan


def plan_update(
    *, plan: Plan, by: User, fields: dict | None = None, content: PlanContent | None = None
) -> Plan:
    """Change a draft plan for this patient: dates, risk, steps, sessions and exercises."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if not locked.is_draft:
            raise PlanError("Only a draft plan can be edited. This plan has started.")
        for name, value in (fields or {}).items():
            setattr(locked, name, value)
        if content is not None:
            locked.set_content(content)
        locked.save()
    return locked


def plan_activate(*, plan: Plan, by: User, therapist: User | None = None) -> Plan:
    """Start the draft: the patient sees it from its start date, and the engine runs on it.

    A patient without a responsible therapist gets one: `therapist` if given, else `by` when
    they are a therapist of the clinic. Otherwise activation is refused (OwnerMissing): a plan
    under way raises alerts and approvals that must reach a person.
    """
    with transaction.atomic():
        locked = _locked(plan)
        if not locked.is_draft:
            raise PlanError("This plan is already active.")
        try:
            content_from_json(locked.content)
        except ContentError as error:
            raise PlanError(f"Fix the plan first: {error}") from error
        if locked.patient.plans.started().exists():
            raise PlanError("The patient already follows another plan. End it first.")
        _ensure_owner(locked.patient, by=by, therapist=therapist)
        locked.status, locked.activated_at, locked.activated_by = (
            PlanStatus.ACTIVE,
            timezone.now(),
            by,
        )
        locked.set_position(0, 0, on=locked.start_date)
        locked.save()
        _record(
            locked,
            kind=TransitionKind.START,
            key="start",
            on=locked.start_date,
            from_position=None,
            reasons=[_note_reason("Plan activated by the therapist.")],
            by=by,
        )
        _notify(
            locked,
            "plan_approved",
            key=f"plan:{locked.pk}:start",
            context={"plan": locked.name, "reason": f"It starts on {_day(locked.start_date)}."},
        )
        outcome_facts_refresh(locked.patient_id)
    return locked


def _ensure_owner(patient: Patient, *, by: User, therapist: User | None) -> None:
    from clinic.services import OwnerError, patient_owner_default, patient_owner_set

    if patient.therapist_id is not None and patient.therapist.is_active:
        return
    if therapist is not None:
        try:
            patient_owner_set(patient=patient, therapist=therapist, actor=by)
        except OwnerError as error:
            raise OwnerMissing(str(error)) from error
        return
    if not patient_owner_default(patient=patient, actor=by):
        raise OwnerMissing(
            f"Choose {patient.first_name}'s responsible physical therapist first: nobody would "
            "see the plan's alerts and approvals."
        )


def plan_end(*, plan: Plan, by: User, note: str = "", today: dt.date) -> None:
    """Discard a draft, or end a plan under way (its history stays)."""
    with transaction.atomic():
        locked = _locked(plan)
        if locked.is_draft:
            locked.care_tasks.update(plan=None)
            locked.delete()
            return
        if not locked.is_started:
            raise PlanError("This plan has already ended.")
        _supersede_pending(locked)
        previous = locked.position
        locked.status, locked.ended_at = PlanStatus.ENDED, timezone.now()
        locked.save()
        _record(
            locked,
            kind=TransitionKind.END,
            key="end",
            on=today,
            from_position=previous,
            reasons=[_note_reason("Plan ended by the therapist.")],
            by=by,
            note=note,
        )
        outcome_facts_refresh(locked.patient_id)


def plan_resume(
    *, plan: Plan, by: User, position: tuple[int, int], note: str, today: dt.date
) -> Plan:
    """Restart a plan the engine stopped for review, at the step the therapist chose."""
    with transaction.atomic():
        locked = _locked(plan)
        if locked.status != PlanStatus.REVIEW:
            raise PlanError("Only a plan stopped for review can be resumed.")
        if position not in locked.spec.positions():
            raise PlanError("Choose a step of this plan.")
        previous = locked.position
        locked.status = PlanStatus.ACTIVE
        locked.set_position(*position, on=today)
        locked.save()
        count = locked.transitions.count()
        transition = _record(
            locked,
            kind=TransitionKind.RESUME,
            key=f"resume:{today.isoformat()}:{count}",
            on=today,
            from_position=previous,
            reasons=[_note_reason("Resumed by the therapist after a review.")],
            by=by,
            note=note,
        )
        _notify(
            locked,
            "plan_approved",
            key=f"transition:{transition.pk}",
            context={"plan": locked.step_label, "reason": "Your therapist resumed your plan."},
        )
        outcome_facts_refresh(locked.patient_id)
    return locked


def _locked(plan: Plan) -> Plan:
    alerts.patient_lock(plan.patient_id)  # the patient's row first, as every writer takes it
    return (
        Plan.objects.select_for_update(of=("self",))
        .select_related("patient", "patient__clinic", "patient__user")
        .get(pk=plan.pk)
    )


# --- Sessions ---------------------------------------------------------------------------------


def session_complete(
    *,
    plan: Plan,
    by: User,
    day: dt.date,
    session: str,
    kind: str,
    label: str,
    phase_index: int,
    step_index: int | None,
    running: bool,
    site_pain_during: int,
    effort: int | None,
    swelling: bool = False,
    limp: bool = False,
    note: str = "",
    today: dt.date,
) -> SessionCompletion:
    """Mark a session of `day` done (again: the report replaces the earlier one), then let the
    engine judge the plan with the new evidence, in the same transaction."""
    with transaction.atomic():
        completion, _ = SessionCompletion.objects.update_or_create(
            plan=plan,
            date=day,
            session=session,
            defaults={
                "kind": kind,
                "label": label[:160],
                "phase_index": phase_index,
                "step_index": step_index,
                "running": running,
                "site_pain_during": site_pain_during,
                "effort": effort,
                "swelling": swelling,
                "limp": limp,
                "note": note,
                "created_by": by,
            },
        )
        plan_evaluate(plan, today=today)
        outcome_facts_refresh(plan.patient_id)
    return completion


def morning_check(*, completion: SessionCompletion, pain: int, today: dt.date) -> SessionCompletion:
    """The patient's pain on waking after a key session: how the bone took it (§5)."""
    with transaction.atomic():
        completion.next_morning_pain = pain
        completion.save(update_fields=["next_morning_pain", "updated_at"])
        plan_evaluate(completion.plan, today=today)
    return completion


# --- The engine -------------------------------------------------------------------------------


def plan_evaluate(
    plan: Plan, *, today: dt.date, recent: tuple[dt.date, list[DailyLog]] | None = None
) -> PlanProposal | None:
    """Run the progression engine on an active plan as of `today` and act on its proposal.

    Idempotent: the same evidence gives the same key, which is stored once. A proposal that
    needs approval waits (one per plan); others apply at once. Returns the stored proposal, or
    None when the engine only says "not yet".

    `recent`: (first day, logs) the caller read already, every log of the patient from that day
    to `today` with its activities (a daily-log save has them): the engine reads them from there
    when its own window starts on or after that day.
    """
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.ACTIVE or today < plan.start_date:
            return None
        state = engine_state(plan, today=today)
        logs = engine_logs(plan, state=state, today=today, recent=recent)
        proposal = progression.propose(
            state, logs, thresholds=progression_thresholds(plan.patient.clinic), today=today
        )
        return _act_on(plan, state, proposal, today=today)


def plan_evaluate_for_patient(patient: Patient, *, today: dt.date) -> PlanProposal | None:
    """Evaluate the patient's active plan, if any: after their daily log changed."""
    plan = patient.plans.filter(status=PlanStatus.ACTIVE).first()
    return plan_evaluate(plan, today=today) if plan else None


def plans_evaluate_all(today: dt.date | None = None) -> int:
    """Evaluate every active plan as of its patient's today (or `today`): the nightly job's work.

    One transaction per plan, so an error in one never undoes the others (it is raised, not
    swallowed). Safe to run twice. Returns how many plans were evaluated.
    """
    count = 0
    plans = Plan.objects.filter(status=PlanStatus.ACTIVE, patient__discharged_at__isnull=True)
    for plan in plans.select_related("patient").order_by("pk").iterator(chunk_size=200):
        plan_evaluate(plan, today=today or patient_today(plan.patient))
        count += 1
    return count


def engine_state(plan: Plan, *, today: dt.date) -> progression.PlanState:
    """The plan as the engine reads it: position, this step's completions, recent changes."""
    completions = plan.completions.filter(
        kind=SessionKind.STEP,
        phase_index=plan.phase_index,
        step_index=plan.step_index,
        date__gte=plan.step_started_on,
        date__lte=today,
    )
    transitions = plan.transitions.filter(
        date__gte=today - dt.timedelta(days=RECENT_TRANSITIONS_DAYS),
        kind__in=(TransitionKind.STEP_BACK, TransitionKind.STOP_REVIEW, TransitionKind.RESUME),
    )
    return progression.PlanState(
        phases=plan.spec.engine_phases(),
        phase_index=plan.phase_index,
        step_index=plan.step_index,
        step_started_on=plan.step_started_on,
        high_risk_site=plan.high_risk_site,
        completions=tuple(c.as_completion() for c in completions),
        transitions=tuple(t.as_engine_transition() for t in transitions),
        baseline_morning_pain=_baseline(plan),
        new_red_flags=_new_red_flags(plan),
    )


def engine_logs(
    plan: Plan,
    *,
    state: progression.PlanState,
    today: dt.date,
    recent: tuple[dt.date, list[DailyLog]] | None = None,
) -> list[load.DayLog]:
    """The daily logs the engine judges, with the pain of strength and cross-training sessions
    folded in: site pain during any session is site pain (the key session is judged on its own
    as a completion). `recent`: as for `plan_evaluate`."""
    since = min([state.step_started_on, *(c.date for c in state.completions)])
    since -= dt.timedelta(days=1)
    if recent is not None and recent[0] <= since:
        rows = [log for log in recent[1] if since <= log.date <= today]
    else:
        rows = plan.patient.daily_logs.filter(date__gte=since, date__lte=today).prefetch_related(
            "activities"
        )
    logs = {log.date: log.as_day_log() for log in sorted(rows, key=lambda log: log.date)}
    supporting = plan.completions.filter(date__gte=since, date__lte=today).exclude(
        kind=SessionKind.STEP
    )
    for completion in supporting:
        log = logs.get(completion.date) or load.DayLog(date=completion.date)
        pains = [p for p in (log.activity_pain, completion.site_pain_during) if p is not None]
        logs[completion.date] = dataclasses.replace(
            log,
            activity_pain=max(pains),
            swelling=log.swelling or completion.swelling,
            limp=log.limp or completion.limp,
        )
    return [logs[day] for day in sorted(logs)]


def _baseline(plan: Plan) -> float | None:
    """The plan's recorded baseline, else the median morning pain of the patient's first logs
    (the alert rules' baseline, read from the whole history so it does not drift)."""
    if plan.baseline_morning_pain is not None:
        return plan.baseline_morning_pain
    policy = ClinicAlertPolicy.objects.filter(clinic_id=plan.patient.clinic_id).first()
    first_n = (
        policy.thresholds()["baseline_logs"]
        if policy
        else ALERT_POLICY_DEFAULTS["baseline_logs"].value
    )
    mornings = list(
        DailyLog.objects.filter(patient_id=plan.patient_id, morning_pain__isnull=False)
        .order_by("date")
        .values_list("morning_pain", flat=True)[:first_n]
    )
    return statistics.median(mornings) if mornings else None


def _new_red_flags(plan: Plan) -> tuple[str, ...]:
    """Red flags of intakes submitted since the plan started or last resumed (§5: any new red
    flag stops the plan)."""
    if plan.activated_at is None:
        return ()
    since = plan.activated_at
    resumed = plan.transitions.filter(kind=TransitionKind.RESUME).order_by("-created_at").first()
    if resumed is not None:
        since = max(since, resumed.created_at)
    flags = []
    for result in plan.patient.intakes.filter(submitted_at__gt=since).values_list(
        "result", flat=True
    ):
        flags += [flag["code"] for flag in (result or {}).get("red_flags") or []]
    return tuple(dict.fromkeys(flags))


def _act_on(
    plan: Plan,
    state: progression.PlanState,
    proposal: progression.Proposal,
    *,
    today: dt.date,
) -> PlanProposal | None:
    routine = proposal.action == Action.HOLD and all(
        reason.rule == progression.NOT_YET.code for reason in proposal.reasons
    )
    if routine:
        return None  # "not yet": nothing changed, any proposal waiting for approval still stands
    pending = plan.proposals.pending().first()
    if proposal.action == Action.HOLD:
        key = f"hold:{_here(plan)}"
        if pending is not None and pending.action in (Action.ADVANCE, Action.COMPLETE):
            # Pain since it was proposed: the move forward no longer stands, whether or not
            # this step's hold was recorded before.
            _supersede_pending(plan)
    else:
        key = f"{proposal.action}:{_here(plan)}:{_basis(state)}"
    if proposal.needs_approval:
        same = pending and (pending.action, pending.to_phase_index, pending.to_step_index) == (
            proposal.action,
            proposal.phase_index,
            proposal.step_index,
        )
        if same:
            return pending
        stored = plan.proposals.filter(key=key).first()
        if stored is not None:  # declined before, on this same evidence
            return stored
        _supersede_pending(plan)
        return _store(plan, proposal, key=key, today=today, status=ProposalStatus.PENDING)
    if plan.proposals.filter(key=key).exists():
        return None  # applied already: a nightly run after the on-save one
    _supersede_pending(plan)
    stored = _store(plan, proposal, key=key, today=today, status=ProposalStatus.APPLIED)
    _apply(plan, stored, today=today, by=None)
    return stored


def _here(plan: Plan) -> str:
    return f"{plan.phase_index}.{plan.step_index}:{plan.step_started_on.isoformat()}"


def _basis(state: progression.PlanState) -> str:
    latest = max((c.date for c in state.completions), default=None)
    return latest.isoformat() if latest else "none"


def _store(
    plan: Plan, proposal: progression.Proposal, *, key: str, today: dt.date, status: str
) -> PlanProposal:
    target = (proposal.phase_index, proposal.step_index)
    leaving = proposal.action in (Action.ADVANCE, Action.COMPLETE) and (
        proposal.action == Action.COMPLETE or target[0] != plan.phase_index
    )
    clearance = plan.phase.exit_clearance if leaving else ""
    if leaving and not clearance and plan.high_risk_site and plan.phase_kind == "protect":
        clearance = HIGH_RISK_PROTECT_CLEARANCE  # whatever the template says
    return PlanProposal.objects.create(
        plan=plan,
        key=key,
        action=proposal.action,
        from_phase_index=plan.phase_index,
        from_step_index=plan.step_index,
        to_phase_index=target[0],
        to_step_index=target[1],
        from_label=_label(plan, plan.position),
        to_label=_label(plan, target),
        reasons=[dataclasses.asdict(reason) for reason in proposal.reasons],
        needs_approval=proposal.needs_approval,
        clearance=clearance,
        rules_version=proposal.version,
        evaluated_on=today,
        status=status,
    )


def _label(plan: Plan, position: tuple[int, int]) -> str:
    phase = plan.spec.phase(position[0])
    return f"{phase.label} · {phase.steps[position[1]].label}"


def _supersede_pending(plan: Plan) -> None:
    plan.proposals.pending().update(status=ProposalStatus.SUPERSEDED, decided_at=timezone.now())


def proposal_approve(
    *, proposal: PlanProposal, by: User, note: str, clearance_confirmed: bool, today: dt.date
) -> PlanTransition:
    """The therapist's one-click approval: the proposal applies now, with their note."""
    with transaction.atomic():
        plan = _locked(proposal.plan)
        proposal = PlanProposal.objects.select_for_update().get(pk=proposal.pk)
        _check_still_open(plan, proposal)
        if proposal.clearance and not clearance_confirmed:
            raise PlanError(f"Confirm first: {proposal.clearance}.")
        proposal.status, proposal.decided_by, proposal.decided_at, proposal.note = (
            ProposalStatus.APPROVED,
            by,
            timezone.now(),
            note,
        )
        proposal.save()
        return _apply(plan, proposal, today=today, by=by, note=note)


def proposal_decline(*, proposal: PlanProposal, by: User, note: str) -> None:
    """The plan stays where it is; the engine proposes again when new evidence comes in."""
    with transaction.atomic():
        plan = _locked(proposal.plan)
        proposal = PlanProposal.objects.select_for_update().get(pk=proposal.pk)
        _check_still_open(plan, proposal)
        proposal.status, proposal.decided_by, proposal.decided_at, proposal.note = (
            ProposalStatus.DECLINED,
            by,
            timezone.now(),
            note,
        )
        proposal.save()


def _check_still_open(plan: Plan, proposal: PlanProposal) -> None:
    if not proposal.is_pending:
        raise PlanError(f"This proposal was already {proposal.get_status_display().lower()}.")
    if plan.status != PlanStatus.ACTIVE or plan.position != (
        proposal.from_phase_index,
        proposal.from_step_index,
    ):
        raise PlanError("The plan has moved since this proposal was made.")


NOTICE_KINDS = {
    Action.ADVANCE: "plan_advanced",
    Action.COMPLETE: "plan_advanced",
    Action.HOLD: "plan_held",
    Action.STOP_REVIEW: "plan_held",
    Action.STEP_BACK: "plan_stepped_back",
}


def _apply(
    plan: Plan, proposal: PlanProposal, *, today: dt.date, by: User | None, note: str = ""
) -> PlanTransition:
    """Make the proposed change, record it, and tell the patient (and the therapist on a stop)."""
    previous = plan.position
    action = proposal.action
    if action in (Action.ADVANCE, Action.STEP_BACK):
        plan.set_position(proposal.to_phase_index, proposal.to_step_index, on=today)
    elif action == Action.COMPLETE:
        plan.status, plan.ended_at = PlanStatus.COMPLETED, timezone.now()
    elif action == Action.STOP_REVIEW:
        plan.status = PlanStatus.REVIEW
    plan.save()
    transition = _record(
        plan,
        kind=action,
        key=proposal.key,
        on=today,
        from_position=previous,
        reasons=proposal.reasons,
        by=by,
        note=note,
        proposal=proposal,
    )
    if action == Action.STOP_REVIEW:
        _alert_therapist(plan, transition)
    reason = proposal.reasons[0]["text"] if proposal.reasons else ""
    context = {"step": plan.step_label, "reason": reason}
    kind = NOTICE_KINDS[action]
    if by is not None:
        kind, context = (
            "plan_approved",
            {
                "plan": f"Your next step, {plan.step_label},",
                "reason": f"Approved by {by.full_name}.",
            },
        )
    if action == Action.STOP_REVIEW:
        context["reason"] = "Your plan is paused until your therapist has reviewed it."
    if action == Action.COMPLETE:
        context["step"] = "you have completed your plan"
    _notify(plan, kind, key=f"transition:{transition.pk}", context=context)
    outcome_facts_refresh(plan.patient_id)
    return transition


def _record(
    plan: Plan,
    *,
    kind: str,
    key: str,
    on: dt.date,
    from_position: tuple[int, int] | None,
    reasons: list[dict],
    by: User | None,
    note: str = "",
    proposal: PlanProposal | None = None,
) -> PlanTransition:
    return PlanTransition.objects.create(
        plan=plan,
        key=key,
        kind=kind,
        date=on,
        from_phase_index=from_position[0] if from_position else None,
        from_step_index=from_position[1] if from_position else None,
        to_phase_index=plan.phase_index,
        to_step_index=plan.step_index,
        from_label=_label(plan, from_position) if from_position else "",
        to_label=_label(plan, plan.position),
        phase_label=plan.phase_label,
        reasons=reasons,
        proposal=proposal,
        by=by,
        note=note,
    )


def _day(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _note_reason(text: str) -> dict:
    return {"rule": "therapist", "text": text, "evidence": "", "section": ""}


def _alert_therapist(plan: Plan, transition: PlanTransition) -> None:
    """A stop raises an alert on the therapist's list, with the engine's reasons.

    Recorded like the log rules' findings: once per stop date, on the patient's open
    "plan stopped" alert when there is one."""
    finding = alert_rules.Alert(
        rule=PLAN_STOPPED,
        label="Plan stopped for review",
        key=f"{PLAN_STOPPED}:{transition.date.isoformat()}",
        reason="The plan stopped for review. " + " ".join(transition.reason_texts),
        evidence="; ".join(
            dict.fromkeys(r["evidence"] for r in transition.reasons if r["evidence"])
        )[:200],
        section="§5 Progression rules",
        dates=(transition.date,),
        version=progression.PROGRESSION_RULES_VERSION,
    )
    alerts.alerts_record(patient=plan.patient, found=[finding])


def _notify(plan: Plan, kind: str, *, key: str, context: dict) -> None:
    """Tell the patient through notifications (queued on commit, once per key)."""
    from notifications.services import notify_patient

    notify_patient(plan.patient, kind, context=context, key=key)
