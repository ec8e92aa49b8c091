"""Outcome measures (LEFS, UWRI): the runner answers on their phone, the therapist enters one in
clinic, a clinic admin pastes the licensed wording once. Scores show on the patient page
(`rehab_measures.patient_measures_panel`)."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from clinic import access, audit, submissions
from clinic.access import Perm
from clinic.models import Role
from rehab.measures import queries, services
from rehab.measures.forms import MeasureForm, WordingForm
from rehab.measures.instruments import INSTRUMENTS, Instrument
from rehab.measures.scoring import InvalidAnswers
from rehab.models import MeasureWording, patient_today

SCOPE = "measure"


def _instrument(code: str) -> Instrument:
    if code not in INSTRUMENTS:
        raise Http404("No such questionnaire.")
    return INSTRUMENTS[code]


@access.for_roles(Role.PATIENT)
def my_measures(request):
    """The runner's questionnaires: those due now first, then their scores so far."""
    patient = access.own_patient_record(request)
    today = patient_today(patient)
    wordings = services.clinic_wordings(patient.clinic_id)
    due = {c: o for c, o in services.measures_due(patient, today=today).items() if c in wordings}
    return render(
        request,
        "rehab/measures/my_measures.html",
        {
            "patient": patient,
            "due": [(INSTRUMENTS[code], o) for code, o in due.items()],
            "offered": [i for code, i in INSTRUMENTS.items() if code in wordings],
            "others": [
                i for code, i in INSTRUMENTS.items() if code in wordings and code not in due
            ],
            "panel": queries.measures_panel(patient),
        },
    )


@access.for_roles(Role.PATIENT)
def my_measure_fill(request, code):
    instrument = _instrument(code)
    patient = access.own_patient_record(request)
    wording = services.clinic_wordings(patient.clinic_id).get(code)
    if wording is None:
        raise Http404("Your clinic has not set up this questionnaire.")
    back = reverse("my_measures")
    return _fill(request, patient, instrument, wording, back=back, in_clinic=False)


@access.with_patient(Perm.EDIT)
def patient_measure_fill(request, patient, code):
    """The therapist enters the runner's answers in clinic (from the screen or a paper form)."""
    instrument = _instrument(code)
    wording = services.clinic_wordings(patient.clinic_id).get(code)
    back = reverse("patient_detail", args=[patient.pk]) + "#measures"
    return _fill(request, patient, instrument, wording, back=back, in_clinic=True)


def _fill(request, patient, instrument, wording, *, back: str, in_clinic: bool):
    if request.method == "POST" and (first := submissions.replayed(request, SCOPE)):
        return submissions.Replayed(first).response(request, back)
    form = MeasureForm(request.POST or None, instrument=instrument, wording=wording)
    context = {"patient": patient, "instrument": instrument, "form": form, "in_clinic": in_clinic}
    context["back"] = back
    if request.method != "POST":
        return render(request, "rehab/measures/fill.html", context)
    if not form.is_valid():
        return render(request, "rehab/measures/fill.html", context, status=400)
    try:
        with submissions.once(request, form.cleaned_data["submission"], SCOPE) as claim:
            response = services.measure_save(
                patient=patient,
                instrument=instrument,
                answers=form.answers(),
                by=request.user,
                in_clinic=in_clinic,
                today=patient_today(patient),
            )
            if in_clinic:
                audit.record(request, "measure.record", patient=patient, obj=response)
            message = (
                f"{instrument.abbreviation} saved: {response.total} of {instrument.total_max}."
            )
            claim.answer(back, message)
    except submissions.Replayed as replay:
        return replay.response(request, back)
    except InvalidAnswers as error:  # the form checks the same; a changed instrument would not
        form.add_error(None, str(error))
        return render(request, "rehab/measures/fill.html", context, status=400)
    messages.success(request, message)
    return redirect(back)


@access.admin_only
def measure_wordings(request):
    """The clinic's instruments: whether their wording is pasted, by whom, under which licence."""
    clinic = access.workspace(request).clinic
    rows = {
        w.instrument: w
        for w in MeasureWording.objects.filter(clinic=clinic).select_related("updated_by")
    }
    return render(
        request,
        "rehab/measures/wordings.html",
        {"instruments": [(i, rows.get(code)) for code, i in INSTRUMENTS.items()]},
    )


@access.admin_only
def measure_wording_edit(request, code):
    instrument = _instrument(code)
    clinic = access.workspace(request).clinic
    current = MeasureWording.objects.filter(clinic=clinic, instrument=code).first()
    initial = _initial(instrument, current)
    form = WordingForm(request.POST or None, instrument=instrument, initial=initial)
    context = {"instrument": instrument, "form": form, "current": current}
    if request.method != "POST":
        return render(request, "rehab/measures/wording_form.html", context)
    if not form.is_valid():
        return render(request, "rehab/measures/wording_form.html", context, status=400)
    with transaction.atomic():
        row = services.wording_save(
            clinic=clinic,
            instrument=instrument,
            wording=form.cleaned_data["wording"],
            permission=form.cleaned_data["permission"],
            by=request.user,
        )
        audit.record(
            request, "measure_wording.save", obj=row, detail={"instrument": instrument.code}
        )
    messages.success(request, f"The {instrument.abbreviation} wording is saved.")
    return redirect("measure_wordings")


def _initial(instrument: Instrument, current: MeasureWording | None) -> dict:
    """The saved wording in the form's own format, so an admin can correct a typo."""
    if current is None:
        return {}
    wording = current.wording
    if instrument.shared_scale:
        items = "\n".join(item.text for item in wording.items)
        scale = "\n".join(wording.items[0].answers) if wording.items else ""
    else:
        items = "\n\n".join("\n".join([i.text, *i.answers]) for i in wording.items)
        scale = ""
    return {
        "permission": current.permission,
        "instructions": wording.instructions,
        "items": items,
        "scale": scale,
    }
