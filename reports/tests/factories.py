"""A known data set for report and export tests: episodes with an intake on a known day and logs.

`episode(patient, intake_days_ago=20, site=..., logs={day: (...)}))` gives the patient a
submitted intake whose local date is `intake_days_ago` days before the patient's today, and one
daily log per entry of `logs`, keyed by day since intake; `rehab_day=n` records the decision to
start rehab on day n (milestones count from it). The rows are written directly, as a bulk load
would: `reports.outcome_facts.outcome_facts_rebuild()` works out the dashboard's facts.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from intake.models import Intake, IntakeDecision
from intake.tests.factories import submitted_intake
from rehab.models import Activity, patient_today, patient_zone
from rehab.tests.factories import DailyLogFactory
from reports.models import ExportFormat, ExportJob, ExportKind


def episode(
    patient,
    *,
    intake_days_ago: int,
    site: str = "anterior_tibia",
    weekly_km=(20, 20),
    logs: dict | None = None,
    rehab_day: int | None = None,
    **answers,
) -> Intake:
    answers = {
        "region": "shin_front",
        "confirmed_site": site,
        "weekly_km": list(weekly_km),
        "pain_now": 4,
        "pain_worst": 7,
        **answers,
    }
    intake = submitted_intake(patient.clinic, patient, answers)
    day0 = patient_today(patient) - dt.timedelta(days=intake_days_ago)
    submitted = dt.datetime.combine(day0, dt.time(10), tzinfo=patient_zone(patient))
    Intake.objects.filter(pk=intake.pk).update(submitted_at=submitted)
    intake.refresh_from_db()
    if rehab_day is not None:
        IntakeDecision.objects.create(
            intake=intake,
            kind=IntakeDecision.Kind.START_REHAB,
            decided_at=submitted + dt.timedelta(days=rehab_day, hours=1),
        )
    for day, spec in (logs or {}).items():
        log_day(patient, day0 + dt.timedelta(days=day), *spec)
    return intake


def log_day(patient, date, pain, activities=(), *, morning=None, during=None):
    """One log; `activities` are (kind, metres) or (kind, metres, minutes)."""
    log = DailyLogFactory(
        patient=patient, date=date, site_pain=pain, morning_pain=morning, activity_pain=during
    )
    for position, (kind, metres, *minutes) in enumerate(activities):
        Activity.objects.create(
            log=log,
            position=position,
            kind=kind,
            distance_m=metres,
            duration_min=minutes[0] if minutes else None,
        )
    return log


def finished_job(clinic, user, *, content=b"a,b\r\n1,2\r\n", **fields) -> ExportJob:
    """A prepared export whose file exists under EXPORT_ROOT and has not expired."""
    fields = {"kind": ExportKind.SUMMARY, "format": ExportFormat.CSV, **fields}
    job = ExportJob.objects.create(clinic=clinic, requested_by=user, **fields)
    job.file_path = job.relative_path()
    job.file.parent.mkdir(parents=True, exist_ok=True)
    job.file.write_bytes(content)
    now = timezone.now()
    job.status, job.progress, job.row_count = ExportJob.Status.DONE, 100, 1
    job.finished_at, job.expires_at = now, now + dt.timedelta(hours=settings.EXPORT_FILE_HOURS)
    job.save()
    return job


def plan_in_phase_two(patient, *, start, by, moved_on, reason="Pain 0/10 for 7 days."):
    """An active plan (rehab's small test plan) that started on `start` in Protect and moved to
    Cross-train on `moved_on`, as the engine records an advance."""
    from rehab.models import PlanTransition, TransitionKind
    from rehab.tests.factories import active_plan

    plan = active_plan(patient, start=start, by=by)
    plan.set_position(1, 0, on=moved_on)
    plan.save()
    PlanTransition.objects.create(
        plan=plan,
        key=f"advance:{moved_on}",
        kind=TransitionKind.ADVANCE,
        date=moved_on,
        from_phase_index=0,
        from_step_index=0,
        to_phase_index=1,
        to_step_index=0,
        from_label="Protect: Walk 20",
        to_label="Cross-train: Deep-water running 30",
        phase_label="Cross-train",
        reasons=[{"text": reason}],
    )
    return plan


def running_session_done(plan, day):
    from rehab.models import SessionCompletion

    return SessionCompletion.objects.create(
        plan=plan,
        date=day,
        session="step",
        kind="step",
        phase_index=2,
        step_index=0,
        label="Walk 4 / run 1",
        running=True,
        site_pain_during=0,
    )
