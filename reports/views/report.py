"""One patient's progress report, as a page and as a PDF to hand over. Clinic staff only."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.access import Perm
from clinic.downloads import attachment_response
from reports import pdf
from reports.forms import ReportSummaryForm
from reports.handover import handover_for, report_summary_save
from reports.progress_report import progress_report


@access.with_patient(Perm.VIEW_CLINICAL)
def report_page(request, patient):
    return _page(request, patient)


def _page(request, patient, *, form: ReportSummaryForm | None = None, status: int = 200):
    report = progress_report(patient)
    handover = handover_for(patient, with_logo=False)  # the page shows the logo by its URL
    audit.record(
        request,
        "report.view",
        patient=patient,
        obj=patient,
        detail={"summary_version": handover.summary.number if handover.summary else None},
    )
    form = form or ReportSummaryForm(initial={"text": handover.summary_text})
    return render(
        request,
        "reports/progress_report.html",
        {"patient": patient, "report": report, "handover": handover, "summary_form": form},
        status=status,
    )


@require_POST
@access.with_patient(Perm.EDIT)
def report_summary(request, patient):
    """Save the clinician's summary as a new version (nothing, when it did not change)."""
    form = ReportSummaryForm(request.POST)
    if not form.is_valid():
        return _page(request, patient, form=form, status=400)
    version = report_summary_save(
        patient=patient, text=form.cleaned_data["text"], author=request.user
    )
    if version is None:
        messages.info(request, "The summary was already saved as it is.")
    else:
        audit.record(
            request,
            "report.summary_save",
            patient=patient,
            obj=version,
            detail={"version": version.number, "characters": len(version.text)},
        )
        messages.success(request, "The summary was saved. The PDF prints it from now on.")
    return redirect("progress_report", patient.pk)


@access.with_patient(Perm.VIEW_CLINICAL)
def report_pdf(request, patient):
    handover = handover_for(patient)
    content = pdf.render(progress_report(patient), handover=handover)
    audit.record(
        request,
        "report.download",
        patient=patient,
        obj=patient,
        detail={"summary_version": handover.summary.number if handover.summary else None},
    )
    # The name of the person in the file name, as letters, digits and dashes only.
    name = slugify(patient.full_name) or "patient"
    return attachment_response(request, content, label=f"progress report {name}", extension="pdf")
