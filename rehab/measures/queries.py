"""Reading outcome measures for pages and reports: one query for a patient, one for a cohort."""

import dataclasses
import json
from collections import defaultdict

from rehab.measures.instruments import INSTRUMENTS, Instrument
from rehab.measures.scoring import Point, trajectory
from rehab.models import MeasureResponse


@dataclasses.dataclass(frozen=True)
class Series:
    instrument: Instrument
    points: list[Point]

    @property
    def baseline(self) -> Point:
        return self.points[0]

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def has_change(self) -> bool:
        return len(self.points) > 1

    @property
    def target(self) -> int:
        """The total that would pass the MCID from the baseline (capped at the maximum)."""
        return min(self.baseline.total + self.instrument.mcid, self.instrument.total_max)


@dataclasses.dataclass(frozen=True)
class Panel:
    series: list[Series]

    @property
    def json(self) -> str:
        """What static/js/measure-charts.js draws; the page's table has the same numbers."""
        return json.dumps(
            [
                {
                    "code": s.instrument.code,
                    "label": s.instrument.abbreviation,
                    "max": s.instrument.total_max,
                    "target": s.target,
                    "dates": [p.date.isoformat() for p in s.points],
                    "totals": [p.total for p in s.points],
                }
                for s in self.series
            ]
        )


def series_from(rows, instruments=INSTRUMENTS) -> list[Series]:
    """(instrument, date, total) rows as one Series per instrument answered, in a fixed order."""
    by_code = defaultdict(list)
    for code, day, total in rows:
        by_code[code].append((day, total))
    return [
        Series(instrument, trajectory(instrument, by_code[code]))
        for code, instrument in instruments.items()
        if by_code.get(code)
    ]


def measures_panel(patient) -> Panel:
    """Every instrument the patient answered, with its change since baseline. One query."""
    rows = MeasureResponse.objects.filter(patient=patient).values_list(
        "instrument", "date", "total"
    )
    return Panel(series_from(rows))


def cohort_changes(patient_ids) -> dict:
    """{patient id: {code: Series}} for many patients, in one query (reports, exports)."""
    rows = defaultdict(list)
    for pid, code, day, total in (
        MeasureResponse.objects.filter(patient_id__in=patient_ids)
        .order_by()
        .values_list("patient_id", "instrument", "date", "total")
    ):
        rows[pid].append((code, day, total))
    return {pid: {s.instrument.code: s for s in series_from(r)} for pid, r in rows.items()}
