"""Where each exact spot of the region picker sits on the drawing of the leg and foot.

The drawing (templates/intake/includes/spot_map.html) has five views in one 400 x 345 box: the
front of the leg with the groin, the outer side of the leg, the inner and the outer side of the
ankle and foot, and the sole. Each spot gets one numbered dot; the number is the spot's place in
the rule set's list, so the dot and the radio beside it read the same.
"""

from dataclasses import dataclass

# Spot code -> (x, y) in the drawing's viewBox.
POSITIONS = {
    # Front of the leg
    "hip_groin": (66, 64),
    "thigh": (48, 118),
    "knee_front": (45, 160),
    "knee": (67, 176),
    "shin_front": (49, 232),
    "shin_whole": (80, 240),
    # Outer side of the leg
    "buttock_low_back": (120, 48),
    "hip_outer": (140, 76),
    "calf": (138, 220),
    "shin_outer": (152, 248),
    # Inner side of the ankle and foot (toes to the left)
    "shin_inner": (346, 38),
    "ankle_inner": (340, 72),
    "foot_top_midfoot": (304, 84),
    "foot_top": (264, 94),
    "foot_inner": (294, 106),
    # Outer side of the ankle and foot (toes to the right)
    "ankle_outer": (260, 184),
    "ankle_talus": (281, 199),
    "foot_outer_base5": (320, 218),
    "foot_outer": (352, 218),
    "heel": (245, 211),
    # Sole
    "big_toe_under": (354, 280),
    "ball_of_foot": (354, 312),
}


@dataclass(frozen=True)
class Dot:
    code: str
    number: int
    area: str
    x: int
    y: int
    selected: bool


def spot_numbers(spots) -> dict[str, int]:
    """Number the spots that have a place on the drawing, in the rule set's order."""
    drawn = [code for code, *_ in spots if code in POSITIONS]
    return {code: n for n, code in enumerate(drawn, start=1)}


def spot_dots(spots, *, area_of: dict[str, str], selected: str | None) -> list[Dot]:
    """One dot per drawn spot, the runner's current answer marked as selected."""
    return [
        Dot(code, number, area_of.get(code, ""), *POSITIONS[code], selected=code == selected)
        for code, number in spot_numbers(spots).items()
    ]
