"""Care-team collaboration on a patient: tasks and their threads (referral → reply → done).

The patient is loaded through `clinic.access` (staff, or the coach and nutritionist on the care
team); within it, `CareTask.objects.visible_to` keeps a care-team member to the tasks shared with
their role. The patient's own account is sent home: the threads are the team's.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.access import Perm
from clinic.models import CARE_TEAM_ROLES, STAFF_ROLES, Role
from rehab import services
from rehab.care_forms import CareMessageForm, CareReplyForm, CareTaskForm
from rehab.models import CareTask, CareTaskKind

TASKS_PER_PAGE = 25


def _team_view(view):
    """Send the patient's own account to their home page; the care threads are the team's."""

    def wrapper(request, patient, *args, **kwargs):
        if not access.workspace(request).is_staff and patient.user_id == request.user.pk:
            return redirect("patient_home")
        return view(request, patient, *args, **kwargs)

    return wrapper


def _is_staff(request, patient) -> bool:
    return access.can(request, Perm.VIEW_CLINICAL, patient)


def _tasks(request, patient):
    return CareTask.objects.filter(patient=patient).visible_to(
        request.user, staff=_is_staff(request, patient)
    )


@access.with_patient(Perm.VIEW_PROGRESS)
@_team_view
def care_tasks(request, patient):
    staff = _is_staff(request, patient)
    audit.record(request, "care_tasks.view", patient=patient, obj=patient)
    tasks = (
        _tasks(request, patient)
        .select_related("assignee", "created_by")
        .annotate(note_count=Count("notes"))
        .order_by("status", "-created_at")
    )
    return render(
        request,
        "rehab/care_tasks.html",
        {
            "patient": patient,
            "tasks": tasks,
            "staff": staff,
            "form": CareTaskForm() if staff else CareMessageForm(),
        },
    )


@require_POST
@access.with_patient(Perm.VIEW_PROGRESS)
@_team_view
def care_task_create(request, patient):
    """Staff add a task for a role; a coach or nutritionist writes to the therapist."""
    staff = _is_staff(request, patient)
    form = (CareTaskForm if staff else CareMessageForm)(request.POST)
    if not form.is_valid():
        tasks = _tasks(request, patient).annotate(note_count=Count("notes"))
        context = {"patient": patient, "tasks": tasks, "staff": staff, "form": form}
        return render(request, "rehab/care_tasks.html", context, status=400)
    data = form.cleaned_data
    with transaction.atomic():
        if staff:
            role = data["role"]
            team = {m.role: m.user for m in patient.care_team.all()}
            task = services.care_task_create(
                patient=patient,
                by=request.user,
                kind=CareTaskKind.MESSAGE,
                role=role,
                title=data["title"],
                detail=data["detail"],
                shared_with=data["shared_with"],
                assignee=team.get(role) if role != Role.THERAPIST else patient.therapist,
            )
        else:
            task = services.care_task_create(
                patient=patient,
                by=request.user,
                kind=CareTaskKind.MESSAGE,
                role=Role.THERAPIST,
                title=data["title"],
                detail=data["detail"],
                shared_with=_member_role(request, patient),
                assignee=patient.therapist,
            )
        audit.record(request, "care_task.create", patient=patient, obj=task)
    messages.success(request, "Sent to the care team." if not staff else "Task added.")
    return redirect("care_task_detail", patient.pk, task.pk)


def _member_role(request, patient) -> str:
    return next(m.role for m in patient.care_team.all() if m.user_id == request.user.pk)


def _task(request, patient, task_id) -> CareTask:
    return get_object_or_404(
        _tasks(request, patient).select_related("assignee", "created_by", "done_by"), pk=task_id
    )


@access.with_patient(Perm.VIEW_PROGRESS)
@_team_view
def care_task_detail(request, patient, task_id):
    task = _task(request, patient, task_id)
    audit.record(request, "care_task.view", patient=patient, obj=task)
    return render(
        request,
        "rehab/care_task.html",
        {
            "patient": patient,
            "task": task,
            "notes": task.notes.select_related("author"),
            "form": CareReplyForm(),
            "staff": _is_staff(request, patient),
        },
    )


@require_POST
@access.with_patient(Perm.VIEW_PROGRESS)
@_team_view
def care_task_reply(request, patient, task_id):
    task = _task(request, patient, task_id)
    form = CareReplyForm(request.POST)
    if not form.is_valid():
        context = {
            "patient": patient,
            "task": task,
            "notes": task.notes.select_related("author"),
            "form": form,
            "staff": _is_staff(request, patient),
        }
        return render(request, "rehab/care_task.html", context, status=400)
    with transaction.atomic():
        note = services.care_task_reply(task=task, by=request.user, text=form.cleaned_data["text"])
        audit.record(request, "care_task.reply", patient=patient, obj=note)
    messages.success(request, "Reply sent.")
    return redirect("care_task_detail", patient.pk, task.pk)


@require_POST
@access.with_patient(Perm.VIEW_PROGRESS)
@_team_view
def care_task_done(request, patient, task_id):
    task = _task(request, patient, task_id)
    with transaction.atomic():
        services.care_task_done(task=task, by=request.user)
        audit.record(request, "care_task.done", patient=patient, obj=task)
    messages.success(request, f"Marked done: {task.title}.")
    return redirect("care_tasks", patient.pk)


@access.for_roles(*STAFF_ROLES, *CARE_TEAM_ROLES)
def care_task_inbox(request):
    """Open tasks across the patients this person may see: for me, or everyone's (staff)."""
    ws = access.workspace(request)
    patients = access.patients_visible(request, Perm.VIEW_PROGRESS).active()
    tasks = (
        CareTask.objects.open()
        .filter(patient__in=patients)
        .visible_to(request.user, staff=ws.is_staff)
        .select_related("patient", "assignee")
        .annotate(note_count=Count("notes"))
        .order_by("-updated_at", "id")
    )
    scope = request.GET.get("scope", "mine")
    if scope == "mine" and ws.is_staff:
        # The therapist's questions of their patients, and of the unowned ones for the inbox.
        tasks = tasks.filter(access.signals_mine(request), role=Role.THERAPIST)
    elif scope == "mine":
        tasks = tasks.filter(role__in=ws.roles)
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "rehab/care_inbox.html", {"page": page, "scope": scope, "staff": ws.is_staff}
    )
