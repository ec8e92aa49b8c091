"""Scoring an outcome measure, and whether a change is meaningful. Pure Python, no Django.

A total is the sum of the item points (LEFS, UWRI: bsi-reference.md §6). Every item must be
answered: neither source gives a rule for missing items, so none is guessed (the form asks for
each). Change is measured from the first response (the baseline) and judged against the
instrument's thresholds: at least the MCID is a clinically important change; for the UWRI, at
least the MIC (5) but less than the MCID (8) is a minimal important change. The sources give
those figures for improvement; the same magnitude downwards is shown as a decline (policy, so a
falling score is never presented as "no change").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from rehab.measures.instruments import SCORING_VERSION, Instrument


class InvalidAnswers(ValueError):
    """The answers do not fit the instrument; `problems` says which, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclasses.dataclass(frozen=True)
class Score:
    instrument: Instrument
    answers: tuple[int, ...]
    total: int
    version: str = SCORING_VERSION


def score(instrument: Instrument, answers: Sequence[int | None]) -> Score:
    """The total of a complete set of answers; InvalidAnswers otherwise."""
    problems = []
    if len(answers) != instrument.items:
        problems.append(
            f"{instrument.abbreviation} has {instrument.items} items, not {len(answers)}"
        )
    for number, answer in enumerate(answers, start=1):
        if answer is None:
            problems.append(f"Item {number} is not answered")
        elif isinstance(answer, bool) or answer not in instrument.item_points:
            problems.append(f"Item {number}: {answer!r} is not one of the answers")
    if problems:
        raise InvalidAnswers(problems)
    return Score(instrument, tuple(answers), sum(answers))


class Verdict:
    IMPORTANT = "important"  # at least the MCID
    MINIMAL = "minimal"  # at least the MIC, below the MCID (instruments with a MIC)
    NONE = "none"  # within the smallest important change
    DECLINE = "decline"  # worse by at least the smallest important change
    BASELINE = "baseline"


VERDICT_LABELS = {
    Verdict.IMPORTANT: "Meaningful improvement",
    Verdict.MINIMAL: "Minimal important change",
    Verdict.NONE: "No meaningful change",
    Verdict.DECLINE: "Meaningful decline",
    Verdict.BASELINE: "Baseline",
}


def verdict(instrument: Instrument, change: int) -> str:
    """What a change in the total means by the instrument's thresholds."""
    better = change if instrument.higher_is_better else -change
    if better >= instrument.mcid:
        return Verdict.IMPORTANT
    if instrument.mic is not None and better >= instrument.mic:
        return Verdict.MINIMAL
    if better <= -instrument.smallest_change:
        return Verdict.DECLINE
    return Verdict.NONE


@dataclasses.dataclass(frozen=True)
class Point:
    """One response on a patient's trajectory, judged against their baseline."""

    date: dt.date
    total: int
    change: int | None  # None for the baseline itself
    verdict: str

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def meaningful(self) -> bool:
        """Passes the clinically important difference (the instrument's MCID)."""
        return self.verdict == Verdict.IMPORTANT


def trajectory(instrument: Instrument, totals: Iterable[tuple[dt.date, int]]) -> list[Point]:
    """Each (date, total) in date order with its change since the first, the baseline."""
    ordered = sorted(totals, key=lambda pair: pair[0])
    if not ordered:
        return []
    baseline = ordered[0][1]
    points = [Point(ordered[0][0], baseline, None, Verdict.BASELINE)]
    for day, total in ordered[1:]:
        change = total - baseline
        points.append(Point(day, total, change, verdict(instrument, change)))
    return points
