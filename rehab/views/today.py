"""The patient's Today, phone-first: what to do today, mark it done with pain, the week ahead."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic import access, submissions
from clinic.models import Role
from rehab import services
from rehab import today as today_view
from rehab.models import (
    SessionCompletion,
    SessionKind,
    Visit,
    patient_today,
    progression_thresholds,
)
from rehab.plan_forms import MorningCheckForm, SessionDoneForm


@access.for_roles(Role.PATIENT)
def today(request):
    patient = access.own_patient_record(request)
    view = today_view.today_for(patient, today=patient_today(patient))
    return render(request, "rehab/today.html", _context(view))


def _context(view, *, failed: str = "", form=None, morning_form=None) -> dict:
    """The view, and one "done" form per session of today (the failed one bound, with errors)."""
    sessions = view.day.sessions if view.day and view.state == "active" else ()
    return {
        "view": view,
        "patient": view.patient,
        "next_visit": _next_visit(view.patient),
        "measures_due": today_view.measures_prompt(view.patient, today=view.today),
        "sessions": [
            (
                session,
                form
                if session.key == failed
                else SessionDoneForm(
                    prefix=session.key, initial=SessionDoneForm.initial_for(session.completion)
                ),
            )
            for session in sessions
        ],
        "failed": failed,
        "morning_form": morning_form
        or MorningCheckForm(initial={"completion": getattr(view.morning_check, "pk", None)}),
    }


def _next_visit(patient) -> Visit | None:
    """The runner's next follow-up visit, with its therapist (one query)."""
    visit = Visit.objects.select_related("therapist").next_for(patient)
    if visit is not None:
        visit.patient = patient
    return visit


@require_POST
@access.for_roles(Role.PATIENT)
def session_complete(request):
    """Mark one of today's sessions done, with the site pain during it and the effort."""
    patient = access.own_patient_record(request)
    prefix = request.POST.get("session", "")
    if first := submissions.replayed(request, SESSION_SCOPE, prefix=prefix):
        return submissions.Replayed(first).response(request, reverse("today"))
    day = patient_today(patient)
    view = today_view.today_for(patient, today=day)
    session = today_view.session_for(view, request.POST.get("session", ""))
    if session is None:
        messages.error(request, "That session is not on today's plan. Here is today.")
        return redirect("today")
    if session.kind == SessionKind.STEP and view.morning_check is not None:
        messages.info(request, "First tell us how your last session sat this morning.")
        return redirect("today")
    form = SessionDoneForm(request.POST, prefix=session.key)
    if not form.is_valid():
        context = _context(view, failed=session.key, form=form)
        return render(request, "rehab/today.html", context, status=400)
    data = form.cleaned_data
    thresholds = progression_thresholds(patient.clinic)
    message = _done_message(session.title, data["site_pain_during"], thresholds)
    try:
        with submissions.once(request, data["submission"], SESSION_SCOPE) as claim:
            services.session_complete(
                plan=view.plan,
                by=request.user,
                day=view.day.date,
                session=session.key,
                kind=session.kind,
                label=session.title,
                phase_index=view.day.phase_index,
                step_index=session.step_index,
                running=session.running,
                site_pain_during=data["site_pain_during"],
                effort=data["effort"],
                swelling=data["swelling"],
                limp=data["limp"],
                note=data["note"],
                today=day,
            )
            claim.answer(reverse("today"), message)
    except submissions.Replayed as replay:
        return replay.response(request, reverse("today"))
    messages.success(request, message)
    return redirect("today")


SESSION_SCOPE = "session-done"
MORNING_SCOPE = "morning-check"


def _done_message(title: str, pain: int, thresholds: dict) -> str:
    """What the reported pain means for the plan, by the clinic's own limits (§5)."""
    if pain >= thresholds["step_back_pain"]:
        return (
            f"Saved “{title}”. Pain of {pain}/10 is a sign to ease off: your plan will not move "
            "on, and your therapist can see it. Today shows what comes next."
        )
    if pain > thresholds["advance_max_pain"]:
        return f"Saved “{title}”. With pain at {pain}/10 your plan stays at this step for now."
    return f"Done: “{title}”. Nicely done."


@require_POST
@access.for_roles(Role.PATIENT)
def morning_check(request):
    """This morning's pain after the last key session: how the bone took it."""
    patient = access.own_patient_record(request)
    day = patient_today(patient)
    view = today_view.today_for(patient, today=day)
    if first := submissions.replayed(request, MORNING_SCOPE):
        return submissions.Replayed(first).response(request, reverse("today"))
    form = MorningCheckForm(request.POST)
    if view.morning_check is None:
        messages.info(request, "Thanks, this morning's pain is already recorded.")
        return redirect("today")
    if not form.is_valid():
        return render(request, "rehab/today.html", _context(view, morning_form=form), status=400)
    if form.cleaned_data["completion"] != view.morning_check.pk:
        messages.info(request, "That session no longer waits for a morning check.")
        return redirect("today")
    completion = SessionCompletion.objects.get(pk=view.morning_check.pk)
    message = "Thanks: this morning's pain is recorded."
    try:
        with submissions.once(request, form.cleaned_data["submission"], MORNING_SCOPE) as claim:
            services.morning_check(completion=completion, pain=form.cleaned_data["pain"], today=day)
            claim.answer(reverse("today"), message)
    except submissions.Replayed as replay:
        return replay.response(request, reverse("today"))
    messages.success(request, message)
    return redirect("today")
