"""The migration that folds existing alerts into one open alert per (patient, rule), and back."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("rehab", "0003_visits")]
AFTER = [("rehab", "0006_one_open_alert_per_rule")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(pat, pia):
    """The alerts as stored before the fold: pat's running-not-allowed alert once per day."""
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        migrate(executor_leaves())


def executor_leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def old_alert(apps, patient_id, rule, day, *, acknowledged=False):
    Alert = apps.get_model("rehab", "Alert")
    return Alert.objects.create(
        patient_id=patient_id,
        key=f"{rule}:{day}",
        rule=rule,
        reason=f"{rule} on {day}",
        evidence="Policy",
        section="§5",
        dates=[day.isoformat()],
        rules_version="2026.1",
        last_date=day,
        acknowledged_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC) if acknowledged else None,
    )


@pytest.mark.django_db(transaction=True)
def test_duplicate_open_alerts_fold_into_one_per_rule_and_split_back(old_schema, pat, pia):
    days = [dt.date(2026, 3, d) for d in (2, 4, 6, 9)]
    for day in days:
        old_alert(old_schema, pat.pk, "running_not_allowed", day)
    old_alert(old_schema, pat.pk, "running_not_allowed", dt.date(2026, 2, 20), acknowledged=True)
    old_alert(old_schema, pat.pk, "no_log", dt.date(2026, 3, 1))
    old_alert(old_schema, pia.pk, "running_not_allowed", dt.date(2026, 3, 3))

    apps = migrate(AFTER)
    Alert = apps.get_model("rehab", "Alert")
    folded = Alert.objects.get(patient_id=pat.pk, rule="running_not_allowed", acknowledged_at=None)
    assert folded.occurrences == 4 and folded.dates == [d.isoformat() for d in days]
    assert (folded.first_date, folded.last_date) == (days[0], days[-1])
    assert folded.key == "running_not_allowed:2026-03-09" and folded.reason.endswith("2026-03-09")
    assert Alert.objects.filter(patient_id=pat.pk).count() == 3  # folded, acknowledged, no-log
    assert Alert.objects.filter(patient_id=pia.pk).get().occurrences == 1
    Occurrence = apps.get_model("rehab", "AlertOccurrence")
    assert Occurrence.objects.filter(alert_id=folded.pk).count() == 4
    assert Occurrence.objects.count() == 7

    apps = migrate(BEFORE)
    Alert = apps.get_model("rehab", "Alert")
    keys = Alert.objects.filter(patient_id=pat.pk, rule="running_not_allowed", acknowledged_at=None)
    assert sorted(keys.values_list("last_date", flat=True)) == days
    assert Alert.objects.count() == 7
