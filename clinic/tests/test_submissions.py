"""Submission ids are forgotten after SUBMISSION_DAYS by the nightly job, and only then."""

import datetime as dt
import uuid

from django.utils import timezone

from clinic import services
from clinic.celery import BEAT_SCHEDULE
from clinic.models import Submission
from clinic.tasks import submissions_forget


def test_old_submission_ids_are_forgotten_and_recent_ones_kept(db, pat):
    now = timezone.now()
    old = Submission.objects.create(scope="daily-log", key=uuid.uuid4(), user=pat.user)
    Submission.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=31))
    recent = Submission.objects.create(scope="daily-log", key=uuid.uuid4(), user=pat.user)

    assert services.submissions_forget(now=now) == 1
    assert list(Submission.objects.all()) == [recent]
    assert submissions_forget() == 0  # safe to run twice


def test_the_nightly_job_is_on_the_one_schedule():
    assert BEAT_SCHEDULE["submissions-forget"]["task"] == "clinic.tasks.submissions_forget"
