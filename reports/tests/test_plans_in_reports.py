"""Plan-dependent columns: current phase, the phase filter, phase history, planned first runs."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from rehab.models import patient_today
from reports import cohort, exporters, outcomes
from reports.cohort import CohortFilters
from reports.outcome_facts import outcome_facts_rebuild
from reports.tests.factories import plan_in_phase_two, running_session_done
from reports.tests.test_views_report import pdf_text


@pytest.fixture
def pat_in_cross_training(known_cohort, alice):
    pat = known_cohort["pat"]
    day0 = patient_today(pat) - dt.timedelta(days=20)
    return plan_in_phase_two(
        pat, start=day0 + dt.timedelta(days=1), by=alice, moved_on=day0 + dt.timedelta(days=6)
    )


def summary_rows(clinic, filters=None):
    table = cohort.summary_table(clinic, filters or CohortFilters(), deidentified=False)
    text = b"".join(exporters.csv_chunks(table)).decode()
    return {row["name"]: row for row in csv.DictReader(io.StringIO(text))}


def test_the_summary_gives_each_patients_current_phase(pat_in_cross_training, clinic_a):
    rows = summary_rows(clinic_a)
    assert rows["Pat Lane"]["current_phase"] == "Cross-train and strengthen"
    assert rows["Pia Stone"]["current_phase"] == ""  # no plan


def test_the_cohort_can_be_filtered_by_phase(pat_in_cross_training, clinic_a):
    assert list(summary_rows(clinic_a, CohortFilters(phase="cross_train"))) == ["Pat Lane"]
    assert list(summary_rows(clinic_a, CohortFilters(phase="walk_run"))) == []


def test_a_running_session_done_in_the_plan_counts_as_the_first_run(
    pat_in_cross_training, clinic_a
):
    day0 = patient_today(pat_in_cross_training.patient) - dt.timedelta(days=20)
    running_session_done(pat_in_cross_training, day0 + dt.timedelta(days=8))
    assert summary_rows(clinic_a)["Pat Lane"]["days_to_first_run"] == "8"  # logged run: day 10
    outcome_facts_rebuild()  # the session was written directly, not through session_complete
    by_risk = {m.label: m.median_days for m in outcomes.dashboard(clinic_a).first_run_by_risk}
    assert by_risk["High-risk sites"] == 8


def test_the_report_lists_the_phase_history_with_reasons(client, alice, pat_in_cross_training):
    pat = pat_in_cross_training.patient
    client.force_login(alice)
    page = client.get(reverse("progress_report", args=[pat.pk])).content.decode()
    assert "Protect" in page and "Cross-train" in page and "Pain 0/10 for 7 days." in page
    text = pdf_text(client.get(reverse("progress_report_pdf", args=[pat.pk])).content)
    assert "Cross-train" in text and "Pain 0/10 for 7 days." in text


def test_the_dashboard_counts_patients_by_phase(pat_in_cross_training, clinic_a):
    outcome_facts_rebuild()  # the plan was moved on directly, as a bulk load would
    assert outcomes.dashboard(clinic_a).by_phase == [
        ("Cross-train and strengthen", 1),
        ("No plan yet", 1),  # Pia
    ]
