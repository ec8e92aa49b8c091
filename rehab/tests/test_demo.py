"""The demo: Maya's eight weeks raise every alert rule, others vary, and seeding is idempotent."""

from django.db.models import Count

from clinic import demo
from clinic.models import Patient
from rehab.models import (
    PLAN_STOPPED,
    Activity,
    Alert,
    AlertOccurrence,
    DailyLog,
    LogRevision,
    patient_today,
)
from rehab.rules import alerts as alert_rules


def test_maya_has_eight_weeks_of_logs_that_raise_every_rule(db):
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")
    today = patient_today(maya)
    dates = list(maya.daily_logs.values_list("date", flat=True))
    assert (today - min(dates)).days == 55 and today not in dates  # today is left to log
    rules = set(maya.alerts.values_list("rule", flat=True))
    expected = {rule.code for rule in alert_rules.ALERT_RULES} | {PLAN_STOPPED}
    assert rules == expected
    assert maya.alerts.open().exists() and maya.alerts.exclude(acknowledged_at=None).exists()
    assert maya.distance_unit == "mi"
    assert Activity.objects.filter(log__patient=maya, kind="walk_run").exists()


def test_other_demo_patients_have_varied_histories(db):
    demo.seed()
    logged = Patient.objects.annotate(n=Count("daily_logs")).exclude(email="patient@demo.example")
    counts = sorted(logged.values_list("n", flat=True))
    assert counts[0] == 0 and counts[-1] >= 40  # some never logged, some every day
    assert len(set(counts)) > 10
    assert (
        Alert.objects.filter(rule="no_log").exclude(patient__email="patient@demo.example").exists()
    )
    assert Alert.objects.values("patient__clinic").distinct().count() == 2


def test_seeding_the_demo_again_does_not_duplicate_logs_or_alerts(db):
    demo.seed()
    counts = (
        DailyLog.objects.count(),
        Activity.objects.count(),
        Alert.objects.count(),
        LogRevision.objects.count(),
    )
    demo.seed()
    assert (
        DailyLog.objects.count(),
        Activity.objects.count(),
        Alert.objects.count(),
        LogRevision.objects.count(),
    ) == counts


def test_mayas_alerts_are_a_handful_grouped_by_rule(db):
    """Her PDF once spent a page and a half repeating one rule: now one row per rule."""
    from reports.progress_report import progress_report

    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")
    occurrences = AlertOccurrence.objects.filter(patient=maya).count()
    assert maya.alerts.count() < occurrences
    assert maya.alerts.filter(occurrences__gt=1).exists()
    open_rules = list(maya.alerts.open().values_list("rule", flat=True))
    assert 1 <= len(open_rules) <= 5 and len(set(open_rules)) == len(open_rules)
    assert not maya.alerts.exclude(acknowledged_at=None).filter(acknowledgement_reason="").exists()
    groups = progress_report(maya).alert_groups
    assert len(groups) == len({group.label for group in groups}) <= len(expected_rules())


def expected_rules() -> set[str]:
    return {rule.code for rule in alert_rules.ALERT_RULES} | {PLAN_STOPPED}
