"""The clinic's plan library, edited in the app: templates (versioned) and strength exercises."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from clinic import access, audit
from rehab import services
from rehab.models import Exercise, PlanTemplate, TemplateVersion
from rehab.plan_forms import (
    ExerciseForm,
    PhaseEditor,
    PhaseListForm,
    TemplateCreateForm,
    TemplateForm,
)
from rehab.rules.content import STRENGTH_TARGETS

TEMPLATE_UNIT = "km"  # templates are clinic-wide; a patient's plan shows their own unit


def _template(request, template_id) -> PlanTemplate:
    return access.clinic_object(
        request, PlanTemplate.objects.select_related("current_version"), pk=template_id
    )


@access.staff_only
def template_list(request):
    clinic = access.workspace(request).clinic
    services.library_ensure(clinic)
    templates = (
        PlanTemplate.objects.filter(clinic=clinic)
        .select_related("current_version")
        .annotate(plans_active=Count("versions__plans", filter=Q(versions__plans__status="active")))
        .order_by("is_archived", "name")
    )
    return render(
        request,
        "rehab/template_list.html",
        {
            "templates": templates,
            "exercise_count": Exercise.objects.available().filter(clinic=clinic).count(),
        },
    )


@access.staff_only
def template_create(request):
    clinic = access.workspace(request).clinic
    form = TemplateCreateForm(request.POST or None, clinic=clinic)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            template = services.template_create(
                clinic=clinic,
                by=request.user,
                fields={"name": data["name"], "risk_class": data["risk_class"]},
                content=form.content(),
                note=f"Copied from {data['copy_from']}" if data["copy_from"] else "Created",
            )
            audit.record(request, "plan_template.create", obj=template)
        messages.success(request, "Template created. Edit its phases below.")
        return redirect("template_detail", template.pk)
    return render(request, "rehab/template_form.html", {"form": form})


@access.staff_only
def template_detail(request, template_id):
    """The current version, or an earlier one (?version=N), with the version history."""
    template = _template(request, template_id)
    versions = list(template.versions.select_related("created_by"))
    version = template.current_version
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        version = next((v for v in versions if v.number == int(wanted)), None)
        if version is None:
            raise Http404("No such version.")
    return render(
        request,
        "rehab/template_detail.html",
        {
            "template": template,
            "version": version,
            "spec": version.spec,
            "versions": versions,
            "is_current": version == template.current_version,
            "unit": TEMPLATE_UNIT,
        },
    )


@access.staff_only
def template_edit(request, template_id):
    """Name, risk class, description, and the phases (order, remove, add): one new version."""
    template = _template(request, template_id)
    data = request.POST or None
    form = TemplateForm(data, instance=template)
    phases_form = PhaseListForm(data, content=template.current_version.spec)
    if data is not None and form.is_valid() and phases_form.is_valid():
        with transaction.atomic():
            version = services.template_save(
                template=template,
                by=request.user,
                fields={name: form.cleaned_data[name] for name in form.Meta.fields},
                content=phases_form.new_content,
                note="Phases changed",
            )
            audit.record(
                request,
                "plan_template.update",
                obj=template,
                detail={"version": version.number if version else None},
            )
        messages.success(request, _saved(version))
        return redirect("template_detail", template.pk)
    return render(
        request,
        "rehab/template_edit.html",
        {"template": template, "form": form, "phases_form": phases_form},
    )


def _saved(version: TemplateVersion | None) -> str:
    if version is None:
        return "Saved. The phases did not change, so the version stays the same."
    return (
        f"Saved as version {version.number}. Plans made from earlier versions keep their own copy."
    )


@access.staff_only
def template_phase_edit(request, template_id, index):
    template = _template(request, template_id)
    spec = template.current_version.spec
    if index >= len(spec.phases):
        raise Http404("No such phase.")
    clinic = access.workspace(request).clinic
    editor = PhaseEditor(
        request.POST or None,
        phase=spec.phase(index),
        exercises=Exercise.objects.available().filter(clinic=clinic),
        unit=TEMPLATE_UNIT,
    )
    if request.method == "POST" and editor.is_valid():
        content = editor.content_with(spec, index)
        if content is not None:
            label = content.phase(index).label
            with transaction.atomic():
                version = services.template_save(
                    template=template,
                    by=request.user,
                    content=content,
                    note=f"Edited phase “{label}”",
                )
                audit.record(
                    request,
                    "plan_template.update",
                    obj=template,
                    detail={"version": version.number if version else None, "phase": index},
                )
            messages.success(request, _saved(version))
            back = reverse("template_detail", args=[template.pk])
            return redirect(f"{back}#phase-{index}")
    return render(
        request,
        "rehab/phase_edit.html",
        {
            "editor": editor,
            "index": index,
            "unit": TEMPLATE_UNIT,
            "title": template.name,
            "back": reverse("template_detail", args=[template.pk]),
            "template": template,
        },
        status=400 if request.method == "POST" else 200,
    )


@access.staff_only
def exercise_list(request):
    clinic = access.workspace(request).clinic
    services.library_ensure(clinic)
    exercises = Exercise.objects.filter(clinic=clinic).order_by("is_archived", "target", "name")
    groups = [
        (label, [e for e in exercises if e.target == code])
        for code, label in STRENGTH_TARGETS.items()
    ]
    return render(request, "rehab/exercise_list.html", {"groups": groups})


@access.staff_only
def exercise_create(request):
    clinic = access.workspace(request).clinic
    form = ExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        exercise = form.save(commit=False)
        exercise.clinic = clinic
        base = slugify(exercise.name)[:50] or "exercise"
        try:
            with transaction.atomic():
                exercise.code = _free_code(clinic, base)
                exercise.save()
                audit.record(request, "exercise.create", obj=exercise)
        except IntegrityError:
            form.add_error("name", "Another exercise was just saved with this name. Try again.")
        else:
            messages.success(request, f"Added “{exercise.name}” to the library.")
            return redirect("exercise_list")
    return render(request, "rehab/exercise_form.html", {"form": form})


def _free_code(clinic, base: str) -> str:
    taken = set(
        Exercise.objects.filter(clinic=clinic, code__startswith=base).values_list("code", flat=True)
    )
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


@access.staff_only
def exercise_edit(request, exercise_id):
    exercise = access.clinic_object(request, Exercise.objects.all(), pk=exercise_id)
    form = ExerciseForm(request.POST or None, instance=exercise)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            audit.record(
                request, "exercise.update", obj=exercise, detail={"fields": form.changed_data}
            )
        messages.success(request, f"Saved “{exercise.name}”.")
        return redirect("exercise_list")
    return render(request, "rehab/exercise_form.html", {"form": form, "exercise": exercise})
