"""Writes and reads of outcome measures that touch the database: saving a response, the pasted
wording, and what is due for whom. The rules themselves are the pure modules beside this one."""

import dataclasses
import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import Clinic, Patient
from rehab.measures import schedule
from rehab.measures.instruments import INSTRUMENTS, Instrument
from rehab.measures.scoring import score
from rehab.measures.wording import Wording
from rehab.models import (
    MeasureResponse,
    MeasureWording,
    OccasionKind,
    Plan,
    PlanStatus,
    care_start,
    patient_zone,
)

CODES = list(INSTRUMENTS)


def care_facts(patient: Patient, *, today: dt.date) -> schedule.CareFacts:
    """What the schedule needs about one patient, in two queries."""
    plan_start = (
        Plan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .order_by("-start_date")
        .values_list("start_date", flat=True)
        .first()
    )
    answered = defaultdict(list)
    for code, day in patient.measure_responses.values_list("instrument", "date"):
        answered[code].append(day)
    return _facts(patient, today, plan_start, answered)


def _facts(patient, today, plan_start, answered) -> schedule.CareFacts:
    discharged = patient.discharged_at
    return schedule.CareFacts(
        today=today,
        care_start=care_start(patient),
        plan_start=plan_start,
        discharged_on=timezone.localtime(discharged, patient_zone(patient)).date()
        if discharged
        else None,
        answered={code: tuple(days) for code, days in answered.items()},
    )


def measures_due(patient: Patient, *, today: dt.date) -> dict[str, schedule.Occasion]:
    """The instruments due for this patient today, with the occasion each is due for."""
    return schedule.due(care_facts(patient, today=today), CODES)


def clinic_wordings(clinic: Clinic | int) -> dict[str, Wording]:
    """The wording each instrument has in this clinic (one query); an instrument without any
    cannot be shown to a runner, only entered from paper by the therapist."""
    rows = MeasureWording.objects.filter(clinic=clinic).values_list("instrument", "text")
    return {code: Wording.from_json(text) for code, text in rows}


def measure_save(
    *,
    patient: Patient,
    instrument: Instrument,
    answers: list[int],
    by,
    in_clinic: bool,
    today: dt.date,
) -> MeasureResponse:
    """Score and keep one filled-in instrument for the patient's `today`.

    Answering the same instrument again on the same day replaces that day's answers: the patient
    row is locked, so two tabs posting at once give one response, the later answers in it.
    """
    result = score(instrument, answers)  # InvalidAnswers before anything is written
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        occasion = schedule.occasion(care_facts(patient, today=today), instrument.code)
        values = {
            "answers": list(result.answers),
            "total": result.total,
            "scoring_version": result.version,
            "entered_by": by,
            "in_clinic": in_clinic,
        }
        existing = MeasureResponse.objects.filter(
            patient=patient, instrument=instrument.code, date=today
        ).first()
        if existing is not None:  # keeps the occasion it was first given for
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save()
            return existing
        return MeasureResponse.objects.create(
            patient=patient,
            instrument=instrument.code,
            date=today,
            occasion=occasion.key if occasion else "",
            occasion_kind=occasion.kind if occasion else OccasionKind.EXTRA,
            **values,
        )


def wording_save(
    *, clinic: Clinic, instrument: Instrument, wording: Wording, permission: str, by
) -> MeasureWording:
    """Keep (or replace) the clinic's wording of one instrument."""
    defaults = {"text": wording.as_json(), "permission": permission, "updated_by": by}
    try:
        with transaction.atomic():
            row, _ = MeasureWording.objects.update_or_create(
                clinic=clinic, instrument=instrument.code, defaults=defaults
            )
    except IntegrityError:  # two admins pasting at once: the other's insert won, update it
        row = MeasureWording.objects.get(clinic=clinic, instrument=instrument.code)
        for name, value in defaults.items():
            setattr(row, name, value)
        row.save()
    return row


@dataclasses.dataclass(frozen=True)
class DueNow:
    patient: Patient
    occasions: dict[str, schedule.Occasion]

    @property
    def key(self) -> str:
        """Names the reminder: once per set of occasions (baseline, week 4, discharge …)."""
        return "measures:" + ",".join(sorted({o.key for o in self.occasions.values()}))


def due_now(*, now: dt.datetime) -> list[DueNow]:
    """Patients with an account who have a measure due today (their own today) that their
    clinic can show them (its wording is pasted). Four queries, whatever the number."""
    recent = now - schedule.DISCHARGE_WINDOW - dt.timedelta(days=1)
    patients = list(
        Patient.objects.filter(user__isnull=False)
        .exclude(discharged_at__lt=recent)
        .select_related("clinic")
    )
    ids = [p.pk for p in patients]
    worded = defaultdict(set)
    for clinic_id, code in MeasureWording.objects.filter(
        clinic_id__in={p.clinic_id for p in patients}
    ).values_list("clinic_id", "instrument"):
        worded[clinic_id].add(code)
    starts = dict(
        Plan.objects.filter(patient_id__in=ids, status=PlanStatus.ACTIVE)
        .order_by("patient_id", "start_date")
        .values_list("patient_id", "start_date")
    )
    answered = defaultdict(lambda: defaultdict(list))
    for pid, code, day in MeasureResponse.objects.filter(patient_id__in=ids).values_list(
        "patient_id", "instrument", "date"
    ):
        answered[pid][code].append(day)
    found = []
    for patient in patients:
        codes = [c for c in CODES if c in worded[patient.clinic_id]]
        if not codes:
            continue
        today = timezone.localtime(now, patient_zone(patient)).date()
        facts = _facts(patient, today, starts.get(patient.pk), answered[patient.pk])
        if occasions := schedule.due(facts, codes):
            found.append(DueNow(patient, occasions))
    return found


def measures_remind(*, now: dt.datetime) -> int:
    """Tell each runner with a questionnaire due, once per occasion, on their channels (the
    daily job). The ledger key names the occasions, so a second run adds nothing; returns how
    many runners were newly told."""
    from notifications.models import Delivery, Kind
    from notifications.services import event_key, notify_patient

    found = due_now(now=now)
    known = set(
        Delivery.objects.filter(
            kind=Kind.MEASURES_DUE, key__in=[event_key(d.patient, d.key) for d in found]
        ).values_list("key", flat=True)
    )
    told = 0
    for due in found:
        if event_key(due.patient, due.key) in known:
            continue
        names = [INSTRUMENTS[code].abbreviation for code in CODES if code in due.occasions]
        first = next(iter(due.occasions.values()))
        context = {"names": " and ".join(names), "count": len(names), "label": first.label}
        with transaction.atomic():
            notify_patient(due.patient, Kind.MEASURES_DUE, context=context, key=due.key)
        told += 1
    return told
