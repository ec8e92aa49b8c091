"""What reports read of rehab plans: current phase, phase history, the phase filter.

Plans are rehab's (`rehab.models.Plan` with its `PlanTransition` rows); `rehab.plan_history` is
their read side for reports, and this module is the one place reports call it, so the exports
and the progress report agree. Milestones (a running session done in a plan counts as a run)
and the dashboard's phase counts come from the outcome facts (`reports.outcome_facts`).
"""

from clinic.models import Patient
from rehab import plan_history
from rehab.plan_history import PhaseSpan

__all__ = [
    "PhaseSpan",
    "current_phases",
    "phase_choices",
    "phase_history",
    "with_phase",
]

phase_choices = plan_history.phase_choices
current_phases = plan_history.current_phases
with_phase = plan_history.with_phase


def phase_history(patient: Patient) -> list[PhaseSpan]:
    """The phases of every plan the patient started, oldest first."""
    return [
        span
        for plan in plan_history.plans_with_history(patient)
        for span in plan_history.phase_history(plan)
    ]
