"""Turning stored answers and results into words for a page: the runner's and the clinician's."""

import copy

from django.urls import reverse

from intake.forms import RUNNER_STEPS, THERAPIST_STEP, questions_of, step_keys
from intake.models import Intake, IntakeDecision
from intake.rulesets import get_ruleset
from intake.scoring import QUESTIONS, SITE_CHOICES

KM_PER_MILE = 1.609344
STEP_TITLES = {**dict(RUNNER_STEPS), THERAPIST_STEP: "Therapist's examination"}


def _display(question, value, unit: str) -> str:
    labels = dict(question.choices)
    if question.kind in ("choice", "yes_no"):
        return labels.get(value, str(value))
    if question.kind == "choice_list":
        return ", ".join(labels.get(v, str(v)) for v in value) if isinstance(value, list) else ""
    if question.kind == "number_list":
        if not isinstance(value, list):
            return ""
        return " → ".join(_distance(v, unit) for v in value) + " (oldest first)"
    if question.unit.strip() == "km" and isinstance(value, int | float):
        return _distance(value, unit)
    if question.unit and isinstance(value, int | float):
        return f"{value:g}{question.unit}"
    return str(value)


def _distance(km, unit: str) -> str:
    if not isinstance(km, int | float):
        return str(km)
    return f"{km / KM_PER_MILE:.1f} mi" if unit == "mi" else f"{km:g} km"


def answer_rows(intake: Intake, *, audience: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """[(step, step title, [(question, answer)])] for every answered question, in order.

    Runners see their own questions; clinicians also see the examination step.
    """
    unit = intake.patient.distance_unit if intake.patient_id else "km"
    steps = [code for code, _ in RUNNER_STEPS if code != "about"]
    if audience == "clinician":
        steps.append(THERAPIST_STEP)
    version = intake.ruleset_version or None  # an old intake reads in its own version's words
    questions = questions_of(version)
    rows = []
    for step in steps:
        answered = [
            (questions[key].question, _display(questions[key], intake.answers[key], unit))
            for key in step_keys(step, version)
            if key in intake.answers
        ]
        if answered:
            rows.append((step, STEP_TITLES[step], answered))
    return rows


def runner_next_step(intake: Intake) -> dict:
    """What the runner should do next, in plain words, never the clinician's score wording."""
    decision = intake.decisions.first()
    flags = (intake.result or {}).get("red_flags") or []
    if decision:
        return _after_decision(decision)
    if flags:
        return {
            "tone": "danger" if flags[0]["level"] == "urgent" else "warning",
            "title": "Please act on this today" if flags[0]["level"] == "urgent" else "See us soon",
            "body": flags[0]["patient_message"],
        }
    return {
        "tone": "info",
        "title": "Your therapist is reviewing your answers",
        "body": "You will hear from the clinic within two working days. Until then, stop any "
        "running that hurts and keep walking pain-free. If pain appears at rest or at night, or "
        "you start to limp, call the clinic.",
    }


def _after_decision(decision: IntakeDecision) -> dict:
    tone, title, body = _after_decision_texts(decision)[decision.kind]
    return {"tone": tone, "title": title, "body": body}


def _after_decision_texts(decision: IntakeDecision | None = None) -> dict:
    kind = IntakeDecision.Kind
    follow_up_on = decision.follow_up_on if decision else None
    return {
        kind.URGENT_REFERRAL: (
            "danger",
            "You need a scan or a doctor's review",
            "Your therapist has referred you. Please stop running and follow the clinic's "
            "instructions about imaging or seeing a physician.",
        ),
        kind.START_REHAB: (
            "success",
            "Your recovery plan is being prepared",
            "Your therapist will set up a plan with strength work, cross-training and a graded "
            "return to running. You will see it here.",
        ),
        kind.NOT_BSI: (
            "success",
            "This does not look like a bone stress injury",
            "Your therapist will give you advice for what it looks like instead. Build your "
            "running back gradually and tell the clinic if the pain returns.",
        ),
        kind.FOLLOW_UP: (
            "info",
            "You have a follow-up visit",
            "Your therapist wants to see you again"
            + (f" on {follow_up_on:%A %d %B}." if follow_up_on else ".")
            + " Until then, avoid running that hurts.",
        ),
    }


def _today_link() -> dict:
    return {"url": reverse("today"), "action": "Open Today"}


def runner_plan_step(plan, *, today) -> dict | None:
    """The runner's plan as it really stands, once the therapist has made one (a rehab.Plan, the
    latest), in place of what the decision foresaw; None without a plan."""
    if plan is None:
        return None
    if plan.is_draft:
        title, body = _after_decision_texts()[IntakeDecision.Kind.START_REHAB][1:]
        return {"tone": "success", "title": title, "body": body}
    if not plan.is_started:
        ended = plan.ended_at.date() if plan.ended_at else today
        return {
            "tone": "info",
            "title": f"Your plan ended on {ended:%A} {ended.day} {ended:%B}",
            "body": f"{plan.name} is over. Tell the clinic if the pain comes back.",
        }
    if today < plan.start_date:
        start = plan.start_date
        return {
            "tone": "success",
            "title": f"Your plan starts on {start:%A} {start.day} {start:%B}",
            "body": f"{plan.name}: from that day, Today shows each day's sessions.",
            **_today_link(),
        }
    day = (today - plan.start_date).days + 1
    body = f"{plan.name}, {plan.phase_label}: Today shows this day's sessions."
    if plan.status == "review":
        body = (
            f"{plan.name} is paused while your therapist reviews it. Do only what Today shows "
            "and call the clinic if the pain grows."
        )
    return {"tone": "success", "title": f"Day {day} of your plan", "body": body, **_today_link()}


def runner_intake_step(intake: Intake, *, today) -> dict:
    """The runner's next step after their latest intake: the plan made for it (not one of an
    earlier injury) as it stands, else what the decision or the score says."""
    plan = (
        intake.patient.plans.filter(created_at__gte=intake.submitted_at)
        .order_by("-created_at")
        .first()
        if intake.patient_id
        else None
    )
    return runner_plan_step(plan, today=today) or runner_next_step(intake)


# --- The clinician's view of a stored score -------------------------------------------------------


def exam_record_rows(intake: Intake) -> list[tuple[str, str]]:
    """The examination's side and imaging in words, for clinic staff: [(label, text)]."""
    rows = []
    if intake.exam_side:
        rows.append(("Side", intake.get_exam_side_display()))
    if intake.imaging_status:
        text = intake.get_imaging_status_display()
        imaging = (intake.result or {}).get("imaging") or {}
        found = [
            dict(QUESTIONS[key].choices).get(imaging.get(name), "")
            for key, name in (("imaging_modality", "modality"), ("imaging_result", "result"))
        ]
        systems = dict(QUESTIONS["imaging_grade_system"].choices)
        if imaging.get("grade"):
            system = systems.get(imaging.get("grade_system"), "")
            found.append(f"{system} grade {imaging['grade']}".strip())
        if intake.imaging_date:
            found.append(f"{intake.imaging_date:%d %b %Y}")
        details = ", ".join(part for part in found if part)
        rows.append(("Imaging", f"{text}: {details}" if details else text))
    return rows


# Facts the engine derives (see intake.scoring.DERIVED_FACTS) that can raise a red flag, in words.
FACT_WORDS = {
    "region_suggests_high_risk": "Focal pain in a region that points to a high-risk site",
    "groin_or_deep_hip_pain": "Groin, front-of-hip or deep hip pain",
    "possible_high_risk_level": "A focal complaint at a spot that holds a high-risk site",
    "late_stage_signs": "Late-stage signs (rest, night or walking pain)",
    "reds_refer": "REDs CAT2 light orange or red",
    "confirmed_site_risk": "Risk class of the confirmed site",
    "recurrent": "A previous bone stress injury",
    "trabecular_bsi_with_energy_deficiency": (
        "A bone stress injury at a trabecular site with signs of low energy availability"
    ),
}
WORDS_FOR_TRUE = {"true": "yes", "false": "no"}
SITE_LABELS = dict(SITE_CHOICES)


def fact_text(matched: str, site: dict | None = None) -> str:
    """One "key=value" the engine matched, as the clinician reads it ("Limp: Yes")."""
    key, _, value = matched.partition("=")
    if key == "confirmed_site_risk" and site:
        return f"Confirmed site: {site['label']}, a {value}-risk site"
    if key == "possible_high_risk_site":
        return f"Possible site: {SITE_LABELS.get(value, value)}"
    if key == "possible_high_risk_level":
        return f"{FACT_WORDS[key]} ({value})"
    question = QUESTIONS.get(key)
    if question is not None:
        return f"{question.label}: {dict(question.choices).get(value, value)}"
    if key in FACT_WORDS:
        shown = WORDS_FOR_TRUE.get(value, value)
        return FACT_WORDS[key] if shown == "yes" else f"{FACT_WORDS[key]}: {shown}"
    return matched


def clinician_result(result: dict) -> dict:
    """A stored score result with words added for its page; the stored result is not changed.

    Adds `raised_by` to each red flag, `text` (the reason without its evidence, which the page
    shows on its own line) to each item, and for the Triad the labels of missing factors and
    whether its category is final (a total with missing factors is a minimum).
    """
    shown = copy.deepcopy(result or {})
    for flag in shown.get("red_flags") or []:
        matched = flag.get("matched") or []
        flag["raised_by"] = [fact_text(fact, shown.get("site")) for fact in matched]
    for item in shown.get("items") or []:
        suffix = f" ({item.get('evidence')})"
        reason = item.get("reason", "")
        item["text"] = reason[: -len(suffix)] if reason.endswith(suffix) else reason
    shown["policy_changes"] = policy_changes(shown)
    triad = shown.get("triad")
    if triad:
        labels = {factor["key"]: factor["label"] for factor in triad["factors"]}
        for factor in triad["factors"]:
            stand_in = factor.get("substituted_from")
            factor["substituted_label"] = labels.get(stand_in, stand_in) if stand_in else ""
        triad["missing_labels"] = [labels.get(key, key) for key in triad["missing"]]
        triad["category_final"] = not triad["missing"] or triad["category"] == "restricted"
    return shown


def policy_changes(result: dict) -> list[str]:
    """The clinic's policy values that differ from the rule set's defaults, in words.

    Shown beside the score so that a changed cut-off or wording is never silent.
    """
    try:
        defaults = get_ruleset(result.get("version")).policy
    except ValueError:
        return []
    changes = []
    for key, value in (result.get("policy_used") or {}).items():
        setting = defaults.get(key)
        if setting is None or value == setting.value:
            continue
        if setting.type is str:
            changes.append(f"{setting.label}: the clinic's own wording")
        elif setting.type is bool:
            shown, default = ("on" if value else "off"), ("on" if setting.value else "off")
            changes.append(f"{setting.label}: {shown} (default {default})")
        else:
            changes.append(f"{setting.label}: {value} (default {setting.value})")
    return changes
