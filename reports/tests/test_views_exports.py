"""The export page, the streamed CSV, export jobs and their downloads: access and audit."""

import csv
import io
from unittest import mock

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from clinic.models import AuditEvent
from clinic.tests import factories
from reports.models import ExportJob
from reports.tests.factories import finished_job


def streamed_rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_admin_sees_how_many_patients_match_the_filters(client, adam, known_cohort):
    client.force_login(adam)
    page = client.get(reverse("export_page"), {"risk": "high"}).content.decode()
    assert "1 patient</span> matches" in page
    assert "High-risk sites" in page


def test_a_therapist_without_the_admin_role_cannot_export_the_cohort(client, alice, known_cohort):
    client.force_login(alice)
    for name in ("export_page", "export_csv", "outcome_dashboard", "audit_log"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("export_job_create")).status_code == 403
    assert not ExportJob.objects.exists()


def test_the_csv_streams_the_filtered_cohort_as_an_attachment(client, adam, known_cohort):
    client.force_login(adam)
    response = client.get(reverse("export_csv"), {"kind": "logs", "site": "posteromedial_tibia"})
    assert response["Content-Disposition"].startswith('attachment; filename="rebound-cohort-daily')
    assert response["Cache-Control"] == "no-store"
    [row] = streamed_rows(response)
    assert (row["name"], row["running_in_unit"], row["running_km"]) == ("Pia Stone", "1.0", "1.609")


def test_a_deidentified_csv_is_named_as_such_and_audited(client, adam, known_cohort):
    client.force_login(adam)
    response = client.get(reverse("export_csv"), {"kind": "summary", "deidentified": "on"})
    assert "de-identified" in response["Content-Disposition"]
    rows = streamed_rows(response)
    assert len(rows) == 2 and "name" not in rows[0]
    event = AuditEvent.objects.get(action="export.cohort_csv")
    assert event.actor == adam and event.clinic == adam.memberships.get().clinic
    assert event.detail["deidentified"] is True and event.detail["rows"] == 2


def test_bad_filters_send_the_admin_back_to_the_page(client, adam):
    client.force_login(adam)
    response = client.get(
        reverse("export_csv"), {"intake_from": "2026-05-02", "intake_to": "2026-05-01"}
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action__startswith="export").exists()
    response = client.get(reverse("export_csv"), {"therapist": "99999"}, follow=True)
    assert "Check the filters. Therapist: Select a valid choice." in response.content.decode()


def test_starting_an_export_job_records_it_and_queues_it_on_commit(
    client, adam, django_capture_on_commit_callbacks
):
    client.force_login(adam)
    with (
        mock.patch("reports.tasks.export_job_run.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("export_job_create"), {"kind": "logs", "format": "xlsx", "risk": "high"}
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"#job-{job.pk}")
    assert (job.kind, job.format, job.filters["risk"], job.requested_by) == (
        "logs",
        "xlsx",
        "high",
        adam,
    )
    delay.assert_called_once_with(str(job.pk))
    event = AuditEvent.objects.get(action="export.job_create")
    assert event.object_id == str(job.pk) and event.detail["format"] == "xlsx"


def test_the_status_view_reports_progress_and_the_download_link(client, adam):
    client.force_login(adam)
    clinic = adam.memberships.get().clinic
    running = ExportJob.objects.create(
        clinic=clinic,
        requested_by=adam,
        kind="summary",
        format="xlsx",
        status="running",
        progress=40,
        row_count=400,
        total_rows=1000,
    )
    state = client.get(reverse("export_job_status", args=[running.pk])).json()
    assert (state["status"], state["progress"], state["download_url"]) == ("running", 40, "")
    done = finished_job(clinic, adam)
    state = client.get(reverse("export_job_status", args=[done.pk])).json()
    assert state["download_url"] == reverse("export_job_download", args=[done.pk])


def test_a_prepared_export_downloads_as_an_attachment_and_is_audited(client, adam):
    client.force_login(adam)
    job = finished_job(adam.memberships.get().clinic, adam, content=b"x,y\r\n")
    response = client.get(reverse("export_job_download", args=[job.pk]))
    assert b"".join(response.streaming_content) == b"x,y\r\n"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="rebound-cohort-summary')
    assert str(job.pk) not in response["Content-Disposition"]
    assert AuditEvent.objects.get(action="export.download").object_id == str(job.pk)


def test_an_expired_or_unfinished_export_is_not_found(client, adam):
    client.force_login(adam)
    clinic = adam.memberships.get().clinic
    job = finished_job(clinic, adam)
    job.file.unlink()
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 404
    queued = ExportJob.objects.create(clinic=clinic, requested_by=adam, kind="logs", format="csv")
    assert client.get(reverse("export_job_download", args=[queued.pk])).status_code == 404


@pytest.mark.parametrize("name", ["export_job_status", "export_job_download"])
def test_another_clinics_admin_gets_404_for_a_job(client, adam, clinic_b, name):
    job = finished_job(adam.memberships.get().clinic, adam)
    bree = factories.member(clinic_b, "admin", email="bree@birch.example")
    client.force_login(bree)
    assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_another_clinics_admin_exports_only_their_own_patients(client, clinic_b, known_cohort):
    bree = factories.member(clinic_b, "admin", email="bree@birch.example")
    client.force_login(bree)
    rows = streamed_rows(client.get(reverse("export_csv"), {"kind": "summary"}))
    assert [row["name"] for row in rows] == ["Bea North"]
