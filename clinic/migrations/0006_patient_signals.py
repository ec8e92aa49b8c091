"""The caseload's order on the patient's row: open alerts and the last log date, filled from the
rows (what `rehab.services.patient_signals_refresh` keeps from now on), then its two indexes."""

from django.db import migrations, models
from django.db.models import Count, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Now

BATCH = 2000


def fill(apps, schema_editor):
    Patient = apps.get_model("clinic", "Patient")
    Alert = apps.get_model("rehab", "Alert")
    AlertSnooze = apps.get_model("rehab", "AlertSnooze")
    DailyLog = apps.get_model("rehab", "DailyLog")
    snoozed = AlertSnooze.objects.filter(
        patient=OuterRef("patient"), rule=OuterRef("rule"), lifted_at__isnull=True, until__gt=Now()
    )
    open_alerts = (
        Alert.objects.filter(patient=OuterRef("pk"), acknowledged_at__isnull=True)
        .filter(~Exists(snoozed))
        .order_by()
        .values("patient")
        .annotate(n=Count("id"))
        .values("n")
    )
    last_log = DailyLog.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")
    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        Patient.objects.filter(pk__in=ids[start : start + BATCH]).update(
            open_alert_count=Coalesce(Subquery(open_alerts), Value(0)),
            last_log_date=Subquery(last_log[:1]),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_clinic_logo"),
        ("rehab", "0006_one_open_alert_per_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="last_log_date",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="patient",
            name="open_alert_count",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                condition=models.Q(("discharged_at__isnull", True)),
                fields=[
                    "clinic",
                    "therapist",
                    "-open_alert_count",
                    "last_name",
                    "first_name",
                    "id",
                ],
                name="patient_caseload_mine",
            ),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                condition=models.Q(("discharged_at__isnull", True)),
                fields=["clinic", "-open_alert_count", "last_name", "first_name", "id"],
                name="patient_caseload_clinic",
            ),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                condition=models.Q(("open_alert_count__gt", 0)),
                fields=["clinic", "therapist"],
                include=("open_alert_count",),
                name="patient_open_alerts",
            ),
        ),
    ]
