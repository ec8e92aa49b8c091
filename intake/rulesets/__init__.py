"""Versioned rule sets for the intake score.

Each released version is its own module and is never edited: an intake stores the version it was
scored with, and rescoring it with that version must reproduce the result. A new version is a new
module registered here, and `LATEST_VERSION` moves to it.
"""

from intake.rulesets import v2026_1, v2026_2, v2026_3
from intake.rulesets.schema import RuleSet

RULESETS: dict[str, RuleSet] = {
    module.VERSION: module.RULESET for module in (v2026_1, v2026_2, v2026_3)
}
LATEST_VERSION = v2026_3.VERSION


def get_ruleset(version: str | None = None) -> RuleSet:
    """Return the rule set of `version` (the latest when None); ValueError when unknown."""
    if version is None:
        version = LATEST_VERSION
    ruleset = RULESETS.get(version) if isinstance(version, str) else None
    if ruleset is None:
        known = ", ".join(sorted(RULESETS))
        raise ValueError(f"Unknown rule-set version {version!r}; known versions: {known}.")
    return ruleset
