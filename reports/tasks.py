"""Background jobs of reports: thin, each one loads by id and calls one service.

Their schedule is in clinic/celery.py (BEAT_SCHEDULE), the one place for periodic jobs.
"""

from celery import shared_task

from reports import outcome_facts, services

MAX_BUSY_RETRIES = 50  # an export another run holds; each wait is that run's remaining lease


@shared_task(
    bind=True,
    acks_late=True,  # the message is only gone once the export finished...
    reject_on_worker_lost=True,  # ...and comes back if its worker process died
    max_retries=MAX_BUSY_RETRIES,
)
def export_job_run(self, job_id: str) -> int:
    """Prepare one export file; returns its row count (0 when there was nothing to do)."""
    try:
        job = services.export_job_run(job_id)
    except services.ExportBusy as busy:
        # Delivered again while a run holds the job (a worker process that died mid-run
        # gives its message back at once): look again when that run's lease may be over.
        raise self.retry(countdown=busy.seconds) from busy
    return job.row_count if job else 0


@shared_task
def export_files_clean_up() -> dict:
    """Every few minutes: start again exports whose worker died, delete expired files."""
    return {
        "recovered": services.export_jobs_recover(),
        "expired": services.export_files_clean_up(),
    }


@shared_task
def outcome_facts_rebuild_nightly() -> int:
    """Nightly: recompute every patient's outcome facts. The writes keep them current as they
    happen; this catches what bypassed them (an edit in the admin, a row missed in a race) and
    the day's date moving on. Idempotent, in batches, so a killed run is simply run again."""
    return outcome_facts.outcome_facts_rebuild()
