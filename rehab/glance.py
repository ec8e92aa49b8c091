"""A patient at a glance, for lists and the patient's page: the confirmed site and side of the
injury, the phase of their plan, and how many days they have been in the clinic's care.

The site is the confirmed site of the latest submitted intake (the plan's copy when the intake
names none); the side is the one examined, else the one the runner gave. Both are clinical:
pages show them to clinic staff only. The phase and the days in care are progress, which the
care team may see too.
"""

import dataclasses
import datetime as dt

from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, NullIf

from clinic.models import Patient
from intake.models import Intake
from intake.scoring import QUESTIONS
from rehab.models import OPEN_PLAN_STATUSES, Plan, PlanStatus, care_start, patient_today

SIDE_LABELS = dict(QUESTIONS["side"].choices)


def _latest_intake():
    return Intake.objects.filter(patient=OuterRef("pk"), submitted_at__isnull=False).order_by(
        "-submitted_at", "-pk"
    )


def with_glance(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """`patients` annotated with `glance_site`, `glance_side`, `glance_phase`, `glance_phase_kind`
    and `glance_plan_status` (empty strings when unknown): subqueries, no query per patient."""
    latest = _latest_intake()
    plan = Plan.objects.filter(patient=OuterRef("pk"), status__in=OPEN_PLAN_STATUSES)
    blank = Value("", output_field=CharField())
    return patients.annotate(
        glance_site=Coalesce(
            NullIf(Subquery(latest.annotate(v=KT("result__site__label")).values("v")[:1]), blank),
            NullIf(Subquery(plan.values("site_label")[:1]), blank),
            blank,
            output_field=CharField(),
        ),
        glance_side=Coalesce(
            NullIf(Subquery(latest.values("exam_side")[:1]), blank),
            Subquery(latest.values("side")[:1]),
            blank,
        ),
        glance_phase=Coalesce(Subquery(plan.values("phase_label")[:1]), blank),
        glance_phase_kind=Coalesce(Subquery(plan.values("phase_kind")[:1]), blank),
        glance_plan_status=Coalesce(Subquery(plan.values("status")[:1]), blank),
    )


@dataclasses.dataclass(frozen=True)
class Glance:
    site: str
    side: str
    phase: str
    phase_kind: str
    plan_status: str
    days_in_care: int

    @property
    def side_label(self) -> str:
        return SIDE_LABELS.get(self.side, "")

    @property
    def plan_label(self) -> str:
        """The phase of a plan being followed; a draft or a stopped plan says so."""
        if self.plan_status == PlanStatus.DRAFT:
            return "Plan in draft"
        if self.plan_status == PlanStatus.REVIEW:
            return f"{self.phase}, stopped for review"
        return self.phase


def days_in_care(patient: Patient, today: dt.date | None = None) -> int:
    """Day 1 is the first day in the clinic's care, in the patient's own zone."""
    return ((today or patient_today(patient)) - care_start(patient)).days + 1


def glance_of(patient: Patient) -> Glance:
    """One patient's glance: a patient annotated by `with_glance`, or else loaded (one query)."""
    if not hasattr(patient, "glance_site"):
        patient = with_glance(Patient.objects.filter(pk=patient.pk)).get()
    return Glance(
        site=patient.glance_site,
        side=patient.glance_side,
        phase=patient.glance_phase,
        phase_kind=patient.glance_phase_kind,
        plan_status=patient.glance_plan_status,
        days_in_care=days_in_care(patient),
    )
