"""An e-mail backend for tests that start real workers: it appends each message, as one JSON
line, to the file named by REBOUND_TEST_MAIL_FILE, so the test can read what the worker sent.

REBOUND_TEST_MAIL_HANG_AT=N makes the N-th message of the process hang before it is recorded
(after writing `<file>.hanging`), so a test can kill the worker in the middle of a send.
REBOUND_TEST_MAIL_KILL_AT=N makes the process SIGKILL itself right after recording the N-th
message: the provider has accepted it, the ledger has not recorded it.
"""

import json
import os
import signal
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class RecordingBackend(BaseEmailBackend):
    sent_by_this_process = 0

    def send_messages(self, email_messages):
        path = Path(os.environ["REBOUND_TEST_MAIL_FILE"])
        hang_at = int(os.environ.get("REBOUND_TEST_MAIL_HANG_AT") or 0)
        kill_at = int(os.environ.get("REBOUND_TEST_MAIL_KILL_AT") or 0)
        for message in email_messages:
            RecordingBackend.sent_by_this_process += 1
            if RecordingBackend.sent_by_this_process == hang_at:
                path.with_suffix(".hanging").write_text(str(os.getpid()))
                time.sleep(300)
            record = {
                "to": message.to,
                "subject": message.subject,
                "body": message.body,
                "html": [content for content, _ in getattr(message, "alternatives", [])],
                "headers": message.extra_headers,
            }
            with path.open("a", encoding="utf-8") as file:
                file.write(json.dumps(record) + "\n")
                file.flush()
                os.fsync(file.fileno())
            if RecordingBackend.sent_by_this_process == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)  # this process only: the worker, solo pool
        return len(email_messages)


def read_records(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
