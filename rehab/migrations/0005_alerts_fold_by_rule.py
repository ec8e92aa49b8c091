"""Fold existing alerts into one open alert per (patient, rule).

Every existing alert becomes one occurrence (its key, reason and dates). Open alerts of one
patient and rule are then folded into the newest of them, which takes every date, the count and
the earliest `raised_at`; the others are deleted. Acknowledged alerts stay as they were, one
occurrence each.

Reversible: going back splits every alert into one alert per occurrence again (the original
rows' keys, reasons and dates), so the old unique (patient, key) constraint holds.
Fast: a few queries per folded (patient, rule) group, none per unfolded alert.
"""

import datetime as dt

from django.db import migrations
from django.db.models import Count

BATCH = 1000


def fold(apps, schema_editor):
    Alert = apps.get_model("rehab", "Alert")
    AlertOccurrence = apps.get_model("rehab", "AlertOccurrence")
    alerts = Alert.objects.order_by("pk").only(
        "pk", "patient_id", "key", "reason", "dates", "last_date", "rules_version", "raised_at"
    )
    occurrences, changed = [], []
    for alert in alerts.iterator(chunk_size=BATCH):
        occurrences.append(
            AlertOccurrence(
                alert_id=alert.pk,
                patient_id=alert.patient_id,
                key=alert.key,
                reason=alert.reason,
                dates=alert.dates,
                last_date=alert.last_date,
                rules_version=alert.rules_version,
                recorded_at=alert.raised_at,
            )
        )
        alert.first_date = _first(alert.dates) or alert.last_date
        alert.refreshed_at = alert.raised_at
        changed.append(alert)
        if len(changed) >= BATCH:
            _flush(Alert, AlertOccurrence, changed, occurrences)
    _flush(Alert, AlertOccurrence, changed, occurrences)

    open_alerts = Alert.objects.filter(acknowledged_at__isnull=True)
    groups = (
        open_alerts.values("patient_id", "rule").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    )
    for group in list(groups):
        rows = list(
            open_alerts.filter(patient_id=group["patient_id"], rule=group["rule"]).order_by(
                "last_date", "raised_at", "pk"
            )
        )
        keep, others = rows[-1], rows[:-1]
        keep.dates = sorted({day for row in rows for day in row.dates})
        keep.first_date = min(row.first_date for row in rows)
        keep.occurrences = len(rows)
        keep.refreshed_at = max(row.raised_at for row in rows)
        keep.raised_at = min(row.raised_at for row in rows)
        keep.save(update_fields=["dates", "first_date", "occurrences", "refreshed_at", "raised_at"])
        ids = [row.pk for row in others]
        AlertOccurrence.objects.filter(alert_id__in=ids).update(alert_id=keep.pk)
        Alert.objects.filter(pk__in=ids).delete()


def _first(dates: list) -> dt.date | None:
    return dt.date.fromisoformat(min(dates)) if dates else None


def _flush(Alert, AlertOccurrence, changed: list, occurrences: list) -> None:
    AlertOccurrence.objects.bulk_create(occurrences)
    Alert.objects.bulk_update(changed, ["first_date", "refreshed_at"])
    changed.clear()
    occurrences.clear()


def split(apps, schema_editor):
    Alert = apps.get_model("rehab", "Alert")
    AlertOccurrence = apps.get_model("rehab", "AlertOccurrence")
    folded = Alert.objects.filter(occurrences__gt=1)
    for alert in folded.iterator():
        occurrences = list(AlertOccurrence.objects.filter(alert_id=alert.pk).order_by("last_date"))
        for occurrence in occurrences:
            if occurrence.key == alert.key:
                continue
            Alert.objects.create(
                patient_id=alert.patient_id,
                key=occurrence.key,
                rule=alert.rule,
                reason=occurrence.reason,
                evidence=alert.evidence,
                section=alert.section,
                dates=occurrence.dates,
                rules_version=occurrence.rules_version,
                first_date=occurrence.last_date,
                last_date=occurrence.last_date,
                raised_at=occurrence.recorded_at,
                refreshed_at=occurrence.recorded_at,
                acknowledged_at=alert.acknowledged_at,
                acknowledged_by_id=alert.acknowledged_by_id,
                acknowledgement_reason=alert.acknowledgement_reason,
                acknowledgement_note=alert.acknowledgement_note,
            )
        own = next((o for o in occurrences if o.key == alert.key), None)
        if own is not None:
            alert.dates, alert.last_date = own.dates, own.last_date
            alert.save(update_fields=["dates", "last_date"])


class Migration(migrations.Migration):
    dependencies = [("rehab", "0004_alert_occurrences_and_snoozes")]

    operations = [migrations.RunPython(fold, split)]
