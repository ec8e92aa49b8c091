"""A stand-in for the broker and the worker in unit tests of other apps' workflows.

Inside `sent_in_process()`, ledger rows that a workflow releases (`notifications.services`
queues them when the transaction commits) are sent at once in this process, by the same
`services.delivery_send` a worker runs, instead of being published to the broker. The real
worker path is tested in `notifications/tests/test_worker.py`.
"""

import contextlib
from unittest import mock

from notifications import services


def _send_now(ids: list[int]) -> None:
    for delivery_id in ids:
        services.delivery_send(delivery_id)


@contextlib.contextmanager
def sent_in_process():
    with mock.patch.object(services, "publish_sends", _send_now):
        yield
