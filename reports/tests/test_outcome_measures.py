"""Outcome measures in reports: the CSV export (identified and de-identified, audited) and the
dashboard's median change by site risk class and therapist, each checked against numbers worked
out by hand on small data."""

import csv
import datetime as dt
import io

from django.urls import reverse

from clinic.models import AuditEvent
from clinic.tests import factories
from rehab.tests import measure_factories
from reports import outcome_measures
from reports.models import OutcomeFacts

DAY = dt.date(2026, 1, 5)


def later(days):
    return DAY + dt.timedelta(days=days)


def rows_of(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def facts(patient, risk):
    OutcomeFacts.objects.create(patient=patient, clinic=patient.clinic, day0=DAY, site_risk=risk)


def test_the_export_has_a_row_per_answer_with_change_and_mcid(client, adam, pat):
    measure_factories.response(pat, "lefs", DAY, 38)
    measure_factories.response(pat, "lefs", later(28), 44)
    measure_factories.response(pat, "lefs", later(56), 47)
    measure_factories.response(pat, "uwri", DAY, 10)
    client.force_login(adam)
    response = client.get(reverse("export_measures_csv"), {"kind": "summary"})
    assert response["Content-Disposition"].startswith("attachment")
    rows = rows_of(response)
    picked = [
        (
            r["name"],
            r["instrument"],
            r["date"],
            r["score"],
            r["change_since_baseline"],
            r["passes_mcid"],
        )
        for r in rows
    ]
    assert picked == [
        ("Pat Lane", "LEFS", "2026-01-05", "38", "", "False"),
        ("Pat Lane", "LEFS", "2026-02-02", "44", "6", "False"),
        ("Pat Lane", "LEFS", "2026-03-02", "47", "9", "True"),  # 47 - 38 = 9, the LEFS MCID
        ("Pat Lane", "UWRI", "2026-01-05", "10", "", "False"),
    ]
    assert rows[2]["verdict"] == "important" and rows[0]["score_max"] == "80"
    assert AuditEvent.objects.filter(action="export.measures_csv").count() == 1


def test_the_deidentified_export_has_no_name_and_no_date(client, adam, pat):
    measure_factories.response(pat, "uwri", DAY, 10)
    client.force_login(adam)
    response = client.get(reverse("export_measures_csv"), {"kind": "summary", "deidentified": "on"})
    [row] = rows_of(response)
    assert "name" not in row and "date" not in row and row["research_id"].startswith("R")
    assert "deidentified" in response["Content-Disposition"]


def test_median_change_by_site_risk_and_therapist(alice, pat, pia, clinic_a):
    other = factories.member(clinic_a, "therapist", email="tom@alder.example", full_name="Tom Ash")
    ray = factories.patient_with_account(
        clinic_a, other, email="ray@runner.example", first_name="Ray", last_name="Gale"
    )
    for patient, first, last in ((pat, 30, 42), (pia, 30, 34), (ray, 50, 60)):
        measure_factories.response(patient, "lefs", DAY, first)
        measure_factories.response(patient, "lefs", later(28), last)
    measure_factories.response(ray, "uwri", DAY, 20)  # one answer: no change to count
    facts(pat, "high")
    facts(pia, "high")
    result = outcome_measures.median_changes(clinic_a)
    [(lefs, grouped)] = result.items()
    assert lefs.code == "lefs"
    # high: changes 12 and 4, median 8, one passes 9; unknown (no facts row): ray's 10.
    assert grouped["risk"] == [("high", 2, 8, 1), ("unknown", 1, 10, 1)]
    assert grouped["therapist"] == [("Alice Moss", 2, 8, 1), ("Tom Ash", 1, 10, 1)]


def test_the_dashboard_section_costs_one_query(
    adam, pat, clinic_a, client, django_assert_num_queries
):
    for n in range(5):
        measure_factories.response(pat, "lefs", later(28 * n), 30 + 3 * n)
    with django_assert_num_queries(1):
        outcome_measures.median_changes(clinic_a)
    client.force_login(adam)
    page = client.get(reverse("outcome_dashboard")).content.decode()
    assert "Outcome measures: median change since baseline" in page
    assert "Alice Moss" in page and ">12<" in page  # 42 - 30
