"""Workflows over daily logs and alerts: saving or deleting a day, raising and acknowledging alerts.

Each write that touches several rows runs in one transaction, and alerts and the active plan's
progression are evaluated in the same transaction as the log that raised them: a saved log never
goes without its alerts or its effect on the plan.
"""

import datetime as dt
import statistics
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Max, Min

from clinic.models import Patient
from rehab import plan_history
from rehab.models import (
    EDIT_WINDOW_DAYS,
    Activity,
    Alert,
    DailyLog,
    LogRevision,
    alert_thresholds,
    care_start,
    patient_today,
    patient_zone,
)
from rehab.rules import alerts as alert_rules
from rehab.services import alerts, plans
from reports.outcome_facts import outcome_facts_refresh

# The longest-run and weekly-distance rules look back 30 days and one full week before the
# evaluated window; 35 days covers both (rehab.rules.alerts.evaluate_alerts, `since`).
RULES_LOOKBACK_DAYS = 35


# --- Daily logs -------------------------------------------------------------------------------


class LogDateTaken(Exception):
    """Another log already holds the day a log was being moved to."""


def daily_log_save(
    *,
    patient: Patient,
    by,
    log: DailyLog | None,
    fields: dict,
    activities: Iterable[dict],
    today: dt.date,
) -> DailyLog:
    """Create or change the patient's log for `fields["date"]`, keep the revision, raise alerts.

    `fields` are DailyLog's fields (date, pains, swelling, limp, notes); `activities` the day's
    sessions as Activity fields (kind, distance_m, duration_min, rpe). The activities replace the
    log's previous ones.

    An upsert under the patient's row lock: concurrent saves of one patient's logs run one after
    the other, and each reads the log as the one before left it. `log` is the log the form was
    shown for (None for a new day); a day that was logged meanwhile (another tab, a retried
    post) is updated rather than inserted twice. Raises LogDateTaken when a log moved to another
    day would land on a day already logged.
    """
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        day_logs = patient.daily_logs.with_activities()
        current = day_logs.filter(pk=log.pk).first() if log is not None else None
        on_day = day_logs.filter(date=fields["date"]).first()
        if current is None:
            current = on_day
        elif on_day is not None and on_day.pk != current.pk:
            raise LogDateTaken(fields["date"])
        log = current or DailyLog(patient=patient)
        before = current.snapshot() if current is not None else None
        for name, value in fields.items():
            setattr(log, name, value)
        log.save()
        log.activities.all().delete()
        Activity.objects.bulk_create(
            Activity(log=log, position=position, **activity)
            for position, activity in enumerate(activities)
        )
        after = DailyLog.objects.prefetch_related("activities").get(pk=log.pk).snapshot()
        if before != after:
            LogRevision.objects.create(
                patient=patient,
                log=log,
                log_date=log.date,
                action=LogRevision.Action.UPDATE if before else LogRevision.Action.CREATE,
                changed_by=by,
                before=before,
                after=after,
            )
        alerts_evaluate(patient, today=today)
        plans.plan_evaluate_for_patient(patient, today=today)
        outcome_facts_refresh(patient)
    return log


def daily_log_delete(*, log: DailyLog, by, today: dt.date) -> None:
    """Delete a day's log, keeping what it said in the history."""
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=log.patient_id).first()
        LogRevision.objects.create(
            patient=log.patient,
            log=None,
            log_date=log.date,
            action=LogRevision.Action.DELETE,
            changed_by=by,
            before=log.snapshot(),
            after=None,
        )
        log.delete()
        alerts_evaluate(log.patient, today=today)
        plans.plan_evaluate_for_patient(log.patient, today=today)
        outcome_facts_refresh(log.patient)


# --- Alerts -----------------------------------------------------------------------------------


def running_not_allowed_rule(patient: Patient) -> Callable[[dt.date], bool] | None:
    """The plans' "no running on this date" rule for the alerts, or None without a plan.

    True on a day the patient's plan did not allow running: its step that day had no running,
    the plan was stopped for review, or the day before was a running day (§5: never two running
    days in a row during walk-run). `rehab.plan_history.running_not_allowed` has the details.
    """
    return plan_history.running_not_allowed(patient)


def logging_expected_since(patient: Patient, *, first_log: dt.date | None) -> dt.date | None:
    """The first day a log was expected, for the no-log rule and adherence.

    The first log, or else the later of care start and the day the patient's account was made
    (no one can log before having an account). None for a patient without an account or logs.
    """
    if first_log is not None:
        return first_log
    if patient.user_id is None:
        return None
    joined = patient.user.date_joined.astimezone(patient_zone(patient)).date()
    return max(care_start(patient), joined)


def alerts_evaluate(
    patient: Patient, *, today: dt.date, since: dt.date | None = None
) -> list[Alert]:
    """Record what the patient's logs raise as of `today`; return the alerts that took any.

    Idempotent: an occurrence already stored (same patient and key) is left as it is, on an open
    alert or an acknowledged one, so the nightly job and every log save may run it as often as
    they like. New occurrences refresh the patient's open alert for their rule
    (`rehab.services.alerts.alerts_record`).

    Only alerts about days from `since` on are raised. It defaults to the edit window: a patient
    can only add or change logs that recent, and a clinic that lowers a threshold gets alerts
    about the last two weeks, not about its whole history.
    """
    if since is None:
        since = today - dt.timedelta(days=EDIT_WINDOW_DAYS)
    logs = patient.daily_logs.filter(
        date__gte=since - dt.timedelta(days=RULES_LOOKBACK_DAYS), date__lte=today
    ).prefetch_related("activities")
    bounds = patient.daily_logs.filter(date__lte=today).aggregate(
        first=Min("date"), last=Max("date")
    )
    thresholds = alert_thresholds(patient.clinic)
    found = alert_rules.evaluate_alerts(
        [log.as_day_log() for log in logs],
        today=today,
        thresholds=thresholds,
        baseline=_baseline_morning_pain(patient, thresholds["baseline_logs"]),
        running_not_allowed=running_not_allowed_rule(patient),
        logging_since=_no_log_anchor(patient, bounds),
        since=since,
        unit=patient.distance_unit,
    )
    return alerts.alerts_record(patient=patient, found=found)


def _baseline_morning_pain(patient: Patient, first_n: int) -> float | None:
    """The median morning pain of the patient's first `first_n` logs that report one.

    Read from the whole history, not only the logs the rules are given, so the baseline does not
    drift as old logs leave the evaluated window (rehab.rules.alerts.baseline_morning_pain's rule).
    """
    mornings = list(
        patient.daily_logs.filter(morning_pain__isnull=False)
        .order_by("date")
        .values_list("morning_pain", flat=True)[:first_n]
    )
    return statistics.median(mornings) if mornings else None


def _no_log_anchor(patient: Patient, bounds: dict) -> dt.date | None:
    # The day after the last log, even when that log is older than the logs passed to the rules,
    # so one silence keeps one key however long it lasts.
    if bounds["last"] is not None:
        return bounds["last"] + dt.timedelta(days=1)
    return logging_expected_since(patient, first_log=None)


def alerts_evaluate_all() -> int:
    """Evaluate every active patient's alerts as of their own today: the nightly job's work.

    One transaction per patient: alerts raised for earlier patients stay if a later one fails
    (the error is raised, never swallowed). Returns how many alerts were opened or refreshed.
    """
    raised = 0
    patients = Patient.objects.active().select_related("clinic", "user").order_by("pk")
    for patient in patients.iterator(chunk_size=200):
        with transaction.atomic():
            raised += len(alerts_evaluate(patient, today=patient_today(patient)))
    return raised
