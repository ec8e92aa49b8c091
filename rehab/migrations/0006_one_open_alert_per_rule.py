from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("rehab", "0005_alerts_fold_by_rule")]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="first_date",
            field=models.DateField(help_text="The earliest of `dates`."),
        ),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.UniqueConstraint(
                condition=models.Q(("acknowledged_at__isnull", True)),
                fields=("patient", "rule"),
                name="one_open_alert_per_rule",
            ),
        ),
    ]
