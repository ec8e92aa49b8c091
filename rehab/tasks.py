"""Background jobs of rehab: thin, each one loads by id and calls one service.

Their schedule is in clinic/celery.py (BEAT_SCHEDULE), the one place for periodic jobs.
"""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from clinic.models import Patient
from rehab.measures.services import measures_remind as measures_remind_service
from rehab.models import Plan, PlanStatus, patient_today
from rehab.services import alert_snoozes_close_ended, alerts_evaluate, plan_evaluate


@shared_task
def alerts_evaluate_nightly() -> int:
    """Nightly: one evaluation task per active patient; returns how many were queued."""
    ids = list(Patient.objects.active().order_by("pk").values_list("pk", flat=True))
    for patient_id in ids:
        alerts_evaluate_patient.apply_async((str(patient_id),))
    return len(ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def alerts_evaluate_patient(patient_id: str) -> int:
    """Raise the patient's alerts as of their own today (idempotent: stored alerts stay)."""
    patient = Patient.objects.select_related("clinic", "user").filter(pk=patient_id).first()
    if patient is None or not patient.is_active:
        return 0
    with transaction.atomic():
        return len(alerts_evaluate(patient, today=patient_today(patient)))


@shared_task
def alert_snoozes_close() -> int:
    """Every five minutes: close the snoozes that ran out, so their alerts count as open again on
    the caseload (the patients' stored counts); returns how many patients were recounted."""
    return alert_snoozes_close_ended()


@shared_task
def plans_progress_nightly() -> int:
    """Nightly: one progression task per active plan; returns how many were queued."""
    ids = list(
        Plan.objects.filter(status=PlanStatus.ACTIVE, patient__discharged_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for plan_id in ids:
        plan_progress.apply_async((str(plan_id),))
    return len(ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def plan_progress(plan_id: str) -> bool:
    """Run the progression engine on one plan as of its patient's today (idempotent: a change
    already applied is found by its key and not applied again). True if a proposal was stored."""
    plan = Plan.objects.select_related("patient").filter(pk=plan_id).first()
    if plan is None:
        return False
    return plan_evaluate(plan, today=patient_today(plan.patient)) is not None


@shared_task
def measures_remind() -> int:
    """Daily: tell runners whose questionnaires (LEFS, UWRI) fell due, once per occasion."""
    return measures_remind_service(now=timezone.now())
