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
"""

import datetime as dt
import itertools
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clinic.models import Patient
from rehab.models import (
    SNOOZE_MAX_DAYS,
    UNSNOOZABLE_RULES,
    AcknowledgementReason,
    Alert,
    AlertOccurrence,
    AlertSnooze,
)
from rehab.rules import alerts as alert_rules


class AlertChanged(Exception):
    """The alert took new occurrences since the clinician looked at it."""


class NotSnoozable(Exception):
    """A safety rule: it must always reach a person."""


def alerts_record(*, patient: Patient, found: Iterable[alert_rules.Alert]) -> list[Alert]:
    """Record the rules' findings on the patient's alerts; return the alerts that took any.

    Idempotent: findings whose key is already stored, on an open or an acknowledged alert, are
    skipped. Call inside a transaction (the locks last until it commits).
    """
    found = sorted(found, key=lambda alert: (alert.rule, max(alert.dates), alert.key))
    known = _known_keys(patient, [alert.key for alert in found])
    changed = []
    for rule, findings in itertools.groupby(found, key=lambda alert: alert.rule):
        findings = [finding for finding in findings if finding.key not in known]
        if findings:
            alert = _record_rule(patient, rule, findings)
            if alert is not None:
                changed.append(alert)
    return changed


def _known_keys(patient: Patient, keys: list[str]) -> set[str]:
    occurrences = AlertOccurrence.objects.filter(patient=patient, key__in=keys)
    return set(occurrences.values_list("key", flat=True))


def _record_rule(patient: Patient, rule: str, findings: list[alert_rules.Alert]) -> Alert | None:
    with transaction.atomic():
        alert, created = _open_alert_locked(patient, findings[0])
        # Read again under the lock: a recorder that held it may have stored some of these.
        known = _known_keys(patient, [finding.key for finding in findings])
        new = [_occurrence(patient, finding) for finding in findings if finding.key not in known]
        if not new:
            if created:
                alert.delete()
            return None
        if created:
            alert.dates, alert.occurrences = [], 0
        alert.record(new)
        alert.occurrences += len(new)
        alert.save()
        for occurrence in new:
            occurrence.alert = alert
        AlertOccurrence.objects.bulk_create(new)
    return alert


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
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if not locked.is_open:
            return False
        if seen_occurrences is not None and locked.occurrences != seen_occurrences:
            raise AlertChanged(locked.occurrences)
        locked.acknowledge(by=by, reason=reason, note=note)
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
        _end_snoozes(patient, rule, now=now, by=by)
        return AlertSnooze.objects.create(
            patient=patient, rule=rule, until=now + dt.timedelta(days=days), created_by=by
        )


def alert_snooze_lift(*, snooze: AlertSnooze, by) -> bool:
    """End a snooze early; False when it had already ended."""
    with transaction.atomic():
        return bool(_end_snoozes(snooze.patient, snooze.rule, now=timezone.now(), by=by))


def _end_snoozes(patient: Patient, rule: str, *, now: dt.datetime, by) -> int:
    """End the rule's snooze: one still running is lifted now; one that ran out is closed at its
    end (so a new snooze can start). Returns how many were still running."""
    not_lifted = AlertSnooze.objects.filter(patient=patient, rule=rule, lifted_at__isnull=True)
    not_lifted.filter(until__lte=now).update(lifted_at=F("until"))
    return not_lifted.filter(until__gt=now).update(lifted_at=now, lifted_by=by)
