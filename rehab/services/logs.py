"""Workflows over daily logs and alerts: saving or deleting a day, raising and acknowledging alerts.

Each write that touches several rows runs in one transaction, and alerts and the active plan's
progression are evaluated in the same transaction as the log that raised them: a saved log never
goes without its alerts or its effect on the plan.
"""

import datetime as dt
import statistics
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Max

from clinic.models import Patient
from rehab import plan_history
from rehab.models import (
    EDIT_WINDOW_DAYS,
    Activity,
    Alert,
    DailyLog,
    LogRevision,
    Plan,
    PlanStatus,
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

    The same number of queries whatever the patient's history: one read of the logs the alert
    rules look at (the edit window and RULES_LOOKBACK_DAYS before it) serves the upsert, the
    revision and the alerts, which are evaluated at once, in this transaction.
    """
    # No savepoint of its own: inside a caller's transaction an error undoes the caller's too.
    with transaction.atomic(savepoint=False):
        locked = Patient.objects.select_for_update().filter(pk=patient.pk).order_by()
        locked.values_list("pk").first()
        since = today - dt.timedelta(days=EDIT_WINDOW_DAYS)
        start = since - dt.timedelta(days=RULES_LOOKBACK_DAYS)
        window = _LogWindow(patient, start=start, end=today)
        current = window.by_pk(log.pk) if log is not None else None
        on_day = window.on(fields["date"])
        if current is None:
            current = on_day
        elif on_day is not None and on_day.pk != current.pk:
            raise LogDateTaken(fields["date"])
        log = current or DailyLog(patient=patient)
        before = current.snapshot() if current is not None else None
        for name, value in fields.items():
            setattr(log, name, DailyLog._meta.get_field(name).to_python(value))
        log.save()
        alerts.patient_signals_refresh(patient.pk)  # its last log date, for the caseload
        rows = [_as_stored(Activity(log=log, position=n, **a)) for n, a in enumerate(activities)]
        if before is None or [row.snapshot() for row in rows] != before["activities"]:
            if before is not None:  # a new log has no sessions to replace
                log.activities.all().delete()
            Activity.objects.bulk_create(rows)
        else:  # the same sessions: keep their rows
            rows = list(current.activities.all())
        log._prefetched_objects_cache = {"activities": rows}
        window.saved(log, was=before and dt.date.fromisoformat(before["date"]))
        after = log.snapshot()
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
        history = plan_history.plans_with_history(patient)
        alerts_evaluate(patient, today=today, since=since, window=window.logs(), plans=history)
        active = next((plan for plan in history if plan.status == PlanStatus.ACTIVE), None)
        if active is not None:
            plans.plan_evaluate(active, today=today, recent=(start, window.logs()))
        outcome_facts_refresh(patient)
    return log


class _LogWindow:
    """The patient's logs from `start` to `end` with their activities (two queries), by date;
    a log outside them is read on its own when asked for."""

    def __init__(self, patient: Patient, *, start: dt.date, end: dt.date):
        self.patient, self.start, self.end = patient, start, end
        rows = patient.daily_logs.filter(date__gte=start, date__lte=end).with_activities()
        self.by_date = {row.date: row for row in rows}

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def on(self, day: dt.date) -> DailyLog | None:
        if self.covers(day):
            return self.by_date.get(day)
        return self.patient.daily_logs.with_activities().filter(date=day).first()

    def by_pk(self, pk) -> DailyLog | None:
        found = next((row for row in self.by_date.values() if row.pk == pk), None)
        return found or self.patient.daily_logs.with_activities().filter(pk=pk).first()

    def saved(self, log: DailyLog, *, was: dt.date | None) -> None:
        """Put the saved log in place of what the window held for its old and new day."""
        held = self.by_date.get(was) if was is not None else None
        if held is not None and held.pk == log.pk:
            del self.by_date[was]
        if self.covers(log.date):
            self.by_date[log.date] = log

    def logs(self) -> list[DailyLog]:
        return [self.by_date[day] for day in sorted(self.by_date)]


def _as_stored(row: Activity) -> Activity:
    """The row's values as read back from the database (whole numbers, plain strings), so its
    snapshot compares equal to a stored one."""
    for field in ("kind", "distance_m", "duration_min", "rpe"):
        setattr(row, field, Activity._meta.get_field(field).to_python(getattr(row, field)))
    return row


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
        alerts.patient_signals_refresh(log.patient_id)
        alerts_evaluate(log.patient, today=today)
        plans.plan_evaluate_for_patient(log.patient, today=today)
        outcome_facts_refresh(log.patient)


# --- Alerts -----------------------------------------------------------------------------------


def running_not_allowed_rule(
    patient: Patient, *, plans: list[Plan] | None = None, since: dt.date | None = None
) -> Callable[[dt.date], bool] | None:
    """The plans' "no running on this date" rule for the alerts, or None without a plan.

    `plans`: the patient's plans with their transitions, when the caller has them; `since`: the
    first day the rule will be asked about (running days before it are not read).

    True on a day the patient's plan did not allow running: its step that day had no running,
    the plan was stopped for review, or the day before was a running day (§5: never two running
    days in a row during walk-run). `rehab.plan_history.running_not_allowed` has the details.
    """
    return plan_history.running_not_allowed(patient, plans=plans, since=since)


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
    patient: Patient,
    *,
    today: dt.date,
    since: dt.date | None = None,
    window: list[DailyLog] | None = None,
    plans: list[Plan] | None = None,
) -> list[Alert]:
    """Record what the patient's logs raise as of `today`; return the alerts that took any.

    Idempotent: an occurrence already stored (same patient and key) is left as it is, on an open
    alert or an acknowledged one, so the nightly job and every log save may run it as often as
    they like. New occurrences refresh the patient's open alert for their rule
    (`rehab.services.alerts.alerts_record`).

    Only alerts about days from `since` on are raised. It defaults to the edit window: a patient
    can only add or change logs that recent, and a clinic that lowers a threshold gets alerts
    about the last two weeks, not about its whole history.

    The rules read the logs from RULES_LOOKBACK_DAYS before `since` to `today`: `window`, when
    the caller has them already (with their activities), and the patient's plans with their
    transitions (`plan_history.plans_with_history`) as `plans`. Either way the work is bounded
    by that window, not by the patient's history.
    """
    if since is None:
        since = today - dt.timedelta(days=EDIT_WINDOW_DAYS)
    start = since - dt.timedelta(days=RULES_LOOKBACK_DAYS)
    if window is None:
        window = list(
            patient.daily_logs.filter(date__gte=start, date__lte=today).prefetch_related(
                "activities"
            )
        )
    thresholds = alert_thresholds(patient.clinic)
    found = alert_rules.evaluate_alerts(
        [log.as_day_log() for log in window],
        today=today,
        thresholds=thresholds,
        baseline=_baseline_morning_pain(patient, thresholds["baseline_logs"]),
        running_not_allowed=running_not_allowed_rule(patient, plans=plans, since=start),
        logging_since=_no_log_anchor(patient, _last_log_date(patient, window, today=today)),
        since=since,
        unit=patient.distance_unit,
    )
    return alerts.alerts_record(patient=patient, found=found)


def _last_log_date(patient: Patient, window: list[DailyLog], *, today: dt.date) -> dt.date | None:
    """The date of the patient's last log up to today: the window's, else read."""
    dates = [log.date for log in window if log.date <= today]
    if dates:
        return max(dates)
    return patient.daily_logs.filter(date__lte=today).aggregate(last=Max("date"))["last"]


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


def _no_log_anchor(patient: Patient, last: dt.date | None) -> dt.date | None:
    # The day after the last log, even when that log is older than the logs passed to the rules,
    # so one silence keeps one key however long it lasts.
    if last is not None:
        return last + dt.timedelta(days=1)
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
