"""Alert workflows: recording what the rules found, acknowledging, snoozing a rule.

One open alert per (patient, rule). Each firing of a rule is an `AlertOccurrence` with a stable
key (rule and anchor date), unique per patient, so recording the same findings again changes
nothing. A new occurrence is recorded on the patient's open alert for its rule (latest reason,
every date, the count); after an acknowledgement the next occurrence opens a new alert.

Concurrent recorders (a log save racing the nightly job or the plan engine) are serialised on the
open alert's row (`select_for_update`); the partial unique index on (patient, rule) where open
means two of them can never both insert an open alert: the second waits for the first to commit,
fails inside a savepoint and locks the first one's row instead. Rules are taken in one order, so
two recorders never wait for each other in a circle.

The patient's row carries what the caseload orders by: `open_alert_count` and `last_log_date`
(`patient_signals_refresh`). Every write that can change them locks the patient's row first,
before any alert or plan row (as `daily_log_save` and the plan engine do), then stores a fresh
count in the same transaction; a snooze that runs out is closed by `alert_snoozes_close_ended`
(every five minutes), which recounts its patient.
"""

import datetime as dt
import itertools
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.models import Patient
from rehab.models import (
    SNOOZE_MAX_DAYS,
    UNSNOOZABLE_RULES,
    AcknowledgementReason,
    Alert,
    AlertOccurrence,
    AlertSnooze,
    DailyLog,
)
from rehab.rules import alerts as alert_rules


class AlertChanged(Exception):
    """The alert took new occurrences since the clinician looked at it."""


class NotSnoozable(Exception):
    """A safety rule: it must always reach a person."""


def alerts_record(*, patient: Patient, found: Iterable[alert_rules.Alert]) -> list[Alert]:
    """Record the rules' findings on the patient's alerts; return the alerts that took any.

    Idempotent: findings whose key is already stored, on an open or an acknowledged alert, are
    skipped. Writers call it inside their own transaction, so the locks last until the whole
    write commits; called alone, it is its own transaction.
    """
    found = sorted(found, key=lambda alert: (alert.rule, max(alert.dates), alert.key))
    known = _known_keys(patient, [alert.key for alert in found])
    found = [finding for finding in found if finding.key not in known]
    if not found:
        return []
    changed, opened = [], False
    with transaction.atomic():
        patient_lock(patient.pk)
        for rule, findings in itertools.groupby(found, key=lambda alert: alert.rule):
            alert, created = _record_rule(patient, rule, list(findings))
            if alert is not None:
                changed.append(alert)
                opened = opened or created
        if opened:
            patient_signals_refresh(patient.pk)
    return changed


def _known_keys(patient: Patient, keys: list[str]) -> set[str]:
    occurrences = AlertOccurrence.objects.filter(patient=patient, key__in=keys)
    return set(occurrences.values_list("key", flat=True))


def _record_rule(
    patient: Patient, rule: str, findings: list[alert_rules.Alert]
) -> tuple[Alert | None, bool]:
    """The alert that took the findings (None if another recorder stored them all), and whether
    it was opened now."""
    with transaction.atomic():
        alert, created = _open_alert_locked(patient, findings[0])
        # Read again under the lock: a recorder that held it may have stored some of these.
        known = _known_keys(patient, [finding.key for finding in findings])
        new = [_occurrence(patient, finding) for finding in findings if finding.key not in known]
        if not new:
            if created:
                alert.delete()
            return None, False
        if created:
            alert.dates, alert.occurrences = [], 0
        alert.record(new)
        alert.occurrences += len(new)
        alert.save()
        for occurrence in new:
            occurrence.alert = alert
        AlertOccurrence.objects.bulk_create(new)
    return alert, created


def _open_alert_locked(patient: Patient, first: alert_rules.Alert) -> tuple[Alert, bool]:
    """The patient's open alert for the rule, locked; a new one (saved) when there is none."""
    open_alerts = Alert.objects.select_for_update().filter(
        patient=patient, rule=first.rule, acknowledged_at__isnull=True
    )
    alert = open_alerts.first()
    if alert is not None:
        return alert, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                patient=patient,
                key=first.key,
                rule=first.rule,
                reason=first.reason,
                evidence=first.evidence,
                section=first.section,
                dates=[day.isoformat() for day in first.dates],
                rules_version=first.version,
                first_date=min(first.dates),
                last_date=max(first.dates),
            )
        return alert, True
    except IntegrityError:  # another recorder opened it and committed meanwhile
        return open_alerts.get(), False


def _occurrence(patient: Patient, finding: alert_rules.Alert) -> AlertOccurrence:
    return AlertOccurrence(
        patient=patient,
        key=finding.key,
        reason=finding.reason,
        dates=[day.isoformat() for day in finding.dates],
        last_date=max(finding.dates),
        rules_version=finding.version,
    )


def alert_acknowledge(
    *, alert: Alert, by, reason: str, note: str = "", seen_occurrences: int | None = None
) -> bool:
    """Acknowledge an open alert with a reason; False when it was already acknowledged.

    `seen_occurrences`: the count the clinician was shown. If the alert took new occurrences
    since, AlertChanged is raised and nothing changes, so nobody acknowledges evidence unseen.
    """
    if reason not in AcknowledgementReason.values:
        raise ValueError(f"unknown acknowledgement reason {reason!r}")
    with transaction.atomic():
        patient_lock(alert.patient_id)
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if not locked.is_open:
            return False
        if seen_occurrences is not None and locked.occurrences != seen_occurrences:
            raise AlertChanged(locked.occurrences)
        locked.acknowledge(by=by, reason=reason, note=note)
        patient_signals_refresh(alert.patient_id)
    alert.refresh_from_db()
    return True


def alert_snooze(*, patient: Patient, rule: str, days: int, by) -> AlertSnooze:
    """Mute one rule for one patient for `days` days (1–30); replaces a snooze not yet lifted."""
    if rule in UNSNOOZABLE_RULES:
        raise NotSnoozable(rule)
    if not 1 <= days <= SNOOZE_MAX_DAYS:
        raise ValueError(f"snooze for 1 to {SNOOZE_MAX_DAYS} days, not {days}")
    now = timezone.now()
    with transaction.atomic():
        patient_lock(patient.pk)
        _end_snoozes(patient, rule, now=now, by=by)
        snooze = AlertSnooze.objects.create(
            patient=patient, rule=rule, until=now + dt.timedelta(days=days), created_by=by
        )
        patient_signals_refresh(patient.pk, now=now)
    return snooze


def alert_snooze_lift(*, snooze: AlertSnooze, by) -> bool:
    """End a snooze early; False when it had already ended."""
    now = timezone.now()
    with transaction.atomic():
        patient_lock(snooze.patient_id)
        lifted = _end_snoozes(snooze.patient, snooze.rule, now=now, by=by)
        patient_signals_refresh(snooze.patient_id, now=now)
    return bool(lifted)


def _end_snoozes(patient: Patient, rule: str, *, now: dt.datetime, by) -> int:
    """End the rule's snooze: one still running is lifted now; one that ran out is closed at its
    end (so a new snooze can start). Returns how many were still running."""
    not_lifted = AlertSnooze.objects.filter(patient=patient, rule=rule, lifted_at__isnull=True)
    not_lifted.filter(until__lte=now).update(lifted_at=F("until"))
    return not_lifted.filter(until__gt=now).update(lifted_at=now, lifted_by=by)


def alert_snoozes_close_ended(now: dt.datetime | None = None) -> int:
    """Close the snoozes that have run out (at their end, as a new snooze would) and recount
    their patients, whose muted alerts count as open again. One transaction per patient;
    idempotent. Returns how many patients were recounted."""
    now = now or timezone.now()
    ended = AlertSnooze.objects.filter(lifted_at__isnull=True, until__lte=now)
    patient_ids = list(ended.order_by().values_list("patient_id", flat=True).distinct())
    for patient_id in patient_ids:
        with transaction.atomic():
            patient_lock(patient_id)
            ended.filter(patient_id=patient_id).update(lifted_at=F("until"))
            patient_signals_refresh(patient_id, now=now)
    return len(patient_ids)


# --- The patient's stored signals ------------------------------------------------------------


def patient_lock(patient_id) -> None:
    """Lock the patient's row until the transaction ends: every writer of alerts, logs or plans
    takes it first, so they queue per patient in one order (no deadlock) and each stores a
    count that sees the others' committed rows."""
    Patient.objects.select_for_update().filter(pk=patient_id).values_list("pk").first()


def fresh_signals(now: dt.datetime | None = None) -> dict:
    """The stored signals as expressions over a patient's rows (`OuterRef("pk")`)."""
    open_alerts = (
        Alert.objects.open(now)
        .filter(patient=OuterRef("pk"))
        .order_by()
        .values("patient")
        .annotate(n=Count("id"))
        .values("n")
    )
    last_log = DailyLog.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")
    return {
        "open_alert_count": Coalesce(Subquery(open_alerts), Value(0)),
        "last_log_date": Subquery(last_log[:1]),
    }


def patient_signals_refresh(patient_id, *, now: dt.datetime | None = None) -> None:
    """Store the patient's open alert count and last log date, counted afresh (one UPDATE).
    Call it in the transaction of the write that changed them, after `patient_lock`."""
    Patient.objects.filter(pk=patient_id).update(**fresh_signals(now))


REPAIR_BATCH = 1000


def patient_signals_repair(*, clinic_id: int | None = None, fix: bool = True) -> list:
    """The patients whose stored signals differ from a fresh count (of one clinic, or all),
    stored afresh when `fix`. Should find none: every write keeps them."""
    patients = Patient.objects.order_by("pk")
    if clinic_id is not None:
        patients = patients.filter(clinic_id=clinic_id)
    fresh = fresh_signals()
    stale = [
        row["pk"]
        for row in patients.annotate(
            fresh_count=fresh["open_alert_count"], fresh_last=fresh["last_log_date"]
        )
        .values("pk", "open_alert_count", "last_log_date", "fresh_count", "fresh_last")
        .iterator(chunk_size=5000)
        if (row["open_alert_count"], row["last_log_date"])
        != (row["fresh_count"], row["fresh_last"])
    ]
    for start in range(0, len(stale) if fix else 0, REPAIR_BATCH):
        batch = stale[start : start + REPAIR_BATCH]
        with transaction.atomic():  # locked first, in one order, then counted afresh
            list(
                Patient.objects.select_for_update().filter(pk__in=batch).order_by("pk").values("pk")
            )
            Patient.objects.filter(pk__in=batch).update(**fresh_signals())
    return stale
