"""Cohort exports for clinic admins: the page, the streamed CSV, background jobs and downloads."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinic import access, audit
from clinic.downloads import attachment_response
from reports import cohort, exporters, outcome_measures, services
from reports.forms import CohortFilterForm, ExportForm
from reports.models import ClinicResearchKey, ExportJob, export_label

JOBS_SHOWN = 10


@access.admin_only
def export_page(request):
    clinic = access.workspace(request).clinic
    return _page(request, ExportForm(request.GET or None, clinic=clinic))


def _page(request, form: ExportForm, *, status: int = 200):
    clinic = access.workspace(request).clinic
    filters = form.filters() if form.is_valid() else cohort.CohortFilters()
    patients = cohort.cohort(clinic, filters)
    jobs = ExportJob.objects.filter(clinic=clinic).select_related("requested_by")[:JOBS_SHOWN]
    therapists = {user.pk: user.full_name for user in form.fields["therapist"].queryset}
    return render(
        request,
        "reports/exports.html",
        {
            "form": form,
            "filters": filters,
            "described": filters.describe(therapists),
            "patient_count": patients.count(),
            "jobs": [
                (job, cohort.CohortFilters.from_json(job.filters).describe(therapists))
                for job in jobs
            ],
            # What the form on screen says now, for the sentence beside the buttons.
            "deidentified": bool(form["deidentified"].value()),
            "export_hours": settings.EXPORT_FILE_HOURS,
        },
        status=status,
    )


@access.admin_only
def export_measures_csv(request):
    """The cohort's outcome measures (LEFS, UWRI) as CSV, one row per questionnaire answered,
    with the same filters and the same de-identification as the other exports."""
    clinic = access.workspace(request).clinic
    form = CohortFilterForm(request.GET, clinic=clinic)
    if not form.is_valid():
        messages.error(request, "Check the filters.")
        return redirect(reverse("export_page") + "?" + request.GET.urlencode())
    deidentified = form.cleaned_data["deidentified"]
    secret = ClinicResearchKey.secret_for(clinic) if deidentified else b""
    table = outcome_measures.measures_table(
        clinic, form.filters(), deidentified=deidentified, secret=secret
    )
    audit.record(
        request,
        "export.measures_csv",
        detail={"deidentified": deidentified, "filters": form.filters().to_json()},
    )
    label = "outcome-measures-" + ("deidentified" if deidentified else "identified")
    return attachment_response(request, exporters.csv_chunks(table), label=label, extension="csv")


@access.admin_only
def export_csv(request):
    """The cohort as CSV, streamed row by row from a server-side cursor as it is read."""
    clinic = access.workspace(request).clinic
    form = CohortFilterForm(request.GET, clinic=clinic)
    if not form.is_valid():
        problems = [
            f"{form.fields[name].label}: {' '.join(errors)}"
            for name, errors in form.errors.items()
            if name in form.fields
        ]
        messages.error(request, "Check the filters. " + " ".join(problems))
        return redirect(reverse("export_page") + "?" + request.GET.urlencode())
    kind, deidentified = form.cleaned_data["kind"], form.cleaned_data["deidentified"]
    table = services.cohort_table(
        clinic, kind=kind, filters=form.filters(), deidentified=deidentified
    )
    audit.record(
        request,
        "export.cohort_csv",
        detail={
            "kind": kind,
            "deidentified": deidentified,
            "filters": form.filters().to_json(),
            "rows": table.total,
        },
    )
    label = export_label(kind, deidentified=deidentified)
    return attachment_response(request, exporters.csv_chunks(table), label=label, extension="csv")


@require_POST
@access.admin_only
def export_job_create(request):
    """Prepare exactly what the page's form said when "Prepare file" was pressed: the button
    submits that form, applied or not. Bad input shows the page again, errors beside the fields,
    and prepares nothing."""
    clinic = access.workspace(request).clinic
    form = ExportForm(request.POST, clinic=clinic)
    if not form.is_valid():
        return _page(request, form, status=400)
    job = services.export_job_create(
        clinic=clinic,
        requested_by=request.user,
        kind=form.cleaned_data["kind"],
        file_format=form.cleaned_data["format"],
        filters=form.filters(),
        deidentified=form.cleaned_data["deidentified"],
    )
    audit.record(
        request,
        "export.job_create",
        obj=job,
        detail={
            "kind": job.kind,
            "format": job.format,
            "deidentified": job.deidentified,
            "filters": job.filters,
        },
    )
    messages.success(request, "The export is being prepared. It appears below when it is ready.")
    carried = request.POST.copy()
    carried.pop("csrfmiddlewaretoken", None)
    return redirect(f"{reverse('export_page')}?{carried.urlencode()}#job-{job.pk}")


def _job(request, job_id) -> ExportJob:
    return access.clinic_object(request, ExportJob.objects.all(), pk=job_id)


@access.admin_only
def export_job_status(request, job_id):
    """The job's state for the page's progress bar (static/js/export-progress.js)."""
    job = _job(request, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "rows": job.row_count,
            "total": job.total_rows,
            "error": job.error,
            "download_url": reverse("export_job_download", args=[job.pk]) if job.is_ready else "",
        },
        headers={"Cache-Control": "no-store"},
    )


@access.admin_only
def export_job_download(request, job_id):
    job = _job(request, job_id)
    if not job.is_ready or not job.file or not job.file.exists():
        raise Http404("This export is not ready, or has expired.")
    audit.record(
        request,
        "export.download",
        obj=job,
        detail={"kind": job.kind, "format": job.format, "deidentified": job.deidentified},
    )
    return attachment_response(request, job.file.open("rb"), label=job.label, extension=job.format)
