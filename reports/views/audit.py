"""The audit trail: the admin browses, filters and exports it; a patient sees who viewed them."""

from django.core.paginator import Paginator
from django.shortcuts import render

from clinic import access, audit
from clinic.downloads import attachment_response
from clinic.models import Role
from reports import audit_trail, exporters
from reports.forms import AuditFilterForm

EVENTS_PER_PAGE = 50


@access.admin_only
def audit_log(request):
    clinic = access.workspace(request).clinic
    form = AuditFilterForm(request.GET or None, clinic=clinic)
    events = audit_trail.clinic_events(clinic, form.filters())
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": [(event, audit_trail.action_label(event.action)) for event in page],
            "query": query.urlencode(),
        },
    )


@access.admin_only
def audit_log_export(request):
    """The filtered audit trail as CSV, streamed."""
    clinic = access.workspace(request).clinic
    form = AuditFilterForm(request.GET or None, clinic=clinic)
    filters = form.filters()
    audit.record(request, "audit.export", detail={"filters": request.GET.dict()})
    table = audit_trail.audit_table(audit_trail.clinic_events(clinic, filters))
    return attachment_response(
        request, exporters.csv_chunks(table), label="audit trail", extension="csv"
    )


@access.for_roles(Role.PATIENT)
def my_record_views(request):
    """Who at the clinic or on the care team opened the patient's record, and when."""
    patient = access.own_patient_record(request)
    return render(
        request,
        "reports/my_record_views.html",
        {"patient": patient, "views": audit_trail.record_views(patient)},
    )
