"""How fast, and in how much memory, the daily-log CSV export streams 1,000,000 rows.

Builds a throwaway PostgreSQL database (never the project's own), fills it in SQL with
generate_series (PATIENTS patients × DAYS days of logs, a run or a walk most days and some
cross-training), then, in the same run, measures:

1. PostgreSQL's own `COPY (<the export's query>) TO STDOUT WITH CSV` into a null sink
   (psycopg2 copy_expert): the floor, no Python per row;
2. Rebound's export exactly as the download view streams it (`cohort.logs_table` +
   `exporters.csv_chunks`: a server-side cursor, the row formatter, 64 KB CSV chunks), identified
   and de-identified, into a null sink: time and the process's peak RSS;
3. the identified export once more under tracemalloc, for the peak of Python allocations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rebound .venv/bin/python bench/export_csv.py
    ... bench/export_csv.py --patients 400 --days 250     # a quicker run (100,000 rows)
    ... bench/export_csv.py --keep                        # keep the database for another run

docs/performance.md ("Streaming the daily-log export") records the results.
"""

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX as UNUSABLE  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from clinic.models import Clinic, Patient, User  # noqa: E402
from reports import cohort, exporters  # noqa: E402
from reports.cohort import CohortFilters  # noqa: E402
from reports.models import ClinicResearchKey  # noqa: E402

DATABASE = "rebound_bench_export"


class NullSink:
    """Counts what is written and keeps none of it."""

    def __init__(self):
        self.bytes = 0

    def write(self, data) -> int:
        self.bytes += len(data)
        return len(data)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def build(patients: int, days: int) -> Clinic:
    """PATIENTS patients with an intake, then every day's log and activities, in SQL."""
    clinic = Clinic.objects.create(name="Bench Clinic", slug="bench", time_zone="Europe/London")
    therapist = User.objects.create(
        email="therapist@bench.example", full_name="Bench Therapist", password=UNUSABLE
    )
    Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            therapist=therapist,
            first_name="Runner",
            last_name=f"{n:06d}",
            date_of_birth="1990-01-01",
            sex="female",
            time_zone="Europe/London",
            distance_unit="mi" if n % 3 == 0 else "km",
        )
        for n in range(patients)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO intake_intake (id, clinic_id, patient_id, source, status, answers, about,
                steps_done, region, side, confirmed_site, score, band, priority, priority_rank,
                red_flag_level, ruleset_version, result, started_at, updated_at, submitted_at)
            SELECT gen_random_uuid(), p.clinic_id, p.id, 'visit', 'decided',
                '{"weekly_km": [30, 35]}', '{}', '[]', 'shin_front', 'left', 'anterior_tibia',
                6, 'moderate', 'moderate', 4, '', '2026.1',
                '{"site": {"code": "anterior_tibia", "label": "Anterior tibia", "risk": "high"}}',
                now(), now(), now() - make_interval(days => %s)
            FROM clinic_patient p WHERE p.clinic_id = %s
            """,
            [days, clinic.pk],
        )
        cursor.execute(
            """
            INSERT INTO rehab_dailylog (id, patient_id, date, site_pain, activity_pain,
                morning_pain, swelling, limp, notes, created_at, updated_at)
            SELECT gen_random_uuid(), p.id, current_date - %s + d,
                greatest(0, 6 - d / 30 - (hashtext(p.id::text) & 1)),
                CASE WHEN d %% 2 = 0 THEN d %% 4 END,
                CASE WHEN d %% 3 > 0 THEN d %% 3 END,
                d %% 17 = 0, d %% 23 = 0, '', now(), now()
            FROM clinic_patient p CROSS JOIN generate_series(0, %s - 1) AS d
            WHERE p.clinic_id = %s
            """,
            [days, days, clinic.pk],
        )
        cursor.execute(
            """
            INSERT INTO rehab_activity (log_id, position, kind, distance_m, duration_min, rpe)
            SELECT l.id, 0,
                CASE WHEN extract(doy FROM l.date)::int %% 3 = 0 THEN 'walk' ELSE 'run' END,
                1000 + (extract(doy FROM l.date)::int * 137) %% 9000, 40, 4
            FROM rehab_dailylog l JOIN clinic_patient p ON p.id = l.patient_id
            WHERE p.clinic_id = %s AND extract(dow FROM l.date) <> 0
            """,
            [clinic.pk],
        )
        cursor.execute(
            """
            INSERT INTO rehab_activity (log_id, position, kind, distance_m, duration_min, rpe)
            SELECT l.id, 1, 'cycling', NULL, 45, 3
            FROM rehab_dailylog l JOIN clinic_patient p ON p.id = l.patient_id
            WHERE p.clinic_id = %s AND extract(dow FROM l.date) IN (2, 5)
            """,
            [clinic.pk],
        )
        cursor.execute("ANALYZE")
    return clinic


def timed(run) -> dict:
    start = time.perf_counter()
    written = run()
    return {"seconds": time.perf_counter() - start, "bytes": written, "rss_mb": rss_mb()}


def copy_floor(clinic: Clinic) -> int:
    """COPY of the very query the export reads, straight out of PostgreSQL."""
    patients = cohort.cohort(clinic, CohortFilters()).values("pk")
    sql, params = cohort.log_rows(patients).query.sql_with_params()
    sink = NullSink()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH CSV HEADER", sink)
    return sink.bytes


def export(clinic: Clinic, *, deidentified: bool) -> int:
    secret = ClinicResearchKey.secret_for(clinic) if deidentified else b""
    table = cohort.logs_table(clinic, CohortFilters(), deidentified=deidentified, secret=secret)
    sink = NullSink()
    for chunk in exporters.csv_chunks(table):
        sink.write(chunk)
    return sink.bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--days", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; medians are reported")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark compares with PostgreSQL's COPY: set DATABASE_URL to PostgreSQL.")
    connection.settings_dict.setdefault("TEST", {})["NAME"] = DATABASE
    old = setup_databases(
        verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
    )
    try:
        start = time.perf_counter()
        clinic = build(args.patients, args.days)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM rehab_dailylog")
            (rows,) = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM rehab_activity")
            (activities,) = cursor.fetchone()
        print(
            f"Built {rows:,} daily logs and {activities:,} activities for {args.patients:,} "
            f"patients in {time.perf_counter() - start:.1f} s (SQL generate_series)."
        )
        baseline = rss_mb()
        runs = {
            "PostgreSQL COPY (query) TO STDOUT, CSV": lambda: copy_floor(clinic),
            "Rebound export, identified": lambda: export(clinic, deidentified=False),
            "Rebound export, de-identified": lambda: export(clinic, deidentified=True),
        }
        # Rounds of all three, interleaved, so a change in the machine's load hits each alike;
        # each export's ratio to COPY is taken within its round, then the median is reported.
        rounds = [{label: timed(run) for label, run in runs.items()} for _ in range(args.repeat)]
        tracemalloc.start()
        traced = timed(lambda: export(clinic, deidentified=False))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f}; process RSS before the exports {baseline:.0f} MB; "
            f"median of {args.repeat} interleaved rounds.\n"
        )
        print(
            f"{'what':<40} {'seconds':>8} {'range':>11} {'rows/s':>9} {'MB out':>7} "
            f"{'x COPY':>6} {'peak RSS MB':>11}"
        )
        copy_label = next(iter(runs))
        for label in runs:
            times = [r[label]["seconds"] for r in rounds]
            ratio = statistics.median(
                r[label]["seconds"] / r[copy_label]["seconds"] for r in rounds
            )
            seconds = statistics.median(times)
            print(
                f"{label:<40} {seconds:>8.2f} {min(times):>5.2f}-{max(times):<5.2f} "
                f"{rows / seconds:>9,.0f} {rounds[-1][label]['bytes'] / 1e6:>7.1f} "
                f"{ratio:>6.2f} {rounds[-1][label]['rss_mb']:>11.0f}"
            )
        print(
            f"\nUnder tracemalloc the identified export took {traced['seconds']:.1f} s; "
            f"peak of Python allocations {peak / 1e6:.1f} MB."
        )
    finally:
        if not args.keep:
            teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
