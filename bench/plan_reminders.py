"""How long planning reminders takes for many patients, in how many queries and how much memory.

Builds a throwaway database (never the project's own), fills it with PATIENTS patients in bulk,
every one of them due at the same moment (the worst case: one daily reminder by e-mail and in
the app, a text message for one in five, a pain check for one in five who ran yesterday, the
day's sessions for one in five who follow an active rehab plan), then
runs the planner and the release as the periodic job does, fans a sample of the reminders out to
ledger rows as the send tasks do, and prints what it took.

    .venv/bin/python bench/plan_reminders.py                      # SQLite (a file under var/)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rebound .venv/bin/python bench/plan_reminders.py
    .venv/bin/python bench/plan_reminders.py --patients 5000      # a quicker run

The send tasks are published to Celery's in-memory broker, so the figures leave out the network;
docs/performance.md records the results and how to read them.
"""

import argparse
import datetime as dt
import os
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
os.environ["CELERY_BROKER_URL"] = "memory://"  # count publishing cost without a network

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX as UNUSABLE  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.models import Clinic, Patient, User  # noqa: E402
from notifications import services  # noqa: E402
from notifications.models import Delivery, Reminder, ReminderPreference  # noqa: E402
from notifications.schedule import zone_named  # noqa: E402
from rehab.models import Activity, DailyLog, Plan, PlanStatus  # noqa: E402

ZONES = ["Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "UTC"]
BATCH = 5000
FAN_OUT_SAMPLE = 2000  # reminders fanned out to ledger rows, as 20 send tasks would


def throwaway_database():
    """A test database of its own name, so a test run side by side is never touched."""
    test = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test["NAME"] = str(BASE_DIR / "var" / f"bench-{os.getpid()}.sqlite3")
    else:
        test["NAME"] = "rebound_bench"
    return setup_databases(
        verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
    )


def build(count: int, now: dt.datetime) -> None:
    clinic = Clinic.objects.create(name="Bench Clinic", slug="bench")
    therapist = User.objects.create(email="therapist@bench.example", full_name="Bench Therapist")
    due = {
        zone: (now - dt.timedelta(minutes=5)).astimezone(zone_named(zone)).time() for zone in ZONES
    }
    yesterday = now.date() - dt.timedelta(days=1)
    for start in range(0, count, BATCH):
        numbers = range(start, min(start + BATCH, count))
        users = User.objects.bulk_create(
            User(email=f"b{n}@bench.example", full_name=f"Bench {n}", password=UNUSABLE)
            for n in numbers
        )
        patients = Patient.objects.bulk_create(
            Patient(
                clinic=clinic,
                user=user,
                therapist=therapist,
                first_name="Bench",
                last_name=str(n),
                date_of_birth=dt.date(1990, 1, 1),
                sex="female",
                email=user.email,
                phone=f"+1555{n:07d}" if n % 5 == 0 else "",
                time_zone=ZONES[n % len(ZONES)],
                reminder_consent=True,
            )
            for n, user in zip(numbers, users, strict=True)
        )
        ReminderPreference.objects.bulk_create(
            ReminderPreference(
                patient=patient,
                by_sms=n % 5 == 0,
                daily_time=due[patient.time_zone].replace(second=0, microsecond=0),
                morning_time=due[patient.time_zone].replace(second=0, microsecond=0),
                quiet_start=None,
                quiet_end=None,
            )
            for n, patient in zip(numbers, patients, strict=True)
        )
        logs = DailyLog.objects.bulk_create(
            DailyLog(patient=patient, date=yesterday, site_pain=1)
            for n, patient in zip(numbers, patients, strict=True)
            if n % 5 == 1
        )
        Activity.objects.bulk_create(Activity(log=log, kind="run", distance_m=3000) for log in logs)
        Plan.objects.bulk_create(  # the planner reads only the status and the start
            Plan(
                patient=patient,
                name="Bench plan",
                status=PlanStatus.ACTIVE,
                content={},
                start_date=yesterday,
            )
            for n, patient in zip(numbers, patients, strict=True)
            if n % 5 == 2
        )


def measure(label: str, work, *, trace: bool = False) -> dict:
    connection.queries_log.clear()  # the log keeps 9,000 queries; count from empty
    if trace:
        tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    line = f"{label:<34} {seconds:8.2f} s {len(queries):7d} queries"
    if peak is not None:
        line += f" {peak / 2**20:8.1f} MiB peak"
    print(line, flush=True)
    return {"result": result, "seconds": seconds, "queries": len(queries), "peak": peak}


def plan(now):
    with transaction.atomic():
        return services.reminders_plan(now=now, release=True)


def fan_out(keys, now):
    with transaction.atomic():  # what the send tasks do first, 100 reminders at a time
        return sum(
            len(services.reminders_fan_out(keys[i : i + services.SEND_BATCH], now=now))
            for i in range(0, len(keys), services.SEND_BATCH)
        )


def release(now):
    with transaction.atomic():  # the send tasks are published when this commits
        return services.deliveries_release(now=now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=50_000)
    args = parser.parse_args()
    old_config = throwaway_database()
    try:
        now = timezone.now().replace(second=0, microsecond=0)
        print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
        started = time.perf_counter()
        build(args.patients, now)
        print(f"Built {args.patients:,} patients in {time.perf_counter() - started:.1f} s\n")

        measure("plan (first run)", lambda: plan(now))
        rows = Reminder.objects.count()
        measure("plan again (nothing new)", lambda: plan(now))
        assert Reminder.objects.count() == rows, "a second run must not add rows"
        released = measure("release + publish send tasks", lambda: release(now))
        sample = [r.key for r in Reminder.objects.order_by("due_at", "patient_id")[:FAN_OUT_SAMPLE]]
        fanned = measure(f"fan out {len(sample):,} (send tasks)", lambda: fan_out(sample, now))
        ledger = Delivery.objects.count()
        Delivery.objects.all().delete()
        Reminder.objects.all().delete()
        measure("plan (traced for peak memory)", lambda: plan(now), trace=True)
        tasks = -(-released["result"] // services.SEND_BATCH)
        print(
            f"\n{rows:,} reminders for {args.patients:,} patients ({rows / args.patients:.2f} "
            f"each), queued in {tasks:,} send tasks; {len(sample):,} of them fanned out to "
            f"{ledger:,} ledger rows ({fanned['result']:,} to send now), "
            f"{fanned['seconds'] / len(sample) * 1000:.2f} ms a reminder"
        )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
