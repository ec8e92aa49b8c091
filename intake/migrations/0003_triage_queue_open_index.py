"""The triage queue's order over the open intakes, as a partial index (issue 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_examination_record_and_clinical_notes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="intake",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "in_review", "follow_up"])),
                fields=["clinic", "priority_rank", "-score", "submitted_at", "id"],
                name="intake_open_queue",
            ),
        ),
    ]
