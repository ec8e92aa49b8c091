"""Outcome-measure rows for tests: a clinic's pasted wording (placeholder text, never the
licensed items) and responses with given totals."""

import datetime as dt

from rehab.measures import wording as wording_rules
from rehab.measures.instruments import INSTRUMENTS
from rehab.models import MeasureResponse, MeasureWording, OccasionKind

LEFS_ITEMS = "\n".join(f"Activity {n}" for n in range(1, 21))
LEFS_SCALE = "Extreme difficulty\nQuite a bit\nModerate\nA little\nNo difficulty"


def uwri_items() -> str:
    return "\n\n".join(
        "\n".join([f"Running question {n}", *(f"Answer {n}.{a}" for a in range(5))])
        for n in range(1, 10)
    )


def wording(clinic, code: str = "lefs") -> MeasureWording:
    instrument = INSTRUMENTS[code]
    if instrument.shared_scale:
        parsed = wording_rules.parse(
            instrument, instructions="", items=LEFS_ITEMS, scale=LEFS_SCALE
        )
    else:
        parsed = wording_rules.parse(instrument, instructions="", items=uwri_items())
    return MeasureWording.objects.create(
        clinic=clinic, instrument=code, text=parsed.as_json(), permission="Test permission"
    )


def response(patient, code: str, day: dt.date, total: int, **kw) -> MeasureResponse:
    """A response whose answers add up to `total` (as many 4s as fit, then the rest)."""
    instrument = INSTRUMENTS[code]
    answers = []
    left = total
    for _ in range(instrument.items):
        answers.append(min(4, left))
        left -= answers[-1]
    assert left == 0, "total out of range"
    return MeasureResponse.objects.create(
        patient=patient,
        instrument=code,
        date=day,
        answers=answers,
        total=total,
        scoring_version="measures 2026.1",
        occasion_kind=kw.pop("occasion_kind", OccasionKind.EXTRA),
        **kw,
    )
