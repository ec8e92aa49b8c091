"""The outcome dashboard: the known data set's numbers, in a bounded number of queries.

The cohorts here are written directly (as a bulk load would), so each test works out the outcome
facts with the rebuild first; `test_outcome_facts.py` shows the writes keep them current.
"""

import csv
import datetime as dt
import io
import statistics

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.tests import factories
from intake.models import IntakeDecision
from notifications.models import Delivery
from rehab.models import patient_today
from rehab.services import plan_end
from rehab.tests.factories import AlertFactory, active_plan
from reports import cohort, exporters, outcomes
from reports.cohort import CohortFilters
from reports.outcome_facts import outcome_facts_rebuild
from reports.progress_report import progress_report
from reports.tests.factories import episode, plan_in_phase_two


def summary_rows(clinic):
    table = cohort.summary_table(clinic, CohortFilters(), deidentified=False)
    return list(csv.DictReader(io.StringIO(b"".join(exporters.csv_chunks(table)).decode())))


def board_of(clinic):
    outcome_facts_rebuild()
    return outcomes.dashboard(clinic)


def delivery(clinic, patient, status, channel="email", kind="daily_log", minutes=0):
    now = timezone.now() - dt.timedelta(minutes=minutes)
    return Delivery.objects.create(
        clinic=clinic,
        patient=patient,
        kind=kind,
        channel=channel,
        status=status,
        due_at=now,
        send_after=now,
    )


def test_median_days_to_first_run_by_risk_class_and_therapist(known_cohort, clinic_a):
    board = board_of(clinic_a)
    by_risk = {m.label: (m.median_days, m.patients) for m in board.first_run_by_risk}
    assert by_risk["High-risk sites"] == (10, 1)
    assert by_risk["Low-risk sites"] == (2, 1)
    assert by_risk["Site not confirmed"] == (None, 0)
    assert [(m.label, m.median_days) for m in board.first_run_by_therapist] == [("Alice Moss", 6)]


def test_patients_by_status_and_recurrences(known_cohort, clinic_a, alice):
    pat = known_cohort["pat"]
    first = pat.intakes.get()
    IntakeDecision.objects.create(intake=first, kind="start_rehab", decided_by=alice)
    episode(pat, intake_days_ago=1)  # a new injury after rehab
    board = board_of(clinic_a)
    assert (board.recurrences, board.treated) == (1, 2)  # Pia started rehab too
    assert dict(board.by_status) == {
        "Awaiting a triage decision": 2,
        "In care": 0,
        "Discharged": 0,
    }


def test_reminder_delivery_rates_by_channel(clinic_a, pat):
    for status in ("sent", "sent", "sent", "failed", "skipped"):
        delivery(clinic_a, pat, status, minutes=len(status) + 10 * ord(status[0]))
    delivery(clinic_a, pat, "sent", channel="sms", minutes=3)
    rates = {r.channel: r for r in outcomes.dashboard(clinic_a).delivery_rates}
    assert (rates["E-mail"].sent, rates["E-mail"].failed, rates["E-mail"].percent) == (3, 1, 75)
    assert rates["Text message"].percent == 100 and rates["In the app"].percent is None


def test_alerts_are_counted_per_week(clinic_a, pat):
    today = timezone.localdate()
    AlertFactory(patient=pat, last_date=today)
    AlertFactory(patient=pat, last_date=today)
    AlertFactory(patient=pat, last_date=today - dt.timedelta(weeks=2))
    weeks = outcomes.alerts_per_week(clinic_a, today=today)
    assert len(weeks) == 12 and weeks[-1][1] == 2 and weeks[-3][1] == 1
    assert weeks[-1][0].weekday() == 0


def test_the_dashboard_page_draws_charts_with_tables(client, adam, known_cohort):
    outcome_facts_rebuild()
    client.force_login(adam)
    page = client.get(reverse("outcome_dashboard")).content.decode()
    assert "data-outcome-data=" in page and "js/outcome-charts.js" in page
    assert "&quot;phase&quot;: [[&quot;No plan yet&quot;, 2]]" in page
    assert "&quot;first_run_by_risk&quot;" in page
    assert "Median days from intake to first run" in page
    assert "<caption" in page


def test_the_query_count_does_not_grow_with_the_cohort(
    client, adam, clinic_a, alice, django_assert_max_num_queries
):
    def add_patients(n, start):
        for _i in range(start, start + n):
            patient = factories.PatientFactory(clinic=clinic_a, therapist=alice)
            episode(patient, intake_days_ago=20, logs={1: (1, [("run", 2000)])})
            AlertFactory(patient=patient)

    client.force_login(adam)
    add_patients(2, 0)
    outcome_facts_rebuild()
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("outcome_dashboard"))
    add_patients(12, 2)
    outcome_facts_rebuild()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("outcome_dashboard"))


@pytest.fixture
def bob_in_a(clinic_a):
    return factories.member(clinic_a, "therapist", email="ben@alder.example", full_name="Ben Ruiz")


def test_medians_match_statistics_median_on_small_data(clinic_a, alice, bob_in_a):
    """Three low-risk runners (Alice's) and two high-risk ones (Bob's), worked out again here."""
    firsts = {("low", alice): [2, 9, 5], ("high", bob_in_a): [7, 4]}
    for (risk, therapist), days in firsts.items():
        site = "posteromedial_tibia" if risk == "low" else "anterior_tibia"
        for n in days:
            patient = factories.PatientFactory(clinic=clinic_a, therapist=therapist)
            episode(
                patient, intake_days_ago=30, site=site, rehab_day=1, logs={n: (1, [("run", 900)])}
            )
    board = board_of(clinic_a)
    by_risk = {m.label: (m.median_days, m.patients) for m in board.first_run_by_risk}
    assert by_risk["Low-risk sites"] == (statistics.median([2, 9, 5]), 3)
    assert by_risk["High-risk sites"] == (statistics.median([7, 4]), 2)  # 5.5
    by_therapist = {m.label: (m.median_days, m.patients) for m in board.first_run_by_therapist}
    assert by_therapist == {
        alice.full_name: (statistics.median([2, 9, 5]), 3),
        bob_in_a.full_name: (statistics.median([7, 4]), 2),
    }
    assert board.runners == 5 == sum(m.patients for m in board.first_run_by_therapist)


def test_a_run_before_the_plan_started_is_not_the_first_run(clinic_a, alice, pat):
    """Issue 14 §2: running before the diagnosis (day 2) is not a first run; the plan starts on
    day 6 and the first run in it is on day 9."""
    intake = episode(
        pat, intake_days_ago=20, logs={2: (3, [("run", 4000)]), 9: (1, [("run", 800)])}
    )
    day0 = intake.submitted_at.date()
    assert board_of(clinic_a).runners == 0  # no plan, no decision: rehab has not started
    active_plan(pat, start=day0 + dt.timedelta(days=6), by=alice)
    board = board_of(clinic_a)
    assert [(m.median_days, m.patients) for m in board.first_run_by_therapist] == [(9, 1)]
    # The export and the progress report say the same.
    (row,) = summary_rows(clinic_a)
    assert (row["days_to_first_run"], row["first_run_date"]) == ("9", str(day0 + dt.timedelta(9)))
    assert progress_report(pat).milestones[1].day == 9


def test_every_chart_adds_up_to_its_headline(clinic_a, alice, known_cohort, adam, client):
    """Issue 14 §2: patients by phase gets "no plan yet" and "plan ended", so it adds up to the
    patients not discharged, and the status chart to every patient of the clinic."""
    today = patient_today(known_cohort["pat"])
    plan_in_phase_two(
        known_cohort["pat"],
        start=today - dt.timedelta(days=9),
        by=alice,
        moved_on=today - dt.timedelta(days=3),
    )
    ended = factories.PatientFactory(clinic=clinic_a, therapist=alice)
    plan_end(
        plan=active_plan(ended, start=today - dt.timedelta(days=30), by=alice),
        by=alice,
        today=today,
    )
    factories.PatientFactory(clinic=clinic_a, therapist=alice)  # nothing yet: no facts row
    gone = factories.PatientFactory(clinic=clinic_a, therapist=alice, discharged_at=timezone.now())
    active_plan(gone, start=today, by=alice)  # discharged: in no phase
    board = board_of(clinic_a)
    assert board.by_phase == [
        ("Cross-train and strengthen", 1),  # Pat
        ("No plan yet", 2),  # Pia and the newcomer
        ("Plan ended", 1),
    ]
    status = dict(board.by_status)
    assert board.active == 4 == status["Awaiting a triage decision"] + status["In care"]
    assert board.patients == 5 == board.active + status["Discharged"]
    client.force_login(adam)
    page = client.get(reverse("outcome_dashboard")).content.decode()
    assert "4 patients not discharged" in page and "5 runners are doing" in page
