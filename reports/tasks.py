"""Background jobs of reports: thin, each one loads by id and calls one service.

Their schedule is in clinic/celery.py (BEAT_SCHEDULE), the one place for periodic jobs.
"""

from celery import shared_task

from reports import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def export_job_run(job_id: str) -> int:
    """Prepare one export file; returns its row count (0 when the job was already taken)."""
    job = services.export_job_run(job_id)
    return job.row_count if job else 0


@shared_task
def export_files_clean_up() -> int:
    """Hourly: delete expired export files; returns how many jobs expired."""
    return services.export_files_clean_up()
