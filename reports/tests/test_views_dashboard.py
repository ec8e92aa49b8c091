"""The outcome dashboard: the known data set's numbers, in a bounded number of queries."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from clinic.tests import factories
from intake.models import IntakeDecision
from notifications.models import Delivery
from rehab.tests.factories import AlertFactory
from reports import outcomes
from reports.tests.factories import episode


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
    board = outcomes.dashboard(clinic_a)
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
    board = outcomes.dashboard(clinic_a)
    assert (board.recurrences, board.treated) == (1, 1)
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
    client.force_login(adam)
    page = client.get(reverse("outcome_dashboard")).content.decode()
    assert "data-outcome-data=" in page and "js/outcome-charts.js" in page
    assert "&quot;phase&quot;: []" in page and "&quot;first_run_by_risk&quot;" in page
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
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("outcome_dashboard"))
    add_patients(12, 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("outcome_dashboard"))
