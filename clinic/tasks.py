"""Periodic jobs of the core. Their schedule is in clinic/celery.py (BEAT_SCHEDULE)."""

from celery import shared_task

from clinic import services


@shared_task(acks_late=True)
def submissions_forget() -> int:
    return services.submissions_forget()
