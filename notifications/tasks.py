"""Background jobs of reminders and notifications: thin, each one calls one service.

Their schedule is in clinic/celery.py (BEAT_SCHEDULE), the one place for periodic jobs.
"""

from celery import shared_task
from django.utils import timezone

from notifications import services
from notifications.channels import TransientError


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


@shared_task(
    acks_late=True,  # a message is only gone once the task finished...
    task_reject_on_worker_lost=True,  # ...and comes back if its worker process died
    autoretry_for=(TransientError,),
    retry_backoff=5,  # 5 s, 10 s, 20 s, ... with jitter
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=services.MAX_ATTEMPTS - 1,
)
def delivery_send(delivery_id: int) -> str:
    """Send one ledger row (at most once: the service claims the row before sending)."""
    return services.delivery_send(delivery_id)


@shared_task
def notifications_clean_up() -> dict:
    """Nightly: forget settled ledger rows past retention and expired in-app notifications."""
    return services.notifications_clean_up(now=timezone.now())
