"""The Celery app and the one periodic schedule of Rebound.

Workers and beat read their settings from Django's (CELERY_* in clinic/settings.py). Beat runs
with django-celery-beat's DatabaseScheduler, which copies BEAT_SCHEDULE into the database at
start (so admins can see and pause jobs in the Django admin); this dict is the only place a
periodic job is declared. Every job is idempotent and safe to run twice.

`local_broker_url()` names the broker `make run` gives the web server, worker and beat: Redis
when it answers, else a folder queue under var/ (kombu's filesystem transport, set up in
settings), so a machine with nothing but Python still delivers reminders through a real worker.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("rebound")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BEAT_SCHEDULE = {
    "reminders-dispatch": {
        "task": "notifications.tasks.reminders_dispatch",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},  # a late tick is dropped; the next one covers it
    },
    "intake-link-expiry-reminders": {
        "task": "notifications.tasks.intake_reminders_dispatch",
        "schedule": crontab(minute=17),
        "options": {"expires": 30 * 60},
    },
    "alert-snoozes-close": {  # a muted alert counts again on the caseload once its snooze ends
        "task": "rehab.tasks.alert_snoozes_close",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    "alerts-evaluate-nightly": {
        "task": "rehab.tasks.alerts_evaluate_nightly",
        "schedule": crontab(hour=4, minute=30),
        "options": {"expires": 3 * 60 * 60},
    },
    "plans-progress-nightly": {
        "task": "rehab.tasks.plans_progress_nightly",
        "schedule": crontab(hour=4, minute=50),  # after the alerts: a stop alert joins them
        "options": {"expires": 3 * 60 * 60},
    },
    "measures-remind-daily": {  # questionnaires due: once per occasion, whenever it runs
        "task": "rehab.tasks.measures_remind",
        "schedule": crontab(hour=6, minute=40),
        "options": {"expires": 3 * 60 * 60},
    },
    "reports-export-files-clean-up": {  # also restarts exports whose worker died
        "task": "reports.tasks.export_files_clean_up",
        "schedule": 5 * 60,
        "options": {"expires": 4 * 60},
    },
    "outcome-facts-rebuild-nightly": {  # after the nightly alerts and plan progress
        "task": "reports.tasks.outcome_facts_rebuild_nightly",
        "schedule": crontab(hour=5, minute=20),
        "options": {"expires": 3 * 60 * 60},
    },
    "submissions-forget": {
        "task": "clinic.tasks.submissions_forget",
        "schedule": crontab(hour=3, minute=30),
        "options": {"expires": 3 * 60 * 60},
    },
    "notifications-clean-up": {
        "task": "notifications.tasks.notifications_clean_up",
        "schedule": crontab(hour=3, minute=45),
        "options": {"expires": 3 * 60 * 60},
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE


def local_broker_url() -> str:
    """The configured broker if it answers, else the folder broker (for `make run`)."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return url
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return "filesystem://"
    return url
