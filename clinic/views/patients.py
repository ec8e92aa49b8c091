"""Staff pages about one patient: the record, its care team, the account invitation."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic import access, audit, services
from clinic.access import Perm
from clinic.forms import CareTeamAddForm, OwnerForm, PatientForm
from clinic.models import Role
from clinic.views.common import safe_next
from intake.clinical_forms import ClinicalNoteForm
from intake.views.notes import latest_notes
from reports.outcome_facts import outcome_facts_refresh


@access.with_patient(Perm.VIEW_PROGRESS)
def patient_detail(request, patient):
    if not access.workspace(request).is_staff and patient.user_id == request.user.pk:
        return redirect("patient_home")
    clinical = access.can(request, Perm.VIEW_CLINICAL, patient)
    audit.record(request, "patient.view", patient=patient, obj=patient)
    context = {"patient": patient, "clinical": clinical}
    if clinical:
        context["care_team_form"] = CareTeamAddForm(patient=patient)
        context["invitations"] = patient.invitations.all()[:5]
        context["owner_form"] = OwnerForm(
            clinic=patient.clinic, initial={"therapist": patient.therapist_id}
        )
        context["can_take"] = Role.THERAPIST in access.workspace(request).roles
        context["clinical_notes"] = latest_notes(request, patient)  # staff only, audited
        context["note_form"] = ClinicalNoteForm()
    return render(request, "clinic/patient_detail.html", context)


@access.staff_only
def patient_create(request):
    clinic = access.workspace(request).clinic
    form = PatientForm(request.POST or None, clinic=clinic, initial={"therapist": request.user})
    if request.method == "POST" and form.is_valid():
        patient = form.save(commit=False)
        patient.clinic = clinic
        patient.save()
        audit.record(request, "patient.create", patient=patient, obj=patient)
        messages.success(request, f"{patient.full_name} was added.")
        return redirect("patient_detail", patient.pk)
    return render(request, "clinic/patient_form.html", {"form": form})


@access.with_patient(Perm.EDIT)
def patient_edit(request, patient):
    form = PatientForm(request.POST or None, instance=patient, clinic=patient.clinic)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            request,
            "patient.update",
            patient=patient,
            obj=patient,
            detail={"fields": form.changed_data},
        )
        messages.success(request, "The patient record was saved.")
        return redirect("patient_detail", patient.pk)
    if request.method == "GET":  # the form shows the whole record: a view of it
        audit.record(request, "patient.view", patient=patient, obj=patient, detail={"page": "edit"})
    return render(request, "clinic/patient_form.html", {"form": form, "patient": patient})


@require_POST
@access.with_patient(Perm.EDIT)
def patient_owner(request, patient):
    """Make a therapist responsible for the patient: taking it ("Take" posts oneself) or
    reassigning it. Audited; the new owner gets a notice unless they did it themselves."""
    back = safe_next(request, reverse("patient_detail", args=[patient.pk]))
    form = OwnerForm(request.POST, clinic=patient.clinic)
    if not form.is_valid():
        messages.error(request, form.errors["therapist"][0])
        return HttpResponseRedirect(back)
    therapist, before = form.cleaned_data["therapist"], patient.therapist_id
    with transaction.atomic():
        changed = services.patient_owner_set(
            patient=patient, therapist=therapist, actor=request.user
        )
        if changed:
            audit.record(
                request,
                "patient.owner",
                patient=patient,
                obj=patient,
                detail={"from": before, "to": therapist.pk, "by": "patient.owner"},
            )
    if not changed:
        messages.info(request, f"{therapist.full_name} is already responsible for {patient}.")
    elif therapist.pk == request.user.pk:
        messages.success(request, f"You are now responsible for {patient}.")
    else:
        messages.success(
            request, f"{therapist.full_name} is now responsible for {patient}, and was told."
        )
    return HttpResponseRedirect(back)


@require_POST
@access.with_patient(Perm.EDIT)
def patient_discharge(request, patient):
    patient.discharged_at = None if patient.discharged_at else timezone.now()
    with transaction.atomic():
        patient.save(update_fields=["discharged_at"])
        outcome_facts_refresh(patient)
    action = "patient.discharge" if patient.discharged_at else "patient.reactivate"
    audit.record(request, action, patient=patient, obj=patient)
    messages.success(
        request,
        "The patient was discharged." if patient.discharged_at else "The patient is active again.",
    )
    return redirect("patient_detail", patient.pk)


@require_POST
@access.with_patient(Perm.EDIT)
def care_team_add(request, patient):
    form = CareTeamAddForm(request.POST, patient=patient)
    if form.is_valid():
        member = services.care_team_add(
            patient=patient, user=form.cleaned_data["user"], added_by=request.user
        )
        audit.record(request, "care_team.add", patient=patient, obj=member)
        messages.success(request, f"{member.user.full_name} joined the care team.")
    else:
        messages.error(request, "Choose a coach or nutritionist of this clinic to add.")
    return redirect("patient_detail", patient.pk)


@require_POST
@access.with_patient(Perm.EDIT)
def care_team_remove(request, patient, member_id):
    member = get_object_or_404(patient.care_team, pk=member_id)
    audit.record(request, "care_team.remove", patient=patient, obj=member)
    member.delete()
    messages.success(request, f"{member.user.full_name} left the care team.")
    return redirect("patient_detail", patient.pk)


@require_POST
@access.with_patient(Perm.EDIT)
def patient_invite(request, patient):
    """E-mail the patient a link to create their account."""
    if patient.user_id:
        messages.info(request, "This patient already has an account.")
        return redirect("patient_detail", patient.pk)
    try:
        with transaction.atomic():
            invitation = services.patient_invite(patient=patient, invited_by=request.user)
            audit.record(request, "invitation.create", patient=patient, obj=invitation)
    except services.PatientInviteError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"An invitation was sent to {patient.email}.")
    return redirect("patient_detail", patient.pk)
