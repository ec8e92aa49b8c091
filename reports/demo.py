"""The reports' part of the demo: the demo clinics' outcome facts, worked out from the rows the
other apps' demos wrote in bulk (so the outcome dashboard shows them), and who at the clinic
looked at Maya Chen's record, for her "Who viewed" page.

Idempotent without changing any audit row (audit rows are append-only): each demo view has a
fixed marker in its detail, and a view already recorded is not added again.
"""

import datetime as dt

from django.utils import timezone

from clinic.models import AuditEvent, Clinic, Patient, User
from reports.outcome_facts import outcome_facts_rebuild

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
    """Work out the demo clinics' outcome facts and add the demo views not yet recorded;
    returns how many views were added."""
    from clinic.demo import DEMO_CLINICS  # here: clinic.demo calls this module's seed

    for clinic_id in Clinic.objects.filter(slug__in=DEMO_CLINICS).values_list("pk", flat=True):
        outcome_facts_rebuild(clinic_id=clinic_id)
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
