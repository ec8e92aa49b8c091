"""The patient's stored signals (open alerts, last log date) equal a fresh count after every kind
of write that changes them, and the repair command finds and fixes a row that drifted."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max
from django.utils import timezone

from clinic.models import Patient
from rehab import services
from rehab.models import PLAN_STOPPED, Alert, AlertSnooze, DailyLog, patient_today
from rehab.rules import alerts as alert_rules
from rehab.tests.factories import AlertFactory

pytestmark = pytest.mark.django_db


def stored(patient) -> tuple[int, dt.date | None]:
    row = Patient.objects.get(pk=patient.pk)
    return row.open_alert_count, row.last_log_date


def fresh(patient, now=None) -> tuple[int, dt.date | None]:
    """Counted from the rows, the way the pages used to count on every view."""
    return (
        Alert.objects.open(now).filter(patient=patient).count(),
        DailyLog.objects.filter(patient=patient).aggregate(last=Max("date"))["last"],
    )


def log(patient, day, pain, by):
    fields = {"date": day, "site_pain": pain, "activity_pain": None, "morning_pain": None}
    fields |= {"swelling": False, "limp": False, "notes": ""}
    today = patient_today(patient)
    return services.daily_log_save(
        patient=patient, by=by, log=None, fields=fields, activities=[], today=today
    )


def test_a_log_saved_or_deleted_moves_the_last_log_date(pat):
    today = patient_today(pat)
    assert stored(pat) == fresh(pat) == (0, None)
    older = log(pat, today - dt.timedelta(days=3), 1, pat.user)
    assert stored(pat) == fresh(pat) and stored(pat)[1] == older.date
    latest = log(pat, today, 1, pat.user)
    assert stored(pat) == fresh(pat) and stored(pat)[1] == today
    services.daily_log_delete(log=latest, by=pat.user, today=today)
    assert stored(pat) == fresh(pat) and stored(pat)[1] == older.date


def test_an_alert_opened_folded_and_acknowledged_keeps_the_count(pat, alice):
    today = patient_today(pat)
    log(pat, today - dt.timedelta(days=1), 6, pat.user)  # site pain at the alert level
    assert stored(pat) == fresh(pat) and stored(pat)[0] == 1
    log(pat, today, 7, pat.user)  # a second occurrence folds into the same open alert
    alert = Alert.objects.get(patient=pat, rule="site_pain_high")
    assert alert.occurrences == 2
    assert stored(pat) == fresh(pat) and stored(pat)[0] == 1
    services.alert_acknowledge(alert=alert, by=alice, reason="spoke_to_runner")
    assert stored(pat) == fresh(pat) and stored(pat)[0] == 0


def test_a_plan_stop_alert_counts(pat):
    finding = alert_rules.Alert(
        rule=PLAN_STOPPED,
        label="Plan stopped for review",
        key=f"{PLAN_STOPPED}:2026-03-18",
        reason="Stopped.",
        evidence="",
        section="§5",
        dates=(dt.date(2026, 3, 18),),
        version="1",
    )
    services.alerts_record(patient=pat, found=[finding])
    services.alerts_record(patient=pat, found=[finding])  # again: nothing new
    assert stored(pat) == fresh(pat) == (1, None)


def test_a_snooze_mutes_the_count_until_lifted_or_run_out(pat, alice):
    today = patient_today(pat)
    for n, pain in ((2, 1), (1, 2), (0, 3)):  # pain rising three logged days running
        log(pat, today - dt.timedelta(days=n), pain, pat.user)
    rules = set(Alert.objects.open().filter(patient=pat).values_list("rule", flat=True))
    assert "pain_rising" in rules and stored(pat) == fresh(pat)
    before = stored(pat)[0]
    snooze = services.alert_snooze(patient=pat, rule="pain_rising", days=2, by=alice)
    assert stored(pat) == fresh(pat) and stored(pat)[0] == before - 1
    services.alert_snooze_lift(snooze=snooze, by=alice)
    assert stored(pat) == fresh(pat) and stored(pat)[0] == before

    services.alert_snooze(patient=pat, rule="pain_rising", days=1, by=alice)
    later = timezone.now() + dt.timedelta(days=1, minutes=1)
    assert services.alert_snoozes_close_ended(now=timezone.now()) == 0  # still running
    assert services.alert_snoozes_close_ended(now=later) == 1
    assert stored(pat) == fresh(pat, later) and stored(pat)[0] == before
    assert services.alert_snoozes_close_ended(now=later) == 0  # idempotent


def test_the_repair_command_finds_and_fixes_a_row_that_drifted(pat, pia, capsys):
    log(pat, patient_today(pat), 6, pat.user)
    call_command("patient_signals_repair", "--check")  # nothing to say: every write kept it
    Patient.objects.filter(pk=pia.pk).update(open_alert_count=3)
    with pytest.raises(CommandError, match="1 patient"):
        call_command("patient_signals_repair", "--check")
    assert stored(pia) == (3, None)  # --check changes nothing
    call_command("patient_signals_repair")
    assert "1 patient" in capsys.readouterr().out
    assert stored(pia) == fresh(pia) == (0, None)
    assert stored(pat) == fresh(pat)


def test_closing_ended_snoozes_is_on_the_five_minute_schedule(pat, alice):
    from clinic.celery import BEAT_SCHEDULE
    from rehab.tasks import alert_snoozes_close

    assert BEAT_SCHEDULE["alert-snoozes-close"]["task"] == "rehab.tasks.alert_snoozes_close"
    assert BEAT_SCHEDULE["alert-snoozes-close"]["schedule"] == 5 * 60
    AlertFactory(patient=pat, rule="pain_rising")
    snooze = services.alert_snooze(patient=pat, rule="pain_rising", days=1, by=alice)
    assert stored(pat)[0] == 0
    AlertSnooze.objects.filter(pk=snooze.pk).update(until=timezone.now())  # it has run out
    assert alert_snoozes_close() == 1
    assert stored(pat) == fresh(pat) and stored(pat)[0] == 1
