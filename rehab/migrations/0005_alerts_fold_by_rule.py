"""Fold existing alerts into one open alert per (patient, rule).

Every existing alert becomes one occurrence (its key, reason and dates). Open alerts of one
patient and rule are then folded into the newest of them, which takes every date, the count and
the earliest `raised_at`; the others are deleted. Acknowledged alerts stay as they were, one
occurrence each.

Reversible: going back splits every alert into one alert per occurrence again (the original
rows' keys, reasons and dates), so the old unique (patient, key) constraint holds.
Fast: a few queries per thousand alerts and one per folded group, none per alert.
"""

import datetime as dt
import itertools

from django.db import migrations
from django.db.models import Count, F

BATCH = 1000


def fold(apps, schema_editor):
    Alert = apps.get_model("rehab", "Alert")
    AlertOccurrence = apps.get_model("rehab", "AlertOccurrence")
    # Most alerts are about one day: their first date is their last. The few about several
    # days (a silence, a rising streak, a week) are corrected below.
    Alert.objects.update(first_date=F("last_date"), refreshed_at=F("raised_at"))
    rows = Alert.objects.order_by("pk").values_list(
        "pk", "patient_id", "key", "reason", "dates", "last_date", "rules_version", "raised_at"
    )
    occurrences, spans = [], []
    for pk, patient_id, key, reason, dates, last_date, version, raised_at in rows.iterator(
        chunk_size=BATCH
    ):
        occurrences.append(
            AlertOccurrence(
                alert_id=pk,
                patient_id=patient_id,
                key=key,
                reason=reason,
                dates=dates,
                last_date=last_date,
                rules_version=version,
                recorded_at=raised_at,
            )
        )
        first = _first(dates)
        if first is not None and first != last_date:
            spans.append(Alert(pk=pk, first_date=first))
        if len(occurrences) >= BATCH:
            AlertOccurrence.objects.bulk_create(occurrences)
            occurrences.clear()
    AlertOccurrence.objects.bulk_create(occurrences)
    Alert.objects.bulk_update(spans, ["first_date"], batch_size=BATCH)

    _fold_open_duplicates(Alert, AlertOccurrence)


def _fold_open_duplicates(Alert, AlertOccurrence) -> None:
    """Fold each (patient, rule) with several open alerts into its newest, in batches."""
    open_alerts = Alert.objects.filter(acknowledged_at__isnull=True)
    crowded = (
        open_alerts.values("patient_id", "rule").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    )
    patients = {row["patient_id"] for row in crowded}
    rows = (
        open_alerts.filter(patient_id__in=patients)
        .order_by("patient_id", "rule", "last_date", "raised_at", "pk")
        .only("pk", "patient_id", "rule", "dates", "first_date", "last_date", "raised_at")
    )
    keeps, moved = [], {}  # moved: folded alert id -> the id it folds into
    for _group, alerts in itertools.groupby(rows, key=lambda a: (a.patient_id, a.rule)):
        alerts = list(alerts)
        if len(alerts) < 2:
            continue
        keep = alerts[-1]
        keep.dates = sorted({day for alert in alerts for day in alert.dates})
        keep.first_date = min(alert.first_date for alert in alerts)
        keep.occurrences = len(alerts)
        keep.refreshed_at = max(alert.raised_at for alert in alerts)
        keep.raised_at = min(alert.raised_at for alert in alerts)
        keeps.append(keep)
        moved.update({alert.pk: keep.pk for alert in alerts[:-1]})
    fields = ["dates", "first_date", "occurrences", "refreshed_at", "raised_at"]
    Alert.objects.bulk_update(keeps, fields, batch_size=BATCH)
    # One plain UPDATE per folded group (bulk_update's CASE per row is far slower here).
    into = {}
    for folded_id, keep_id in moved.items():
        into.setdefault(keep_id, []).append(folded_id)
    for keep_id, folded_ids in into.items():
        AlertOccurrence.objects.filter(alert_id__in=folded_ids).update(alert_id=keep_id)
    folded = list(moved)
    for start in range(0, len(folded), BATCH):
        Alert.objects.filter(pk__in=folded[start : start + BATCH]).delete()


def _first(dates: list) -> dt.date | None:
    return dt.date.fromisoformat(min(dates)) if dates else None


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
