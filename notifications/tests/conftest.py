"""Real Celery workers for the integration tests (`@pytest.mark.worker`).

`worker_harness` starts `celery -A clinic worker --pool=solo` as a subprocess that uses the test
database (the tests use `transactional_db`, so it sees committed rows), a queue of its own on the
real Redis (or a folder queue), and an e-mail backend that records to a file. Without Redis the
Redis tests are skipped locally and fail in CI (REBOUND_REQUIRE_SERVICES).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from notifications.tests.mailrecord import read_records

BASE_DIR = Path(settings.BASE_DIR)
WORKER_READY_SECONDS = 60


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "worker: starts a real Celery worker against Redis (skipped locally without Redis, "
        "required in CI)",
    )


def worker_database_url() -> str:
    """The URL of the test database pytest-django made, for the worker subprocess."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if "memory" in str(db["NAME"]):
            pytest.skip("The test database is in memory; a worker process cannot open it.")
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def redis_url() -> str:
    import redis

    url = settings.REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis is not reachable at {url} ({error}); start it to run the worker tests"
        if os.environ.get("REBOUND_REQUIRE_SERVICES"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return url


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@dataclass
class WorkerHarness:
    """Starts workers on one private queue, triggers tasks, and reads what was e-mailed."""

    tmp: Path
    broker_url: str
    transport_options: dict
    queue: str = field(default_factory=lambda: f"rebound-test-{uuid.uuid4().hex[:10]}")
    workers: list[Worker] = field(default_factory=list)

    @property
    def mail_file(self) -> Path:
        return self.tmp / "mail.jsonl"

    def env(self, **extra) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="clinic.settings",
            SECRET_KEY=settings.SECRET_KEY,
            DATABASE_URL=worker_database_url(),
            CONN_MAX_AGE="0",
            CELERY_BROKER_URL=self.broker_url,
            CELERY_BROKER_FOLDER=str(self.tmp / "broker"),
            CELERY_TASK_DEFAULT_QUEUE=self.queue,
            EMAIL_BACKEND="notifications.tests.mailrecord.RecordingBackend",
            REBOUND_TEST_MAIL_FILE=str(self.mail_file),
            SITE_URL="http://testserver",
            SMS_BACKEND="notifications.sms.ConsoleBackend",
            NOTIFICATIONS_LEASE_SECONDS="3",
            NOTIFICATIONS_REQUEUE_AFTER_SECONDS="3",
            STAFF_2FA_DEFAULT="false",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def start_worker(self, **env) -> Worker:
        log = self.tmp / f"worker-{len(self.workers) + 1}.log"
        command = [
            *(sys.executable, "-m", "celery", "-A", "clinic", "worker"),
            *("--pool=solo", "--loglevel=INFO", "-Q", self.queue),
            *("-n", f"{self.queue}-{len(self.workers) + 1}@%h"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        with log.open("w") as output:
            process = subprocess.Popen(  # noqa: S603 - our own command line, no shell
                command, cwd=BASE_DIR, env=self.env(**env), stdout=output, stderr=output
            )
        worker = Worker(process, log)
        self.workers.append(worker)
        self.wait_for(
            lambda: "ready." in worker.log.read_text(errors="replace"),
            "the worker to start",
            WORKER_READY_SECONDS,
        )
        return worker

    def trigger(self, task: str, *args) -> None:
        """Queue a task by name, as beat would."""
        app = Celery("trigger", broker=self.broker_url, set_as_current=False)
        app.conf.broker_transport_options = self.transport_options
        with app.connection_for_write() as conn:
            app.send_task(task, args=args, queue=self.queue, connection=conn)

    def mails(self) -> list[dict]:
        return read_records(self.mail_file)

    def mails_to(self, address: str) -> list[dict]:
        return [mail for mail in self.mails() if address in mail["to"]]

    def wait_for(self, condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            for worker in self.workers:
                if worker.process.poll() not in (None, -signal.SIGKILL):
                    pytest.fail(f"A worker exited while waiting for {what}:\n{worker.log_tail()}")
            time.sleep(0.2)
        logs = "\n".join(w.log_tail() for w in self.workers)
        pytest.fail(f"Timed out after {seconds} s waiting for {what}. Worker logs:\n{logs}")

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


def _drop_redis_queue(url: str, queue: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.delete(queue)
    for tag, payload in client.hgetall("unacked").items():
        if queue.encode() in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.fixture
def worker_harness(transactional_db, tmp_path):
    url = redis_url()
    harness = WorkerHarness(tmp_path, url, settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    yield harness
    harness.stop()
    _drop_redis_queue(url, harness.queue)


@pytest.fixture
def folder_worker_harness(transactional_db, tmp_path):
    """The same, on kombu's filesystem transport: the broker `make run` uses without Redis."""
    folder = tmp_path / "broker"
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
    }
    (folder / "queue").mkdir(parents=True)
    harness = WorkerHarness(tmp_path, "filesystem://", options)
    yield harness
    harness.stop()
