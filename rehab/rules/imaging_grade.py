"""What the examination's imaging means for a plan's protect phase. Pure Python, no Django.

Clinical reference (../shared/domain/bsi-reference.md):
- §3: "Higher MRI grade means a longer return" (A — Hoenig et al., AJSM 2022, r = 0.55); the
  grading systems Fredericson 1–4 (tibia, MRI), Arendt 1–4 and Kaeding–Miller 1–5 (1 incidental
  finding · 2 pain + imaging, no fracture line · 3 non-displaced fracture line · 4 displaced
  > 2 mm · 5 non-union); Arendt's time frames to return (C — Radiopaedia): grade 1 ~3 weeks,
  2: 3–6, 3: 12–16, 4: 16+.
- §5 Readiness: "imaging-confirmed healing for high-risk sites" (A — George et al. 2024).

The reference gives no protect duration and no imaging-clearance rule per grade. Policy (the
conservative choice, documented in docs/architecture.md): the grade number sets a tier on every
scale (Kaeding–Miller 5 counts as 4), the protect weeks follow Arendt's return times (a longer
return, a longer protect), and from tier 3 (a fracture line on Kaeding–Miller) protect ends only
with imaging that confirms healing. A result without a grade counts as the Kaeding–Miller grade
its words name (a stress reaction 2, a fracture 3). Imaging still pending also ends protect only
once the result is in and reviewed. The advice never shortens a template's protect phase.
"""

from __future__ import annotations

import dataclasses
import re

RULES_VERSION = "imaging-grade 2026.1"

# tier: (protect weeks, needs imaging clearance); tier 1 keeps the template's weeks.
TIERS = {1: ("", False), 2: ("2–3", False), 3: ("4–6", True), 4: ("6–8", True)}
ARENDT_RETURN = {1: "about 3 weeks", 2: "3–6 weeks", 3: "12–16 weeks", 4: "16 weeks or more"}
GRADELESS_TIER = {"stress_reaction": 2, "stress_fracture": 3}
IMAGING_CLEARANCE = "Imaging confirms healing, and the therapist signs off"
PENDING_CLEARANCE = "The pending imaging result is in and reviewed, and the therapist signs off"


@dataclasses.dataclass(frozen=True)
class ProtectAdvice:
    """The protect phase the imaging calls for, and why (for clinic staff: it names the grade)."""

    weeks: str  # "" keeps the template's
    clearance: str  # "" adds none
    reason: str


def protect_advice(
    *,
    status: str,
    result: str | None = None,
    system: str | None = None,
    system_label: str = "",
    grade: int | None = None,
) -> ProtectAdvice | None:
    """The advice for the examination's imaging (`status` "none", "pending" or "done"; the rule
    set's result code, grading system and grade), or None when the imaging changes nothing."""
    if status == "pending":
        return ProtectAdvice(
            "",
            PENDING_CLEARANCE,
            "Imaging is pending: protect ends only once its result is in and reviewed "
            "(conservative policy; reference §5 asks imaging-confirmed healing of high-risk "
            "sites).",
        )
    if grade is not None and system:
        tier = min(grade, 4)
        named = f"{system_label or system} grade {grade}"
    elif result in GRADELESS_TIER:
        tier = GRADELESS_TIER[result]
        named = f"Imaging without a grade showing a {result.replace('_', ' ')}"
        named += f" (read as Kaeding–Miller {tier})"
    else:
        return None
    weeks, clearance = TIERS[tier]
    reason = f"{named}: "
    reason += f"protect {weeks} weeks" if weeks else "the template's protect duration stands"
    reason += f" (a higher grade means a longer return, reference §3; Arendt {tier}: return "
    reason += f"{ARENDT_RETURN[tier]})"
    if clearance:
        reason += "; protect ends only with imaging that confirms healing (policy from tier 3)"
    return ProtectAdvice(weeks, IMAGING_CLEARANCE if clearance else "", reason + ".")


def _upper_weeks(weeks: str) -> int:
    numbers = [int(n) for n in re.findall(r"\d+", weeks)]
    return max(numbers, default=0)


def protect_phase_fields(phase_weeks: str, phase_clearance: str, advice: ProtectAdvice) -> dict:
    """The protect phase's new `weeks` and `exit_clearance`: longer weeks and a clearance where
    the advice asks for them, never shorter or looser than the template's."""
    weeks = phase_weeks
    if advice.weeks and _upper_weeks(advice.weeks) > _upper_weeks(phase_weeks):
        weeks = advice.weeks
    clearance = phase_clearance
    if advice.clearance and "imaging" not in phase_clearance.lower():
        clearance = (
            f"{phase_clearance}; {advice.clearance}" if phase_clearance else advice.clearance
        )
    return {"weeks": weeks, "exit_clearance": clearance[:300]}
