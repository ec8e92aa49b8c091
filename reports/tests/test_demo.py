"""The demo shows Maya who viewed her record, and seeding again adds nothing; its exports and
dashboard add up."""

from django.core.management import call_command
from django.urls import reverse

from clinic.models import AuditEvent, Clinic, Patient, User
from reports import cohort, outcomes
from reports.cohort import CohortFilters
from reports.models import ClinicResearchKey, OutcomeFacts


def test_maya_sees_her_care_team_in_who_viewed_and_a_second_seed_adds_nothing(client, db):
    call_command("seed_demo", verbosity=0)
    count = AuditEvent.objects.count()
    call_command("seed_demo", verbosity=0)
    assert AuditEvent.objects.count() == count
    client.force_login(User.objects.get(email="patient@demo.example"))
    views = client.get(reverse("my_record_views")).context["views"]
    assert {v.who for v in views} >= {"Dr. Priya Raman", "Jamie Reyes", "Alex Morgan"}


def rows_of(table) -> list[dict]:
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def test_the_demos_exports_never_give_a_negative_day_count(db):
    """Issue 14 §2: no derived day count is ever negative, in either export, identified or not
    (a log before the intake has no day since intake)."""
    call_command("seed_demo", verbosity=0)
    clinic = Clinic.objects.get(slug="demo-sports-pt")
    secret = ClinicResearchKey.secret_for(clinic)
    day_columns = {
        "days_since_intake",
        "days_to_pain_free_walk",
        "days_to_first_run",
        "days_to_full_volume",
        "day_since_intake",
    }
    counted = 0
    for build in (cohort.summary_table, cohort.logs_table):
        for deidentified in (False, True):
            table = build(clinic, CohortFilters(), deidentified=deidentified, secret=secret)
            for row in rows_of(table):
                for column in day_columns & row.keys():
                    if row[column] is not None:
                        counted += 1
                        assert row[column] >= 0, (column, row)
    assert counted > 100  # the demo has day counts to check


def test_the_demo_dashboard_is_worked_out_by_the_seed_and_adds_up(db):
    call_command("seed_demo", verbosity=0)
    clinic = Clinic.objects.get(slug="demo-sports-pt")
    assert (
        OutcomeFacts.objects.filter(clinic=clinic).count()
        == Patient.objects.filter(clinic=clinic).count()
    )
    board = outcomes.dashboard(clinic)
    status = dict(board.by_status)
    assert board.active == status["Awaiting a triage decision"] + status["In care"]
    assert board.patients == Patient.objects.filter(clinic=clinic).count()
    assert board.runners == sum(m.patients for m in board.first_run_by_therapist) > 0
