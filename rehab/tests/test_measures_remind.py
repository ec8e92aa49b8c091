"""The questionnaire reminder: once per occasion through the notifications ledger, only where
the clinic can show the questionnaire, and again when the next occasion comes."""

import datetime as dt

from django.utils import timezone

from notifications.models import Delivery, Kind, Notification
from notifications.tests.sending import sent_in_process
from rehab.measures import services
from rehab.models import patient_today
from rehab.tests import factories as rehab_factories
from rehab.tests import measure_factories


def told(patient) -> set[str]:
    return set(
        Delivery.objects.filter(patient=patient, kind=Kind.MEASURES_DUE).values_list(
            "key", flat=True
        )
    )


def test_nobody_is_told_before_the_clinic_set_the_questionnaires_up(pat):
    assert services.measures_remind(now=timezone.now()) == 0
    assert told(pat) == set()


def test_a_runner_is_told_once_per_occasion(pat, pia, clinic_a, django_capture_on_commit_callbacks):
    measure_factories.wording(clinic_a, "lefs")
    measure_factories.wording(clinic_a, "uwri")
    pat.set_reminder_consent(True)
    pat.save()
    now = timezone.now()
    with sent_in_process(), django_capture_on_commit_callbacks(execute=True):
        assert services.measures_remind(now=now) == 2  # pat and pia, their baselines
    assert services.measures_remind(now=now) == 0
    assert told(pat) == {f"{pat.pk}:measures:baseline"}
    notice = Notification.objects.get(patient=pat, kind=Kind.MEASURES_DUE)
    assert "LEFS and UWRI" in notice.body and notice.url == "/me/measures/"


def test_answered_baselines_wait_for_the_plans_fourth_week(pat, alice, clinic_a):
    measure_factories.wording(clinic_a, "lefs")
    today = patient_today(pat)
    start = today - dt.timedelta(days=27)
    measure_factories.response(pat, "lefs", today - dt.timedelta(days=27), 40)
    rehab_factories.active_plan(pat, start=start, by=alice)
    pat.created_at = timezone.now() - dt.timedelta(days=30)
    pat.save(update_fields=["created_at"])
    assert services.measures_remind(now=timezone.now()) == 0
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert services.measures_remind(now=tomorrow) == 1
    assert told(pat) == {f"{pat.pk}:measures:week-4-{start.isoformat()}"}
