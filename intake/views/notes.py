"""Clinical notes (SOAP) on a patient: clinic staff only, every read and write audited.

The care team and the patient never reach these pages (`Perm.VIEW_CLINICAL` and `Perm.EDIT`
give them a 404), and no page of theirs shows a note.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.access import Perm
from intake import services
from intake.clinical_forms import ClinicalNoteForm
from intake.models import ClinicalNote, ClinicalNoteVersion

NOTES_PAGE_SIZE = 20
PATIENT_PAGE_NOTES = 3  # the latest notes shown on the patient's page


def notes_with_versions(patient):
    """The patient's notes, newest first, each with its versions (newest first) prefetched."""
    versions = ClinicalNoteVersion.objects.select_related("author").order_by("-number")
    return patient.clinical_notes.select_related("created_by").prefetch_related(
        Prefetch("versions", queryset=versions)
    )


def audit_notes_read(request, patient, notes, *, page: str) -> None:
    """One audit row naming every note shown (a read of clinical text)."""
    if notes:
        audit.record(
            request,
            "clinical_note.view",
            patient=patient,
            detail={"page": page, "notes": [str(note.pk) for note in notes]},
        )


def _list(request, patient, form, *, status=200):
    page = Paginator(notes_with_versions(patient), NOTES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit_notes_read(request, patient, page.object_list, page="notes")
    return render(
        request,
        "intake/clinical_notes.html",
        {"patient": patient, "page": page, "form": form},
        status=status,
    )


@access.with_patient(Perm.VIEW_CLINICAL)
def clinical_notes(request, patient):
    return _list(request, patient, ClinicalNoteForm())


@require_POST
@access.with_patient(Perm.EDIT)
def clinical_note_create(request, patient):
    form = ClinicalNoteForm(request.POST)
    if not form.is_valid():
        return _list(request, patient, form, status=400)
    with transaction.atomic():
        note = services.clinical_note_add(
            patient=patient, author=request.user, sections=_sections(form)
        )
        audit.record(request, "clinical_note.create", patient=patient, obj=note)
    messages.success(request, "The note was saved.")
    return redirect("clinical_notes", patient.pk)


@access.with_patient(Perm.EDIT)
def clinical_note_edit(request, patient, note_id):
    """Change a note: the change is a new version; earlier versions stay readable."""
    note = get_object_or_404(notes_with_versions(patient), pk=note_id)
    latest = note.versions.all()[0]
    form = ClinicalNoteForm(request.POST or None, instance=None, initial=_sections(latest))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            version = services.clinical_note_revise(
                note=note, author=request.user, sections=_sections(form)
            )
            if version is not None:
                audit.record(
                    request,
                    "clinical_note.revise",
                    patient=patient,
                    obj=note,
                    detail={"version": version.number},
                )
        messages.success(request, "The note was saved." if version else "Nothing changed.")
        return redirect("clinical_notes", patient.pk)
    audit_notes_read(request, patient, [note], page="edit")
    return render(
        request,
        "intake/clinical_note_edit.html",
        {"patient": patient, "note": note, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _sections(source) -> dict:
    """The four SOAP texts of a valid form or of a stored version."""
    if isinstance(source, ClinicalNoteForm):
        return {name: source.cleaned_data[name] for name in ClinicalNoteVersion.SECTIONS}
    return {name: getattr(source, name) for name in ClinicalNoteVersion.SECTIONS}


def latest_notes(request, patient) -> list[ClinicalNote]:
    """The few latest notes for the patient's page, read (and audited) for clinic staff only."""
    if not access.can(request, Perm.VIEW_CLINICAL, patient):
        return []
    notes = list(notes_with_versions(patient)[:PATIENT_PAGE_NOTES])
    audit_notes_read(request, patient, notes, page="patient")
    return notes
