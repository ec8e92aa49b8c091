"""What reports read of rehab plans: current phase, phase history, first runs, the phase filter.

Plans are rehab's (`rehab.models.Plan` with its `PlanTransition` rows); `rehab.plan_history` is
their read side for reports, and this module is the one place reports call it, so the exports,
the progress report and the dashboard agree. Milestones other than the first run (first
pain-free walk, full volume) come from the daily logs (`reports.measures`).
"""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.db.models import Min, OuterRef, Subquery

from clinic.models import Patient
from rehab import plan_history
from rehab.models import SessionCompletion, SessionKind
from rehab.plan_history import PhaseSpan

__all__ = [
    "PhaseSpan",
    "current_phases",
    "first_planned_runs",
    "phase_choices",
    "phase_counts",
    "phase_history",
    "with_phase",
]

phase_choices = plan_history.phase_choices
current_phases = plan_history.current_phases
with_phase = plan_history.with_phase
phase_counts = plan_history.phase_counts


def phase_history(patient: Patient) -> list[PhaseSpan]:
    """The phases of every plan the patient started, oldest first."""
    return [
        span
        for plan in plan_history.plans_with_history(patient)
        for span in plan_history.phase_history(plan)
    ]


def _running_key_sessions():
    return SessionCompletion.objects.filter(kind=SessionKind.STEP, running=True)


def first_planned_runs(patient_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dt.date]:
    """The first running key session each patient marked done in a plan. One query."""
    rows = (
        _running_key_sessions()
        .filter(plan__patient_id__in=list(patient_ids))
        .values("plan__patient_id")
        .annotate(first=Min("date"))
        .values_list("plan__patient_id", "first")
    )
    return dict(rows)


def first_planned_run_subquery(since: OuterRef) -> Subquery:
    """The first running key session done on or after `since`, for an annotation."""
    return Subquery(
        _running_key_sessions()
        .filter(plan__patient=OuterRef("pk"), date__gte=since)
        .order_by("date")
        .values("date")[:1]
    )
