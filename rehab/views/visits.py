"""Follow-up visits on the clinic's side: book, change, and close one (attended, missed,
cancelled). Clinic staff only (`Perm.EDIT`); every read of the form and every change is audited.
The patient page lists the visits (`rehab_visits.patient_visits_panel`)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.access import Perm
from rehab import services
from rehab.models import Visit, VisitStatus
from rehab.visit_forms import VisitForm


def _visit(patient, visit_id) -> Visit:
    return get_object_or_404(
        Visit.objects.filter(patient=patient).select_related("patient", "therapist"), pk=visit_id
    )


def _back(patient) -> str:
    return reverse("patient_detail", args=[patient.pk]) + "#visits"


def _local(visit: Visit) -> str:
    local = visit.local_starts_at
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


@access.with_patient(Perm.EDIT)
def visit_book(request, patient):
    initial = {"therapist": patient.therapist_id or request.user.pk}
    form = VisitForm(request.POST or None, patient=patient, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                visit = services.visit_book(
                    patient=patient,
                    therapist=data["therapist"],
                    starts_at=data["starts_at"],
                    mode=data["mode"],
                    video_url=data["video_url"],
                    note=data["note"],
                    by=request.user,
                )
                audit.record(request, "visit.book", patient=patient, obj=visit)
            messages.success(request, f"Follow-up visit booked for {_local(visit)}.")
            return redirect(_back(patient))
        return render(
            request, "rehab/visit_form.html", {"patient": patient, "form": form}, status=400
        )
    return render(request, "rehab/visit_form.html", {"patient": patient, "form": form})


@access.with_patient(Perm.EDIT)
def visit_edit(request, patient, visit_id):
    visit = _visit(patient, visit_id)
    if not visit.is_booked:
        messages.info(request, f"This visit is {visit.get_status_display().lower()}.")
        return redirect(_back(patient))
    form = VisitForm.for_visit(visit, request.POST or None)
    context = {"patient": patient, "form": form, "visit": visit}
    if request.method != "POST":
        audit.record(request, "visit.view", patient=patient, obj=visit)
        return render(request, "rehab/visit_form.html", context)
    if not form.is_valid():
        return render(request, "rehab/visit_form.html", context, status=400)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            services.visit_update(
                visit=visit,
                therapist=data["therapist"],
                starts_at=data["starts_at"],
                mode=data["mode"],
                video_url=data["video_url"],
                note=data["note"],
            )
            audit.record(
                request,
                "visit.update",
                patient=patient,
                obj=visit,
                detail={"fields": form.changed_data},
            )
    except services.VisitClosed as closed:
        messages.info(request, f"This visit was already marked {str(closed).lower()}.")
        return redirect(_back(patient))
    visit.refresh_from_db()
    messages.success(request, f"The visit is now on {_local(visit)}.")
    return redirect(_back(patient))


def _close(request, patient, visit_id, status: str, said: str):
    visit = _visit(patient, visit_id)
    try:
        with transaction.atomic():
            services.visit_close(visit=visit, status=status, by=request.user)
            audit.record(request, f"visit.{status}", patient=patient, obj=visit)
    except services.VisitClosed as closed:
        messages.info(request, f"This visit was already marked {str(closed).lower()}.")
        return redirect(_back(patient))
    messages.success(request, said.format(when=_local(visit), patient=patient.full_name))
    return redirect(_back(patient))


@require_POST
@access.with_patient(Perm.EDIT)
def visit_attended(request, patient, visit_id):
    return _close(
        request, patient, visit_id, VisitStatus.ATTENDED, "Marked attended: the visit of {when}."
    )


@require_POST
@access.with_patient(Perm.EDIT)
def visit_missed(request, patient, visit_id):
    return _close(
        request,
        patient,
        visit_id,
        VisitStatus.MISSED,
        "Marked missed: the visit of {when}. A follow-up task is open to get in touch with "
        "{patient}.",
    )


@require_POST
@access.with_patient(Perm.EDIT)
def visit_cancel(request, patient, visit_id):
    return _close(
        request,
        patient,
        visit_id,
        VisitStatus.CANCELLED,
        "Cancelled the visit of {when}. No reminder goes out for it.",
    )
