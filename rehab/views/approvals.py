"""The clinic's approvals: proposals waiting for a therapist, one click each; and the clinic's
progression rules."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.access import Perm
from clinic.views.common import edit_clinic_policy, safe_next
from rehab import services
from rehab.models import ClinicProgressionPolicy, PlanProposal, patient_today
from rehab.plan_forms import ApprovalForm, DeclineForm, ProgressionPolicyForm
from rehab.rules import progression

APPROVALS_PER_PAGE = 25


@access.staff_only
def approval_list(request):
    """Every proposal waiting for approval in the clinic, oldest first; or my patients' only."""
    scope = "mine" if request.GET.get("scope") == "mine" else "all"
    clinic = access.workspace(request).clinic
    proposals = (
        PlanProposal.objects.pending()
        .filter(plan__patient__clinic=clinic)
        .select_related("plan", "plan__patient", "plan__patient__therapist")
        .order_by("created_at", "id")
    )
    if scope == "mine":  # with the unowned ones when this person keeps the clinic's inbox
        proposals = proposals.filter(access.signals_mine(request, "plan__patient"))
    page = Paginator(proposals, APPROVALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "rehab/approval_list.html",
        {"page": page, "scope": scope, "form": ApprovalForm(), "decline_form": DeclineForm()},
    )


def _proposal(patient, proposal_id) -> PlanProposal:
    return get_object_or_404(
        PlanProposal.objects.select_related("plan"), plan__patient=patient, pk=proposal_id
    )


def _back(request, patient) -> str:
    return safe_next(request, reverse("patient_detail", args=[patient.pk]) + "#plan")


@require_POST
@access.with_patient(Perm.EDIT)
def proposal_approve(request, patient, proposal_id):
    proposal = _proposal(patient, proposal_id)
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long: keep it under 1,000 characters.")
        return HttpResponseRedirect(_back(request, patient))
    try:
        with transaction.atomic():
            transition = services.proposal_approve(
                proposal=proposal,
                by=request.user,
                note=form.cleaned_data["note"],
                clearance_confirmed=form.cleaned_data["clearance"],
                today=patient_today(patient),
            )
            audit.record(
                request,
                "plan.proposal.approve",
                patient=patient,
                obj=proposal,
                detail={"action": proposal.action, "to": proposal.to_label},
            )
    except services.PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Approved for {patient.full_name}: {transition.to_label}.")
    return HttpResponseRedirect(_back(request, patient))


@require_POST
@access.with_patient(Perm.EDIT)
def proposal_decline(request, patient, proposal_id):
    proposal = _proposal(patient, proposal_id)
    form = DeclineForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        with transaction.atomic():
            services.proposal_decline(proposal=proposal, by=request.user, note=note)
            audit.record(request, "plan.proposal.decline", patient=patient, obj=proposal)
    except services.PlanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Declined: {patient.full_name} stays at {proposal.from_label}.")
    return HttpResponseRedirect(_back(request, patient))


@access.admin_only
def progression_policy(request):
    """The clinic admin changes how plans progress; each change is audited before/after."""
    return edit_clinic_policy(
        request,
        model=ClinicProgressionPolicy,
        form_class=ProgressionPolicyForm,
        current=ClinicProgressionPolicy.thresholds,
        action="policy.progression.update",
        template="rehab/progression_policy.html",
        saved="The progression rules were saved. Plans use them from now on.",
        context={"rules": progression.PROGRESSION_RULES},
    )
