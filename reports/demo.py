"""Demo audit rows: who at the clinic looked at Maya Chen's record, for her "Who viewed" page.

Idempotent without changing any row (audit rows are append-only): each demo view has a fixed
marker in its detail, and a view already recorded is not added again.
"""

import datetime as dt

from django.utils import timezone

from clinic.models import AuditEvent, Patient, User

# (who, action, hours ago)
VIEWS = [
    ("therapist@demo.example", "patient.view", 2),
    ("therapist@demo.example", "rehab.logs.view", 2),
    ("coach@demo.example", "patient.view", 20),
    ("nutritionist@demo.example", "patient.view", 47),
    ("admin@demo.example", "report.view", 70),
    ("therapist@demo.example", "report.download", 70),
    ("therapist@demo.example", "intake.view", 24 * 9),
]


def seed() -> int:
    """Add the demo views not yet recorded; returns how many were added."""
    maya = Patient.objects.select_related("clinic").get(
        user__email="patient@demo.example", clinic__slug="demo-sports-pt"
    )
    people = {user.email: user for user in User.objects.filter(email__in={v[0] for v in VIEWS})}
    added = 0
    now = timezone.now()
    for number, (email, action, hours) in enumerate(VIEWS):
        marker = {"demo": number}
        if AuditEvent.objects.filter(patient=maya, action=action, detail=marker).exists():
            continue
        AuditEvent.objects.create(
            clinic=maya.clinic,
            actor=people[email],
            action=action,
            patient=maya,
            object_type="clinic.patient",
            object_id=str(maya.pk),
            detail=marker,
            ip_address="192.0.2.10",
            at=now - dt.timedelta(hours=hours),
        )
        added += 1
    return added
