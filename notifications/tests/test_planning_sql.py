"""The set-based planner (one INSERT … SELECT on PostgreSQL) plans exactly the reminders the
Python path plans, row for row, on the same patients: zones on both sides of daylight-saving
changes, preferences and their defaults, pauses, logs, runs, morning pain, plans, and runners
who never logged."""

import datetime as dt
import random

import pytest
from django.db import connection

from clinic.models import Patient, User
from notifications import planning, services
from notifications.models import Reminder
from notifications.schedule import UTC
from notifications.tests.factories import reminder_patient
from rehab.models import Activity, DailyLog, Plan, PlanStatus

ZONES = ["Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "UTC"]
TIMES = [dt.time(h, m) for h, m in [(0, 30), (1, 30), (2, 30), (7, 30), (8, 0), (19, 0), (23, 0)]]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based planner is PostgreSQL's"
)


def runners(clinics, therapist, start: dt.date, count: int, seed: int) -> None:
    """`count` runners with every combination the rules look at, drawn with a fixed seed."""
    draw = random.Random(seed)
    for n in range(count):
        preference = {}
        if draw.random() < 0.8:  # the rest have no preference row: the defaults
            preference = {
                "daily_time": draw.choice(TIMES),
                "morning_time": draw.choice(TIMES),
                "paused_until": draw.choice([None, None, None, start, start + dt.timedelta(1)]),
            }
        patient = reminder_patient(
            draw.choice(clinics), therapist, email=f"r{seed}-{n}@runner.example", **preference
        )
        joined = dt.datetime.combine(start, dt.time(0), tzinfo=UTC) + dt.timedelta(
            hours=draw.randint(-150, 30)
        )
        Patient.objects.filter(pk=patient.pk).update(
            time_zone=draw.choice(ZONES), created_at=joined - dt.timedelta(hours=draw.randint(0, 9))
        )
        User.objects.filter(pk=patient.user_id).update(date_joined=joined)
        if draw.random() < 0.3:
            Plan.objects.create(
                patient=patient,
                name="Plan",
                status=PlanStatus.ACTIVE,
                content={},
                start_date=start + dt.timedelta(days=draw.randint(-2, 2)),
            )
        if draw.random() < 0.25:
            continue  # never logged: the silence counts from the first day they could
        for offset in range(-6, 4):
            if draw.random() < 0.35:
                log = DailyLog.objects.create(
                    patient=patient,
                    date=start + dt.timedelta(days=offset),
                    site_pain=1,
                    morning_pain=draw.choice([None, 2]),
                )
                if draw.random() < 0.5:
                    Activity.objects.create(
                        log=log, kind=draw.choice(["run", "walk", "cycling"]), duration_min=20
                    )


def planned() -> set[tuple]:
    return {
        (r.patient_id, r.kind, r.due_at, tuple(sorted(r.context.items())), r.enqueued_at)
        for r in Reminder.objects.all()
    }


def both_ways(now: dt.datetime) -> tuple[set, set]:
    Reminder.objects.all().delete()
    services.reminders_plan(now=now, in_sql=False, release=True)
    in_python = planned()
    Reminder.objects.all().delete()
    services.reminders_plan(now=now, in_sql=True, release=True)
    return in_python, planned()


@pytest.mark.parametrize(
    "start",
    [dt.date(2027, 3, 13), dt.date(2027, 3, 27), dt.date(2027, 10, 30), dt.date(2027, 6, 9)],
    ids=["US spring gap", "EU spring gap", "EU autumn fold", "summer"],
)
def test_both_paths_plan_the_same_rows_hour_by_hour(clinic_a, clinic_b, alice, start):
    clinic_b.time_zone = "America/New_York"
    clinic_b.save()
    runners([clinic_a, clinic_b], alice, start, count=40, seed=start.toordinal())
    kinds, moment = set(), dt.datetime.combine(start, dt.time(0), tzinfo=UTC)
    while moment < dt.datetime.combine(start + dt.timedelta(days=2), dt.time(12), tzinfo=UTC):
        in_python, in_sql = both_ways(moment)
        assert in_sql == in_python, moment
        kinds |= {row[1] for row in in_sql}
        moment += dt.timedelta(hours=1)
    assert kinds == set(planning.KINDS)  # every rule was compared, not just the daily one


def test_both_paths_skip_what_is_already_planned(clinic_a, alice):
    start = dt.date(2027, 6, 9)
    runners([clinic_a], alice, start, count=20, seed=7)
    now = dt.datetime.combine(start, dt.time(0), tzinfo=UTC)
    while not (first := services.reminders_plan(now=now, in_sql=True)):
        now += dt.timedelta(hours=3)
    assert services.reminders_plan(now=now, in_sql=False) == 0
    assert services.reminders_plan(now=now + dt.timedelta(minutes=5), in_sql=True) == 0
    assert Reminder.objects.count() == first
