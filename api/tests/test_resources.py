"""The API's resources answer with the person's own rights, are audited like pages, and keep
their query counts whatever the amount of data."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from clinic.models import AuditEvent, Patient
from clinic.tests import factories
from intake.tests.factories import FOCAL_ANTERIOR_SHIN, submitted_intake
from rehab.models import Alert, DailyLog, patient_today
from rehab.tests import factories as rehab_factories

JSON = "application/json"


def clinic_of(user):
    return user.memberships.get().clinic


@pytest.fixture
def logged(pat):
    today = patient_today(pat)
    rehab_factories.day_log(pat, today, pain=2, run_m=3000, notes="Sore after the hill")
    return today


def test_the_care_team_sees_the_logs_but_never_the_notes(pat, alice, coach_cole, logged, as_token):
    url = reverse("api_patient_logs", args=[pat.pk])
    staff = as_token(alice, clinic_of(alice)).get(url).json()["results"][0]
    coach = as_token(coach_cole, clinic_of(coach_cole)).get(url).json()["results"][0]
    own = as_token(pat.user, pat.clinic).get(url).json()["results"][0]
    assert staff["notes"] == own["notes"] == "Sore after the hill"
    assert coach["notes"] is None
    assert coach["activities"] == [
        {"kind": "run", "distance_m": 3000, "duration_min": 30, "rpe": None}
    ]


def test_the_care_team_gets_no_clinical_data(pat, coach_cole, as_token):
    api = as_token(coach_cole, clinic_of(coach_cole))
    for name in ("api_patient_intakes", "api_patient_alerts"):
        assert api.get(reverse(name, args=[pat.pk])).status_code == 404
    shown = api.get(reverse("api_patient", args=[pat.pk])).json()
    assert shown["first_name"] == pat.first_name
    assert shown["date_of_birth"] is None and shown["email"] is None


def test_other_clinics_objects_answer_404(pat, bob, as_token):
    api = as_token(bob, clinic_of(bob))
    for name in ("api_patient", "api_patient_logs", "api_patient_plans", "api_patient_intakes"):
        assert api.get(reverse(name, args=[pat.pk])).status_code == 404
    assert str(pat.pk) not in api.get(reverse("api_patients")).content.decode()


def test_reads_are_audited_like_page_views(pat, pia, alice, logged, as_token):
    api = as_token(alice, clinic_of(alice))
    api.get(reverse("api_patient_logs", args=[pat.pk]))
    api.get(reverse("api_patients"))
    logs = AuditEvent.objects.get(action="rehab.logs.view", patient=pat)
    assert logs.actor == alice and logs.detail == {"via": "api", "count": 1}
    listed = AuditEvent.objects.filter(action="patient.view", detail__list=True)
    assert {event.patient for event in listed} == {pat, pia}


def test_intakes_come_with_their_scores(pat, alice, as_token):
    intake = submitted_intake(pat.clinic, pat, FOCAL_ANTERIOR_SHIN)
    body = as_token(alice, clinic_of(alice)).get(reverse("api_patient_intakes", args=[pat.pk]))
    row = body.json()["results"][0]
    assert row["id"] == str(intake.pk) and row["ruleset_version"] == intake.ruleset_version
    assert row["scores"][0]["score"] == intake.score
    assert row["scores"][0]["version"] == intake.ruleset_version


def test_plans_show_the_current_step(pat, alice, as_token):
    plan = rehab_factories.active_plan(pat, start=patient_today(pat), by=alice)
    rehab_factories.place(plan, 2, 1, on=patient_today(pat))
    row = as_token(alice, clinic_of(alice)).get(reverse("api_patient_plans", args=[pat.pk]))
    row = row.json()["results"][0]
    assert row["current_step"]["phase_kind"] == "walk_run"
    assert row["current_step"]["step_label"] == "Walk 3 / run 2"
    assert [phase["kind"] for phase in row["phases"]] == [
        "protect",
        "cross_train",
        "walk_run",
        "rebuild",
    ]


# --- Writes -----------------------------------------------------------------------------------

REFERRAL = {
    "first_name": "Rae",
    "last_name": "Quill",
    "date_of_birth": "1994-05-02",
    "sex": "female",
    "email": "rae@example.com",
    "referred_by": "Dr. Ortiz, Lakeside Sports Medicine",
    "reason": "Suspected tibial stress injury",
}


def test_staff_add_a_referred_patient_once_per_idempotency_key(alice, as_token):
    api = as_token(alice, clinic_of(alice))
    key = str(uuid.uuid4())
    first = api.post(reverse("api_patients"), REFERRAL, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)
    again = api.post(reverse("api_patients"), REFERRAL, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    patient = Patient.objects.get(last_name="Quill")
    assert patient.therapist == alice and patient.clinic == clinic_of(alice)
    created = AuditEvent.objects.get(action="patient.create", patient=patient)
    assert created.detail["referred_by"] == REFERRAL["referred_by"]


def test_a_referral_is_validated_like_the_form(alice, as_token):
    api = as_token(alice, clinic_of(alice))
    bad = {**REFERRAL, "date_of_birth": "2999-01-01", "therapist": 999999}
    response = api.post(reverse("api_patients"), bad, content_type=JSON)
    assert response.status_code == 400
    assert {"date_of_birth", "therapist"} <= response.json().keys()
    assert not Patient.objects.filter(last_name="Quill").exists()


def test_someone_elses_idempotency_key_is_refused(alice, adam, as_token):
    key = str(uuid.uuid4())
    as_token(alice, clinic_of(alice)).post(
        reverse("api_patients"), REFERRAL, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key
    )
    other = as_token(adam, clinic_of(adam)).post(
        reverse("api_patients"),
        {
            **REFERRAL,
            "last_name": "Other",
            "therapist": factories.member(clinic_of(adam), "therapist").pk,
        },
        content_type=JSON,
        HTTP_IDEMPOTENCY_KEY=key,
    )
    assert other.status_code == 409
    assert not Patient.objects.filter(last_name="Other").exists()


def test_the_care_team_and_patients_may_not_add_patients(pat, coach_cole, as_token):
    for user in (pat.user, coach_cole):
        response = as_token(user, pat.clinic).post(
            reverse("api_patients"), REFERRAL, content_type=JSON
        )
        assert response.status_code == 403


def test_a_patient_token_logs_the_day_once_and_updates_it_after(pat, as_token):
    api = as_token(pat.user, pat.clinic)
    today = patient_today(pat)
    day = {
        "date": today.isoformat(),
        "site_pain": 2,
        "activities": [{"kind": "walk", "distance_m": 2000, "duration_min": 25}],
    }
    key = str(uuid.uuid4())
    first = api.post(reverse("api_my_logs"), day, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)
    replay = api.post(reverse("api_my_logs"), day, content_type=JSON, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert pat.log_revisions.count() == 1
    changed = api.post(reverse("api_my_logs"), {**day, "site_pain": 4}, content_type=JSON)
    assert changed.status_code == 201
    log = DailyLog.objects.get(patient=pat)
    assert log.site_pain == 4 and log.activities.get().distance_m == 2000
    assert pat.log_revisions.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"date": "2999-01-01"},
        {"site_pain": 11},
        {"activities": [{"kind": "rest", "duration_min": 30}]},
        {"activities": [{"kind": "run", "distance_m": 10**9}]},
        {"activities": "run"},
    ],
)
def test_a_bad_day_answers_400_and_saves_nothing(pat, as_token, change):
    day = {"date": patient_today(pat).isoformat(), "site_pain": 2, **change}
    response = as_token(pat.user, pat.clinic).post(reverse("api_my_logs"), day, content_type=JSON)
    assert response.status_code == 400
    assert not DailyLog.objects.exists()


def test_staff_may_not_log_for_the_patient(pat, alice, as_token):
    day = {"date": patient_today(pat).isoformat(), "site_pain": 2}
    response = as_token(alice, clinic_of(alice)).post(
        reverse("api_my_logs"), day, content_type=JSON
    )
    assert response.status_code == 403


def test_acknowledging_takes_a_reason_and_refuses_unseen_occurrences(pat, alice, as_token):
    alert = rehab_factories.AlertFactory(patient=pat)
    api = as_token(alice, clinic_of(alice))
    url = reverse("api_alert_acknowledge", args=[pat.pk, alert.pk])
    assert api.post(url, {"reason": "other"}, content_type=JSON).status_code == 400
    stale = {"reason": "spoke_to_runner", "seen_occurrences": alert.occurrences + 1}
    assert api.post(url, stale, content_type=JSON).status_code == 409
    response = api.post(url, {"reason": "spoke_to_runner", "note": "Called"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["acknowledgement_reason"] == (
        "spoke_to_runner"
    )
    alert.refresh_from_db()
    assert alert.acknowledged_by == alice and alert.acknowledgement_note == "Called"
    assert AuditEvent.objects.filter(action="alert.acknowledge", detail__via="api").count() == 1


def test_acknowledging_needs_a_read_write_token(pat, alice, as_token):
    alert = rehab_factories.AlertFactory(patient=pat)
    url = reverse("api_alert_acknowledge", args=[pat.pk, alert.pk])
    api = as_token(alice, clinic_of(alice), scope="read")
    assert api.post(url, {"reason": "expected"}, content_type=JSON).status_code == 403
    assert Alert.objects.get(pk=alert.pk).is_open


# --- Query budgets: constant with the amount of data ------------------------------------------


def _fill(pat, alice, days: int) -> None:
    today = patient_today(pat)
    for back in range(days):
        rehab_factories.day_log(pat, today - dt.timedelta(days=back), run_m=1000)
        rehab_factories.AlertFactory(patient=pat)
        submitted_intake(pat.clinic, pat, FOCAL_ANTERIOR_SHIN)
        factories.PatientFactory(clinic=pat.clinic, therapist=alice)


@pytest.mark.parametrize("days", [1, 6])
@pytest.mark.parametrize(
    "name",
    [
        "api_patients",
        "api_patient_logs",
        "api_patient_alerts",
        "api_patient_intakes",
        "api_patient_plans",
    ],
)
def test_list_endpoints_keep_their_query_budget(
    pat, alice, as_token, django_assert_max_num_queries, name, days
):
    rehab_factories.active_plan(pat, start=patient_today(pat) - dt.timedelta(days=7), by=alice)
    _fill(pat, alice, days)
    api = as_token(alice, clinic_of(alice))
    url = reverse(name) if name == "api_patients" else reverse(name, args=[pat.pk])
    # 6 to 9 measured (token, its last use, workspace, patient, count, page, a prefetch, the
    # audit row), the same with 1 day of data as with 6.
    with django_assert_max_num_queries(9):
        response = api.get(url)
    assert response.status_code == 200 and response.json()["count"] >= 1
