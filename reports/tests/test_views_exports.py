"""The export page, the streamed CSV, export jobs and their downloads: access and audit."""

import csv
import io
import re
from unittest import mock

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from clinic.models import AuditEvent
from clinic.tests import factories
from reports import services
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
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="rebound-cohort-daily-logs-identified-')
    assert response["Cache-Control"] == "no-store"
    [row] = streamed_rows(response)
    assert (row["name"], row["running_in_unit"], row["running_km"]) == ("Pia Stone", "1.0", "1.609")


def test_a_deidentified_csv_is_named_as_such_and_audited(client, adam, known_cohort):
    client.force_login(adam)
    response = client.get(reverse("export_csv"), {"kind": "summary", "deidentified": "on"})
    assert "-cohort-summary-deidentified-" in response["Content-Disposition"]
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
    assert disposition.startswith('attachment; filename="rebound-cohort-summary-identified-')
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


# --- The prepared file is what the form on screen says (issue 18) -------------------------------


def run_prepared_job(client, django_capture_on_commit_callbacks, data) -> ExportJob:
    """Press "Prepare file" with `data` as the form on screen, and run the queued job."""
    with (
        mock.patch("reports.tasks.export_job_run.delay", side_effect=services.export_job_run),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("export_job_create"), data)
    assert response.status_code == 302
    return ExportJob.objects.get()


def test_prepare_file_makes_the_per_log_deidentified_file_on_screen_not_the_applied_filters(
    client, adam, known_cohort, django_capture_on_commit_callbacks
):
    """The bug: the last *applied* filters were an identified per-patient summary; the admin
    chose one row per daily log, ticked de-identified and XLSX, and pressed Prepare file."""
    pat = known_cohort["pat"]
    pat.phone = "+1 555 0122"
    pat.save()
    client.force_login(adam)
    applied = client.get(reverse("export_page"), {"kind": "summary"}).content.decode()
    # The button belongs to the form with the fields, not to one of its own with copies of them.
    start = applied.index('id="export-form"')
    form = applied[start : applied.index("</form>", start)]
    assert 'formaction="/clinic/exports/jobs/"' in form and 'name="deidentified"' in form
    assert 'type="hidden" name="kind"' not in applied

    on_screen = {"kind": "logs", "deidentified": "on", "format": "xlsx", "status": "all"}
    job = run_prepared_job(client, django_capture_on_commit_callbacks, on_screen)

    assert (job.kind, job.deidentified, job.format, job.status) == ("logs", True, "xlsx", "done")
    download = client.get(reverse("export_job_download", args=[job.pk]))
    assert "rebound-cohort-daily-logs-deidentified-" in download["Content-Disposition"]
    rows = list(load_workbook(job.file).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("research_id", "day_since_intake")
    assert len(rows) == 1 + 5  # pat's four logs and pia's one: a row per log
    cells = {str(cell) for row in rows for cell in row}
    for private in ("Pat Lane", "Pia Stone", "pat@runner.example", "+1 555 0122", "0122"):
        assert not any(private in cell for cell in cells), private
    assert not {"name", "email", "phone", "date", "patient_id"} & set(rows[0])


def test_prepare_file_carries_the_form_into_the_page_it_returns_to(
    client, adam, known_cohort, django_capture_on_commit_callbacks
):
    client.force_login(adam)
    with mock.patch("reports.tasks.export_job_run.delay"):
        response = client.post(
            reverse("export_job_create"),
            {"kind": "logs", "deidentified": "on", "format": "csv", "risk": "high"},
        )
    page = client.get(response.url).content.decode()
    assert '<option value="logs" selected>' in page and '<option value="csv" selected>' in page
    assert re.search(r"<input type=\"checkbox\" name=\"deidentified\"[^>]* checked>", page)
    assert "csrfmiddlewaretoken" not in response.url


def test_the_page_says_in_words_whether_the_file_will_identify_people(client, adam):
    client.force_login(adam)

    def shown(**query) -> str:
        page = client.get(reverse("export_page"), query).content.decode()
        notes = re.findall(r'<p class="mb-0" data-identity="(\w+)"( hidden)?>(.*?)</p>', page)
        [(_, _, text)] = [note for note in notes if not note[1]]
        return re.sub(r"<[^>]+>", "", text)

    assert shown().startswith("The file will identify people: patients' names")
    assert "e-mails and phones" in shown(kind="logs")
    assert shown(deidentified="on").startswith("The file will be de-identified: research ids")


def test_the_sentence_follows_the_checkbox_through_a_script_allowed_by_the_csp(client, adam):
    client.force_login(adam)
    page = client.get(reverse("export_page")).content.decode()
    assert 'src="/static/js/export-form.js"' in page
    assert "<script>" not in page  # the CSP allows no inline script


def test_bad_input_to_prepare_file_is_shown_beside_the_fields_and_prepares_nothing(client, adam):
    client.force_login(adam)
    with mock.patch("reports.tasks.export_job_run.delay") as delay:
        response = client.post(
            reverse("export_job_create"),
            {
                "intake_from": "2026-05-02",
                "intake_to": "2026-05-01",
                "therapist": "99999",
                "format": "pdf",
                "deidentified": "on",
            },
        )
    assert response.status_code == 400
    page = response.content.decode()
    for field, problem in [
        ("id_intake_to", "The end of the range is before its start."),
        ("id_therapist", "Select a valid choice."),
        ("id_format", "Select a valid choice. pdf is not one of the available choices."),
    ]:
        beside = page[page.index(f'id="{field}"') :][:600]
        assert f'<div class="invalid-feedback d-block">{problem}' in beside, field
    # What the admin had entered stays on screen, including the de-identified box.
    assert 'value="2026-05-02"' in page and 'id="id_deidentified" checked>' in page
    assert not ExportJob.objects.exists() and delay.call_count == 0
    assert not AuditEvent.objects.filter(action__startswith="export").exists()


def test_the_recent_exports_say_which_files_identify_people(client, adam):
    client.force_login(adam)
    clinic = adam.memberships.get().clinic
    finished_job(clinic, adam)
    finished_job(clinic, adam, deidentified=True)
    page = client.get(reverse("export_page")).content.decode()
    assert page.count('<span class="chip">Identifies people</span>') == 1
    assert page.count('<span class="chip">De-identified</span>') == 1


def test_a_link_without_a_format_shows_and_prepares_excel(client, adam):
    client.force_login(adam)
    page = client.get(reverse("export_page"), {"kind": "logs"}).content.decode()
    select = page[page.index('name="format"') :]
    first_option = re.search(r'<option value="(\w+)"', select).group(1)
    assert first_option == "xlsx"  # what the browser shows when nothing is selected
    with mock.patch("reports.tasks.export_job_run.delay"):
        client.post(reverse("export_job_create"), {"kind": "logs"})
    assert ExportJob.objects.get().format == "xlsx"
