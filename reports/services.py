"""Export workflows: queue an export job, run it (the task's body), recover runs whose worker
died, clean up expired files."""

import datetime as dt
import logging
import os

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from clinic.models import Clinic, User
from reports import cohort, exporters
from reports.models import ClinicResearchKey, ExportJob, ExportKind

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # runs of one job whose worker died before it is failed
REQUEUE_AFTER = dt.timedelta(minutes=10)  # a job still waiting this long lost its task


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
    with transaction.atomic():
        job = ExportJob.objects.create(
            clinic=clinic,
            requested_by=requested_by,
            kind=kind,
            format=file_format,
            filters=filters.to_json(),
            deidentified=deidentified,
        )
        transaction.on_commit(lambda: export_job_publish(job.pk))
    return job


def export_job_publish(job_id) -> None:
    """Queue the job's task. With the broker out of reach the job stays queued, and
    `export_jobs_recover` queues it again later, so the request that made it does not fail."""
    from reports.tasks import export_job_run

    try:
        export_job_run.delay(str(job_id))
    except OperationalError:
        log.exception("Broker unreachable: export %s waits for the next recovery", job_id)


class ExportBusy(Exception):
    """Another run holds the job's lease: try again once it may have run out."""

    def __init__(self, seconds: float):
        super().__init__(f"Export running elsewhere; try again in {seconds:.0f} s")
        self.seconds = seconds


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def export_job_run(job_id, *, now: dt.datetime | None = None) -> ExportJob | None:
    """Write the job's file, reporting progress on the row as it goes.

    Safe to run twice and to be killed: a run claims the job with a lease that it renews as it
    writes, and writes to a part file renamed into place only when complete. A job already
    finished (a task delivered twice) is left as it is (returns None); a job whose run holds a
    live lease raises ExportBusy (the task retries later); a job whose run died (its lease ran
    out) is started again from the beginning, up to MAX_ATTEMPTS runs. A failure is recorded on
    the row for the page to show, and raised for the worker's log.
    """
    now = now or timezone.now()
    attempt = _claim(job_id, now)
    if attempt is None:
        job = ExportJob.objects.filter(pk=job_id).first()
        if job is not None and job.status == ExportJob.Status.RUNNING and job.claimed_until:
            raise ExportBusy(max((job.claimed_until - now).total_seconds(), 1))
        return None
    job = ExportJob.objects.select_related("clinic").get(pk=job_id)
    mine = ExportJob.objects.filter(pk=job.pk, attempts=attempt)  # a later run's row wins
    try:
        _write(job, mine)
    except Exception as error:
        message = str(error) if isinstance(error, exporters.TooManyRows) else "The export failed."
        _fail(mine, message)
        job.part_file.unlink(missing_ok=True)
        if isinstance(error, exporters.TooManyRows):
            return job
        raise
    job.refresh_from_db()
    return job


def _claim(job_id, now: dt.datetime) -> int | None:
    """Take the job with one conditional UPDATE: queued, or running with its lease run out.
    Returns this run's attempt number, or None when the job is not this run's to take."""
    claimable = Q(status=ExportJob.Status.QUEUED) | Q(
        status=ExportJob.Status.RUNNING, claimed_until__lt=now, attempts__lt=MAX_ATTEMPTS
    )
    claimed = ExportJob.objects.filter(claimable, pk=job_id).update(
        status=ExportJob.Status.RUNNING,
        started_at=now,
        claimed_until=now + _lease(),
        attempts=F("attempts") + 1,
        progress=0,
        row_count=0,
    )
    if not claimed:
        return None
    return ExportJob.objects.filter(pk=job_id).values_list("attempts", flat=True).get()


def _write(job: ExportJob, mine) -> None:
    table = cohort_table(
        job.clinic,
        kind=job.kind,
        filters=cohort.CohortFilters.from_json(job.filters),
        deidentified=job.deidentified,
    )
    total = table.total or 0
    mine.update(total_rows=total, claimed_until=timezone.now() + _lease())

    def on_progress(rows: int) -> None:
        percent = min(99, rows * 100 // total) if total else 99
        mine.update(row_count=rows, progress=percent, claimed_until=timezone.now() + _lease())

    table.rows = exporters.counted(table.rows, on_progress)
    job.file_path = job.relative_path()
    exporters.write_file(table, job.part_file, extension=job.format, title=job.label)
    os.replace(job.part_file, job.file)  # whole or not at all
    finished = timezone.now()
    mine.update(
        status=ExportJob.Status.DONE,
        progress=100,
        file_path=job.file_path,
        claimed_until=None,
        finished_at=finished,
        expires_at=finished + dt.timedelta(hours=settings.EXPORT_FILE_HOURS),
    )


def _fail(jobs, message: str) -> None:
    now = timezone.now()
    jobs.update(
        status=ExportJob.Status.FAILED,
        error=message[:300],
        claimed_until=None,
        finished_at=now,
        expires_at=now + dt.timedelta(hours=settings.EXPORT_FILE_HOURS),
    )


def export_jobs_recover(*, now: dt.datetime | None = None) -> int:
    """Queue again the jobs whose task was lost: runs whose worker died (lease over), and jobs
    still waiting long after they were made (the broker was out of reach). A job whose runs
    died MAX_ATTEMPTS times is failed instead. Safe to run twice: a run claims its job first.
    Returns how many jobs were queued again."""
    now = now or timezone.now()
    dead = ExportJob.objects.filter(status=ExportJob.Status.RUNNING, claimed_until__lt=now)
    _fail(
        dead.filter(attempts__gte=MAX_ATTEMPTS),
        f"The export stopped before it finished, {MAX_ATTEMPTS} times. Start it again.",
    )
    waiting = ExportJob.objects.filter(
        status=ExportJob.Status.QUEUED, created_at__lt=now - REQUEUE_AFTER
    )
    ids = list(dead.values_list("pk", flat=True)) + list(waiting.values_list("pk", flat=True))
    for job_id in ids:
        transaction.on_commit(lambda job_id=job_id: export_job_publish(job_id))
    return len(ids)


def export_files_clean_up(*, now: dt.datetime | None = None) -> int:
    """Delete the files of expired jobs and mark them expired. Returns how many expired.

    Safe to run twice: an expired job is not found again.
    """
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.expired(now).iterator():
        if job.file is not None:
            job.file.unlink(missing_ok=True)
        job.part_file.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file_path="")
        count += 1
    return count
