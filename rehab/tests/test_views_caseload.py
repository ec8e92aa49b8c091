"""The caseload: open alerts first, a pain sparkline and the last log, in fixed queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from rehab import progress, services
from rehab.models import Alert, DailyLog
from rehab.tests.factories import AlertFactory, day_log


def test_patients_with_open_alerts_come_first(client, alice, pat, pia):
    AlertFactory(patient=pia)
    AlertFactory(patient=pia)
    acknowledged = AlertFactory(patient=pat)
    services.alert_acknowledge(alert=acknowledged, by=alice, reason="spoke_to_runner")
    client.force_login(alice)
    response = client.get(reverse("caseload"))
    page = list(response.context["page"])
    assert [p.first_name for p in page] == ["Pia", "Pat"]  # Lane before Stone without alerts
    assert [p.open_alert_count for p in page] == [2, 0]
    assert "2 open" in response.content.decode()


def test_the_caseload_shows_a_pain_sparkline_and_the_last_log(client, alice, pat):
    today = timezone.localdate()
    for n, pain in enumerate([2, 3, 6]):
        day_log(pat, today - dt.timedelta(days=2 - n), pain)
    client.force_login(alice)
    body = client.get(reverse("caseload")).content.decode()
    assert '<svg class="spark spark-high"' in body and "<polyline" in body
    assert "latest 6/10, highest 6/10" in body
    assert today.strftime("%-d %b") in body


def test_a_sparkline_breaks_where_days_were_not_logged(pat):
    today = dt.date(2026, 3, 18)
    logs = [day_log(pat, today - dt.timedelta(days=n), 2) for n in (0, 1, 5, 6)]
    spark = progress.sparkline(logs, today=today, days=14)
    assert len(spark.segments) == 2 and spark.level == "low"
    assert progress.sparkline([], today=today, days=14).level == "none"


def _caseload_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("caseload"))
    assert response.status_code == 200
    return len(queries)


def _patients_with_a_year_of_logs(clinic, therapist, count: int) -> None:
    today = timezone.localdate()
    patients = Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            therapist=therapist,
            first_name=f"Runner{n:03d}",
            last_name="Load",
            date_of_birth=dt.date(1990, 1, 1),
            sex="female",
        )
        for n in range(count)
    )
    DailyLog.objects.bulk_create(
        (
            DailyLog(patient=p, date=today - dt.timedelta(days=d), site_pain=(d + i) % 7)
            for i, p in enumerate(patients)
            for d in range(365)
        ),
        batch_size=5000,
    )
    Alert.objects.bulk_create(
        Alert(
            patient=p,
            key=f"site_pain_high:{today}",
            rule="site_pain_high",
            reason="Site pain 6/10",
            evidence="D — SEMC",
            section="§5",
            dates=[today.isoformat()],
            first_date=today,
            last_date=today,
            rules_version="2026.1",
        )
        for p in patients[::3]
    )
    services.patient_signals_repair()  # the rows above bypassed the services that keep them


def test_the_caseload_of_300_patients_with_a_year_of_logs_runs_fixed_queries(
    client, alice, clinic_a, django_assert_max_num_queries
):
    client.force_login(alice)
    _patients_with_a_year_of_logs(clinic_a, alice, 3)
    few = _caseload_queries(client)
    _patients_with_a_year_of_logs(clinic_a, alice, 297)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("caseload"))
    page = response.context["page"]
    assert page.paginator.count == 300
    assert all(p.open_alert_count == 1 for p in page)  # the hundred with an alert come first
    assert all(len(p.recent_logs) == 14 for p in page)
    assert few <= 16


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
@pytest.mark.parametrize(
    ("scope", "index"), [("mine", "caseload_mine"), ("all", "caseload_clinic")]
)
def test_a_page_of_the_caseload_is_read_in_order_from_an_index(
    client, alice, clinic_a, scope, index
):
    """Issue 13: ordering by open alerts counted per view sorted the whole clinic's patients."""
    _patients_with_a_year_of_logs(clinic_a, alice, 600)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clinic_patient")
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("caseload"), {"scope": scope})
    (page_sql,) = [
        q["sql"] for q in queries if 'ORDER BY "clinic_patient"."open_alert_count"' in q["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + page_sql)
        plan = [row[0] for row in cursor.fetchall()]
    # The page's rows come straight from the index, in order (the glance subqueries sort their
    # own few rows per patient).
    scan = next(n for n, line in enumerate(plan) if "using patient_caseload_" in line)
    assert plan[0].startswith("Limit")
    assert not any("Sort" in line for line in plan[:scan])
