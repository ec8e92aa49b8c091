"""Rebound at clinic-network scale: every measure of issue 13, each beside its floor, in one run.

Builds its own PostgreSQL database (`rebound_bench_scale`, never the project's own): the demo
(`clinic.demo.seed`, for lifelike exemplar rows and logins), then, in SQL with generate_series,
one clinic grown to 50,000 runners with accounts, about 4.3M daily logs (a walk or run every
other day), 15,000 open intakes, 20,000 active plans, open alerts, a therapist's notifications
and everyone's reminder preferences. Bulk rows are copies of the demo's own rows (column lists
read from the database), so they stay valid as the schema grows. `--scale 0.1` builds a tenth;
`--keep` keeps the database and reuses it next time (migrations are applied to it first).

Then it measures, with Django's test client in-process, DEBUG off, the same middleware:

- each page (triage queue, caseload, a patient's page, Today, the outcomes dashboard) in
  alternating blocks with a *floor*: a bare view returning a page of the same size. The goal is
  the page's p95 within 1.5x of the floor's, and a query budget where the issue sets one;
- daily-log POSTs from many clients at once (threads), against a floor view that does one
  INSERT: throughput ratio and errors;
- the 1M-row cohort CSV (one therapist's cohort, a quarter of the clinic), identified and
  de-identified, against PostgreSQL's COPY of the same rows, with the peak RSS of a fresh
  process (run as a child process, so nothing else measured here counts in its memory);
- planning the due reminders for everyone, first run and again with nothing new.

Each measure prints one line ending in `ok` or `SHORT`; the last line is `bench: N/M goals met`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rebound .venv/bin/python bench/scale.py
    ... bench/scale.py --scale 0.1 --keep        # a quick run; keep the data for the next one
    ... bench/scale.py --keep --only triage,bell # some measures only (names as printed)

docs/performance.md records the results and how to read them.
"""

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
import types
import uuid
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = "rebound_bench_scale"
CLINIC = "demo-sports-pt"
THERAPIST = "therapist@demo.example"  # a quarter of the runners: the 1M-row export cohort
OTHER_THERAPIST = "sam.okafor@demo.example"
ADMIN = "admin@demo.example"
RUNNER = "patient@demo.example"  # Maya: her Today, and her page as the therapist sees it
ZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "UTC"]
FULL = {"patients": 50_000, "open_intakes": 15_000, "plans": 20_000}
MEAN_DAYS = 86  # 50,000 x 86 = 4.3M logs
POST_CLIENTS = 50
PAGE_GOAL = 1.5


def configure() -> None:
    """Production-like settings (DEBUG off) for an in-process client, then Django."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = "false"
    os.environ["SECURE_HSTS_SECONDS"] = "0"
    os.environ["STATIC_MANIFEST"] = "false"
    os.environ["CELERY_BROKER_URL"] = "memory://"  # tasks are published nowhere
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # no collectstatic here
    import django

    django.setup()


# --- Building the data set ---------------------------------------------------------------------


def columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def clone(cursor, table: str, exemplar: str, source: str, overrides: dict, params=()) -> int:
    """Copy the row of `table` matching `exemplar` once per row of `source` (aliased s), with
    `overrides` (column -> SQL over x, the exemplar, and s). Returns the rows inserted."""
    names = columns(cursor, table)
    values = ", ".join(overrides.get(name, f"x.{name}") for name in names).replace("%", "%%")
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {values} "  # noqa: S608 - own SQL
        f"FROM {table} x CROSS JOIN ({source}) s WHERE {exemplar}",
        params,
    )
    return cursor.rowcount


def build(scale: float, *, say=print, analyze: bool = True) -> None:
    """The demo, then one clinic grown to the issue's size (times `scale`), in SQL."""
    from django.db import connection, transaction

    from clinic import demo
    from clinic.models import Clinic, Patient, User

    started = time.perf_counter()
    demo.seed()
    clinic = Clinic.objects.get(slug=CLINIC)
    therapist = User.objects.get(email=THERAPIST)
    other = User.objects.get(email=OTHER_THERAPIST)
    maya = Patient.objects.get(user__email=RUNNER)
    target = max(10, round(FULL["patients"] * scale))
    grow = target - Patient.objects.filter(clinic=clinic).count()
    say(f"  demo seeded ({time.perf_counter() - started:.0f} s); adding {grow:,} runners")
    with transaction.atomic(), connection.cursor() as c:
        # Runners with accounts (the planner reminds people, in the app too).
        c.execute(
            """
            INSERT INTO clinic_user (password, is_superuser, email, full_name, time_zone,
                is_staff, is_active, date_joined, session_version)
            SELECT '!', false, 'runner' || n || '@bench.example', 'Runner ' || n, '', false,
                true, now(), 1
            FROM generate_series(1, %s) n
            """,
            [grow],
        )
        zones = "(ARRAY" + repr(ZONES) + ")"
        clone(
            c,
            "clinic_patient",
            "x.id = %s",
            "SELECT u.id AS user_id, u.email, row_number() OVER (ORDER BY u.id) AS n "
            "FROM clinic_user u WHERE u.email LIKE 'runner%%@bench.example'",
            {
                "id": "gen_random_uuid()",
                "user_id": "s.user_id",
                "email": "s.email",
                "first_name": "'Runner'",
                "last_name": "lpad(s.n::text, 6, '0')",
                "phone": "CASE WHEN s.n % 5 = 0 THEN '+1555' || lpad(s.n::text, 7, '0') "
                "ELSE '' END",
                "time_zone": f"{zones}[1 + s.n % {len(ZONES)}]",
                "distance_unit": "CASE WHEN s.n % 3 = 0 THEN 'km' ELSE 'mi' END",
                "therapist_id": f"CASE WHEN s.n % 4 = 0 THEN {therapist.pk} ELSE {other.pk} END",
                "reminder_consent": "true",
                "discharged_at": "CASE WHEN s.n % 10 = 0 THEN now() END",
                "created_at": "now() - interval '200 days'",
            },
            [maya.pk],
        )
        c.execute(
            """
            INSERT INTO clinic_membership (role, is_active, created_at, clinic_id, user_id, on_duty)
            SELECT 'patient', true, now(), p.clinic_id, p.user_id, false
            FROM clinic_patient p JOIN clinic_user u ON u.id = p.user_id
            WHERE u.email LIKE 'runner%%@bench.example'
            """
        )
        bulk = (
            "SELECT p.id AS patient_id, p.clinic_id, row_number() OVER (ORDER BY p.id) AS n, "
            "abs(hashtext(p.id::text)) AS h FROM clinic_patient p "
            "JOIN clinic_user u ON u.id = p.user_id WHERE u.email LIKE 'runner%%@bench.example'"
        )
        say(f"  runners ({time.perf_counter() - started:.0f} s); daily logs")
        c.execute(
            f"""
            INSERT INTO rehab_dailylog (id, patient_id, date, site_pain, activity_pain,
                morning_pain, swelling, limp, notes, created_at, updated_at)
            SELECT gen_random_uuid(), s.patient_id, current_date - d,
                greatest(0, 6 - (s.days - d) / 12), CASE WHEN d % 2 = 0 THEN d % 4 END,
                CASE WHEN d % 3 > 0 THEN d % 3 END, d % 17 = 0, d % 23 = 0, '', now(), now()
            FROM (SELECT *, 20 + h % {2 * (MEAN_DAYS - 20) + 1} AS days FROM ({bulk}) b) s
                CROSS JOIN LATERAL generate_series(1, s.days) AS d
            """  # noqa: S608 - own SQL
        )
        logs = c.rowcount
        say(f"  {logs:,} logs ({time.perf_counter() - started:.0f} s); activities")
        c.execute(
            """
            INSERT INTO rehab_activity (log_id, position, kind, distance_m, duration_min, rpe)
            SELECT l.id, 0, CASE WHEN l.site_pain > 2 THEN 'walk' ELSE 'run' END,
                1000 + (extract(doy FROM l.date)::int * 137) % 9000, 40, 4
            FROM rehab_dailylog l
            WHERE extract(doy FROM l.date)::int % 2 = 0 AND l.notes = ''
            """
        )
        say(f"  activities ({time.perf_counter() - started:.0f} s); intakes, plans, alerts")
        opened = round(FULL["open_intakes"] * scale)
        c.execute(
            "SELECT id FROM intake_intake WHERE clinic_id = %s AND status <> 'draft' "
            "ORDER BY red_flag_level = '' , submitted_at LIMIT 1",
            [clinic.pk],
        )
        (intake,) = c.fetchone()
        clone(
            c,
            "intake_intake",
            "x.id = %s",
            f"{bulk} LIMIT {opened}",
            {
                "id": "gen_random_uuid()",
                "patient_id": "s.patient_id",
                "link_id": "NULL",
                "assigned_to_id": f"CASE WHEN s.n % 3 = 0 THEN {therapist.pk} END",
                "status": "(ARRAY['new', 'in_review', 'follow_up'])[1 + s.n % 3]",
                "score": "(s.h % 20)::smallint",
                "band": "(ARRAY['low', 'moderate', 'high'])[1 + s.h % 3]",
                "priority_rank": "(1 + s.h % 4)::smallint",
                "red_flag_level": "CASE WHEN s.n % 50 = 0 THEN x.red_flag_level ELSE '' END",
                "submitted_at": "now() - make_interval(mins => (s.h % 40000)::int)",
                "decided_at": "NULL",
            },
            [intake],
        )
        c.execute(
            "SELECT id FROM rehab_plan WHERE patient_id = %s AND status = 'active'", [maya.pk]
        )
        (plan,) = c.fetchone()
        plans = round(FULL["plans"] * scale)
        clone(
            c,
            "rehab_plan",
            "x.id = %s",
            f"{bulk} ORDER BY n DESC LIMIT {plans}",
            {
                "id": "gen_random_uuid()",
                "patient_id": "s.patient_id",
                "start_date": "current_date - (s.h % 60)::int",
                "created_at": "now() - make_interval(days => (s.h % 60)::int)",
            },
            [plan],
        )
        c.execute("SELECT id FROM rehab_alert ORDER BY raised_at DESC LIMIT 1")
        (alert,) = c.fetchone()
        clone(
            c,
            "rehab_alert",
            "x.id = %s",
            f"SELECT * FROM ({bulk}) b WHERE n %% 4 = 1",  # noqa: S608 - own SQL
            {
                "id": "gen_random_uuid()",
                "patient_id": "s.patient_id",
                "raised_at": "now() - make_interval(hours => (s.h % 500)::int)",
            },
            [alert],
        )
        # The therapist's own notifications: years of read ones, four unread.
        c.execute("SELECT id FROM notifications_notification LIMIT 1")
        (notification,) = c.fetchone()
        clone(
            c,
            "notifications_notification",
            "x.id = %s",
            f"{bulk} LIMIT 3000",
            {
                "id": "gen_random_uuid()",
                "recipient_id": str(therapist.pk),
                "patient_id": "s.patient_id",
                "delivery_id": "NULL",
                "read_at": "CASE WHEN s.n > 4 THEN now() END",
                "expires_at": "NULL",
                "created_at": "now() - make_interval(hours => s.n::int)",
            },
            [notification],
        )
        c.execute("SELECT patient_id FROM notifications_reminderpreference LIMIT 1")
        (preference,) = c.fetchone()
        clone(
            c,
            "notifications_reminderpreference",
            "x.patient_id = %s",
            bulk,
            {
                "patient_id": "s.patient_id",
                "by_sms": "s.n % 5 = 0",
                "quiet_start": "NULL",
                "quiet_end": "NULL",
            },
            [preference],
        )
        c.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor "
            "(id bigserial PRIMARY KEY, at timestamptz, body text)"
        )
    say(f"  rows in place ({time.perf_counter() - started:.0f} s); outcome facts")
    fill_outcome_facts()
    say("  the patients' stored alert counts and last logs")
    from rehab.services import patient_signals_repair

    patient_signals_repair()  # the bulk rows bypassed the services that keep them
    if analyze:  # VACUUM cannot run inside a transaction (a test's)
        say(f"  outcome facts ({time.perf_counter() - started:.0f} s); VACUUM ANALYZE")
        vacuum()
    say(f"Built in {time.perf_counter() - started:.0f} s.")


def fill_outcome_facts() -> bool:
    """Work out the outcome facts the bulk rows call for (`manage.py outcome_facts_rebuild`),
    when some patient has none: after building, or in a database built before they existed."""
    from django.db import connection

    from clinic.models import Patient
    from reports.models import OutcomeFacts
    from reports.outcome_facts import outcome_facts_rebuild

    if OutcomeFacts.objects.count() >= Patient.objects.count():
        return False
    outcome_facts_rebuild()
    with connection.cursor() as c:
        c.execute("ANALYZE reports_outcomefacts")
    return True


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")


def built() -> bool:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT to_regclass('bench_floor') IS NOT NULL")
        return c.fetchone()[0]


def counts() -> str:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            """SELECT (SELECT count(*) FROM clinic_patient p JOIN clinic_clinic c
                    ON c.id = p.clinic_id WHERE c.slug = %s),
                (SELECT reltuples::bigint FROM pg_class WHERE relname = 'rehab_dailylog'),
                (SELECT count(*) FROM intake_intake WHERE status IN ('new', 'in_review',
                    'follow_up')),
                (SELECT count(*) FROM rehab_plan WHERE status = 'active')""",
            [CLINIC],
        )
        patients, logs, intakes, plans = c.fetchone()
    return (
        f"{patients:,} patients in one clinic, ~{logs:,} daily logs, {intakes:,} open intakes, "
        f"{plans:,} active plans"
    )


# --- Measuring -----------------------------------------------------------------------------------


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18] if len(times) >= 20 else max(times)


def bench_urls() -> str:
    """A URLconf of the app's own URLs plus the floors, so both pass the same middleware."""
    from django.db import connection
    from django.http import HttpResponse, HttpResponseRedirect
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    def floor(request, size: int):
        return HttpResponse(b"x" * size, content_type="text/html; charset=utf-8")

    @csrf_exempt
    def insert_floor(request):
        with connection.cursor() as c:
            c.execute(
                "INSERT INTO bench_floor (at, body) VALUES (now(), %s)",
                [request.POST.get("notes", "")],
            )
        return HttpResponseRedirect("/bench/floor/10/")

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [
        path("bench/floor/<int:size>/", floor),
        path("bench/insert/", insert_floor),
        path("", include("clinic.urls")),
    ]
    sys.modules["bench_urls"] = module
    return "bench_urls"


def client_for(email: str):
    from django.test import Client

    from clinic.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def timed_get(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return seconds


def page(name: str, url: str, email: str, *, queries: int | None = None, budget: float = 20.0):
    """The page and its floor in alternating blocks; goal p95 <= 1.5x floor (and queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(email)
    first = client.get(url)
    if first.status_code != 200:
        return f"{name:<22} answered {first.status_code}", False
    size = len(first.content)
    with CaptureQueriesContext(connection) as captured:
        once = timed_get(client, url)
    count = len(captured)  # now: the next request empties the log
    floor = f"/bench/floor/{size}/"
    timed_get(client, floor)
    per_block = max(1, min(20, int(0.5 / max(once, 1e-4))))
    blocks = max(3, min(10, int(budget / (2 * per_block * once + 1e-9))))
    pages, floors = [], []
    for _ in range(blocks):
        pages += [timed_get(client, url) for _ in range(per_block)]
        floors += [timed_get(client, floor) for _ in range(per_block)]
    ratio = p95(pages) / p95(floors)
    met = ratio <= PAGE_GOAL and (queries is None or count <= queries)
    budget_text = f", {count} queries (goal <= {queries})" if queries else (f", {count} queries")
    return (
        f"{name:<22} p50 {statistics.median(pages) * 1000:7.1f} ms, p95 {p95(pages) * 1000:7.1f} ms"
        f" / floor p95 {p95(floors) * 1000:5.1f} ms = {ratio:5.1f}x (goal <= {PAGE_GOAL}x)"
        f"{budget_text}, {size // 1024} KB, {len(pages)} requests, {load()}"
    ), met


def log_posts(seconds: float, clients: int):
    """Daily-log POSTs from `clients` runners at once vs a one-INSERT floor, alternating."""
    from django.db import connection

    from clinic.models import Membership, Patient, User

    people = []
    maya = Patient.objects.get(user__email=RUNNER)
    for n in range(clients):
        user, _ = User.objects.get_or_create(
            email=f"poster{n}@bench.example", defaults={"full_name": f"Poster {n}"}
        )
        patient = Patient.objects.filter(user=user).first()
        if patient is None:
            patient = Patient.objects.create(
                clinic=maya.clinic,
                user=user,
                therapist=maya.therapist,
                first_name="Poster",
                last_name=str(n),
                date_of_birth=dt.date(1990, 1, 1),
                sex="female",
                time_zone="UTC",
                email=user.email,
            )
            Patient.objects.filter(pk=patient.pk).update(
                created_at=patient.created_at - dt.timedelta(days=60)
            )
            Membership.objects.get_or_create(clinic=maya.clinic, user=user, role="patient")
        people.append(client_for(user.email))
    today = dt.datetime.now(dt.UTC).date()

    def form(n: int) -> dict:
        return {
            "submission": str(uuid.uuid4()),
            "date": (today - dt.timedelta(days=n % 14)).isoformat(),
            "site_pain": str(n % 4),
            "morning_pain": "1",
            "activity_pain": "",
            "notes": "",
            "activity-TOTAL_FORMS": "1",
            "activity-INITIAL_FORMS": "0",
            "activity-MIN_NUM_FORMS": "0",
            "activity-MAX_NUM_FORMS": "1000",
            "activity-0-kind": "walk",
            "activity-0-distance": "2",
            "activity-0-minutes": "30",
        }

    def block(url_of) -> tuple[float, int, int]:
        done, errors = [0] * clients, [0] * clients
        deadline = time.perf_counter() + seconds

        def run(i: int) -> None:
            client, n = people[i], i * 1000
            try:
                while time.perf_counter() < deadline:
                    n += 1
                    response = client.post(url_of(n), form(n))
                    if response.status_code == 302:
                        done[i] += 1
                    else:
                        errors[i] += 1
            except Exception:  # noqa: BLE001 - counted as an error, the bench goes on
                errors[i] += 1
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sum(done) / (time.perf_counter() - start), sum(errors), sum(done)

    def log_url(n: int) -> str:
        return f"/me/log/{(today - dt.timedelta(days=n % 14)).isoformat()}/"

    rounds = [(block(log_url), block(lambda n: "/bench/insert/")) for _ in range(3)]
    ratio = statistics.median(p[0] / f[0] for p, f in rounds)
    errors = sum(p[1] for p, _ in rounds)
    met = ratio >= 0.7 and errors == 0
    return (
        f"{'daily-log POST':<22} {statistics.median(p[0] for p, _ in rounds):7.1f} posts/s, floor "
        f"{statistics.median(f[0] for _, f in rounds):7.1f}/s = {ratio:.2f}x (goal >= 0.7x), "
        f"{errors} errors, {clients} clients, {load()}"
    ), met


def plan_reminders():
    """Everyone due now (in their own zone); the planner's first run, then again."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from notifications import services
    from notifications.schedule import zone_named

    now = timezone.now().replace(second=0, microsecond=0)
    with connection.cursor() as c:
        c.execute(
            "UPDATE notifications_notification SET delivery_id = NULL WHERE delivery_id IS NOT NULL"
        )
        c.execute("DELETE FROM notifications_delivery")
        c.execute("DELETE FROM notifications_reminder")
        for zone in ZONES:
            due = (now - dt.timedelta(minutes=5)).astimezone(zone_named(zone)).time()
            c.execute(
                "UPDATE notifications_reminderpreference r SET daily_time = %s, morning_time = %s "
                "FROM clinic_patient p WHERE p.id = r.patient_id AND p.time_zone = %s",
                [due, due, zone],
            )
        c.execute("ANALYZE notifications_reminderpreference")
    results = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            with transaction.atomic():
                services.reminders_plan(now=now, release=True)
            results.append((time.perf_counter() - start, len(captured)))
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM notifications_reminder")
        (rows,) = c.fetchone()
    (first, q1), (again, q2) = results
    return [
        (
            f"{'reminders, first run':<22} {first:7.2f} s (goal <= 2 s), {q1} queries "
            f"(goal <= 20), {rows:,} reminders, {load()}",
            first <= 2 and q1 <= 20,
        ),
        (
            f"{'reminders, nothing new':<22} {again:7.2f} s (goal <= 0.5 s), {q2} queries, "
            f"{load()}",
            again <= 0.5,
        ),
    ]


class NullSink:
    def __init__(self):
        self.bytes = 0

    def write(self, data) -> int:
        self.bytes += len(data)
        return len(data)


def export_child(rounds: int) -> None:
    """In a fresh process: COPY of the cohort's rows vs the CSV export, both ways; prints JSON."""
    from django.db import connection

    from clinic.models import Clinic, User
    from reports import cohort, exporters, services
    from reports.cohort import CohortFilters

    clinic = Clinic.objects.get(slug=CLINIC)
    filters = CohortFilters(therapist_id=User.objects.get(email=THERAPIST).pk)

    def copy() -> int:
        ids = cohort.cohort(clinic, filters).values("pk")
        sql, params = cohort.log_rows(ids).query.sql_with_params()
        sink = NullSink()
        with connection.cursor() as c:
            c.copy_expert(f"COPY ({c.mogrify(sql, params).decode()}) TO STDOUT WITH CSV", sink)
        return sink.bytes

    def export(deidentified: bool) -> int:
        table = services.cohort_table(
            clinic, kind="logs", filters=filters, deidentified=deidentified
        )
        sink = NullSink()
        for chunk in exporters.csv_chunks(table):
            sink.write(chunk)
        return sink.bytes

    runs = {"copy": copy, "identified": lambda: export(False), "deidentified": lambda: export(True)}
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    rows = cohort.log_rows(cohort.cohort(clinic, filters).values("pk")).count()
    print(
        json.dumps(
            {
                "rows": rows,
                "times": times,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def export_csv(rounds: int, database: str):
    child = subprocess.run(  # noqa: S603 - this script, run again
        [sys.executable, __file__, "--export-child", str(rounds)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "BENCH_DATABASE": database},
    )
    if child.returncode:
        return [(f"cohort CSV failed: {child.stderr.strip()[-500:]}", False)] * 2
    facts = json.loads(child.stdout.strip().splitlines()[-1])
    lines = []
    for name in ("identified", "deidentified"):
        ratio = statistics.median(
            t / c for t, c in zip(facts["times"][name], facts["times"]["copy"], strict=True)
        )
        rss = facts["rss_mb"]
        lines.append(
            (
                f"{'CSV ' + name:<22} {statistics.median(facts['times'][name]):7.2f} s vs COPY "
                f"{statistics.median(facts['times']['copy']):.2f} s = {ratio:.2f}x (goal <= 1.5x),"
                f" peak RSS {rss:.0f} MB (goal <= 150), {facts['rows']:,} rows, {load()}",
                ratio <= 1.5 and rss <= 150,
            )
        )
    return lines


def measures(args) -> list:
    from clinic.models import Patient

    maya = Patient.objects.get(user__email=RUNNER)
    return [
        ("triage", lambda: [page("triage queue", "/triage/", THERAPIST)]),
        ("caseload", lambda: [page("caseload", "/caseload/", THERAPIST)]),
        (
            "patient",
            lambda: [page("patient page", f"/patients/{maya.pk}/", THERAPIST, queries=12)],
        ),
        ("today", lambda: [page("today", "/me/today/", RUNNER, queries=12)]),
        ("outcomes", lambda: [page("outcomes dashboard", "/clinic/reports/", ADMIN)]),
        ("posts", lambda: [log_posts(args.post_seconds, args.clients)]),
        ("export", lambda: export_csv(args.rounds, args.database)),
        ("reminders", plan_reminders),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set")
    parser.add_argument("--keep", action="store_true", help="keep the database; reuse it")
    parser.add_argument("--database", default=DATABASE, help="the bench's own database")
    parser.add_argument("--only", default="", help="comma-separated measures, e.g. triage,bell")
    parser.add_argument("--rounds", type=int, default=3, help="export rounds (median)")
    parser.add_argument("--clients", type=int, default=POST_CLIENTS)
    parser.add_argument("--post-seconds", type=float, default=4.0, help="per POST block")
    parser.add_argument("--export-child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    configure()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings, setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        sys.exit("bench: set DATABASE_URL to PostgreSQL (the bench builds its own database there).")
    if args.export_child:
        connection.settings_dict["NAME"] = os.environ["BENCH_DATABASE"]
        export_child(args.export_child)
        return
    connection.settings_dict.setdefault("TEST", {})["NAME"] = args.database
    old = setup_databases(
        verbosity=0,
        interactive=False,
        keepdb=args.keep,
        aliases={"default"},
        serialized_aliases=set(),
    )
    try:
        if not built():
            print(f"Building {DATABASE} at scale {args.scale} ({load()}) ...", flush=True)
            build(args.scale, say=lambda text: print(text, flush=True))
        else:
            started = time.perf_counter()
            if fill_outcome_facts():
                print(f"Outcome facts worked out in {time.perf_counter() - started:.0f} s.")
        print(f"Data: {counts()}. Python {sys.version.split()[0]}, {os.cpu_count()} cores.")
        wanted = {name for name in args.only.split(",") if name}
        met = total = 0
        with override_settings(ROOT_URLCONF=bench_urls(), DEBUG=False):
            assert not settings.DEBUG
            for name, run in measures(args):
                if wanted and name not in wanted:
                    continue
                try:
                    results = run()
                except Exception as exc:  # noqa: BLE001 - one failed measure is SHORT
                    results = [(f"{name:<22} failed: {exc!r}"[:300], False)]
                for line, ok in results:
                    total += 1
                    met += ok
                    print(f"{line}  {'ok' if ok else 'SHORT'}", flush=True)
        print(f"bench: {met}/{total} goals met")
    finally:
        if not args.keep:
            teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
