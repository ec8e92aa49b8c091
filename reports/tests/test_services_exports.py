"""Export jobs: queued on commit, run by the task's service with progress, cleaned up on expiry."""

import datetime as dt
from unittest import mock

import pytest
from django.db.models import F
from django.utils import timezone
from openpyxl import load_workbook

from reports import services
from reports.cohort import CohortFilters
from reports.models import ExportJob
from reports.tests.factories import finished_job


def new_job(clinic, user, **fields):
    fields = {"kind": "summary", "file_format": "xlsx", "filters": CohortFilters(), **fields}
    fields.setdefault("deidentified", False)
    return services.export_job_create(clinic=clinic, requested_by=user, **fields)


def test_a_job_is_queued_only_once_its_row_is_committed(
    clinic_a, adam, django_capture_on_commit_callbacks
):
    with mock.patch("reports.tasks.export_job_run.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            job = new_job(clinic_a, adam)
        assert delay.call_count == 0 and len(callbacks) == 1
        callbacks[0]()
    delay.assert_called_once_with(str(job.pk))
    assert job.status == ExportJob.Status.QUEUED


def test_running_a_job_writes_the_xlsx_with_every_patient_and_reports_progress(
    known_cohort, clinic_a, adam
):
    job = new_job(clinic_a, adam)
    done = services.export_job_run(job.pk)
    assert (done.status, done.progress, done.row_count, done.total_rows) == ("done", 100, 2, 2)
    assert done.is_ready and done.file.exists()
    assert done.file.suffix == ".xlsx" and str(clinic_a.pk) in done.file_path
    rows = list(load_workbook(done.file).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("patient_id", "name")
    assert sorted(row[1] for row in rows[1:]) == ["Pat Lane", "Pia Stone"]


def test_a_deidentified_daily_log_job_writes_csv_without_names(known_cohort, clinic_a, adam):
    job = new_job(clinic_a, adam, kind="logs", file_format="csv", deidentified=True)
    text = services.export_job_run(job.pk).file.read_text()
    assert text.startswith("research_id,day_since_intake,")
    assert "Pat" not in text and len(text.splitlines()) == 1 + 5


def test_a_job_delivered_twice_runs_once(known_cohort, clinic_a, adam):
    job = new_job(clinic_a, adam)
    services.export_job_run(job.pk)
    assert services.export_job_run(job.pk) is None
    assert ExportJob.objects.get(pk=job.pk).status == "done"


def test_a_failing_job_is_marked_failed_for_the_page_and_raises_for_the_worker(clinic_a, adam):
    job = new_job(clinic_a, adam)
    with mock.patch("reports.services.cohort_table", side_effect=RuntimeError("boom")):
        try:
            services.export_job_run(job.pk)
        except RuntimeError:
            pass
        else:
            raise AssertionError("the error must reach the worker")
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "The export failed." and not job.is_ready


def test_a_spreadsheet_too_large_for_excel_fails_with_a_reason(clinic_a, adam):
    job = new_job(clinic_a, adam, kind="logs")
    with mock.patch("reports.exporters.XLSX_MAX_ROWS", -1):
        services.export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "Export as CSV" in job.error


def test_clean_up_deletes_expired_files_and_is_safe_to_run_twice(clinic_a, adam):
    fresh, old = finished_job(clinic_a, adam), finished_job(clinic_a, adam)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    old_file = old.file
    assert services.export_files_clean_up() == 1
    assert services.export_files_clean_up() == 0
    assert not old_file.exists() and fresh.file.exists()
    assert ExportJob.objects.get(pk=old.pk).status == "expired"


def died_mid_run(job, *, attempts=1, lease_left=dt.timedelta(minutes=-1)):
    """The job as a worker killed mid-run leaves it: running, a part file, its lease as given."""
    ExportJob.objects.filter(pk=job.pk).update(
        status="running",
        attempts=attempts,
        claimed_until=timezone.now() + lease_left,
        row_count=2000,
    )
    job.part_file.parent.mkdir(parents=True, exist_ok=True)
    job.part_file.write_bytes(b"patient_id,name\r\nhalf a ro")


def test_a_run_whose_worker_died_is_started_again_once_its_lease_is_over(
    known_cohort, clinic_a, adam, django_capture_on_commit_callbacks
):
    job = new_job(clinic_a, adam, file_format="csv")
    died_mid_run(job)
    with (
        mock.patch("reports.tasks.export_job_run.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.export_jobs_recover() == 1
    delay.assert_called_once_with(str(job.pk))
    done = services.export_job_run(job.pk)
    assert (done.status, done.attempts, done.row_count, done.claimed_until) == ("done", 2, 2, None)
    lines = done.file.read_text().splitlines()
    assert len(lines) == 3 and "half a ro" not in done.file.read_text()
    assert not done.part_file.exists()


def test_a_job_delivered_again_while_its_run_is_alive_waits_for_the_lease(clinic_a, adam, settings):
    job = new_job(clinic_a, adam)
    died_mid_run(job, lease_left=dt.timedelta(seconds=90))
    with pytest.raises(services.ExportBusy) as busy:
        services.export_job_run(job.pk)
    assert 80 < busy.value.seconds <= 90
    assert ExportJob.objects.get(pk=job.pk).attempts == 1
    assert services.export_jobs_recover() == 0  # a live run is nobody else's to restart


def test_the_task_retries_a_busy_job_after_the_lease(clinic_a, adam):
    from reports import tasks

    job = new_job(clinic_a, adam)
    died_mid_run(job, lease_left=dt.timedelta(seconds=30))
    with (
        mock.patch.object(tasks.export_job_run, "retry", side_effect=RuntimeError) as retry,
        pytest.raises(RuntimeError),
    ):
        tasks.export_job_run.run(str(job.pk))
    assert 20 < retry.call_args.kwargs["countdown"] <= 30


def test_a_job_whose_runs_keep_dying_is_failed_not_retried_forever(clinic_a, adam):
    job = new_job(clinic_a, adam)
    died_mid_run(job, attempts=services.MAX_ATTEMPTS)
    assert services.export_jobs_recover() == 0
    job.refresh_from_db()
    assert job.status == "failed" and "3 times" in job.error
    assert services.export_job_run(job.pk) is None


def test_a_run_overtaken_by_a_later_one_cannot_record_its_outcome(known_cohort, clinic_a, adam):
    job = new_job(clinic_a, adam, file_format="csv")
    original = services.cohort_table

    def overtaken(*args, **kwargs):  # the lease ran out and another run claimed the job
        ExportJob.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1)
        return original(*args, **kwargs)

    with mock.patch("reports.services.cohort_table", side_effect=overtaken):
        services.export_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == ("running", 2, 0)


def test_a_job_whose_task_never_reached_the_broker_is_queued_again_later(
    clinic_a, adam, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    with (
        mock.patch("reports.tasks.export_job_run.delay", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = new_job(clinic_a, adam)  # the request still succeeds
    assert services.export_jobs_recover() == 0  # not yet: it may simply be waiting its turn
    later = timezone.now() + services.REQUEUE_AFTER + dt.timedelta(seconds=1)
    with (
        mock.patch("reports.tasks.export_job_run.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.export_jobs_recover(now=later) == 1
    delay.assert_called_once_with(str(job.pk))


def test_a_summary_xlsx_has_typed_cells_and_contacts_as_typed(known_cohort, clinic_a, adam):
    pat = known_cohort["pat"]
    pat.phone, pat.first_name = "+1 555 0122", "=Pat"
    pat.save()
    job = services.export_job_run(new_job(clinic_a, adam).pk)
    sheet = load_workbook(job.file).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))  # Lane sorts before Stone
    assert (row["name"].value, row["phone"].value) == ("=Pat Lane", "+1 555 0122")
    assert row["name"].data_type == row["phone"].data_type == "s"
    assert row["intake_date"].is_date and row["first_run_date"].is_date
    for name in ("age", "intake_score", "days_to_first_run", "logged_days", "alerts_total"):
        assert row[name].data_type == "n" and isinstance(row[name].value, int), name
    assert isinstance(row["running_last_full_week_km"].value, int | float)


def test_a_daily_log_xlsx_has_dates_and_distances_as_numbers(known_cohort, clinic_a, adam):
    job = services.export_job_run(new_job(clinic_a, adam, kind="logs").pk)
    rows = list(load_workbook(job.file).active.iter_rows(values_only=True))
    header = rows[0]
    runs = [
        dict(zip(header, row, strict=True))
        for row in rows[1:]
        if row[header.index("name")] == "Pat Lane"
    ]
    ran = next(row for row in runs if row["running_km"])
    assert isinstance(ran["date"], dt.datetime) and ran["day_since_intake"] == 10
    assert (ran["running_km"], ran["running_in_unit"], ran["cross_training_min"]) == (3.0, 3.0, 30)


def test_the_same_contacts_are_still_guarded_in_a_csv_file(known_cohort, clinic_a, adam):
    pat = known_cohort["pat"]
    pat.phone = "+1 555 0122"
    pat.save()
    job = services.export_job_run(new_job(clinic_a, adam, file_format="csv").pk)
    assert ",'+1 555 0122," in job.file.read_text()
