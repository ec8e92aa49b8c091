"""Outcome measures (LEFS, UWRI) in reports: the cohort's answers as an export (one row per
questionnaire answered, with its change since the patient's baseline and whether it passes the
meaningful change) and the dashboard's median change by site risk class and by therapist.

A module of its own beside the outcome facts (`reports.outcome_facts`), which it only reads: the
site risk class and the responsible therapist come from the patient's facts row, as everywhere
else on the dashboard. Scores and verdicts come from `rehab.measures.scoring`, so a page, a file
and the dashboard always agree.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterator

from clinic.models import Clinic
from rehab.measures.instruments import INSTRUMENTS
from rehab.measures.scoring import trajectory
from rehab.models import MeasureResponse
from reports import cohort, deidentify
from reports.exporters import Table

BATCH = 2000
IDENTIFIED = ["patient_id", "name", "therapist", "date"]
DEIDENTIFIED = ["research_id"]
COMMON = [
    "site_risk_class",
    "days_since_intake",
    "instrument",
    "occasion",
    "score",
    "score_max",
    "change_since_baseline",
    "verdict",
    "passes_mcid",
    "entered_in_clinic",
    "scoring_version",
]
TEXT = frozenset({"name", "therapist"})


def measures_header(*, deidentified: bool) -> list[str]:
    return DEIDENTIFIED + COMMON if deidentified else IDENTIFIED + COMMON


def measures_table(
    clinic: Clinic, filters: cohort.CohortFilters, *, deidentified: bool, secret: bytes = b""
) -> Table:
    """The cohort's questionnaires, a row each, oldest first per patient and instrument; a
    query for the patients and one per batch of them for their answers."""
    patients = (
        cohort.cohort(clinic, filters)
        .select_related("therapist")
        .order_by("last_name", "first_name", "pk")
    )
    header = measures_header(deidentified=deidentified)

    def rows() -> Iterator[list]:
        for batch in cohort.batched(patients.iterator(chunk_size=BATCH), BATCH):
            answers = defaultdict(list)
            for row in (
                MeasureResponse.objects.filter(patient__in=[p.pk for p in batch])
                .order_by("date")
                .values_list(
                    "patient_id",
                    "instrument",
                    "date",
                    "total",
                    "occasion_kind",
                    "in_clinic",
                    "scoring_version",
                )
            ):
                answers[row[0]].append(row[1:])
            for patient in batch:
                yield from _patient_rows(patient, answers[patient.pk], deidentified, secret)

    return Table(header=header, rows=rows(), text_columns=TEXT)


def _patient_rows(patient, answers, deidentified: bool, secret: bytes) -> Iterator[list]:
    anchor = cohort.anchor_date(patient)
    header = measures_header(deidentified=deidentified)
    for code, instrument in INSTRUMENTS.items():
        mine = [a for a in answers if a[0] == code]
        points = trajectory(instrument, [(a[1], a[2]) for a in mine])
        for point, (_, day, _total, occasion, in_clinic, version) in zip(points, mine, strict=True):
            values = {
                "site_risk_class": patient.site_risk or "",
                "days_since_intake": deidentify.days_since(anchor, day),
                "instrument": instrument.abbreviation,
                "occasion": occasion,
                "score": point.total,
                "score_max": instrument.total_max,
                "change_since_baseline": point.change,
                "verdict": point.verdict,
                "passes_mcid": point.meaningful,
                "entered_in_clinic": in_clinic,
                "scoring_version": version,
            }
            if deidentified:
                values["research_id"] = deidentify.research_id(secret, patient.pk)
            else:
                values.update(
                    patient_id=str(patient.pk),
                    name=patient.full_name,
                    therapist=patient.therapist.full_name if patient.therapist else "",
                    date=day,
                )
            yield [values[column] for column in header]


# --- The dashboard's section ------------------------------------------------------------------


def median_changes(clinic: Clinic) -> dict:
    """For each instrument, the median change from baseline to the latest answer of patients
    with at least two, by site risk class and by responsible therapist, with how many patients
    and how many passed the MCID. One query."""
    rows = (
        MeasureResponse.objects.filter(patient__clinic=clinic)
        .order_by("patient_id", "instrument", "date")
        .values_list(
            "patient_id",
            "instrument",
            "date",
            "total",
            "patient__outcome_facts__site_risk",
            "patient__therapist__full_name",
        )
    )
    series = defaultdict(list)
    groups = {}
    for pid, code, day, total, risk, therapist in rows:
        series[(pid, code)].append((day, total))
        groups[pid] = (risk or "unknown", therapist or "No therapist")
    changes = defaultdict(lambda: {"risk": defaultdict(list), "therapist": defaultdict(list)})
    for (pid, code), totals in series.items():
        points = trajectory(INSTRUMENTS[code], totals)
        if len(points) < 2:
            continue
        risk, therapist = groups[pid]
        latest = points[-1]
        changes[code]["risk"][risk].append(latest)
        changes[code]["therapist"][therapist].append(latest)
    return {
        INSTRUMENTS[code]: {
            by: sorted(
                (
                    name,
                    len(points),
                    statistics.median(p.change for p in points),
                    sum(p.meaningful for p in points),
                )
                for name, points in groups_of.items()
            )
            for by, groups_of in grouped.items()
        }
        for code, grouped in changes.items()
    }
