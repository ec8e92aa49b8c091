"""Reading the item wording a clinic admin pastes for a licensed instrument. Pure Python.

The text is pasted once, as the clinic's licence or permission allows (instruments.py says why
it is not shipped). For an instrument whose items share one answer scale (LEFS), items are pasted
one a line, and the scale once, one answer a line from the lowest score to the highest. For an
instrument whose items each have their own answers (UWRI), items are separated by a blank line,
each its question on the first line and then its answers, one a line, lowest score first.
Anything else is refused with a message that says what to fix.
"""

from __future__ import annotations

import dataclasses
import re

from rehab.measures.instruments import Instrument

MAX_LINE = 500


@dataclasses.dataclass(frozen=True)
class Item:
    text: str
    answers: tuple[str, ...]  # one per point of the scale, lowest first


@dataclasses.dataclass(frozen=True)
class Wording:
    instructions: str
    items: tuple[Item, ...]

    def as_json(self) -> dict:
        return {
            "instructions": self.instructions,
            "items": [{"text": i.text, "answers": list(i.answers)} for i in self.items],
        }

    @classmethod
    def from_json(cls, data: dict) -> Wording:
        items = tuple(Item(i["text"], tuple(i["answers"])) for i in data.get("items", ()))
        return cls(data.get("instructions", ""), items)


class WordingError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field  # "items" or "scale"
        self.message = message


def parse(instrument: Instrument, *, instructions: str, items: str, scale: str = "") -> Wording:
    """The pasted text as items with their answers; WordingError naming the field to fix."""
    options = instrument.options
    if instrument.shared_scale:
        lines = _lines(items)
        if len(lines) != instrument.items:
            raise WordingError(
                "items",
                f"The {instrument.abbreviation} has {instrument.items} items; this text has "
                f"{len(lines)} lines. Paste one item a line.",
            )
        answers = tuple(_lines(scale))
        if len(answers) != options:
            raise WordingError(
                "scale",
                f"Paste the {options} answers of the scale, one a line, from "
                f"{min(instrument.item_points)} points to {max(instrument.item_points)}; this "
                f"text has {len(answers)}.",
            )
        parsed = tuple(Item(line, answers) for line in lines)
    else:
        blocks = [_lines(b) for b in re.split(r"\n\s*\n", items.strip()) if b.strip()]
        if len(blocks) != instrument.items:
            raise WordingError(
                "items",
                f"The {instrument.abbreviation} has {instrument.items} items; this text has "
                f"{len(blocks)}. Leave one blank line between items, and none inside one.",
            )
        for number, block in enumerate(blocks, start=1):
            if len(block) != 1 + options:
                raise WordingError(
                    "items",
                    f"Item {number} has {len(block) - 1} answers under its question; each item "
                    f"needs its question and then {options} answers, lowest score first.",
                )
        parsed = tuple(Item(block[0], tuple(block[1:])) for block in blocks)
    for number, item in enumerate(parsed, start=1):
        if any(len(line) > MAX_LINE for line in (item.text, *item.answers)):
            raise WordingError("items", f"Item {number} has a line over {MAX_LINE} characters.")
    return Wording(instructions.strip(), parsed)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().splitlines() if line.strip()]
