"""One patient's progress report, as a page and as a PDF to hand over. Clinic staff only."""

from django.shortcuts import render

from clinic import access, audit
from clinic.access import Perm
from clinic.downloads import attachment_response
from reports import pdf
from reports.progress_report import progress_report


@access.with_patient(Perm.VIEW_CLINICAL)
def report_page(request, patient):
    report = progress_report(patient)
    audit.record(request, "report.view", patient=patient, obj=patient)
    return render(request, "reports/progress_report.html", {"patient": patient, "report": report})


@access.with_patient(Perm.VIEW_CLINICAL)
def report_pdf(request, patient):
    content = pdf.render(progress_report(patient))
    audit.record(request, "report.download", patient=patient, obj=patient)
    return attachment_response(request, content, label="progress report", extension="pdf")
