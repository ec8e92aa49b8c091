"""Care-team collaboration: tasks from the intake's risk profile, replies, done.

The risk profile's actions (clinical reference §4, "Action it triggers") become tasks for the
role that acts on them, shared with that role on the care team: a nutritionist referral when
the energy group is flagged, a hand-off to the coach for load planning, a footwear check and a
strength emphasis for the therapist.
"""

from django.db import transaction

from clinic.models import Patient, Role, User
from rehab.models import CareNote, CareTask, CareTaskKind, CareTaskStatus, Plan

NUTRITIONIST, COACH, THERAPIST = Role.NUTRITIONIST.value, Role.COACH.value, Role.THERAPIST.value

# risk-profile action code: (kind, role that acts, title, detail)
ACTION_TASKS = {
    "nutritionist_referral": (
        CareTaskKind.NUTRITIONIST_REFERRAL,
        NUTRITIONIST,
        "Nutrition and energy availability review",
        "The intake flagged nutrition and energy (clinical reference §4; Female Athlete Triad "
        "cumulative risk). Please assess energy availability and calcium and vitamin D intake, "
        "and reply here with your plan.",
    ),
    "coach_collaboration": (
        CareTaskKind.COACH_LOAD_PLANNING,
        COACH,
        "Load planning hand-off",
        "Training load rose quickly before the injury (clinical reference §4). Please keep all "
        "running to this plan for now, and plan the return of training load with the therapist: "
        "distance before speed, a rest day between runs.",
    ),
    "footwear_check": (
        CareTaskKind.FOOTWEAR_CHECK,
        THERAPIST,
        "Footwear check",
        "Check the age and fit of the runner's shoes at the next visit; foot orthoses reduced "
        "stress fractures (A — Bonanno et al., BJSM 2017).",
    ),
    "strength_emphasis": (
        CareTaskKind.STRENGTH_EMPHASIS,
        THERAPIST,
        "Strength emphasis",
        "Hip, glute, calf or core weakness was noted: keep three strength sessions a week and "
        "progress the load (B — Bennell 1996).",
    ),
    "physician_levels": (
        CareTaskKind.PHYSICIAN_LEVELS,
        THERAPIST,
        "Vitamin D and calcium levels",
        "Ask the physician for 25(OH)D and calcium levels (clinical reference §4).",
    ),
    "bone_health_workup": (
        CareTaskKind.BONE_HEALTH_WORKUP,
        THERAPIST,
        "Bone-health work-up referral",
        "Recurrent or trabecular-site bone stress injury with energy-deficiency signs: refer to "
        "a physician for a bone-health work-up (clinical reference §2).",
    ),
    "recurrence_flag": (
        CareTaskKind.RECURRENCE_REVIEW,
        THERAPIST,
        "Recurrence: review the history",
        "A previous stress fracture raises the risk of another (OR 4.99, A — Wright et al., BJSM "
        "2015). Review what was different last time.",
    ),
    "enforce_rest_days": (
        CareTaskKind.REST_DAYS,
        THERAPIST,
        "Agree rest days",
        "Fewer than one rest day a week before the injury. The plan keeps at least one rest day "
        "a week: agree which with the runner.",
    ),
    "ask_energy_items": (
        CareTaskKind.ENERGY_ITEMS,
        THERAPIST,
        "Ask the energy and menstrual questions",
        "Not answered in the intake. Sensitive: for the treating team only.",
    ),
}


def care_tasks_proposed(result: dict | None, patient: Patient) -> list[dict]:
    """The tasks the intake's risk profile calls for, ready for `care_task_create`."""
    codes = [
        action["code"]
        for group in (result or {}).get("risk_profile") or []
        if group.get("flagged")
        for action in group.get("actions") or []
    ]
    team = {member.role: member.user for member in patient.care_team.all()}
    tasks = []
    for code in dict.fromkeys(codes):
        if code not in ACTION_TASKS:
            continue
        kind, role, title, detail = ACTION_TASKS[code]
        shared = role if role != THERAPIST else ""
        tasks.append(
            {
                "kind": kind,
                "role": role,
                "title": title,
                "detail": detail,
                "shared_with": shared,
                "assignee": team.get(role) if shared else None,
                "source": code,
            }
        )
    return tasks


def care_task_create(
    *,
    patient: Patient,
    by: User,
    kind: str,
    role: str,
    title: str,
    detail: str = "",
    shared_with: str = "",
    assignee: User | None = None,
    source: str = "",
    plan: Plan | None = None,
) -> CareTask:
    return CareTask.objects.create(
        patient=patient,
        plan=plan,
        kind=kind,
        role=role,
        title=title[:160],
        detail=detail,
        shared_with=shared_with,
        assignee=assignee,
        source=source,
        created_by=by,
    )


def care_task_reply(*, task: CareTask, by: User, text: str) -> CareNote:
    """Add a note to the task's thread; a reply from anyone but its author marks it replied."""
    with transaction.atomic():
        note = CareNote.objects.create(task=task, author=by, text=text)
        if task.status == CareTaskStatus.OPEN and by.pk != task.created_by_id:
            task.status = CareTaskStatus.REPLIED
        task.save(update_fields=["status", "updated_at"])
    return note


def care_task_done(*, task: CareTask, by: User) -> None:
    if not task.is_done:
        task.mark_done(by=by)
