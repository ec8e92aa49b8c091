"""Progress for the patient and for the clinic: charts, load, adherence, and who sees notes."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent, Patient
from rehab import progress
from rehab.models import Activity, DailyLog, LogRevision, patient_today
from rehab.tests.factories import AlertFactory, day_log


@pytest.fixture
def history(pat):
    """Pat: in care for 40 days, logging the last 10 of them, with runs and one clinical note."""
    Patient.objects.filter(pk=pat.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    pat.refresh_from_db()
    today = patient_today(pat)
    for n in range(10):
        run = 3000 + 200 * n if n % 2 == 0 else None
        day_log(pat, today - dt.timedelta(days=9 - n), pain=1 + n % 3, morning=1, run_m=run)
    day_log(pat, today - dt.timedelta(days=12), pain=2, notes="Pain behind the medial malleolus")
    return pat


def chart_data(response) -> dict:
    body = response.content.decode()
    start = body.index('data-chart-data="') + len('data-chart-data="')
    raw = body[start : body.index('"', start)]
    return json.loads(raw.replace("&quot;", '"').replace("&amp;", "&"))


# --- The patient's own progress ---------------------------------------------------------------


def test_patient_sees_pain_and_distance_over_time(client, history):
    client.force_login(history.user)
    response = client.get(reverse("my_progress"))
    data = chart_data(response)
    today = patient_today(history)
    assert len(data["dates"]) == 28 and data["dates"][-1] == today.isoformat()
    assert data["site_pain"][-10:] == [1, 2, 3, 1, 2, 3, 1, 2, 3, 1]
    assert data["site_pain"][-11] is None  # a day without a log breaks the line
    assert data["running"][-2:] == [4.6, None] and data["unit"] == "km"
    assert data["phases"] == []  # the hook for plan phase markers
    body = response.content.decode()
    assert "Show the numbers as a table" in body  # the charts' accessible alternative
    assert len(response.context["chart"].table) == 11


def test_patient_sees_the_logging_streak_and_this_weeks_distance(client, history):
    client.force_login(history.user)
    response = client.get(reverse("my_progress"))
    assert response.context["streak"] == 10
    assert "Logging streak" in response.content.decode()
    assert response.context["load"].this_week["distance"] >= 0


@pytest.mark.parametrize(("asked", "days"), [("84", 84), ("365", 365), ("7", 28), ("x", 28)])
def test_the_chart_range_is_one_of_the_offered_ranges(client, history, asked, days):
    client.force_login(history.user)
    response = client.get(reverse("my_progress"), {"days": asked})
    assert len(chart_data(response)["dates"]) == days


def test_a_year_of_chart_data_comes_from_one_aggregate_query(pat, django_assert_num_queries):
    today = patient_today(pat)
    logs = DailyLog.objects.bulk_create(
        DailyLog(patient=pat, date=today - dt.timedelta(days=n), site_pain=n % 6, morning_pain=1)
        for n in range(365)
    )
    Activity.objects.bulk_create(
        Activity(log=log, kind=kind, distance_m=5000, duration_min=30)
        for log in logs
        for kind in ("run", "walk", "cycling")
    )
    with django_assert_num_queries(1):
        chart = progress.progress_chart(pat, today=today, days=365, pain_alert_level=5)
    assert chart.logged_days == 365
    assert chart.data["running"][-1] == 5.0 and chart.data["walking"][-1] == 5.0
    assert chart.data["cross_minutes"][-1] == 30
    assert sum(week["distance"] for week in chart.weeks) == 365 * 5.0


def test_plan_phases_are_passed_to_the_chart(pat):
    today = patient_today(pat)
    phases = [{"start": today.isoformat(), "end": None, "label": "Walk-run"}]
    chart = progress.progress_chart(pat, today=today, days=28, pain_alert_level=5, phases=phases)
    assert chart.data["phases"] == [
        {"start": today.isoformat(), "label": "Walk-run", "name": "Walk-run",
         "began": today.isoformat()}
    ]  # fmt: skip
    assert chart.phases == [{"name": "Walk-run", "began": today}]


def test_weekly_distance_counts_running_not_walking_or_cross_training(pat):
    today = dt.date(2026, 3, 18)  # a Wednesday
    log = day_log(pat, today, run_m=4000)
    Activity.objects.create(log=log, kind="walk", distance_m=3000)
    Activity.objects.create(log=log, kind="cycling", distance_m=20000)
    chart = progress.progress_chart(pat, today=today, days=28, pain_alert_level=5)
    assert chart.weeks[-1] == {"start": "2026-03-16", "distance": 4.0}


# --- The clinic's page of a patient -----------------------------------------------------------


def test_therapist_sees_load_adherence_and_the_acwr_as_information_only(client, alice, history):
    client.force_login(alice)
    body = client.get(reverse("patient_detail", args=[history.pk])).content.decode()
    assert "Running load" in body and "Longest run, 30 days" in body
    assert "Runs above the longest of their previous 30 days" in body
    assert "Acute:chronic ratio" in body and "information only" in body
    assert "never as an alert" in body and "§7" in body
    assert "11 of 13" in body  # days logged since the first log, 12 days ago


def test_therapist_sees_open_alerts_with_reason_evidence_and_log_links(client, alice, history):
    alert = AlertFactory(patient=history, last_date=patient_today(history))
    client.force_login(alice)
    body = client.get(reverse("patient_detail", args=[history.pk])).content.decode()
    assert alert.reason in body and "Evidence: D — SEMC" in body
    assert f"#log-{alert.last_date.isoformat()}" in body
    assert reverse("alert_acknowledge", args=[history.pk, alert.pk]) in body


def test_adherence_counts_days_logged_since_the_first_log(history):
    today = patient_today(history)
    assert progress.adherence(history, today=today) == {
        "since": today - dt.timedelta(days=12),
        "logged": 11,
        "expected": 13,
        "percent": 85,
        "last_log": today,
    }


def test_coach_sees_progress_but_not_clinical_notes_or_alerts(client, coach_cole, history):
    AlertFactory(patient=history)
    client.force_login(coach_cole)
    detail = client.get(reverse("patient_detail", args=[history.pk])).content.decode()
    logs = client.get(reverse("patient_logs", args=[history.pk])).content.decode()
    assert "Pain at the injury site" in detail and "Running load" in detail
    assert "medial malleolus" not in detail and "medial malleolus" not in logs
    assert "Notes" not in logs and "Acknowledge" not in detail
    assert "clinical notes are visible to clinic staff only" in logs


def test_therapist_sees_clinical_notes_in_the_logs(client, alice, history):
    client.force_login(alice)
    assert (
        "medial malleolus"
        in client.get(reverse("patient_logs", args=[history.pk])).content.decode()
    )


def test_the_care_team_does_not_see_notes_in_the_edit_history(client, coach_cole, alice, pat):
    log = day_log(pat, patient_today(pat), notes="")
    LogRevision.objects.create(
        patient=pat,
        log=log,
        log_date=log.date,
        action="update",
        changed_by=pat.user,
        before={"site_pain": 3, "notes": ""},
        after={"site_pain": 1, "notes": "Stress at work"},
    )
    LogRevision.objects.create(
        patient=pat, log=log, log_date=log.date, action="create", changed_by=pat.user
    )
    client.force_login(coach_cole)
    body = client.get(reverse("patient_logs", args=[pat.pk])).content.decode()
    assert "Pain now: 3/10 → 1/10" in body and "Stress at work" not in body
    client.force_login(alice)
    assert "Stress at work" in client.get(reverse("patient_logs", args=[pat.pk])).content.decode()


def test_another_clinic_gets_404_for_logs_and_alerts(client, bob, history):
    alert = AlertFactory(patient=history)
    client.force_login(bob)
    assert client.get(reverse("patient_logs", args=[history.pk])).status_code == 404
    url = reverse("alert_acknowledge", args=[history.pk, alert.pk])
    assert client.post(url, {"note": "x"}).status_code == 404
    alert.refresh_from_db()
    assert alert.is_open


def test_a_nutritionist_off_the_care_team_gets_404(client, nutri_nia, history):
    client.force_login(nutri_nia)
    assert client.get(reverse("patient_logs", args=[history.pk])).status_code == 404


def test_a_patient_is_sent_to_their_own_progress(client, history):
    client.force_login(history.user)
    response = client.get(reverse("patient_logs", args=[history.pk]))
    assert response.url == reverse("my_progress")


def test_staff_views_of_the_logs_and_progress_are_audited(client, alice, history):
    client.force_login(alice)
    client.get(reverse("patient_logs", args=[history.pk]))
    client.get(reverse("patient_detail", args=[history.pk]))
    actions = set(AuditEvent.objects.filter(actor=alice, patient=history).values_list("action"))
    assert actions == {("rehab.logs.view",), ("patient.view",)}


def test_patient_home_invites_to_log_today_then_confirms(client, pat):
    client.force_login(pat.user)
    assert "Log today" in client.get(reverse("patient_home")).content.decode()
    day_log(pat, patient_today(pat))
    assert "Today is logged" in client.get(reverse("patient_home")).content.decode()


def test_a_phase_that_began_before_the_chart_is_marked_on_its_first_day():
    phases = [
        {"start": "2026-01-05", "end": "2026-02-02", "label": "Protect"},
        {"start": "2026-02-02", "end": "2026-03-09", "label": "Cross-train"},
        {"start": "2026-03-09", "end": None, "label": "Walk-run"},
    ]
    markers = progress.chart_markers(phases, start=dt.date(2026, 2, 20), end=dt.date(2026, 3, 19))
    assert [(m["start"], m["label"]) for m in markers] == [
        ("2026-02-20", "Cross-train (since 2 Feb)"),
        ("2026-03-09", "Walk-run"),
    ]
    assert [m["began"] for m in markers] == ["2026-02-02", "2026-03-09"]
    later = progress.chart_markers(phases, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 28))
    assert [m["label"] for m in later] == ["Walk-run (since 9 Mar)"]


def test_the_progress_page_names_the_plan_phases_in_text(client, pat, alice):
    from rehab.tests.factories import active_plan

    today = patient_today(pat)
    active_plan(pat, start=today - dt.timedelta(days=40), by=alice)
    day_log(pat, today - dt.timedelta(days=1))
    client.force_login(pat.user)
    page = client.get(reverse("my_progress")).content.decode()
    began = today - dt.timedelta(days=40)
    assert f"Plan phases (dashed lines): Protect from {began.day} {began:%b}" in page
