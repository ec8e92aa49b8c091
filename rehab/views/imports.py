"""Runs from the runner's watch: upload a file on the daily log, check what it found, add it.

The patient's own pages only (`access.for_roles(PATIENT)` and `own_patient_record`): clinic
staff and the care team cannot upload for a patient. The confirmation carries a submission id
(clinic.submissions) and each file's SHA-256 is stored once per patient (rehab.imports).
"""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from clinic import access, submissions
from clinic.models import Role
from rehab import imports
from rehab.import_forms import WatchConfirmForm, WatchUploadForm
from rehab.models import care_start, is_within_edit_window, patient_today
from rehab.rules import load

IMPORT_SCOPE = "activity-import"


def bounded_uploads(view):
    """Read the request's files with `imports.BoundedUploadHandler` (memory only, limited).

    Upload handlers must be set before anything reads the body, and the CSRF check reads it:
    the view is csrf_exempt on the outside and csrf_protect inside, after this.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_handlers = [imports.BoundedUploadHandler(request)]
        return view(request, *args, **kwargs)

    return wrapper


@csrf_exempt  # checked by csrf_protect below, once the upload handlers are in place
@bounded_uploads
@access.for_roles(Role.PATIENT)
@csrf_protect
def log_import(request, day: dt.date):
    """Upload watch files for the day being logged; a valid upload shows what they hold."""
    patient = access.own_patient_record(request)
    today = patient_today(patient)
    _check_day(patient, day, today)
    form = WatchUploadForm(request.POST, request.FILES) if request.method == "POST" else None
    if form is not None and form.is_valid():
        activities = form.cleaned_data["files"]
        found = imports.imports_found(
            patient=patient,
            activities=activities,
            today=today,
            logged=imports.logged_days(patient, activities),
        )
        confirm = WatchConfirmForm(
            initial={"token": imports.preview_token(patient, activities)}, found=found
        )
        return _confirm_page(request, patient, day, confirm)
    return render(
        request,
        "rehab/log_import.html",
        {"patient": patient, "day": day, "today": today, "form": form or WatchUploadForm()},
    )


@require_POST
@access.for_roles(Role.PATIENT)
def log_import_confirm(request, day: dt.date):
    """Add what the upload found to the days' logs, once; back to the log of the (first) day."""
    patient = access.own_patient_record(request)
    today = patient_today(patient)
    if first := submissions.replayed(request, IMPORT_SCOPE):
        return submissions.Replayed(first).response(request, reverse("log_today"))
    _check_day(patient, day, today)
    activities = imports.preview_read(patient, request.POST.get("token", ""))
    if activities is None:
        messages.error(
            request, "That upload is more than an hour old or was changed. Choose the files again."
        )
        return redirect("log_import", day=day)
    found = imports.imports_found(
        patient=patient,
        activities=activities,
        today=today,
        logged=imports.logged_days(patient, activities),
    )
    form = WatchConfirmForm(request.POST, found=found)
    if not form.is_valid():
        return _confirm_page(request, patient, day, form)
    try:
        with submissions.once(request, form.cleaned_data["submission"], IMPORT_SCOPE) as claim:
            added = imports.activity_import_confirm(
                patient=patient,
                by=request.user,
                choices=form.choices(),
                site_pains=form.site_pains(),
                today=today,
            )
            target, message = _outcome(patient, added, day, today)
            claim.answer(target, message)
    except submissions.Replayed as replay:
        return replay.response(request, reverse("log_today"))
    if any(result.log for result in added):
        messages.success(request, message)
    else:
        messages.warning(request, message)
    return redirect(target)


def _check_day(patient, day: dt.date, today: dt.date) -> None:
    if not is_within_edit_window(day, today) or day < care_start(patient):
        raise Http404("That day cannot be logged.")


def _confirm_page(request, patient, day: dt.date, form: WatchConfirmForm):
    return render(
        request,
        "rehab/log_import_confirm.html",
        {
            "patient": patient,
            "day": day,
            "form": form,
            "rows": form.rows(),
            "addable": any(item.addable for item in form.found),
        },
    )


def _outcome(patient, added: list, day: dt.date, today: dt.date) -> tuple[str, str]:
    """Where to go after confirming (the first day that took an activity) and what to say."""
    parts = []
    for result in added:
        activity = result.found.activity
        what = f"{_km(activity.distance_m, patient.distance_unit)} from {activity.file_name}"
        if result.log is not None:
            parts.append(f"Added {what} to {_day(result.log.date, today)}.")
        else:
            parts.append(f"Did not add {activity.file_name}: {result.note}")
    first = next((result.log.date for result in added if result.log is not None), day)
    target = reverse("log_today") if first == today else reverse("log_day", args=[first])
    return target, " ".join(parts)


def _km(metres: int, unit: str) -> str:
    return f"{load.to_display(metres, unit):.2f} {unit}"


def _day(day: dt.date, today: dt.date) -> str:
    return "today's log" if day == today else f"your log of {date_format(day, 'D j M')}"
