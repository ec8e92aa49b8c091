"""Cohort exports for a known data set: the summary, the daily logs, de-identification, filters."""

import csv
import datetime as dt
import io

import pytest

from rehab.models import patient_today
from reports import cohort, exporters
from reports.cohort import CohortFilters
from reports.models import ClinicResearchKey


def rows_of(table) -> list[dict]:
    text = b"".join(exporters.csv_chunks(table)).decode()
    return list(csv.DictReader(io.StringIO(text)))


def summary(clinic, filters=None, **kwargs):
    filters = filters or CohortFilters()
    return {
        row.get("name") or row["research_id"]: row
        for row in rows_of(cohort.summary_table(clinic, filters, deidentified=False, **kwargs))
    }


def test_the_summary_has_one_row_per_patient_of_the_clinic_only(known_cohort, clinic_a):
    assert sorted(summary(clinic_a)) == ["Pat Lane", "Pia Stone"]


def test_the_summary_reads_site_milestones_and_distance_for_a_known_episode(known_cohort, clinic_a):
    pat = summary(clinic_a)["Pat Lane"]
    assert pat["site"] == "anterior_tibia"
    assert pat["site_risk_class"] == "high"
    assert pat["days_since_intake"] == "20"
    assert pat["days_to_pain_free_walk"] == "3"
    assert pat["days_to_first_run"] == "10"
    assert pat["days_to_full_volume"] == ""  # 8 km in a week, short of the 20 km before
    assert pat["logged_days"] == "4"
    assert pat["expected_days"] == "21"  # from the first log (day 0) to today (day 20)
    assert pat["adherence_pct"] == "19"
    assert pat["alerts_total"] == "0"
    assert pat["therapist"] == "Alice Moss"
    assert pat["email"] == "pat@runner.example"


def test_the_summary_gives_weekly_running_in_the_patients_unit_and_in_km(known_cohort, clinic_a):
    rows = summary(clinic_a)
    pia = rows["Pia Stone"]
    assert pia["distance_unit"] == "mi"
    assert pia["site_risk_class"] == "low"
    assert pia["days_to_first_run"] == "2"
    assert pia["days_to_full_volume"] == ""  # no weekly distance at intake: not collected


def test_the_daily_log_export_labels_distances_in_the_patients_unit_and_in_km(
    known_cohort, clinic_a
):
    rows = rows_of(cohort.logs_table(clinic_a, CohortFilters(), deidentified=False))
    assert [row["name"] for row in rows].count("Pat Lane") == 4
    [pia] = [row for row in rows if row["name"] == "Pia Stone"]
    assert pia["distance_unit"] == "mi"
    assert pia["running_in_unit"] == "1.0"  # 1,609 m is a mile (to a metre)
    assert pia["running_km"] == "1.609"
    assert pia["day_since_intake"] == "2"
    pat_day_12 = next(r for r in rows if r["name"] == "Pat Lane" and r["day_since_intake"] == "12")
    assert pat_day_12["running_in_unit"] == pat_day_12["running_km"] == "5.0"
    assert pat_day_12["walking_km"] == "1.0"
    day_10 = next(r for r in rows if r["name"] == "Pat Lane" and r["day_since_intake"] == "10")
    assert day_10["cross_training_min"] == "30"
    assert day_10["swelling"] == "no"


def test_a_deidentified_export_has_no_names_contacts_or_dates(known_cohort, clinic_a):
    secret = ClinicResearchKey.secret_for(clinic_a)
    tables = [
        cohort.summary_table(clinic_a, CohortFilters(), deidentified=True, secret=secret),
        cohort.logs_table(clinic_a, CohortFilters(), deidentified=True, secret=secret),
    ]
    for table in tables:
        text = b"".join(exporters.csv_chunks(table)).decode()
        identifiers = ("Pat", "Lane", "Pia", "runner.example", "Alice", str(known_cohort["pat"].pk))
        for identifier in identifiers:
            assert identifier not in text
        header = text.splitlines()[0].split(",")
        assert header[0] == "research_id"
        assert not [column for column in header if column.endswith("date")]
        assert "age_band" in header or "day_since_intake" in header


def test_research_ids_are_stable_across_exports_and_differ_between_clinics(
    known_cohort, clinic_a, clinic_b
):
    def ids(clinic):
        secret = ClinicResearchKey.secret_for(clinic)
        table = cohort.summary_table(clinic, CohortFilters(), deidentified=True, secret=secret)
        return [row["research_id"] for row in rows_of(table)]

    first, again = ids(clinic_a), ids(clinic_a)
    assert first == again and len(set(first)) == 2
    assert all(rid.startswith("R-") and len(rid) == 18 for rid in first)
    assert set(ids(clinic_b)).isdisjoint(first)


def test_deidentified_daily_logs_count_days_from_the_intake(known_cohort, clinic_a):
    secret = ClinicResearchKey.secret_for(clinic_a)
    rows = rows_of(cohort.logs_table(clinic_a, CohortFilters(), deidentified=True, secret=secret))
    days = sorted(int(row["day_since_intake"]) for row in rows)
    assert days == [0, 2, 3, 10, 12]


@pytest.mark.parametrize(
    "filters,expected",
    [
        (CohortFilters(risk="high"), ["Pat Lane"]),
        (CohortFilters(site="posteromedial_tibia"), ["Pia Stone"]),
        (CohortFilters(status="discharged"), []),
        (CohortFilters(status="active"), ["Pat Lane", "Pia Stone"]),
    ],
)
def test_filters_choose_the_patients(known_cohort, clinic_a, filters, expected):
    assert sorted(summary(clinic_a, filters)) == expected


def test_the_intake_date_range_and_therapist_filter_the_cohort(known_cohort, clinic_a, alice, bob):
    today = patient_today(known_cohort["pat"])
    recent = CohortFilters(intake_from=today - dt.timedelta(days=12))
    assert sorted(summary(clinic_a, recent)) == ["Pia Stone"]
    older = CohortFilters(intake_to=today - dt.timedelta(days=15))
    assert sorted(summary(clinic_a, older)) == ["Pat Lane"]
    assert sorted(summary(clinic_a, CohortFilters(therapist_id=bob.pk))) == []
    assert len(summary(clinic_a, CohortFilters(therapist_id=alice.pk))) == 2


def test_filters_survive_the_trip_through_an_export_job(clinic_a):
    filters = CohortFilters(intake_from=dt.date(2026, 1, 5), therapist_id=3, risk="high")
    assert CohortFilters.from_json(filters.to_json()) == filters
