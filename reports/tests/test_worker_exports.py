"""An export job survives its worker being killed mid-run, with real workers on the real broker.

The test holds an exclusive lock on the daily logs, so the worker's export stops at a known
point: claimed, the file begun, no row of logs read yet. It kills the worker there with SIGKILL,
releases the lock and starts a second worker; the periodic recovery (triggered here as beat
would) finds the run's lease over and starts it again, and the file comes out whole, once.
"""

import pytest
from django.db import connection, transaction

from reports.cohort import CohortFilters
from reports.models import ExportJob

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="locks a table (PostgreSQL)"),
]

RUN = "reports.tasks.export_job_run"
RECOVER = "reports.tasks.export_files_clean_up"


def waiting_on_a_lock() -> bool:
    """Whether a worker's query waits for the test's lock on the daily logs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the transaction's first view
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE %s",
            ["%rehab_dailylog%"],
        )
        return cursor.fetchone()[0] > 0


def test_an_export_whose_worker_is_killed_mid_run_is_finished_by_another(
    worker_harness, known_cohort, clinic_a, adam, settings
):
    env = {"EXPORT_ROOT": str(settings.EXPORT_ROOT), "EXPORT_LEASE_SECONDS": "2"}
    job = ExportJob.objects.create(
        clinic=clinic_a,
        requested_by=adam,
        kind="summary",
        format="csv",
        filters=CohortFilters().to_json(),
    )
    first = worker_harness.start_worker(**env)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE rehab_dailylog IN ACCESS EXCLUSIVE MODE")
        worker_harness.trigger(RUN, str(job.pk))
        worker_harness.wait_for(waiting_on_a_lock, "the export to reach the daily logs")
        first.kill()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file_path) == ("running", 1, "")
    assert job.part_file.exists()  # the file was begun

    worker_harness.start_worker(**env)

    def finished() -> bool:
        job.refresh_from_db()
        if job.status == "running":
            worker_harness.trigger(RECOVER)  # as beat does every few minutes
        return job.status != "running"

    worker_harness.wait_for(finished, "another worker to finish the export", 40)
    assert (job.status, job.attempts, job.row_count, job.progress) == ("done", 2, 2, 100)
    lines = job.file.read_text().splitlines()
    assert lines[0].startswith("patient_id,name,")
    assert sorted(line.split(",")[1] for line in lines[1:]) == ["Pat Lane", "Pia Stone"]
    assert not job.part_file.exists()
