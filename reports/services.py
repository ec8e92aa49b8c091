"""Export workflows: queue an export job, run it (the task's body), clean up expired files."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clinic.models import Clinic, User
from reports import cohort, exporters
from reports.models import ClinicResearchKey, ExportJob, ExportKind

# A job still "preparing" this long after it started lost its worker: it is marked failed.
STALE_RUN = dt.timedelta(hours=6)


def cohort_table(
    clinic: Clinic, *, kind: str, filters: cohort.CohortFilters, deidentified: bool
) -> exporters.Table:
    """The rows of a cohort export, identified or not."""
    secret = ClinicResearchKey.secret_for(clinic) if deidentified else b""
    build = cohort.summary_table if kind == ExportKind.SUMMARY else cohort.logs_table
    return build(clinic, filters, deidentified=deidentified, secret=secret)


def export_job_create(
    *,
    clinic: Clinic,
    requested_by: User,
    kind: str,
    file_format: str,
    filters: cohort.CohortFilters,
    deidentified: bool,
) -> ExportJob:
    """Record the job and queue its task once the row is committed."""
    from reports.tasks import export_job_run

    with transaction.atomic():
        job = ExportJob.objects.create(
            clinic=clinic,
            requested_by=requested_by,
            kind=kind,
            format=file_format,
            filters=filters.to_json(),
            deidentified=deidentified,
        )
        transaction.on_commit(lambda: export_job_run.delay(str(job.pk)))
    return job


def export_job_run(job_id, *, now: dt.datetime | None = None) -> ExportJob | None:
    """Write the job's file, reporting progress on the row as it goes.

    Idempotent: a job already finished (a task delivered twice) is left as it is. A failure is
    recorded on the row for the page to show, and raised for the worker's log.
    """
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=now or timezone.now()
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("clinic").get(pk=job_id)
    try:
        _write(job)
    except Exception as error:
        message = str(error) if isinstance(error, exporters.TooManyRows) else "The export failed."
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=message[:300],
            finished_at=timezone.now(),
            expires_at=timezone.now() + dt.timedelta(hours=settings.EXPORT_FILE_HOURS),
        )
        if job.file and job.file.exists():
            job.file.unlink()
        if isinstance(error, exporters.TooManyRows):
            return job
        raise
    job.refresh_from_db()
    return job


def _write(job: ExportJob) -> None:
    table = cohort_table(
        job.clinic,
        kind=job.kind,
        filters=cohort.CohortFilters.from_json(job.filters),
        deidentified=job.deidentified,
    )
    total = table.total or 0
    ExportJob.objects.filter(pk=job.pk).update(total_rows=total)

    def on_progress(rows: int) -> None:
        percent = min(99, rows * 100 // total) if total else 99
        ExportJob.objects.filter(pk=job.pk).update(row_count=rows, progress=percent)

    table.rows = exporters.counted(table.rows, on_progress)
    job.file_path = job.relative_path()
    exporters.write_file(table, job.file, extension=job.format, title=job.label)
    finished = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        progress=100,
        file_path=job.file_path,
        finished_at=finished,
        expires_at=finished + dt.timedelta(hours=settings.EXPORT_FILE_HOURS),
    )


def export_files_clean_up(*, now: dt.datetime | None = None) -> int:
    """Delete the files of expired jobs and mark them expired; fail runs whose worker died.

    Safe to run twice: an expired job is not found again, a failed run is not running.
    """
    now = now or timezone.now()
    ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_RUN
    ).update(
        status=ExportJob.Status.FAILED,
        error="The export stopped before it finished. Start it again.",
        finished_at=now,
        expires_at=now + dt.timedelta(hours=settings.EXPORT_FILE_HOURS),
    )
    count = 0
    for job in ExportJob.objects.expired(now).iterator():
        if job.file is not None:
            job.file.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file_path="")
        count += 1
    return count
