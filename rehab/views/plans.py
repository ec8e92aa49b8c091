"""A patient's plan on the clinic's side: assignment, the draft editor, activation, the plan page,
ending and resuming."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.access import Perm
from clinic.forms import OwnerForm
from clinic.models import Role
from clinic.services import PatientInviteError, patient_invite
from intake.models import Intake
from rehab import plan_history, services
from rehab.models import Exercise, PlanTemplate, patient_today
from rehab.plan_forms import (
    ApprovalForm,
    AssignForm,
    DeclineForm,
    EndPlanForm,
    PhaseEditor,
    PhaseListForm,
    PlanSettingsForm,
    ResumeForm,
)
from rehab.services.plans import intake_imaging_advice


@access.staff_only
def plan_assign_from_intake(request, intake_id):
    """After "start rehab": choose the template Rebound proposes (or another) and the tasks."""
    intake = access.clinic_object(request, Intake.objects.select_related("patient"), pk=intake_id)
    if intake.patient_id is None:
        raise Http404("This intake has no patient record yet.")
    patient = access.patient_for(request, intake.patient_id, Perm.EDIT)
    return _assign(request, patient, intake)


@access.with_patient(Perm.EDIT)
def plan_assign(request, patient):
    """A plan for a patient, proposed from their latest intake when there is one."""
    intake = patient.intakes.exclude(status=Intake.Status.DRAFT).order_by("-submitted_at").first()
    return _assign(request, patient, intake)


def _assign(request, patient, intake):
    current = patient.plans.open().first()
    if current is not None:
        messages.info(request, f"{patient.full_name} already has a plan: here it is.")
        return redirect("plan_detail", patient.pk, current.pk)
    services.library_ensure(patient.clinic)
    templates = PlanTemplate.objects.available().filter(clinic=patient.clinic)
    result = intake.result if intake else None
    risk = services.intake_site_risk(result)
    proposed = services.template_proposed(templates, risk)
    tasks = services.care_tasks_proposed(result, patient)
    today = patient_today(patient)
    form = AssignForm(
        request.POST or None,
        templates=templates.select_related("current_version"),
        tasks=tasks,
        today=today,
        initial={
            "template": proposed,
            "start_date": today,
            "high_risk_site": risk.high,
            "tasks": [task["source"] for task in tasks],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                plan = services.plan_assign(
                    patient=patient,
                    template=data["template"],
                    by=request.user,
                    start_date=data["start_date"],
                    high_risk_site=data["high_risk_site"],
                    intake=intake,
                    site_label=risk.label,
                    tasks=form.chosen_tasks(),
                )
                audit.record(
                    request,
                    "plan.assign",
                    patient=patient,
                    obj=plan,
                    detail={"template": str(data["template"].pk), "tasks": data["tasks"]},
                )
        except services.PlanError as error:
            messages.error(request, str(error))
            return redirect("patient_detail", patient.pk)
        messages.success(request, "Draft plan made. Adjust it for this patient, then activate it.")
        return redirect("plan_detail", patient.pk, plan.pk)
    return render(
        request,
        "rehab/plan_assign.html",
        {
            "patient": patient,
            "intake": intake,
            "risk": risk,
            "proposed": proposed,
            "form": form,
            "options": list(zip(form.fields["template"].queryset, form["template"], strict=True)),
            "tasks": tasks,
        },
    )


def _plan(patient, plan_id):
    return get_object_or_404(patient.plans.select_related("template_version__template"), pk=plan_id)


@access.with_patient(Perm.VIEW_PROGRESS)
def plan_detail(request, patient, plan_id):
    """The plan: a draft to adjust and activate, or where the patient stands and how they got
    there. Care-team members read it; clinic staff change it."""
    if not access.workspace(request).is_staff and patient.user_id == request.user.pk:
        return redirect("today")
    plan = _plan(patient, plan_id)
    staff = access.can(request, Perm.EDIT, patient)
    audit.record(request, "plan.view", patient=patient, obj=plan)  # staff and the care team
    today = patient_today(patient)
    context = {
        "patient": patient,
        "plan": plan,
        "spec": plan.spec,
        "staff": staff,
        "today": today,
        "transitions": list(plan.transitions.select_related("by").order_by("-date", "-id")),
        "pending": plan.proposals.pending().first(),
        "history": plan_history.phase_history(plan),
        "adherence": plan_history.plan_adherence(plan, today=today) if plan.is_started else None,
        "approval_form": ApprovalForm(),
        "decline_form": DeclineForm(),
        "end_form": EndPlanForm(),
        "phase_rows": [
            {
                "index": index,
                "phase": phase,
                "current": plan.is_started and index == plan.phase_index,
                "edit_url": reverse("plan_phase_edit", args=[patient.pk, plan.pk, index])
                if staff and plan.is_draft
                else "",
            }
            for index, phase in enumerate(plan.spec.phases)
        ],
    }
    if staff and plan.is_draft:  # the grade is clinical: never shown to the care team
        context["imaging_advice"] = intake_imaging_advice(plan.intake)
    if staff and plan.status == "review":
        context["resume_form"] = ResumeForm(plan=plan)
    if staff and plan.is_draft and not (patient.therapist and patient.therapist.is_active):
        is_therapist = Role.THERAPIST in access.workspace(request).roles
        context["owner_form"] = OwnerForm(
            clinic=patient.clinic, initial={"therapist": request.user.pk if is_therapist else None}
        )
    return render(request, "rehab/plan_detail.html", context)


@access.with_patient(Perm.EDIT)
def plan_edit(request, patient, plan_id):
    """A draft's name, start, risk and baseline, and its phases: order, remove, add."""
    plan = _plan(patient, plan_id)
    if not plan.is_draft:
        messages.info(request, "This plan has started; its steps change through the engine.")
        return redirect("plan_detail", patient.pk, plan.pk)
    data = request.POST or None
    settings_form = PlanSettingsForm(
        data,
        today=patient_today(patient),
        initial={
            "name": plan.name,
            "start_date": plan.start_date,
            "high_risk_site": plan.high_risk_site,
            "baseline_morning_pain": plan.baseline_morning_pain,
        },
    )
    phases_form = PhaseListForm(data, content=plan.spec)
    if data is not None and settings_form.is_valid() and phases_form.is_valid():
        with transaction.atomic():
            services.plan_update(
                plan=plan,
                by=request.user,
                fields=settings_form.cleaned_data,
                content=phases_form.new_content,
            )
            audit.record(request, "plan.update", patient=patient, obj=plan)
        messages.success(request, "The draft plan was saved.")
        return redirect("plan_detail", patient.pk, plan.pk)
    return render(
        request,
        "rehab/plan_edit.html",
        {"patient": patient, "plan": plan, "form": settings_form, "phases_form": phases_form},
    )


@access.with_patient(Perm.EDIT)
def plan_phase_edit(request, patient, plan_id, index):
    """One phase of a draft: its steps, strength exercises and cross-training, for this patient."""
    plan = _plan(patient, plan_id)
    if not plan.is_draft:
        messages.info(request, "This plan has started; its steps change through the engine.")
        return redirect("plan_detail", patient.pk, plan.pk)
    if index >= len(plan.spec.phases):
        raise Http404("No such phase.")
    editor = PhaseEditor(
        request.POST or None,
        phase=plan.spec.phase(index),
        exercises=Exercise.objects.available().filter(clinic=patient.clinic),
        unit=patient.distance_unit,
    )
    if request.method == "POST" and editor.is_valid():
        content = editor.content_with(plan.spec, index)
        if content is not None:
            with transaction.atomic():
                services.plan_update(plan=plan, by=request.user, content=content)
                audit.record(
                    request, "plan.update", patient=patient, obj=plan, detail={"phase": index}
                )
            messages.success(request, f"Saved the phase “{content.phase(index).label}”.")
            return redirect(reverse("plan_detail", args=[patient.pk, plan.pk]) + f"#phase-{index}")
    return render(
        request,
        "rehab/phase_edit.html",
        {
            "editor": editor,
            "index": index,
            "unit": patient.distance_unit,
            "title": f"{plan.name} · {patient.full_name}",
            "back": reverse("plan_detail", args=[patient.pk, plan.pk]),
            "patient": patient,
            "plan": plan,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@access.with_patient(Perm.EDIT)
def plan_activate(request, patient, plan_id):
    plan = _plan(patient, plan_id)
    therapist = None
    if "therapist" in request.POST:  # the picker shown while the patient has no owner
        form = OwnerForm(request.POST, clinic=patient.clinic)
        if not form.is_valid():
            messages.error(request, form.errors["therapist"][0])
            return redirect("plan_detail", patient.pk, plan.pk)
        therapist = form.cleaned_data["therapist"]
    owner = patient.therapist_id
    try:
        with transaction.atomic():
            services.plan_activate(plan=plan, by=request.user, therapist=therapist)
            audit.record(request, "plan.activate", patient=patient, obj=plan)
            audit.record_owner_change(request, patient, before_id=owner, why="plan.activate")
            invited, problem = _invite_to_see_plan(request, patient)
    except services.PlanError as error:
        messages.error(request, str(error))
        return redirect("plan_detail", patient.pk, plan.pk)
    name = patient.first_name
    if patient.user_id:
        messages.success(request, f"{plan.name} is active. {name} sees it under Today.")
    elif invited:
        messages.success(
            request,
            f"{plan.name} is active. {name} has no account yet: an invitation to set one up was "
            f"sent to {invited.email}. {name} sees the plan under Today once signed in.",
        )
    else:
        messages.warning(
            request,
            f"{plan.name} is active, but {name} has no account and cannot see it: no invitation "
            f"could be sent. {problem}",
        )
    return redirect("plan_detail", patient.pk, plan.pk)


def _invite_to_see_plan(request, patient):
    """(invitation, "") for a patient without an account, e-mailed a fresh invitation with the
    plan; (None, why not) when none could be sent; (None, "") when they have an account."""
    if patient.user_id:
        return None, ""
    try:
        invitation = patient_invite(patient=patient, invited_by=request.user)
    except PatientInviteError as error:
        return None, str(error)
    audit.record(request, "invitation.create", patient=patient, obj=invitation)
    return invitation, ""


@require_POST
@access.with_patient(Perm.EDIT)
def plan_end(request, patient, plan_id):
    """Discard a draft, or end a plan under way."""
    plan = _plan(patient, plan_id)
    form = EndPlanForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    draft = plan.is_draft
    try:
        with transaction.atomic():
            audit.record(
                request, "plan.discard" if draft else "plan.end", patient=patient, obj=plan
            )
            services.plan_end(plan=plan, by=request.user, note=note, today=patient_today(patient))
    except services.PlanError as error:
        messages.error(request, str(error))
        return redirect("plan_detail", patient.pk, plan.pk)
    messages.success(request, "The draft was discarded." if draft else "The plan was ended.")
    return (
        redirect("patient_detail", patient.pk)
        if draft
        else redirect("plan_detail", patient.pk, plan.pk)
    )


@require_POST
@access.with_patient(Perm.EDIT)
def plan_resume(request, patient, plan_id):
    """Restart a plan the engine stopped, at the step the therapist chose after reviewing."""
    plan = _plan(patient, plan_id)
    if plan.status != "review":
        messages.info(request, "This plan is not stopped for review.")
        return redirect("plan_detail", patient.pk, plan.pk)
    form = ResumeForm(request.POST, plan=plan)
    if not form.is_valid():
        messages.error(request, "Choose a step of this plan to resume at.")
        return redirect("plan_detail", patient.pk, plan.pk)
    with transaction.atomic():
        services.plan_resume(
            plan=plan,
            by=request.user,
            position=form.chosen(),
            note=form.cleaned_data["note"],
            today=patient_today(patient),
        )
        audit.record(
            request,
            "plan.resume",
            patient=patient,
            obj=plan,
            detail={"position": form.cleaned_data["position"]},
        )
    messages.success(request, "The plan is running again.")
    return redirect("plan_detail", patient.pk, plan.pk)
