"""Background jobs of reminders and notifications: thin, each one calls one service.

Their schedule is in clinic/celery.py (BEAT_SCHEDULE), the one place for periodic jobs.
"""

import logging
from collections import Counter

from celery import shared_task
from django.utils import timezone

from notifications import services
from notifications.channels import TransientError

log = logging.getLogger(__name__)
FIRST_RETRY_SECONDS = 5


@shared_task
def reminders_dispatch() -> dict:
    """Every few minutes: plan what fell due and queue every row that may go out now."""
    result = services.reminders_dispatch(now=timezone.now())
    return {"planned": result.planned, "released": result.released}


@shared_task
def intake_reminders_dispatch() -> dict:
    """Hourly: remind runners whose intake link expires in two days (once per link)."""
    result = services.intake_reminders_dispatch(now=timezone.now())
    return {"planned": result.planned, "released": result.released}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def reminders_send(reminder_keys: list[list[str]]) -> dict:
    """Fan a batch of due reminders out to the patients' channels (ledger rows), then send
    the rows that may go out now, as deliveries_send does."""
    return _send_each(services.reminders_fan_out(reminder_keys, now=timezone.now()))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliveries_send(delivery_ids: list[int]) -> dict:
    """Send a batch of ledger rows. A row the provider cannot take now is retried on its own
    (delivery_send, with backoff); an unexpected error is raised once the others are done."""
    return _send_each(delivery_ids)


def _send_each(delivery_ids: list[int]) -> dict:
    outcomes, error = Counter(), None
    for delivery_id in delivery_ids:
        try:
            outcomes[services.delivery_send(delivery_id)] += 1
        except TransientError:
            delivery_send.apply_async((delivery_id,), countdown=FIRST_RETRY_SECONDS)
            outcomes["retrying"] += 1
        except Exception as exc:  # raised below, once the rest of the batch is done
            log.exception("Delivery %s could not be sent", delivery_id)
            error = error or exc
    if error is not None:
        raise error
    return dict(outcomes)


@shared_task(
    acks_late=True,  # a message is only gone once the task finished...
    reject_on_worker_lost=True,  # ...and comes back if its worker process died
    autoretry_for=(TransientError,),
    retry_backoff=5,  # 5 s, 10 s, 20 s, ... with jitter
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS - 1,
)
def delivery_send(delivery_id: int) -> str:
    """Send one ledger row again after a transient error (the service claims it first)."""
    return services.delivery_send(delivery_id)


@shared_task
def notifications_clean_up() -> dict:
    """Nightly: forget settled ledger rows past retention and expired in-app notifications."""
    return services.notifications_clean_up(now=timezone.now())
