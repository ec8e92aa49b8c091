"""Plan panels other apps' pages include, and the filters plan pages use.

`patient_plan_panel` shows, on the clinic's page of a patient, where their plan stands, what
waits for approval, the transition history and the care tasks this person may see. Like the
progress panel it checks access again with the request it is rendered for.
"""

from django import template

from clinic import access
from clinic.access import Perm
from rehab import plan_history
from rehab.models import CareTask, PlanStatus, SessionKind, patient_today, progression_thresholds
from rehab.rules import content as plan_content
from rehab.rules import load, progression
from rehab.services import HIGH_RISK_PROTECT_CLEARANCE

register = template.Library()

RECENT_TRANSITIONS = 5
PANEL_TASKS = 5


@register.filter
def weekday_names(days) -> str:
    return plan_content.weekday_names(days)


@register.filter
def step_line(step, unit: str = "km") -> str:
    """A step's segments, repeats and distance in one line, distance in `unit`."""
    distance = ""
    if step.distance_m:
        distance = f"{load.to_display(step.distance_m, unit):.1f} {unit}"
    return plan_content.step_summary(step, distance_text=distance)


@register.inclusion_tag("rehab/includes/plan_panel.html", takes_context=True)
def patient_plan_panel(context, patient):
    request = context["request"]
    if not access.can(request, Perm.VIEW_PROGRESS, patient):
        return {"allowed": False}
    staff = access.can(request, Perm.EDIT, patient)
    plan = (
        patient.plans.exclude(status=PlanStatus.ENDED).order_by("-created_at").first()
        or patient.plans.order_by("-created_at").first()
    )
    today = patient_today(patient)
    tasks = (
        CareTask.objects.filter(patient=patient)
        .open()
        .visible_to(request.user, staff=staff)
        .select_related("assignee")
        .order_by("-updated_at")
    )
    data = {
        "allowed": True,
        "patient": patient,
        "plan": plan,
        "staff": staff,
        "today": today,
        "tasks": list(tasks[:PANEL_TASKS]),
        "task_count": tasks.count(),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() + "#plan",
    }
    if plan is not None and plan.is_started:
        data.update(_standing(plan, today=today))
        data["pending"] = plan.proposals.pending().first() if staff else None
        data["transitions"] = list(
            plan.transitions.select_related("by").order_by("-date", "-id")[:RECENT_TRANSITIONS]
        )
    return data


def _standing(plan, *, today) -> dict:
    """Phase and step, days in phase, adherence, and the next milestone."""
    thresholds = progression_thresholds(plan.patient.clinic)
    needed = thresholds["advance_after_completions"]
    done = plan.completions.filter(
        kind=SessionKind.STEP,
        phase_index=plan.phase_index,
        step_index=plan.step_index,
        date__gte=plan.step_started_on,
    ).count()
    following = plan.next_position()
    milestone = None
    if following is not None:
        phase = plan.spec.phase(following[0])
        new_phase = following[0] != plan.phase_index
        clearance = plan.phase.exit_clearance if new_phase else ""
        if new_phase and not clearance and plan.high_risk_site and plan.phase_kind == "protect":
            clearance = HIGH_RISK_PROTECT_CLEARANCE  # as the approval will ask
        milestone = {
            "new_phase": new_phase,
            "phase": phase,
            "step": phase.steps[following[1]],
            "clearance": clearance,
            # The engine's approval rules (rehab.rules.progression._approval_reasons).
            "needs_approval": plan.high_risk_site
            or (new_phase and plan.phase_kind == progression.PhaseKind.PROTECT)
            or not thresholds["auto_apply"],
            "max_pain": thresholds["advance_max_pain"],
        }
    return {
        "phase": plan.phase,
        "step": plan.step,
        "phase_number": plan.phase_index + 1,
        "phase_count": len(plan.spec.phases),
        "step_number": plan.step_index + 1,
        "step_count": len(plan.phase.steps),
        "days_in_phase": plan.days_in_phase(today),
        "adherence": plan_history.plan_adherence(plan, today=today),
        "sessions_done": done,
        "sessions_needed": needed,
        "milestone": milestone,
    }
