"""In Chromium, with the CSP on and a real Celery worker: the clinic admin filters the cohort,
prepares an XLSX export, watches its progress and downloads it; changes the form without applying
it and prepares again, getting what the screen says; opens a progress report and its PDF; browses
the audit trail; the patient sees who viewed her record on her phone.

Screenshots: artifacts/screenshots/reports-*.png (dashboard, exports, report and audit at 1280;
the de-identified export form at 1280 and 390; "who viewed" at 390).
"""

import io
import re
from unittest import mock

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from clinic import demo
from clinic.models import Clinic, Patient, User
from clinic.tests.browser import login, screenshot
from rehab.models import DailyLog
from reports import cohort
from reports.cohort import CohortFilters

pytestmark = pytest.mark.browser

ADMIN, PATIENT = "admin@demo.example", "patient@demo.example"


def opened(page_at, width: int):
    page = page_at(width)
    page.emulate_media(reduced_motion="reduce")
    return page


def charts_drawn(page, selector: str) -> None:
    # The chart scripts draw as the page loads, so once it has loaded the chart is there. (Not
    # wait_for_function: when its first check fails it polls through eval, which the CSP refuses.)
    page.wait_for_load_state("load")
    assert page.evaluate(f"Chart.getChart(document.querySelector({selector!r})) !== undefined")


@pytest.fixture
def export_worker(worker_harness, settings):
    """A real worker for export jobs; the app's on-commit enqueue goes to its private queue."""
    worker_harness.start_worker(EXPORT_ROOT=str(settings.EXPORT_ROOT))

    def to_worker(job_id):
        worker_harness.trigger("reports.tasks.export_job_run", job_id)

    with mock.patch("reports.tasks.export_job_run.delay", side_effect=to_worker):
        yield worker_harness


def test_the_admin_exports_a_filtered_cohort_and_hands_over_a_progress_report(
    live_server, page_at, export_worker, tmp_path
):
    demo.seed()
    clinic = Clinic.objects.get(slug="demo-sports-pt")
    therapist = User.objects.get(email="therapist@demo.example")
    maya = Patient.objects.get(email=PATIENT)
    expected = sorted(
        patient.full_name
        for patient in cohort.cohort(
            clinic, CohortFilters(therapist_id=therapist.pk, status="active")
        )
    )
    assert len(expected) > 5

    page = opened(page_at, 1280)
    login(page, live_server, ADMIN, demo.DEMO_PASSWORD)

    # The outcome dashboard.
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Outcomes", exact=True)).to_be_visible()
    charts_drawn(page, "[data-outcome-chart='alerts']")
    screenshot(page, "reports-dashboard-1280")

    # Filter, prepare an XLSX file, watch it, download it.
    page.get_by_role("link", name="Exports").click()
    page.get_by_label("Therapist").select_option(label="Dr. Priya Raman")
    page.get_by_label("Status").select_option(label="In care")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("match-count")).to_contain_text(f"{len(expected)} patients match")
    assert "csrfmiddlewaretoken" not in page.url  # the token rides only on "Prepare file"
    page.get_by_label("File", exact=True).select_option(label="Excel (XLSX)")
    page.get_by_role("button", name="Prepare file").click()
    job = page.locator(".export-job").first
    expect(job.locator("[data-job-status]")).to_contain_text("Ready", timeout=60_000)
    expect(job.locator("progress")).to_have_attribute("value", "100")
    expect(job.get_by_role("link", name="Download")).to_be_visible()
    screenshot(page, "reports-exports-1280")
    with page.expect_download() as download:
        job.get_by_role("link", name="Download").click()
    assert re.fullmatch(
        r"rebound-cohort-summary-identified-[\d-]+\.xlsx", download.value.suggested_filename
    )
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    header = rows[0]
    names = sorted(row[header.index("name")] for row in rows[1:])
    assert names == expected
    assert {row[header.index("therapist")] for row in rows[1:]} == {"Dr. Priya Raman"}
    phones = [row[header.index("phone")] for row in rows[1:] if row[header.index("phone")]]
    assert phones and not any(phone.startswith("'") for phone in phones)  # as typed, e.g. +1...
    assert all(isinstance(row[header.index("logged_days")], int) for row in rows[1:])

    # Issue 18: change the form on screen without applying it, then prepare. The page says the
    # file will be de-identified, and the file is that: one row per daily log, every status.
    identified = page.locator("[data-identity='identified']")
    deidentified = page.locator("[data-identity='deidentified']")
    expect(identified).to_be_visible()
    expect(identified).to_contain_text("The file will identify people")
    expect(deidentified).to_be_hidden()
    page.get_by_label("Rows", exact=True).select_option(label="One per daily log")
    page.get_by_label("Status").select_option(label="All patients")
    expect(page.locator("[data-stale-note]")).to_be_visible()  # the count is for applied ones
    page.get_by_label("De-identified for research").check()
    expect(deidentified).to_be_visible()
    expect(deidentified).to_contain_text("The file will be de-identified")
    expect(identified).to_be_hidden()
    page.get_by_label("File", exact=True).select_option(label="Excel (XLSX)")
    screenshot(page, "reports-exports-deidentified-1280")
    page.get_by_role("button", name="Prepare file").click()
    job = page.locator(".export-job").first
    expect(job).to_contain_text("Daily logs")
    expect(job).to_contain_text("De-identified")
    expect(job.locator("[data-job-status]")).to_contain_text("Ready", timeout=60_000)
    expect(deidentified).to_be_visible()  # the page comes back with the form as it was sent
    with page.expect_download() as download:
        job.get_by_role("link", name="Download").click()
    assert re.fullmatch(
        r"rebound-cohort-daily-logs-deidentified-[\d-]+\.xlsx", download.value.suggested_filename
    )
    path = tmp_path / "export-deidentified.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("research_id", "day_since_intake") and "name" not in header
    everyone = cohort.cohort(clinic, CohortFilters(therapist_id=therapist.pk, status="all"))
    assert len(rows) - 1 == DailyLog.objects.filter(patient__in=everyone).count()
    text = " ".join(str(cell) for row in rows[1:] for cell in row)
    for patient in everyone:
        assert patient.last_name not in text and patient.email not in text, patient.pk
    assert all(isinstance(row[header.index("running_km")], int | float) for row in rows[1:])

    # The progress report and its PDF.
    page.goto(f"{live_server.url}/patients/{maya.pk}/")
    page.get_by_role("link", name="Progress report").click()
    expect(page.get_by_role("heading", name="Progress report")).to_be_visible()
    charts_drawn(page, "[data-chart='pain']")
    screenshot(page, "reports-progress-report-1280")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    for words in ("Progress report", "Maya Chen", "Milestones", "Running per week", "Alerts"):
        assert words in text, words

    # The audit trail shows those views.
    page.get_by_role("link", name="Audit").click()
    page.get_by_label("Patient").select_option(label="Maya Chen")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".audit-table")).to_contain_text("Downloaded the progress report (PDF)")
    screenshot(page, "reports-audit-1280")

    # The admin's export form on a phone says as plainly what the file will be.
    admin_phone = opened(page_at, 390)
    login(admin_phone, live_server, ADMIN, demo.DEMO_PASSWORD)
    admin_phone.goto(f"{live_server.url}/clinic/exports/?kind=logs&deidentified=on")
    expect(admin_phone.locator("[data-identity='deidentified']")).to_be_visible()
    expect(admin_phone.get_by_role("button", name="Prepare file")).to_be_visible()
    admin_phone.get_by_label("De-identified for research").uncheck()
    expect(admin_phone.locator("[data-identity='identified']")).to_be_visible()
    admin_phone.get_by_label("De-identified for research").check()
    screenshot(admin_phone, "reports-exports-deidentified-390")

    # Maya, on her phone, sees who viewed her record.
    phone = opened(page_at, 390)
    login(phone, live_server, PATIENT, demo.DEMO_PASSWORD)
    phone.goto(f"{live_server.url}/me/record-views/")
    views = phone.locator(".record-view")
    expect(views.first).to_contain_text("Alex Morgan")
    expect(views.first).to_contain_text("Clinic admin")
    screenshot(phone, "reports-who-viewed-390")
