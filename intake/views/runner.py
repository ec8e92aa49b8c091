"""The runner's questionnaire, reached through a personal link, no account needed.

Each answer is saved as it is given (static/js/intake.js posts the step in the background) and
the step is noted as done when the runner presses Continue, so a phone that sleeps loses nothing;
opening the link again resumes at the first step not done.
"""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from clinic import access
from clinic.models import Patient, Role
from intake import services
from intake.forms import RUNNER_STEPS, AboutYouForm, AnswerStepForm
from intake.models import Intake
from intake.presenting import answer_rows, runner_intake_step, runner_next_step
from notifications.forms import ReminderConsentForm
from notifications.models import ReminderPreference
from rehab.models import patient_today

STEP_TITLES = dict(RUNNER_STEPS)

LINK_PROBLEMS = {
    "invalid": (
        "This link does not work",
        "Check that you opened the whole link from the e-mail. If it still fails, ask your "
        "clinic to send a new one.",
    ),
    "expired": (
        "This link has expired",
        "Questionnaire links work for 14 days. Ask your clinic to send you a new one; "
        "it takes them a minute.",
    ),
    "used": (
        "This questionnaire was already sent",
        "Your clinic has your answers. If something changed, tell your therapist at your visit.",
    ),
    "revoked": (
        "This link was withdrawn",
        "Your clinic replaced or cancelled it. Use the newest e-mail, or ask them for a new link.",
    ),
}


def steps_for(intake: Intake) -> list[str]:
    """The runner's steps: "about" only when the clinic has no record of them yet."""
    return [code for code, _ in RUNNER_STEPS if code != "about" or intake.patient_id is None]


def _problem(request, code: str):
    title, body = LINK_PROBLEMS[code]
    status = 404 if code == "invalid" else 410
    return render(
        request, "intake/link_problem.html", {"title": title, "body": body}, status=status
    )


def _open_intake(request, token):
    """(link, intake) for a usable link, or a response explaining why it cannot be used."""
    try:
        link = services.link_from_token(token)
    except services.LinkError as problem:
        return None, _problem(request, str(problem))
    return link, services.intake_for_link(link)


@access.public
def intake_start(request, token):
    link, intake = _open_intake(request, token)
    if link is None:
        return intake
    steps = steps_for(intake)
    resume = next((s for s in steps if s not in intake.steps_done), None)
    return render(
        request,
        "intake/start.html",
        {
            "link": link,
            "token": token,
            "steps": [(s, STEP_TITLES[s], s in intake.steps_done) for s in steps],
            "resume": resume,
            "started": bool(intake.steps_done),
        },
    )


def step_form(intake: Intake, step: str, data=None):
    unit = intake.patient.distance_unit if intake.patient_id else "km"
    if step == "about":
        initial = {**intake.about}
        if not initial and intake.link_id:
            first, _, last = intake.link.full_name.partition(" ")
            initial = {"first_name": first, "last_name": last}
        return AboutYouForm(data, initial=initial)
    return AnswerStepForm(data, step=step, unit=unit, answers=intake.answers)


def save_step(intake: Intake, step: str, form, *, done: bool = True) -> None:
    if step == "about":
        services.intake_save_about(intake=intake, about=form.cleaned_data, done=done)
    else:
        services.intake_save_step(intake=intake, step=step, answers=form.answers(), done=done)


AUTOSAVE_HEADER = "X-Intake-Autosave"


def is_autosave(request) -> bool:
    return request.method == "POST" and request.headers.get(AUTOSAVE_HEADER) == "1"


def autosave(intake: Intake, step: str, form) -> JsonResponse:
    """Keep a step's answers as they are given (static/js/intake.js), without moving on.

    `{"saved": false}` when an answer on the step is invalid: then nothing is kept, and Continue
    shows the messages. (A 200 either way: a half-typed answer is not an error to log.)
    """
    if not form.is_valid():
        return JsonResponse({"saved": False})
    save_step(intake, step, form, done=False)
    return JsonResponse({"saved": True})


@access.public
def intake_step(request, token, step):
    link, intake = _open_intake(request, token)
    if link is None:
        return intake
    steps = steps_for(intake)
    if step not in steps:
        return redirect("intake_start", token)
    form = step_form(intake, step, request.POST if request.method == "POST" else None)
    if is_autosave(request):
        return autosave(intake, step, form)
    if request.method == "POST" and form.is_valid():
        save_step(intake, step, form)
        index = steps.index(step)
        if index + 1 < len(steps):
            return redirect("intake_step", token, steps[index + 1])
        return redirect("intake_review", token)
    index = steps.index(step)
    back = steps[index - 1] if index else None
    return render_step(
        request,
        intake,
        step,
        form,
        steps,
        back_url=reverse("intake_step", args=[token, back])
        if back
        else reverse("intake_start", args=[token]),
    )


def render_step(request, intake: Intake, step: str, form, steps: list[str], **extra):
    """One questionnaire step, for the runner's link and the therapist's visit alike."""
    index = steps.index(step)
    return render(
        request,
        "intake/step.html",
        {
            "form": form,
            "step": step,
            "title": STEP_TITLES[step],
            "number": index + 1,
            "total": len(steps),
            "percent": int(100 * index / len(steps)),
            "menstrual_applicable": intake.answers.get("menstrual_applicable"),
            **extra,
        },
    )


def _already_sent(token) -> bool:
    try:
        return services.link_from_token(token, allow_used=True).used_at is not None
    except services.LinkError:
        return False


@access.public
def intake_review(request, token):
    if request.method == "POST" and _already_sent(token):
        # A double tap or a retried send: answer as the first send did.
        return redirect("intake_done", token)
    link, intake = _open_intake(request, token)
    if link is None:
        return intake
    missing = [s for s in steps_for(intake) if s not in intake.steps_done]
    consent = reminder_consent_form(intake, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if "about" in missing:
            return redirect("intake_step", token, "about")
        if consent.is_valid():
            reminders = {
                "reminders_on": consent.cleaned_data["reminders_on"],
                "values": consent.preference_values(),
            }
            services.intake_submit(intake=intake, reminders=reminders)
            return redirect("intake_done", token)
    return render(
        request,
        "intake/review.html",
        {
            "token": token,
            "rows": answer_rows(intake, audience="runner"),
            "missing": [(s, STEP_TITLES[s]) for s in missing],
            "about": intake.about,
            "consent": consent,
            "has_account": bool(intake.patient_id and intake.patient.user_id),
        },
        status=400 if request.method == "POST" else 200,
    )


def reminder_consent_form(intake: Intake, data=None) -> ReminderConsentForm:
    """The preferences page's consent and channel rules, for the runner's record or, for a new
    runner, the record that sending makes (e-mail from the link, phone from About you)."""
    patient = intake.patient
    if patient is None:
        patient = Patient(
            clinic_id=intake.clinic_id,
            email=intake.link.email if intake.link_id else "",
            phone=intake.about.get("phone", ""),
        )
    preference = ReminderPreference.of(patient) if patient.pk else ReminderPreference()
    return ReminderConsentForm(data, patient=patient, preference=preference)


@access.public
def intake_done(request, token):
    try:
        link = services.link_from_token(token, allow_used=True)
    except services.LinkError as problem:
        return _problem(request, str(problem))
    intake = getattr(link, "intake", None)
    if intake is None or intake.status == Intake.Status.DRAFT:
        return redirect("intake_start", token)
    return render(
        request, "intake/done.html", {"intake": intake, "next_step": runner_next_step(intake)}
    )


@access.for_roles(Role.PATIENT)
def my_intake(request):
    """The signed-in runner's submitted intakes, in words meant for them."""
    patient = access.own_patient_record(request)
    intake = patient.intakes.exclude(status=Intake.Status.DRAFT).order_by("-submitted_at").first()
    context = {"patient": patient, "intake": intake}
    if intake:
        context["rows"] = answer_rows(intake, audience="runner")
        context["next_step"] = runner_intake_step(intake, today=patient_today(patient))
    return render(request, "intake/my_intake.html", context)
