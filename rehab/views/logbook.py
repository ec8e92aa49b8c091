"""The patient's daily log: one page per day, phone-first; a normal day takes seconds."""

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from clinic import access, submissions
from clinic.models import Role
from rehab import services
from rehab.forms import DailyLogForm, activity_formset, max_distance_text
from rehab.models import EDIT_WINDOW_DAYS, care_start, is_within_edit_window, patient_today
from rehab.progress import logging_streak


@access.for_roles(Role.PATIENT)
def log_day(request, day: dt.date | None = None):
    """Log a day (today unless the URL names another), or change a day already logged."""
    patient = access.own_patient_record(request)
    today = patient_today(patient)
    day = day or today
    data = request.POST if request.method == "POST" else None
    logs = patient.daily_logs if data is not None else patient.daily_logs.with_activities()
    log = logs.filter(date=day).first()
    editable = is_within_edit_window(day, today) and day >= care_start(patient)
    if log is None and not editable:
        raise Http404("That day cannot be logged.")
    if data is not None and not editable:
        if first := submissions.replayed(request, LOG_SCOPE):
            return submissions.Replayed(first).response(request, reverse("my_progress"))
        messages.error(request, f"Logs older than {EDIT_WINDOW_DAYS} days can no longer change.")
        return redirect("log_day", day=day)
    form = DailyLogForm(data, patient=patient, today=today, log=log, initial=_initial(log, day))
    formset = activity_formset(data, log=log, unit=patient.distance_unit)
    valid = data is not None and form.is_valid() and formset.is_valid()
    # A replay whose form no longer validates (its first post changed what it checks) is still
    # answered as the first time; a valid one is recognised when `once` claims its id.
    if data is not None and not valid and (first := submissions.replayed(request, LOG_SCOPE)):
        return submissions.Replayed(first).response(request, reverse("my_progress"))
    if valid:
        try:
            with submissions.once(request, form.cleaned_data["submission"], LOG_SCOPE) as claim:
                saved = services.daily_log_save(
                    patient=patient,
                    by=request.user,
                    log=log,
                    fields=_log_fields(form.cleaned_data),
                    activities=formset.activities(),
                    today=today,
                )
                message = _saved_message(patient, saved, today)
                claim.answer(reverse("my_progress"), message)
        except submissions.Replayed as replay:
            return replay.response(request, reverse("my_progress"))
        except services.LogDateTaken:
            form.add_error(
                "date", "That day was logged meanwhile. Open it from the list to change it."
            )
        else:
            messages.success(request, message)
            return redirect("my_progress")
    return render(
        request,
        "rehab/log_form.html",
        {
            "patient": patient,
            "form": form,
            "formset": formset,
            "log": log,
            "day": day,
            "today": today,
            "editable": editable,
            "days": _day_strip(patient, today),
            "max_distance": max_distance_text(patient.distance_unit),
            "revisions": log.revisions.select_related("changed_by")[:10] if log else [],
            "edit_window_days": EDIT_WINDOW_DAYS,
        },
    )


LOG_SCOPE = "daily-log"
LOG_FIELDS = ("date", "site_pain", "morning_pain", "activity_pain", "swelling", "limp", "notes")


def _log_fields(cleaned: dict) -> dict:
    return {name: cleaned[name] for name in LOG_FIELDS}


def _initial(log, day: dt.date) -> dict:
    if log is None:
        return {"date": day}
    return {name: getattr(log, name) for name in LOG_FIELDS}


def _saved_message(patient, log, today: dt.date) -> str:
    when = "today" if log.date == today else date_format(log.date, "l j F")
    streak = logging_streak(patient, today=today)
    if streak >= 2:
        return f"Saved your log for {when}. That's {streak} days in a row."
    return f"Saved your log for {when}."


def _day_strip(patient, today: dt.date) -> list[dict]:
    """The days a patient may log, newest first, with whether each is logged already."""
    first = max(care_start(patient), today - dt.timedelta(days=EDIT_WINDOW_DAYS))
    logged = set(patient.daily_logs.filter(date__gte=first).values_list("date", flat=True))
    days = [today - dt.timedelta(days=n) for n in range((today - first).days + 1)]
    return [{"date": d, "logged": d in logged, "is_today": d == today} for d in days]


@require_POST
@access.for_roles(Role.PATIENT)
def log_delete(request, day: dt.date):
    patient = access.own_patient_record(request)
    today = patient_today(patient)
    log = get_object_or_404(patient.daily_logs.with_activities(), date=day)
    if not log.is_editable(today):
        messages.error(
            request, f"Logs older than {EDIT_WINDOW_DAYS} days can no longer be deleted."
        )
        return redirect("log_day", day=day)
    services.daily_log_delete(log=log, by=request.user, today=today)
    messages.success(request, f"Deleted your log for {date_format(day, 'l j F')}.")
    return redirect("my_progress")
