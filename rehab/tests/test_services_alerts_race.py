"""Concurrent recorders of one patient's alerts (a log save racing the nightly job, the plan
engine's stop) keep one open alert per rule, every occurrence once, and never fail."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from rehab import services
from rehab.models import Alert, AlertOccurrence
from rehab.rules import alerts as alert_rules
from rehab.tests.factories import day_log

TODAY = dt.date(2026, 3, 18)


def finding(day: dt.date) -> alert_rules.Alert:
    return alert_rules.Alert(
        rule="running_not_allowed",
        label="Running logged while the plan does not allow it",
        key=f"running_not_allowed:{day}",
        reason=f"Running was logged on {day}.",
        evidence="Policy",
        section="§5 Phases",
        dates=(day,),
    )


def at_once(jobs) -> list[BaseException]:
    """Run each job in its own thread and transaction, released together and each holding its
    transaction open a moment, so they overlap; the errors raised."""
    gate, errors = threading.Barrier(len(jobs)), []

    def run(job):
        try:
            with transaction.atomic():
                gate.wait()
                job()
                time.sleep(0.2)  # keep the transaction open while the others try
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_six_recorders_at_once_leave_one_open_alert_with_every_occurrence_once(pat):
    days = [TODAY - dt.timedelta(days=n) for n in (5, 4, 3, 2, 1, 1)]  # one day twice
    jobs = [
        lambda day=day: services.alerts_record(patient=pat, found=[finding(day)]) for day in days
    ]
    assert at_once(jobs) == []
    alert = Alert.objects.get(patient=pat)
    assert alert.is_open and alert.occurrences == 5
    assert alert.log_dates == sorted(set(days))
    assert AlertOccurrence.objects.filter(patient=pat).count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_log_save_racing_the_nightly_job_raises_each_alert_once(pat):
    for n in (3, 2, 1):
        day_log(pat, TODAY - dt.timedelta(days=n), 6)
    jobs = [lambda: services.alerts_evaluate(pat, today=TODAY) for _ in range(4)]
    assert at_once(jobs) == []
    assert list(Alert.objects.values_list("rule", "occurrences")) == [("site_pain_high", 3)]


@pytest.mark.django_db(transaction=True)
def test_recording_outside_any_transaction_is_its_own_transaction(pat):
    assert connection.in_atomic_block is False  # as a shell, a script or a live-server test
    services.alerts_record(patient=pat, found=[finding(TODAY)])
    services.alerts_record(patient=pat, found=[finding(TODAY + dt.timedelta(days=1))])
    alert = Alert.objects.get(patient=pat)
    assert alert.occurrences == 2 and AlertOccurrence.objects.filter(alert=alert).count() == 2
