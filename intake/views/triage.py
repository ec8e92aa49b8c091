"""The therapist's side: sending links, the triage queue, one intake, examination, decisions."""

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.db.models.fields.json import KeyTransform
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.access import Perm
from clinic.models import User
from intake import scoring, services
from intake.clinical_forms import ExamRecordForm
from intake.forms import (
    AnswerStepForm,
    AssignForm,
    DecisionForm,
    IntakeLinkForm,
    step_keys,
)
from intake.models import Intake, IntakeDecision, IntakeLink
from intake.presenting import answer_rows, clinician_result, exam_record_rows
from intake.views.runner import (
    autosave,
    is_autosave,
    render_step,
    save_step,
    step_form,
    steps_for,
)
from rehab.models import patient_zone

QUEUE_PAGE_SIZE = 25
THERAPIST_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only, within a bigint
QUESTION_LABELS = {key: question.label for key, question in scoring.QUESTIONS.items()}


def _intake(request, intake_id) -> Intake:
    return access.clinic_object(
        request,
        Intake.objects.select_related("patient", "assigned_to", "link", "clinic"),
        pk=intake_id,
    )


def _owner_id(intake: Intake) -> int | None:
    return intake.patient.therapist_id if intake.patient_id else None


def _audit_owner(request, intake: Intake, before_id: int | None, why: str) -> None:
    """Taking or deciding an intake can make the actor responsible for the runner: audited."""
    if intake.patient_id:
        audit.record_owner_change(request, intake.patient, before_id=before_id, why=why)


def queue_filters(request) -> dict:
    get = request.GET
    return {
        "status": get.get("status", "open"),
        "band": get.get("band", ""),
        "region": get.get("region", ""),
        "therapist": get.get("therapist", ""),
        "flagged": get.get("flagged", ""),
    }


def filtered_queue(clinic, filters: dict, user):
    intakes = Intake.objects.filter(clinic=clinic).exclude(status=Intake.Status.DRAFT)
    status = filters["status"]
    if status == "open":
        intakes = intakes.filter(status__in=Intake.OPEN_STATUSES)
    elif status in Intake.Status.values:
        intakes = intakes.filter(status=status)
    if filters["band"] in dict(scoring.BANDS):
        intakes = intakes.filter(band=filters["band"])
    if filters["region"] in dict(scoring.REGIONS):
        intakes = intakes.filter(region=filters["region"])
    if filters["flagged"] == "yes":
        intakes = intakes.exclude(red_flag_level="")
    therapist = filters["therapist"]
    if therapist == "me":
        intakes = intakes.filter(assigned_to=user)
    elif therapist == "none":
        intakes = intakes.filter(assigned_to__isnull=True)
    elif THERAPIST_ID.fullmatch(therapist):
        intakes = intakes.filter(assigned_to_id=int(therapist))
    # The queue's order is the partial index `intake_open_queue`, so a page is read from the
    # index. The jsonb columns stay in the table: the page shows only the first red flag.
    return (
        intakes.select_related("patient", "assigned_to")
        .defer("answers", "steps_done", "result")
        .annotate(first_red_flag=KeyTransform("0", KeyTransform("red_flags", "result")))
        .order_by("priority_rank", "-score", "submitted_at", "pk")
    )


@access.staff_only
def triage_queue(request):
    clinic = access.workspace(request).clinic
    filters = queue_filters(request)
    page = Paginator(filtered_queue(clinic, filters, request.user), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    therapists = User.objects.filter(
        memberships__clinic=clinic, memberships__role="therapist", memberships__is_active=True
    ).order_by("full_name")
    return render(
        request,
        "intake/queue.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Intake.Status.choices[1:],
            "bands": scoring.BANDS,
            "regions": scoring.REGIONS,
            "therapists": therapists,
            "region_labels": dict(scoring.REGIONS),
        },
    )


def _runner_zone(intake: Intake):
    """The runner's zone, where a follow-up visit's time is read (else the therapist's)."""
    return patient_zone(intake.patient) if intake.patient_id else None


def _detail(request, intake: Intake, decision_form: DecisionForm, status: int = 200):
    return render(
        request,
        "intake/detail.html",
        {
            "intake": intake,
            "result": clinician_result(intake.result),
            "scores": [
                (stored, clinician_result(stored.result))
                for stored in intake.scores.select_related("created_by")
            ],
            "rows": answer_rows(intake, audience="clinician"),
            "exam_rows": exam_record_rows(intake),
            "decisions": intake.decisions.select_related("decided_by"),
            "events": intake.events.select_related("actor"),
            "decision_form": decision_form,
            "assign_form": AssignForm(
                clinic=intake.clinic, initial={"therapist": intake.assigned_to_id}
            ),
            "question_labels": QUESTION_LABELS,
            "has_exam": any(
                key in intake.answers
                for key in step_keys("therapist", intake.ruleset_version or None)
            ),
        },
        status=status,
    )


@access.staff_only
def intake_detail(request, intake_id):
    intake = _intake(request, intake_id)
    if intake.patient_id:
        audit.record(request, "intake.view", patient=intake.patient, obj=intake)
    return _detail(request, intake, DecisionForm(zone=_runner_zone(intake)))


@access.staff_only
def intake_exam(request, intake_id):
    """The therapist's section; saving it scores the intake again."""
    intake = _intake(request, intake_id)
    if intake.status == Intake.Status.DRAFT:
        messages.error(request, "Submit the runner's answers before the examination.")
        return redirect("intake_detail", intake.pk)
    data = request.POST if request.method == "POST" else None
    form = AnswerStepForm(
        data,
        step="therapist",
        answers=intake.answers,
        version=intake.ruleset_version or None,
    )
    record = ExamRecordForm(data, initial=_exam_record_initial(intake))
    valid = data is not None and form.is_valid() & record.is_valid() and record.check(form)
    if valid:
        with transaction.atomic():
            services.intake_exam_record(intake=intake, **record.cleaned_data)
            result = services.intake_rescore(
                intake=intake, answers=form.answers(), actor=request.user
            )
            audit.record(
                request,
                "intake.examine",
                patient=intake.patient,
                obj=intake,
                detail={"side": intake.exam_side, "imaging": intake.imaging_status},
            )
        messages.success(
            request, f"Examination saved. New score {result.score} ({result.band} suspicion)."
        )
        return redirect("intake_detail", intake.pk)
    audit.record(
        request, "intake.view", patient=intake.patient, obj=intake, detail={"page": "exam"}
    )
    return render(request, "intake/exam.html", {"intake": intake, "form": form, "record": record})


def _exam_record_initial(intake: Intake) -> dict:
    """The examination's record so far; the side starts as the runner's answer."""
    return {
        "exam_side": intake.exam_side or intake.side,
        "imaging_status": intake.imaging_status
        or ("done" if intake.answers.get("imaging_result") else ""),
        "imaging_date": intake.imaging_date,
    }


@require_POST
@access.staff_only
def intake_claim(request, intake_id):
    intake = _intake(request, intake_id)
    owner = _owner_id(intake)
    with transaction.atomic():
        services.intake_assign(intake=intake, therapist=request.user, actor=request.user)
        audit.record(
            request,
            "intake.assign",
            patient=intake.patient,
            obj=intake,
            detail={"to": request.user.pk},
        )
        _audit_owner(request, intake, owner, "intake.assign")
    messages.success(request, "You took this intake.")
    return redirect("intake_detail", intake.pk)


@require_POST
@access.staff_only
def intake_assign(request, intake_id):
    intake = _intake(request, intake_id)
    form = AssignForm(request.POST, clinic=intake.clinic)
    if form.is_valid():
        therapist = form.cleaned_data["therapist"]
        owner = _owner_id(intake)
        with transaction.atomic():
            services.intake_assign(intake=intake, therapist=therapist, actor=request.user)
            audit.record(
                request,
                "intake.assign",
                patient=intake.patient,
                obj=intake,
                detail={"to": therapist.pk if therapist else None},
            )
            _audit_owner(request, intake, owner, "intake.assign")
        messages.success(
            request, f"Assigned to {therapist.full_name}." if therapist else "Unassigned."
        )
    else:
        messages.error(request, "Choose a therapist of this clinic.")
    return redirect("intake_detail", intake.pk)


@require_POST
@access.staff_only
def intake_decide(request, intake_id):
    intake = _intake(request, intake_id)
    form = DecisionForm(request.POST, zone=_runner_zone(intake))
    if intake.status == Intake.Status.DRAFT:
        messages.error(request, "The runner has not submitted this intake yet.")
        return redirect("intake_detail", intake.pk)
    if not form.is_valid():
        return _detail(request, intake, form, status=400)
    owner = _owner_id(intake)
    with transaction.atomic():
        decision = services.intake_decide(intake=intake, actor=request.user, **form.cleaned_data)
        audit.record(request, "intake.decide", patient=intake.patient, obj=decision)
        _audit_owner(request, intake, owner, "intake.decide")
        if visit := getattr(decision, "visit", None):
            audit.record(request, "visit.book", patient=intake.patient, obj=visit)
    messages.success(request, f"Decision recorded: {decision.get_kind_display()}.")
    if visit:
        local = visit.local_starts_at
        messages.info(
            request,
            f"Follow-up visit booked for {local:%a} {local.day} {local:%b} at {local:%H:%M} "
            f"({intake.patient.time_zone}): it is on the runner's Today and on their page.",
        )
    if decision.kind == IntakeDecision.Kind.START_REHAB:
        return redirect("plan_assign_intake", intake.pk)
    return redirect("intake_detail", intake.pk)


@access.staff_only
def intake_link_create(request):
    """Send a runner a personal questionnaire link, for a known patient or a new runner."""
    clinic = access.workspace(request).clinic
    patient = None
    if request.GET.get("patient"):
        patient = access.patient_for(request, request.GET["patient"], Perm.EDIT)
    initial = {"full_name": patient.full_name, "email": patient.email} if patient else {}
    form = IntakeLinkForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            link = services.link_create(
                clinic=clinic, created_by=request.user, patient=patient, **form.cleaned_data
            )
            audit.record(request, "intake_link.create", patient=link.patient, obj=link)
        messages.success(request, f"A questionnaire link was sent to {link.email}.")
        return redirect("intake_links")
    return render(request, "intake/link_form.html", {"form": form, "patient": patient})


@access.staff_only
def intake_links(request):
    """Links the clinic has sent, with their state, so nobody is forgotten."""
    clinic = access.workspace(request).clinic
    links = (
        IntakeLink.objects.filter(clinic=clinic)
        .select_related("created_by", "patient")
        .prefetch_related(Prefetch("intake", queryset=Intake.objects.only("id", "status", "link")))
        .order_by("-created_at")
    )
    page = Paginator(links, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "intake/links.html", {"page": page})


@require_POST
@access.with_patient(Perm.EDIT)
def intake_start_visit(request, patient):
    intake = services.intake_start_visit(patient=patient, therapist=request.user)
    audit.record(request, "intake.start_visit", patient=patient, obj=intake)
    return redirect("intake_answer", intake.pk, steps_for(intake)[0])


@access.staff_only
def intake_answer(request, intake_id, step):
    """The runner's questions, filled in by the therapist during a visit."""
    intake = _intake(request, intake_id)
    steps = steps_for(intake)
    if intake.status != Intake.Status.DRAFT or step not in steps:
        return redirect("intake_detail", intake.pk)
    form = step_form(intake, step, request.POST if request.method == "POST" else None)
    if is_autosave(request):
        return autosave(intake, step, form)
    if request.method == "POST" and form.is_valid():
        save_step(intake, step, form)
        index = steps.index(step)
        if index + 1 < len(steps):
            return redirect("intake_answer", intake.pk, steps[index + 1])
        services.intake_submit(intake=intake, actor=request.user)
        messages.success(request, "The intake was scored. Add your examination to refine it.")
        return redirect("intake_detail", intake.pk)
    return render_step(request, intake, step, form, steps, staff=True, intake=intake)
