"""The shapes a rule set is written in.

A rule set is data: which answers it asks for, which facts give which points, which red flags and
notes it raises, and the clinic defaults (*policy*) it starts from. `intake.scoring` interprets it.
Nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Choices = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Question:
    """One answer key of the intake.

    `kind` says how a value is read: "choice" (one code of `choices`), "yes_no" (a code of
    `choices`; JSON true/false also accepted), "int", "number", "date" (ISO "YYYY-MM-DD"), "text",
    "number_list" (up to `max_items` numbers) or "choice_list" (codes of `choices`).
    """

    key: str
    kind: str
    step: str  # the questionnaire step: pain, training, equipment, history, body, therapist
    label: str  # short noun phrase used in messages ("Pain now")
    question: str  # plain-language prompt for the runner or therapist
    choices: Choices = ()
    min: float | None = None
    max: float | None = None
    unit: str = ""
    max_items: int | None = None
    max_length: int | None = None
    menstrual: bool = False  # asked only where `menstrual_applicable` is "yes"
    help: str = ""  # shown under the question (from 2026.3: an examination test's evidence)

    @property
    def choice_codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.choices)


@dataclass(frozen=True)
class Condition:
    """True when the fact named `fact` holds one of `values` (None stands for "not answered")."""

    fact: str
    values: frozenset


def when(fact: str, *values: Any) -> Condition:
    return Condition(fact, frozenset(values))


@dataclass(frozen=True)
class ItemRule:
    """Points for the suspicion score when every condition holds."""

    key: str
    points: int
    text: str
    evidence: str
    section: str
    all_of: tuple[Condition, ...]


@dataclass(frozen=True)
class RedFlagRule:
    """Raised when every condition of any one group in `any_of` holds."""

    code: str
    level: str  # urgent, expedite or refer
    title: str
    action_policy_key: str  # the action wording is policy: the clinical lead may edit it
    patient_message: str
    evidence: str
    section: str
    any_of: tuple[tuple[Condition, ...], ...]


@dataclass(frozen=True)
class NoteRule:
    code: str
    text: str
    evidence: str
    section: str
    all_of: tuple[Condition, ...]


@dataclass(frozen=True)
class RiskFactorRule:
    """One reason a risk group is flagged. `text` may name policy values as {placeholders}."""

    key: str
    text: str
    evidence: str
    actions: tuple[str, ...]  # codes of the rule set's plan_actions
    all_of: tuple[Condition, ...]


@dataclass(frozen=True)
class RiskGroup:
    code: str
    label: str
    questions: tuple[str, ...]  # the answer keys this group reads, for its not-answered list
    factors: tuple[RiskFactorRule, ...]


@dataclass(frozen=True)
class Site:
    code: str
    label: str
    risk: str  # "high" or "low"
    trabecular: bool
    evidence: str
    typical_return_days: int | None = None


@dataclass(frozen=True)
class GradingSystem:
    code: str
    label: str
    max_grade: int
    descriptions: tuple[str, ...] = ()  # grade n is descriptions[n - 1], when the source gives one


@dataclass(frozen=True)
class Cutoff:
    """`points` when `value <op> threshold`; a factor's cut-offs are tried in order."""

    op: str  # "<", "<=", ">=" or ">"
    threshold: float
    points: int


@dataclass(frozen=True)
class TriadTables:
    """Female Athlete Triad Cumulative Risk Assessment (A — De Souza et al., BJSM 2014)."""

    factor_labels: tuple[tuple[str, str], ...]
    dietary_restriction_points: tuple[tuple[str, int], ...]
    bmi: tuple[Cutoff, ...]
    weight_loss_pct_month: tuple[Cutoff, ...]
    age_first_period: tuple[Cutoff, ...]
    periods_last_12_months: tuple[Cutoff, ...]
    bone_density_z: tuple[Cutoff, ...]
    categories: tuple[tuple[int, str, str], ...]  # (lowest total, code, label), ascending
    substitutes: tuple[tuple[str, str], ...]  # (missing factor, factor that stands in for it)
    evidence: str


@dataclass(frozen=True)
class HighRiskSpot:
    """A spot the runner can point to that holds a high-risk site (from 2026.3).

    A focal complaint there raises a *possible* high-risk site flag of `level` until the therapist
    confirms the site; `level` is "urgent" where the spot names one bone, else "expedite".
    """

    region: str
    site: str
    level: str


@dataclass(frozen=True)
class BandFloor:
    """The band is at least `band` when every condition holds, whatever the score (from 2026.3)."""

    code: str
    band: str
    text: str
    evidence: str
    section: str
    all_of: tuple[Condition, ...]


@dataclass(frozen=True)
class RedsIndicator:
    """One indicator of the IOC REDs CAT2 severity/risk table (from 2026.3).

    `kind` is "severe" (counts as two primary), "primary" or "secondary"; `fact` names the derived
    fact that holds True, False or None (unknown); `applies` names who it is asked of: "all",
    "female", "male" or "adolescent".
    """

    key: str
    kind: str
    label: str
    fact: str
    applies: str
    source: str  # who can tell: "runner", "examination" or "physician"


@dataclass(frozen=True)
class RedsLight:
    """A light of the CAT2 table: reached when primary-equivalents or secondaries reach a bound."""

    code: str  # green, yellow, orange, red
    label: str
    guidance: str
    min_primary: int | None  # primary indicators, severe counting as two
    min_secondary: int | None


@dataclass(frozen=True)
class RedsTables:
    indicators: tuple[RedsIndicator, ...]
    lights: tuple[RedsLight, ...]  # ascending, green first
    refer_from: str  # the lowest light that raises the bone-health referral
    evidence: str


@dataclass(frozen=True)
class PolicySetting:
    """A clinic default where the literature gives no number: editable per clinic, not evidence.

    For text settings, `min` and `max` bound the length.
    """

    value: int | float | bool | str
    type: type
    label: str
    help: str
    min: int | float | None = None
    max: int | float | None = None


@dataclass(frozen=True)
class RuleSet:
    version: str
    questions: tuple[Question, ...]
    sites: tuple[Site, ...]
    grading_systems: tuple[GradingSystem, ...]
    # Regions whose focal pain strongly suggests one high-risk site, before the therapist confirms.
    high_risk_regions: tuple[tuple[str, str], ...]
    tibial_regions: frozenset[str]  # where a negative hop test lowers suspicion (§1)
    tibial_sites: frozenset[str]
    deep_regions: frozenset[str]  # bone too deep to press on (§1)
    bands: tuple[tuple[str, str], ...]
    items: tuple[ItemRule, ...]
    red_flags: tuple[RedFlagRule, ...]
    notes: tuple[NoteRule, ...]
    plan_actions: tuple[tuple[str, str], ...]
    risk_groups: tuple[RiskGroup, ...]
    triad: TriadTables
    policy: dict[str, PolicySetting]
    disclaimer: str
    # 2026.1: the period items count only when `menstrual_applicable` is "yes"; unanswered reads as
    # "do not apply". From 2026.2 they count unless it is "no": unanswered is unknown, so a female
    # runner's missing period items are listed as missing rather than "not applicable".
    period_items_unless_no: bool = False
    # (site code, bool policy key): a site whose risk class the reference marks *policy*; the
    # clinic setting makes it high (true) or low (false) risk. From 2026.2: the patella.
    policy_site_risk: tuple[tuple[str, str], ...] = ()
    # From 2026.3: the two-step region picker (area code, label, its spot codes), the spots that
    # hold a high-risk site, band floors, a Triad that says "incomplete" rather than a clearance it
    # cannot support, adolescent weight by percent of median BMI-for-age, and the REDs CAT2 rating.
    region_areas: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    high_risk_spots: tuple[HighRiskSpot, ...] = ()
    band_floors: tuple[BandFloor, ...] = ()
    triad_incomplete_category: bool = False
    adolescent_percent_median_bmi: tuple[Cutoff, ...] = ()
    site_tests: tuple[tuple[str, str], ...] = ()  # (test key, site code)
    reds: RedsTables | None = None
