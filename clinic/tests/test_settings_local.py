"""`make run` on one machine: SQLite that never locks, e-mail links on the port served, and a
queue of the checkout's own so two checkouts on one Redis never take each other's jobs.

Settings are read once per process, so each case runs `python -c` in a fresh process with the
variables it names and no .env file.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Variables of the surrounding run (CI, a developer's shell) that would decide the answer.
DECIDING = (
    "DATABASE_URL",
    "SITE_URL",
    "REBOUND_HOST",
    "REBOUND_PORT",
    "REBOUND_INSTANCE",
    "CELERY_TASK_DEFAULT_QUEUE",
    "CELERY_BROKER_URL",
)


def settings_process(script: str, **variables) -> dict:
    """Run `script` after django.setup() with only `variables` deciding; return what it prints."""
    env = {k: v for k, v in os.environ.items() if k not in DECIDING}
    env.update(DEBUG="true", REBOUND_ENV_FILE=os.devnull, DJANGO_SETTINGS_MODULE="clinic.settings")
    env.update(variables)
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", "import django, json; django.setup()\n" + script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


SQLITE_STATE = """
from django.db import connection
with connection.cursor() as cursor:
    journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    busy_ms = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
print(json.dumps([journal, busy_ms, connection.transaction_mode]))
"""


def test_the_sqlite_database_takes_concurrent_writers(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    journal, busy_ms, transaction_mode = settings_process(SQLITE_STATE, DATABASE_URL=database)
    assert journal == "wal"  # readers go on while one writes
    assert busy_ms >= 10_000  # a writer waits its turn rather than failing at once
    assert transaction_mode == "IMMEDIATE"  # …and takes the write lock when it begins


# Eight threads (the web server, worker and beat of `make run`, and more) each read, then write,
# inside a transaction, 25 times: the pattern that answered 500 "database is locked".
WRITERS = """
import threading
from django.db import connection, transaction
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE tally (seen integer)")
errors = []

def write():
    try:
        for _ in range(25):
            with transaction.atomic(), connection.cursor() as cursor:
                seen = cursor.execute("SELECT COUNT(*) FROM tally").fetchone()[0]
                cursor.execute("INSERT INTO tally VALUES (%s)", [seen])
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=write) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    rows = cursor.execute("SELECT COUNT(*), COUNT(DISTINCT seen) FROM tally").fetchone()
print(json.dumps({"errors": errors[:3], "rows": list(rows)}))
"""


def test_writers_in_threads_never_find_the_database_locked(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    outcome = settings_process(WRITERS, DATABASE_URL=database)
    assert outcome["errors"] == []
    # Every write kept, and each saw the ones before it: the transactions ran one after another.
    assert outcome["rows"] == [200, 200]


SITE_URL = "from django.conf import settings; print(json.dumps(settings.SITE_URL))"


def test_email_links_follow_the_port_make_run_serves_on():
    assert settings_process(SITE_URL, REBOUND_PORT="8101") == "http://127.0.0.1:8101"
    assert settings_process(SITE_URL, REBOUND_HOST="localhost", REBOUND_PORT="8123") == (
        "http://localhost:8123"
    )
    assert settings_process(SITE_URL) == "http://127.0.0.1:8000"


def test_a_set_site_url_wins_over_the_port():
    url = settings_process(SITE_URL, REBOUND_PORT="8101", SITE_URL="https://rebound.example")
    assert url == "https://rebound.example"


# What the web server and beat send to, and what the Procfile's worker (no -Q) consumes.
QUEUES = """
from clinic.celery import app
app.loader.import_default_modules()
tasks = [name for name in app.tasks if not name.startswith("celery.")]
sent_to = sorted({app.amqp.router.route({}, name)["queue"].name for name in tasks})
print(json.dumps({"tasks": len(tasks), "sent_to": sent_to, "consumed": sorted(app.amqp.queues)}))
"""


def test_every_task_goes_to_the_queue_the_worker_consumes_named_after_the_instance():
    queues = settings_process(QUEUES, REBOUND_INSTANCE="clinic-two")
    assert queues["tasks"] > 5
    assert queues["sent_to"] == queues["consumed"] == ["rebound-clinic-two"]


def test_without_a_setting_the_queue_is_named_after_the_checkouts_folder():
    queues = settings_process(QUEUES)
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    assert queues["sent_to"] == queues["consumed"] == [f"rebound-{checkout}"]


def test_an_explicit_queue_name_still_wins():
    queues = settings_process(QUEUES, CELERY_TASK_DEFAULT_QUEUE="rebound-staging")
    assert queues["sent_to"] == queues["consumed"] == ["rebound-staging"]
