"""The outcome-measure instruments as data. Pure Python, no Django.

Each instrument is a frozen record: how many items, the points of each answer, the total's range,
the smallest change that matters and where every number comes from. Scoring (`scoring.py`) reads
nothing else, so adding an instrument is adding a record here with its reference row and tests.

Clinical reference (../shared/domain/bsi-reference.md §6, "Outcome measures"):
- LEFS — Lower Extremity Functional Scale: 20 items, 0–4 each, total 0–80; meaningful change
  9 points (B — Binkley et al., Phys Ther 1999;79:371–383).
- UWRI — University of Wisconsin Running Injury and Recovery Index: 9 items, total 0–36; minimal
  important change (MIC) 5, minimal clinically important difference (MCID) 8 (B — Nelson et al.,
  JOSPT 2019;49(10):751–760 for the index, JOSPT 2020;50(12):702–710 for MIC and MCID).

Item wording is not shipped: neither instrument's copyright holders publish terms that allow
reproducing the items in software without permission (docs/outcome-measures.md). A clinic admin
pastes the wording their licence or permission covers, once (`wording.py`).
"""

from __future__ import annotations

import dataclasses

# Bumped when a scoring rule changes; each stored response keeps the version that scored it.
SCORING_VERSION = "measures 2026.1"


@dataclasses.dataclass(frozen=True)
class Instrument:
    code: str  # stored with each response
    abbreviation: str
    name: str
    items: int
    item_points: tuple[int, ...]  # the points an answer can score, lowest first
    shared_scale: bool  # one answer scale for every item (LEFS), or one per item (UWRI)
    mcid: int  # minimal clinically important difference, in points of the total
    mic: int | None  # minimal important change, when the source gives a smaller figure
    higher_is_better: bool
    reference: str  # the source of the thresholds, with its evidence level
    reference_row: str  # where bsi-reference.md has it
    terms: str  # what its terms of use allow us to ship

    @property
    def total_min(self) -> int:
        return self.items * min(self.item_points)

    @property
    def total_max(self) -> int:
        return self.items * max(self.item_points)

    @property
    def smallest_change(self) -> int:
        """The smallest change the source calls important (MIC, else MCID)."""
        return self.mic if self.mic is not None else self.mcid

    @property
    def options(self) -> int:
        return len(self.item_points)


LEFS = Instrument(
    code="lefs",
    abbreviation="LEFS",
    name="Lower Extremity Functional Scale",
    items=20,
    item_points=(0, 1, 2, 3, 4),
    shared_scale=True,
    mcid=9,
    mic=None,
    higher_is_better=True,
    reference="B — Binkley et al., Phys Ther 1999;79:371–383: MCID 9 points",
    reference_row="bsi-reference.md §6, LEFS row",
    terms=(
        "Copyright of the authors and the journal (Physical Therapy). Free to use on paper by "
        "clinicians, but no published licence lets software reproduce the items: the clinic "
        "pastes the wording it is entitled to use."
    ),
)

UWRI = Instrument(
    code="uwri",
    abbreviation="UWRI",
    name="University of Wisconsin Running Injury and Recovery Index",
    items=9,
    item_points=(0, 1, 2, 3, 4),
    shared_scale=False,
    mcid=8,
    mic=5,
    higher_is_better=True,
    reference="B — Nelson et al., JOSPT 2019 and 2020: MIC 5, MCID 8 points",
    reference_row="bsi-reference.md §6, UWRI row",
    terms=(
        "Published in JOSPT (copyright of the journal and the University of Wisconsin "
        "authors); no published licence lets software reproduce the items: the clinic pastes "
        "the wording it is entitled to use."
    ),
)

INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (LEFS, UWRI)}
CHOICES = [(i.code, i.abbreviation) for i in INSTRUMENTS.values()]


def instrument(code: str) -> Instrument:
    """The instrument of `code`; KeyError for an unknown one."""
    return INSTRUMENTS[code]
