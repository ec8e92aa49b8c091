"""The intake score: answers in, an explained result out.

Pure Python, no Django. `score()` reads a plain dict of answers (every key optional), applies a
versioned rule set from `intake.rulesets` and returns a `ScoreResult` that says which rule fired,
why, and on which row of the clinical reference. It never raises because of the answers: an
unusable value counts as not answered and is listed in `invalid`. It raises ValueError only for an
unknown version or an invalid policy, which are configuration errors, not patient input.

The constants below (QUESTIONS, REGIONS, SITES, POLICY_DEFAULTS...) describe the latest rule set,
for building forms. Rescoring an old intake reads its own version's tables instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import operator
import re
from collections.abc import Iterable, Mapping
from typing import Any

from intake.rulesets import LATEST_VERSION, RULESETS, get_ruleset
from intake.rulesets.schema import Condition, Cutoff, PolicySetting, Question, RuleSet, Site

__all__ = [
    "BANDS",
    "DERIVED_FACTS",
    "LATEST_VERSION",
    "PLAN_ACTIONS",
    "POLICY_DEFAULTS",
    "PRIORITIES",
    "QUESTIONS",
    "RED_FLAG_LEVELS",
    "REGIONS",
    "REGION_AREAS",
    "RULESETS",
    "SITES",
    "SITE_CHOICES",
    "ScoreResult",
    "effective_policy",
    "score",
    "validate_answers",
]

_LATEST = get_ruleset(LATEST_VERSION)

QUESTIONS: dict[str, Question] = {question.key: question for question in _LATEST.questions}
REGIONS = QUESTIONS["region"].choices
# The two-step picker: (area code, label, its spot codes), from 2026.3.
REGION_AREAS = _LATEST.region_areas
SITES: tuple[Site, ...] = _LATEST.sites
SITE_CHOICES = QUESTIONS["confirmed_site"].choices
POLICY_DEFAULTS: dict[str, PolicySetting] = _LATEST.policy
PLAN_ACTIONS: dict[str, str] = dict(_LATEST.plan_actions)
BANDS = _LATEST.bands
RED_FLAG_LEVELS = ("urgent", "expedite", "refer")
# Queue order, most pressing first: a red flag always outranks the band.
PRIORITIES = (*RED_FLAG_LEVELS, "high", "moderate", "low")

# Facts the engine derives from the answers; rule conditions may name these or any answer key.
DERIVED_FACTS = (
    "bmi",
    "bmi_known",
    "adolescent",
    "focal_tenderness",
    "tibial",
    "deep_region",
    "load_change_pct",
    "load_spike",
    "long_run_spike",
    "training_changed",
    "rest_days_low",
    "shoes_worn",
    "previous_bsi_count",
    "recurrent",
    "confirmed_site_risk",
    "confirmed_site_trabecular",
    "region_suggests_high_risk",
    "trabecular_bsi",
    "triad_low_energy",
    "triad_low_bmi",
    "triad_delayed_menarche",
    "triad_oligomenorrhoea",
    "triad_low_bone_density",
    "triad_stress_fracture",
    "energy_deficiency",
    "trabecular_bsi_with_energy_deficiency",
    # From 2026.3
    "groin_or_deep_hip_pain",
    "late_stage_signs",
    "shin_splint_signs",
    "shin_splint_picture",
    "site_test_positive",
    "possible_high_risk_level",
    "possible_high_risk_site",
    "current_amenorrhoea",
    "percent_median_bmi",
    "reds_amenorrhoea_severe",
    "reds_testosterone_low",
    "reds_amenorrhoea_secondary",
    "reds_testosterone_subclinical",
    "reds_t3_low",
    "reds_bsi_history",
    "reds_low_bmd",
    "reds_growth_deviation",
    "reds_eating_disorder",
    "reds_oligomenorrhoea",
    "reds_one_low_risk_bsi",
    "reds_any_indicator",
    "reds_light",
    "reds_refer",
)

_NOT_ANSWERED = "not answered"
_NOT_APPLICABLE = "not applicable"
_IMAGING_BSI = frozenset({"stress_reaction", "stress_fracture"})
_TRAINING_CHANGES = ("change_distance", "change_intensity", "change_surface", "change_shoes")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OPERATORS = {"<": operator.lt, "<=": operator.le, ">=": operator.ge, ">": operator.gt}


# --- The result ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Item:
    key: str
    points: int
    reason: str  # one line, naming its evidence
    evidence: str
    section: str  # section of the clinical reference


@dataclasses.dataclass(frozen=True)
class Problem:
    key: str
    problem: str


@dataclasses.dataclass(frozen=True)
class RedFlag:
    code: str
    level: str  # urgent, expedite or refer
    title: str
    action: str  # clinician wording, from the policy
    patient_message: str
    evidence: str
    section: str
    matched: tuple[str, ...]  # the facts that raised it, as "key=value"


@dataclasses.dataclass(frozen=True)
class Note:
    code: str
    text: str
    evidence: str
    section: str


@dataclasses.dataclass(frozen=True)
class PlanAction:
    code: str
    label: str


@dataclasses.dataclass(frozen=True)
class RiskGroupResult:
    group: str
    label: str
    flagged: bool
    reasons: tuple[str, ...]
    actions: tuple[PlanAction, ...]
    not_answered: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class TriadFactor:
    key: str
    label: str
    points: int | None  # None when missing or not applicable
    basis: str
    substituted_from: str | None = None


@dataclasses.dataclass(frozen=True)
class TriadResult:
    factors: tuple[TriadFactor, ...]
    total: int
    category: str  # full, provisional or restricted
    category_label: str
    missing: tuple[str, ...]  # applicable factors without points: the total is a minimum
    substituted: tuple[str, ...]
    evidence: str


@dataclasses.dataclass(frozen=True)
class RedsIndicatorResult:
    key: str
    kind: str  # severe, primary or secondary
    label: str
    present: bool | None  # None: not known yet
    source: str  # who can tell: runner, examination or physician


@dataclasses.dataclass(frozen=True)
class RedsResult:
    """IOC REDs CAT2 severity/risk rating. While indicators are unknown the light is a minimum."""

    indicators: tuple[RedsIndicatorResult, ...]  # those that apply to this runner
    primary: int  # primary indicators present, severe counting as two
    secondary: int
    light: str  # green, yellow, orange, red, or "incomplete" (no light can be supported yet)
    light_label: str
    at_least: str | None  # when incomplete: the light the known indicators already reach
    complete: bool
    unknown: tuple[str, ...]
    refer: bool  # bone-health referral
    evidence: str


@dataclasses.dataclass(frozen=True)
class BandFloorResult:
    code: str
    band: str
    text: str
    evidence: str
    section: str


@dataclasses.dataclass(frozen=True)
class SiteResult:
    code: str
    label: str
    risk: str
    trabecular: bool
    typical_return_days: int | None
    evidence: str


@dataclasses.dataclass(frozen=True)
class ImagingResult:
    modality: str | None
    result: str | None
    grade_system: str | None
    grade: int | None
    grade_description: str | None


@dataclasses.dataclass(frozen=True)
class ScoreResult:
    version: str
    score: int  # sum of the item points, never below 0
    band: str  # low, moderate or high, by the policy cut-offs
    priority: str  # the highest red-flag level, else the band
    red_flags: tuple[RedFlag, ...]
    items: tuple[Item, ...]
    notes: tuple[Note, ...]
    not_answered: tuple[str, ...]  # missing or invalid; never read as "no"
    invalid: tuple[Problem, ...]
    risk_profile: tuple[RiskGroupResult, ...]
    triad: TriadResult | None  # only for female runners or where the period questions apply
    site: SiteResult | None
    imaging: ImagingResult | None
    measures: dict[str, float | None]
    policy_used: dict[str, Any]  # every policy value in effect, so the result can be reproduced
    disclaimer: str
    # From 2026.3; left out of older versions' results so their stored results reproduce exactly.
    band_floors: tuple[BandFloorResult, ...] | None = None
    reds: RedsResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data: tuples become lists; key order is fixed."""
        data = _json_ready(dataclasses.asdict(self))
        if self.band_floors is None:
            for key in _LATER_KEYS:
                data.pop(key)
        return data


_LATER_KEYS = ("band_floors", "reds")


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    return value


# --- Entry points ----------------------------------------------------------------------------


def score(
    answers: Mapping, *, version: str | None = None, policy: Mapping | None = None
) -> ScoreResult:
    """Score an intake. `version` defaults to the latest; `policy` overrides clinic defaults."""
    ruleset = get_ruleset(version)
    policy_used = effective_policy(policy, version=ruleset.version)
    values, problems = _read_answers(ruleset, answers)
    not_answered = _not_answered(ruleset, values)
    triad_factors = _triad_factors(ruleset, values, policy_used)
    facts = _facts(ruleset, values, policy_used, triad_factors)
    reds = _reds(ruleset, facts, policy_used)
    if reds is not None:
        facts["reds_light"] = reds.at_least or reds.light
        facts["reds_refer"] = reds.refer
        facts["reds_any_indicator"] = any(i.present for i in reds.indicators)
    items = tuple(_items(ruleset, facts))
    total = max(0, sum(item.points for item in items))
    floors = tuple(_band_floors(ruleset, facts))
    band = _band(total, policy_used, floors)
    red_flags = tuple(_red_flags(ruleset, facts, policy_used))
    return ScoreResult(
        version=ruleset.version,
        score=total,
        band=band,
        priority=red_flags[0].level if red_flags else band,
        red_flags=red_flags,
        items=items,
        notes=tuple(_notes(ruleset, facts)),
        not_answered=not_answered,
        invalid=tuple(problems),
        risk_profile=tuple(_risk_profile(ruleset, facts, policy_used, set(not_answered))),
        triad=_triad(ruleset, values, triad_factors),
        site=_site(ruleset, values, policy_used),
        imaging=_imaging(ruleset, values),
        measures=_measures(ruleset, facts),
        policy_used=policy_used,
        disclaimer=ruleset.disclaimer,
        band_floors=floors if ruleset.band_floors else None,
        reds=reds,
    )


def _measures(ruleset: RuleSet, facts: dict[str, Any]) -> dict[str, float | None]:
    measures = {"bmi": facts["bmi"], "load_change_pct": facts["load_change_pct"]}
    if ruleset.adolescent_percent_median_bmi:
        measures["percent_median_bmi"] = facts["percent_median_bmi"]
    return measures


def validate_answers(
    answers: Mapping, *, today: dt.date, version: str | None = None
) -> dict[str, str]:
    """Human messages for unusable answers, by key; empty when every answer can be used.

    The same checks `score()` applies, plus one that needs a clock: no date after `today`.
    """
    ruleset = get_ruleset(version)
    values, problems = _read_answers(ruleset, answers)
    messages = {problem.key: problem.problem for problem in problems}
    for question in ruleset.questions:
        value = values[question.key]
        if question.kind == "date" and value is not None and value > today:
            messages[question.key] = f"{question.label} cannot be in the future."
    return messages


def effective_policy(policy: Mapping | None = None, *, version: str | None = None) -> dict:
    """The defaults of the rule set with `policy` applied on top; ValueError on a bad override."""
    ruleset = get_ruleset(version)
    if policy is None:
        policy = {}
    if not isinstance(policy, Mapping):
        raise ValueError("Policy must be a mapping of setting names to values.")
    used = {key: setting.value for key, setting in ruleset.policy.items()}
    for key, value in policy.items():
        setting = ruleset.policy.get(key) if isinstance(key, str) else None
        if setting is None:
            known = ", ".join(ruleset.policy)
            raise ValueError(f"Unknown policy setting {_short_repr(key)}; known settings: {known}.")
        used[key] = _policy_value(key, setting, value)
    if used["band_moderate_from"] >= used["band_high_from"]:
        raise ValueError(
            "Policy setting 'band_moderate_from' must be lower than 'band_high_from' "
            f"(got {used['band_moderate_from']} and {used['band_high_from']})."
        )
    return used


def _policy_value(key: str, setting: PolicySetting, value: Any) -> Any:
    low, high = setting.min, setting.max
    if setting.type is bool:
        if isinstance(value, bool):
            return value
        raise ValueError(f"Policy setting {key!r} must be true or false; got {_short_repr(value)}.")
    if setting.type is str:
        if isinstance(value, str) and low <= len(value) <= high:
            return value
        raise ValueError(
            f"Policy setting {key!r} must be text of {low} to {high} characters; "
            f"got {_short_repr(value)}."
        )
    number = _whole_number(value) if setting.type is int else _finite_number(value)
    if number is None or not low <= number <= high:
        kind = "a whole number" if setting.type is int else "a number"
        raise ValueError(
            f"Policy setting {key!r} must be {kind} from {low} to {high}; got {_short_repr(value)}."
        )
    return setting.type(number)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- Reading answers -------------------------------------------------------------------------


def _read_answers(ruleset: RuleSet, answers: Any) -> tuple[dict[str, Any], list[Problem]]:
    """Every question key → its usable value or None, and the problems with unusable ones."""
    values = {question.key: None for question in ruleset.questions}
    if not isinstance(answers, Mapping):
        return values, [Problem("answers", "Answers must be a mapping of question keys to values.")]
    problems = []
    for question in ruleset.questions:
        raw = answers.get(question.key)
        if _is_blank(raw):
            continue
        try:
            values[question.key] = _read(question, raw)
        except ValueError as error:
            problems.append(Problem(question.key, str(error)))
    problems.extend(_grade_problems(ruleset, values))
    unknown = sorted(_key_text(key) for key in answers if key not in values)
    problems.extend(Problem(key, "Unknown question; ignored.") for key in unknown)
    if not _period_items_apply(ruleset, values):
        # Asked only where they apply: otherwise an answer is neither used nor listed as missing.
        for question in ruleset.questions:
            if question.menstrual:
                values[question.key] = None
    return values, problems


def _period_items_apply(ruleset: RuleSet, values: dict[str, Any]) -> bool:
    """Whether the period answers count: on "yes"; from 2026.2 unless the runner said "no"."""
    status = values["menstrual_applicable"]
    return status == "yes" or (ruleset.period_items_unless_no and status != "no")


def _is_blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | tuple) and not value)


def _key_text(key: Any) -> str:
    text = key if isinstance(key, str) else repr(key)
    return text[:80]


def _read(question: Question, raw: Any) -> Any:
    """The normalised value of one answer; ValueError with a human message when unusable."""
    reader = _READERS[question.kind]
    value = reader(question, raw)
    if value is None:
        raise ValueError(_message(question))
    return value


def _read_choice(question: Question, raw: Any) -> str | None:
    return raw if isinstance(raw, str) and raw in question.choice_codes else None


def _read_yes_no(question: Question, raw: Any) -> str | None:
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return _read_choice(question, raw)


def _read_int(question: Question, raw: Any) -> int | None:
    number = _whole_number(raw)
    return number if number is not None and _in_range(question, number) else None


def _read_number(question: Question, raw: Any) -> float | None:
    number = _finite_number(raw)
    return float(number) if number is not None and _in_range(question, number) else None


def _read_date(question: Question, raw: Any) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and _ISO_DATE.fullmatch(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def _read_text(question: Question, raw: Any) -> str | None:
    return raw if isinstance(raw, str) and len(raw) <= question.max_length else None


def _read_number_list(question: Question, raw: Any) -> tuple[float, ...] | None:
    if not isinstance(raw, list | tuple) or len(raw) > question.max_items:
        return None
    numbers = tuple(_read_number(question, item) for item in raw)
    return None if None in numbers else numbers


def _read_choice_list(question: Question, raw: Any) -> tuple[str, ...] | None:
    if not isinstance(raw, list | tuple) or len(raw) > question.max_items:
        return None
    codes = [_read_choice(question, item) for item in raw]
    return None if None in codes else tuple(dict.fromkeys(codes))


_READERS = {
    "choice": _read_choice,
    "yes_no": _read_yes_no,
    "int": _read_int,
    "number": _read_number,
    "date": _read_date,
    "text": _read_text,
    "number_list": _read_number_list,
    "choice_list": _read_choice_list,
}


def _whole_number(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return None


def _finite_number(raw: Any) -> int | float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    return raw


def _in_range(question: Question, number: float) -> bool:
    return question.min <= number <= question.max


def _message(question: Question) -> str:
    low, high, unit = _plain(question.min), _plain(question.max), question.unit
    messages = {
        "choice": f"{question.label} must be one of the listed options.",
        "yes_no": f"{question.label} must be yes, no or not sure.",
        "int": f"{question.label} must be a whole number from {low} to {high}{unit}.",
        "number": f"{question.label} must be a number from {low} to {high}{unit}.",
        "date": f"{question.label} must be a date written as YYYY-MM-DD.",
        "text": f"{question.label} must be text of at most {question.max_length} characters.",
        "number_list": (
            f"{question.label} must be a list of at most {question.max_items} numbers, "
            f"each from {low} to {high}{unit}."
        ),
        "choice_list": (
            f"{question.label} must be a list of at most {question.max_items} of the listed "
            "options."
        ),
    }
    return messages[question.kind]


def _plain(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number)


def _grade_problems(ruleset: RuleSet, values: dict[str, Any]) -> list[Problem]:
    """A grade beyond its system's scale is unusable; the grade question allows the widest."""
    system = _grading_system(ruleset, values["imaging_grade_system"])
    grade = values["imaging_grade"]
    if system is None or grade is None or grade <= system.max_grade:
        return []
    values["imaging_grade"] = None
    message = f"Imaging grade must be from 1 to {system.max_grade} for the {system.label} system."
    return [Problem("imaging_grade", message)]


def _grading_system(ruleset: RuleSet, code: str | None):
    return next((system for system in ruleset.grading_systems if system.code == code), None)


def _not_answered(ruleset: RuleSet, values: dict[str, Any]) -> tuple[str, ...]:
    """Keys without a usable value, except free text and period questions that do not apply.

    Period questions left unanswered are missing only where the Triad assessment applies.
    """
    menstrual = _period_items_apply(ruleset, values) and _triad_applies(values)
    return tuple(
        question.key
        for question in ruleset.questions
        if values[question.key] is None
        and question.kind != "text"
        and (menstrual or not question.menstrual)
    )


# --- Derived facts ---------------------------------------------------------------------------


def _facts(
    ruleset: RuleSet,
    values: dict[str, Any],
    policy: dict[str, Any],
    triad_factors: dict[str, tuple[int | None, str]],
) -> dict[str, Any]:
    """The answers plus every fact in DERIVED_FACTS, each True/False/None or a number."""
    bmi = _bmi(values)
    previous = _previous_bsi_count(values)
    site = _site_by_code(ruleset, values["confirmed_site"], policy)
    focal = _focal_tenderness(values)
    triad = {f"triad_{key}": points for key, (points, _) in triad_factors.items()}
    energy_deficiency = _any_true(
        None if points is None else points >= 1
        for key, points in triad.items()
        if key != "triad_stress_fracture"
    )
    trabecular_bsi = _trabecular_bsi(ruleset, values)
    return {
        **values,
        **_training_facts(values, policy),
        **triad,
        "bmi": bmi,
        "bmi_known": bmi is not None,
        "adolescent": _adolescent(values, policy),
        "focal_tenderness": focal,
        "tibial": values["region"] in ruleset.tibial_regions
        or values["confirmed_site"] in ruleset.tibial_sites,
        "deep_region": values["region"] in ruleset.deep_regions,
        "previous_bsi_count": previous,
        "recurrent": None if previous is None else previous >= 1,
        "confirmed_site_risk": site.risk if site else None,
        "confirmed_site_trabecular": site.trabecular if site else None,
        "region_suggests_high_risk": _region_suggests_high_risk(ruleset, values, policy, focal),
        "trabecular_bsi": trabecular_bsi,
        "energy_deficiency": energy_deficiency,
        "trabecular_bsi_with_energy_deficiency": bool(trabecular_bsi and energy_deficiency),
        **_presentation_facts(ruleset, values, policy, focal),
        **_reds_facts(ruleset, values, policy, previous),
        "current_amenorrhoea": _current_amenorrhoea(ruleset, values),
        "percent_median_bmi": _percent_median_bmi(ruleset, values, policy),
    }


def _training_facts(values: dict[str, Any], policy: dict[str, Any]) -> dict[str, Any]:
    load_change = _load_change_pct(values["weekly_km"])
    if load_change is None:
        load_change = _typical_week_change_pct(values)
    load_spike = None if load_change is None else load_change > policy["load_spike_pct"]
    long_run_spike = _exceeds(
        values["longest_recent_run_km"], values["longest_run_previous_30d_km"]
    )
    changes = [_yes(values[key]) for key in _TRAINING_CHANGES]
    shoe_age = [
        _at_least(values["shoe_age_km"], policy["shoe_max_km"]),
        _at_least(values["shoe_age_months"], policy["shoe_max_months"]),
    ]
    return {
        "load_change_pct": load_change,
        "load_spike": load_spike,
        "long_run_spike": long_run_spike,
        "training_changed": _any_true([*changes, load_spike, long_run_spike]),
        "rest_days_low": _below(values["rest_days_per_week"], policy["rest_days_min"]),
        "shoes_worn": _any_true(shoe_age),
    }


def _yes(answer: str | None) -> bool | None:
    return None if answer is None else answer == "yes"


def _any_true(flags: Iterable[bool | None]) -> bool | None:
    """True if any is True; False only when every one is known and False."""
    flags = list(flags)
    if True in flags:
        return True
    return None if None in flags or not flags else False


def _below(value: float | None, limit: float) -> bool | None:
    return None if value is None else value < limit


def _at_least(value: float | None, limit: float) -> bool | None:
    return None if value is None else value >= limit


def _exceeds(value: float | None, previous: float | None) -> bool | None:
    return None if value is None or previous is None else value > previous


def _bmi(values: dict[str, Any]) -> float | None:
    height, weight = values["height_cm"], values["weight_kg"]
    if height is None or weight is None:
        return None
    return round(weight / (height / 100) ** 2, 1)


def _adolescent(values: dict[str, Any], policy: dict[str, Any]) -> bool | None:
    return _below(values["age"], policy["adolescent_age_below"])


MIN_COMPARABLE_KM = 1.0


def _load_change_pct(weekly_km: tuple[float, ...] | None) -> float | None:
    """The largest rise of a two-week block over the two weeks before it, in percent.

    Weeks run oldest first. Blocks after a two-week break (under 1 km before) are not compared:
    a rise from (next to) nothing has no meaningful percentage, and a tiny base would overflow.
    None when fewer than four weeks can be compared.
    """
    if weekly_km is None:
        return None
    rises = []
    for end in range(4, len(weekly_km) + 1):
        before = sum(weekly_km[end - 4 : end - 2])
        after = sum(weekly_km[end - 2 : end])
        if before >= MIN_COMPARABLE_KM:
            rises.append((after - before) / before * 100)
    return round(max(rises), 1) if rises else None


# From 2026.3: "a typical week before the change" and "now", when weeks were not typed one by one.
# A change counts when it happened within the 8 weeks of §1's training change (policy: the
# reference has no row for this way of asking; conservative).
TYPICAL_WEEK_WINDOW = 8


def _typical_week_change_pct(values: dict[str, Any]) -> float | None:
    before, now = values.get("km_before_change"), values.get("km_now")
    weeks = values.get("weeks_since_change")
    if before is None or now is None or before < MIN_COMPARABLE_KM:
        return None
    if weeks is not None and weeks > TYPICAL_WEEK_WINDOW:
        return None
    return round((now - before) / before * 100, 1)


def _previous_bsi_count(values: dict[str, Any]) -> int | None:
    count, sites = values["previous_stress_fractures"], values["previous_sites"]
    if count is None and sites is None:
        return None
    return max(count or 0, len(sites or ()))


def _focal_tenderness(values: dict[str, Any]) -> bool | None:
    """One tender spot on the bone: the examination wins over the runner's own report."""
    examined = values["bony_tenderness"]
    if examined in ("positive", "negative"):
        return examined == "positive"
    return {"yes": True, "no": False}.get(values["point_tenderness"])


def _site_by_code(ruleset: RuleSet, code: str | None, policy: dict | None = None) -> Site | None:
    """The site, with its risk class from the clinic policy where the reference marks it policy."""
    site = next((site for site in ruleset.sites if site.code == code), None)
    setting = dict(ruleset.policy_site_risk).get(code)
    if site is None or setting is None or policy is None:
        return site
    return dataclasses.replace(site, risk="high" if policy[setting] else "low")


def _region_suggests_high_risk(
    ruleset: RuleSet, values: dict[str, Any], policy: dict[str, Any], focal: bool | None
) -> bool:
    """Focal pain in a region that points to one high-risk site, before a site is confirmed."""
    if not policy["high_risk_from_region"] or values["confirmed_site"] is not None:
        return False
    in_region = values["region"] in dict(ruleset.high_risk_regions)
    return in_region and (values["pain_localized"] == "one_spot" or focal is True)


def _presentation_facts(
    ruleset: RuleSet, values: dict[str, Any], policy: dict[str, Any], focal: bool | None
) -> dict[str, Any]:
    """From 2026.3: the femoral-neck route, late-stage signs, the shin-splint picture, site
    tests, and a possible high-risk site from the runner's own spot."""
    region = values["region"]
    groin = values.get("groin_pain_also")
    groin_pain = True if region == "hip_groin" or groin == "yes" else None
    if groin_pain is None and groin == "no":
        groin_pain = False
    late = [values["pain_at_rest_or_night"], values["pain_walking"]]
    site_tests = [values.get(key) for key, _ in ruleset.site_tests]
    level, site = _possible_high_risk(ruleset, values, policy, focal)
    signs, picture = _shin_splint_picture(ruleset, values, focal)
    return {
        "groin_or_deep_hip_pain": groin_pain,
        "late_stage_signs": late.count("yes") if any(late) else None,
        "shin_splint_signs": signs,
        "shin_splint_picture": picture,
        "site_test_positive": _any_true(None if r is None else r == "positive" for r in site_tests)
        if ruleset.site_tests
        else None,
        "possible_high_risk_level": level,
        "possible_high_risk_site": site,
    }


_LEVEL_ORDER = ("expedite", "urgent")


def _possible_high_risk(
    ruleset: RuleSet, values: dict[str, Any], policy: dict[str, Any], focal: bool | None
) -> tuple[str | None, str | None]:
    """(level, site) of a possible high-risk site before the therapist confirms one.

    A focal complaint (one spot, or a tender spot) at a spot that holds a high-risk site raises
    the spot's level; where focality was not answered (or "not sure") and no tender spot was
    denied, expedite (policy: unanswered is never read as "no"). A positive site test at a
    high-risk site (the navicular N-spot) is urgent. A confirmed site replaces all of this.
    """
    if not ruleset.high_risk_spots or values["confirmed_site"] is not None:
        return None, None
    found = []
    for key, code in ruleset.site_tests:
        site = _site_by_code(ruleset, code, policy)
        if values.get(key) == "positive" and site and site.risk == "high":
            found.append(("urgent", code))
    spot = next((s for s in ruleset.high_risk_spots if s.region == values["region"]), None)
    site = _site_by_code(ruleset, spot.site, policy) if spot else None
    if policy["high_risk_from_region"] and site is not None and site.risk == "high":
        if values["pain_localized"] == "one_spot" or focal is True:
            found.append((spot.level, spot.site))
        elif values["pain_localized"] in (None, "unsure") and focal is not False:
            found.append(("expedite", spot.site))
    if not found:
        return None, None
    return max(found, key=lambda pair: _LEVEL_ORDER.index(pair[0]))


SHIN_SPLINT_REGIONS = frozenset({"shin_inner", "shin_whole"})
SHIN_SPLINT_SIGNS_NEEDED = 3


def _shin_splint_picture(
    ruleset: RuleSet, values: dict[str, Any], focal: bool | None
) -> tuple[int | None, bool | None]:
    """§1's differentiating signs together: diffuse pain over a long stretch, easing as the run
    warms up, a pain-free hop, no swelling. The picture holds when at least three agree and none
    points to bone (one spot, a tender spot, swelling, pain that builds until the run stops, a
    painful hop, pain at rest or at night)."""
    if not ruleset.band_floors or values["region"] not in SHIN_SPLINT_REGIONS:
        return None, None
    signs = [
        values["pain_localized"] == "spread" or values["region"] == "shin_whole",
        values.get("pain_eases_warm_up") == "yes",
        values["hop_test"] == "negative",
        values["swelling"] == "no",
    ]
    against = [
        values["pain_localized"] == "one_spot",
        focal is True,
        values["swelling"] == "yes",
        values["no_warm_up_stops_run"] == "yes",
        values["hop_test"] == "positive",
        values["pain_at_rest_or_night"] == "yes",
    ]
    count = signs.count(True)
    return count, signs[0] and count >= SHIN_SPLINT_SIGNS_NEEDED and not any(against)


def _percent_median_bmi(
    ruleset: RuleSet, values: dict[str, Any], policy: dict[str, Any]
) -> float | None:
    """BMI as percent of the median BMI for age and sex (UK-WHO, rcpchgrowth), adolescents only.

    Age is asked in whole years: the median is read at the start and the end of that year and
    the lower percentage kept (conservative: it scores at least as many Triad points).
    """
    bmi = _bmi(values)
    if not ruleset.adolescent_percent_median_bmi or bmi is None or not _adolescent(values, policy):
        return None
    sex = {"female": "female", "male": "male"}.get(values["sex"])
    if sex is None and values["menstrual_applicable"] == "yes":
        sex = "female"
    if sex is None:
        return None
    from intake.growth import percent_median_bmi

    return percent_median_bmi(bmi=bmi, age_years=values["age"], sex=sex)


# --- IOC REDs CAT2 (from 2026.3) --------------------------------------------------------------

EDEQ_CUTOFF = {"female": 2.30, "male": 1.68}
REDS_TRABECULAR_SITES = frozenset({"femoral_neck", "sacrum", "pelvis"})


def _known(*flags: bool | None) -> bool | None:
    """True if any is True; False when every one is known and False; else None."""
    return _any_true(flags)


def _reds_facts(
    ruleset: RuleSet, values: dict[str, Any], policy: dict[str, Any], previous: int | None
) -> dict[str, Any]:
    """Each CAT2 indicator as True (present), False (absent) or None (not known yet)."""
    if ruleset.reds is None:
        return {}
    menstrual = _period_items_apply(ruleset, values)
    first = values["age_first_period"] if menstrual else None
    months = values.get("months_since_last_period") if menstrual else None
    periods = values["periods_last_12_months"] if menstrual else None
    testosterone = values.get("testosterone")
    recent = values.get("previous_bsi_2_years")
    months_out = values.get("months_out_bsi_2_years")
    trabecular_before = any(
        code in REDS_TRABECULAR_SITES for code in values["previous_sites"] or ()
    )
    if previous == 0:
        recent, months_out = 0, 0
    bsi_history = _known(
        None if recent is None else recent >= 2,
        None if recent is None else recent >= 1 and trabecular_before,
        None if months_out is None else months_out >= 6,
    )
    edeq = values.get("edeq_global")
    cutoff = EDEQ_CUTOFF.get(values["sex"], min(EDEQ_CUTOFF.values()))
    diet = values["dietary_restriction"]
    eating_disorder = _known(
        None if diet is None else diet == "eating_disorder",
        None if edeq is None else edeq > cutoff,
    )
    if eating_disorder is None and diet == "eating_disorder":
        eating_disorder = True
    z = values["bone_density_z"]
    return {
        "reds_amenorrhoea_severe": _known(
            None if first is None else first >= 15, None if months is None else months >= 12
        ),
        "reds_testosterone_low": None if testosterone is None else testosterone == "below_range",
        "reds_amenorrhoea_secondary": None if months is None else 3 <= months < 12,
        "reds_testosterone_subclinical": None
        if testosterone is None
        else testosterone == "lowest_quartile",
        "reds_t3_low": _yes(values.get("t3_low")) if values.get("t3_low") != "unsure" else None,
        "reds_bsi_history": bsi_history,
        "reds_low_bmd": None if z is None else z < -1,
        "reds_growth_deviation": _yes(values.get("growth_deviation"))
        if values.get("growth_deviation") != "unsure"
        else None,
        "reds_eating_disorder": eating_disorder,
        "reds_oligomenorrhoea": None if periods is None else periods < 9,
        "reds_one_low_risk_bsi": None if recent is None else recent == 1 and not trabecular_before,
    }


def _reds_applies(applies: str, values: dict[str, Any], policy: dict[str, Any]) -> bool | None:
    """Whether an indicator is asked of this runner; None when it cannot be told yet."""
    sex = values["sex"]
    if applies == "all":
        return True
    if applies == "female":
        if sex == "female" or values["menstrual_applicable"] == "yes":
            return True
        return False if sex == "male" or values["menstrual_applicable"] == "no" else None
    if applies == "male":
        return True if sex == "male" else False if sex == "female" else None
    return _adolescent(values, policy)


def _reds(ruleset: RuleSet, facts: dict[str, Any], policy: dict[str, Any]) -> RedsResult | None:
    """The CAT2 light from the indicators present; "incomplete" while any is unknown.

    The light of the known indicators is a minimum while others are unknown: it is reported as
    `at_least` and may already raise the referral; a green light is never shown from missing data.
    """
    tables = ruleset.reds
    if tables is None:
        return None
    shown, unknown = [], []
    for indicator in tables.indicators:
        applies = _reds_applies(indicator.applies, facts, policy)
        if applies is False:
            continue
        present = facts[indicator.fact] if applies else None
        shown.append(
            RedsIndicatorResult(
                indicator.key, indicator.kind, indicator.label, present, indicator.source
            )
        )
        if present is None:
            unknown.append(indicator.key)
    primary = sum(
        2 if i.kind == "severe" else 1 for i in shown if i.present and i.kind != "secondary"
    )
    secondary = sum(1 for i in shown if i.present and i.kind == "secondary")
    reached = tables.lights[0]
    for light in tables.lights[1:]:
        by_primary = light.min_primary is not None and primary >= light.min_primary
        by_secondary = light.min_secondary is not None and secondary >= light.min_secondary
        if by_primary or by_secondary:
            reached = light
    codes = [light.code for light in tables.lights]
    refer = codes.index(reached.code) >= codes.index(tables.refer_from)
    complete = not unknown
    if complete:
        light, label, at_least = reached.code, reached.label, None
    else:
        known = len(shown) - len(unknown)
        light = "incomplete"
        label = f"Incomplete ({known} of {len(shown)} indicators known)"
        at_least = None if reached is tables.lights[0] else reached.code
        if at_least:
            worse = "" if reached is tables.lights[-1] else " or worse"
            label += f": already {reached.label.split(':')[0].lower()}{worse}"
    return RedsResult(
        indicators=tuple(shown),
        primary=primary,
        secondary=secondary,
        light=light,
        light_label=label,
        at_least=at_least,
        complete=complete,
        unknown=tuple(unknown),
        refer=refer,
        evidence=tables.evidence,
    )


def _trabecular_bsi(ruleset: RuleSet, values: dict[str, Any]) -> bool:
    codes = [values["confirmed_site"], *(values["previous_sites"] or ())]
    sites = [_site_by_code(ruleset, code) for code in codes]
    return any(site and site.trabecular for site in sites)


# --- Rules -----------------------------------------------------------------------------------


def _holds(condition: Condition, facts: dict[str, Any]) -> bool:
    return facts.get(condition.fact) in condition.values


def _all_hold(conditions: Iterable[Condition], facts: dict[str, Any]) -> bool:
    return all(_holds(condition, facts) for condition in conditions)


def _items(ruleset: RuleSet, facts: dict[str, Any]) -> Iterable[Item]:
    for rule in ruleset.items:
        if _all_hold(rule.all_of, facts):
            reason = f"{rule.text} ({rule.evidence})"
            yield Item(rule.key, rule.points, reason, rule.evidence, rule.section)


_BAND_ORDER = ("low", "moderate", "high")


def _band(total: int, policy: dict[str, Any], floors: Iterable[BandFloorResult] = ()) -> str:
    """The band of the score, lifted to the highest floor that fired (from 2026.3)."""
    if total >= policy["band_high_from"]:
        band = "high"
    elif total >= policy["band_moderate_from"]:
        band = "moderate"
    else:
        band = "low"
    return max([band, *(floor.band for floor in floors)], key=_BAND_ORDER.index)


def _band_floors(ruleset: RuleSet, facts: dict[str, Any]) -> Iterable[BandFloorResult]:
    for rule in ruleset.band_floors:
        if _all_hold(rule.all_of, facts):
            yield BandFloorResult(rule.code, rule.band, rule.text, rule.evidence, rule.section)


def _red_flags(
    ruleset: RuleSet, facts: dict[str, Any], policy: dict[str, Any]
) -> Iterable[RedFlag]:
    """Raised flags, most pressing level first (rule-set order within a level)."""
    raised = []
    for rule in ruleset.red_flags:
        group = next((group for group in rule.any_of if _all_hold(group, facts)), None)
        if group is None:
            continue
        matched = tuple(f"{c.fact}={_fact_text(facts[c.fact])}" for c in group)
        action = policy[rule.action_policy_key]
        raised.append(
            RedFlag(
                rule.code,
                rule.level,
                rule.title,
                action,
                rule.patient_message,
                rule.evidence,
                rule.section,
                matched,
            )
        )
    return sorted(raised, key=lambda flag: RED_FLAG_LEVELS.index(flag.level))


def _fact_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _notes(ruleset: RuleSet, facts: dict[str, Any]) -> Iterable[Note]:
    for rule in ruleset.notes:
        if _all_hold(rule.all_of, facts):
            yield Note(rule.code, rule.text, rule.evidence, rule.section)


def _risk_profile(
    ruleset: RuleSet, facts: dict[str, Any], policy: dict[str, Any], not_answered: set[str]
) -> Iterable[RiskGroupResult]:
    labels = dict(ruleset.plan_actions)
    for group in ruleset.risk_groups:
        fired = [factor for factor in group.factors if _all_hold(factor.all_of, facts)]
        reasons = tuple(f"{f.text.format_map(policy)} ({f.evidence})" for f in fired)
        codes = dict.fromkeys(code for factor in fired for code in factor.actions)
        yield RiskGroupResult(
            group=group.code,
            label=group.label,
            flagged=bool(fired),
            reasons=reasons,
            actions=tuple(PlanAction(code, labels[code]) for code in codes),
            not_answered=tuple(key for key in group.questions if key in not_answered),
        )


# --- Female Athlete Triad ---------------------------------------------------------------------


def _points(value: float, cutoffs: tuple[Cutoff, ...]) -> int:
    for cutoff in cutoffs:
        if _OPERATORS[cutoff.op](value, cutoff.threshold):
            return cutoff.points
    return 0


def _triad_factors(
    ruleset: RuleSet, values: dict[str, Any], policy: dict[str, Any]
) -> dict[str, tuple[int | None, str]]:
    """Each Triad factor → (points or None, the basis in words), before any substitution."""
    tables = ruleset.triad
    menstrual = _period_items_apply(ruleset, values)
    return {
        "low_energy": _triad_low_energy(tables, values),
        "low_bmi": _triad_low_bmi(ruleset, values, policy),
        "delayed_menarche": _triad_cutoff(
            values["age_first_period"], tables.age_first_period, "First period at {:g}", menstrual
        ),
        "oligomenorrhoea": _triad_menstrual(ruleset, values, menstrual),
        "low_bone_density": _triad_cutoff(
            values["bone_density_z"], tables.bone_density_z, "Z-score {:g}"
        ),
        "stress_fracture": _triad_stress_fracture(ruleset, values, policy),
    }


CURRENT_AMENORRHOEA_MONTHS = 3


def _current_amenorrhoea(ruleset: RuleSet, values: dict[str, Any]) -> bool | None:
    """No period for 3 months or more (§4 additions, policy); None where not asked or unknown."""
    months = values.get("months_since_last_period")
    if months is None or not _period_items_apply(ruleset, values):
        return None
    return months >= CURRENT_AMENORRHOEA_MONTHS


def _triad_menstrual(ruleset: RuleSet, values: dict[str, Any], menstrual: bool):
    """Periods in 12 months; from 2026.3 current amenorrhoea scores 2 whatever the count."""
    tables = ruleset.triad
    counted = _triad_cutoff(
        values["periods_last_12_months"],
        tables.periods_last_12_months,
        "{:g} periods in 12 months",
        menstrual,
    )
    if not _current_amenorrhoea(ruleset, values):
        return counted
    months = values["months_since_last_period"]
    basis = f"no period for {months:g} months (current amenorrhoea)"
    if counted[0] is not None:
        basis = f"{counted[1]}; {basis}"
    return 2, basis


def _triad_cutoff(
    value: float | None, cutoffs: tuple[Cutoff, ...], basis: str, applicable: bool = True
) -> tuple[int | None, str]:
    if not applicable:
        return None, _NOT_APPLICABLE
    if value is None:
        return None, _NOT_ANSWERED
    return _points(value, cutoffs), basis.format(value)


def _triad_low_energy(tables, values: dict[str, Any]) -> tuple[int | None, str]:
    answer = values["dietary_restriction"]
    if answer is None:
        return None, _NOT_ANSWERED
    return dict(tables.dietary_restriction_points)[answer], f"Dietary restriction: {answer}"


def _triad_low_bmi(
    ruleset: RuleSet, values: dict[str, Any], policy: dict[str, Any]
) -> tuple[int | None, str]:
    """BMI or monthly weight loss, whichever scores higher.

    Adult cut-offs are not used for adolescents; from 2026.3 they are weighed by percent of the
    median BMI for age and sex instead.
    """
    tables = ruleset.triad
    bmi, loss = _bmi(values), values["weight_loss_pct_month"]
    scored, basis = [], []
    percent = _percent_median_bmi(ruleset, values, policy)
    if percent is not None:
        scored.append(_points(percent, ruleset.adolescent_percent_median_bmi))
        basis.append(f"BMI {bmi:g} is {percent:g}% of the median for age and sex (UK-WHO)")
    elif bmi is not None and _adolescent(values, policy):
        basis.append(f"BMI {bmi:g} not scored: adult cut-offs do not apply to adolescents")
    elif bmi is not None:
        scored.append(_points(bmi, tables.bmi))
        age_note = "" if values["age"] is not None else " (age not answered: adult cut-offs)"
        basis.append(f"BMI {bmi:g}{age_note}")
    if loss is not None:
        scored.append(_points(loss, tables.weight_loss_pct_month))
        basis.append(f"weight loss {loss:g}% a month")
    return (max(scored) if scored else None), ("; ".join(basis) or _NOT_ANSWERED)


def _triad_stress_fracture(
    ruleset: RuleSet, values: dict[str, Any], policy: dict[str, Any]
) -> tuple[int | None, str]:
    """Previous BSIs, plus the current one once imaging shows it; a serious site scores 2."""
    previous = _previous_bsi_count(values)
    current = values["imaging_result"] in _IMAGING_BSI
    if previous is None and not current:
        return None, _NOT_ANSWERED
    count = (previous or 0) + current
    codes = [*(values["previous_sites"] or ()), values["confirmed_site"] if current else None]
    sites = [_site_by_code(ruleset, code, policy) for code in codes]
    serious = any(site and (site.risk == "high" or site.trabecular) for site in sites)
    points = 0 if count == 0 else 2 if count >= 2 or serious else 1
    basis = f"{count} stress injur{'y' if count == 1 else 'ies'}"
    if current:
        basis += ", the current one shown on imaging"
    if serious:
        basis += ", at a high-risk or trabecular site"
    return points, basis


def _triad_applies(values: dict[str, Any]) -> bool:
    return values["sex"] == "female" or values["menstrual_applicable"] == "yes"


def _triad(
    ruleset: RuleSet, values: dict[str, Any], raw: dict[str, tuple[int | None, str]]
) -> TriadResult | None:
    if not _triad_applies(values):
        return None
    tables = ruleset.triad
    substitutes = dict(tables.substitutes)
    labels = dict(tables.factor_labels)
    factors = []
    for key, label in tables.factor_labels:
        points, basis = raw[key]
        stand_in = substitutes.get(key)
        if points is None and basis == _NOT_ANSWERED and stand_in and raw[stand_in][0] is not None:
            points = raw[stand_in][0]
            basis = f"substituted by {labels[stand_in].lower()}: {raw[stand_in][1]}"
            factors.append(TriadFactor(key, label, points, basis, stand_in))
        else:
            factors.append(TriadFactor(key, label, points, basis))
    total = sum(factor.points or 0 for factor in factors)
    category, category_label = _triad_category(tables.categories, total)
    known = sum(factor.points is not None for factor in factors)
    if ruleset.triad_incomplete_category and known < len(factors) and category != "restricted":
        # §4 additions: a total from fewer than six known factors is a minimum; no clearance.
        floor = (
            f"; no better than {category_label.lower()}" if total >= tables.categories[1][0] else ""
        )
        category = "incomplete"
        category_label = f"Incomplete ({known} of {len(factors)} factors known){floor}"
    return TriadResult(
        factors=tuple(factors),
        total=total,
        category=category,
        category_label=category_label,
        missing=tuple(f.key for f in factors if f.points is None and f.basis != _NOT_APPLICABLE),
        substituted=tuple(f.key for f in factors if f.substituted_from),
        evidence=tables.evidence,
    )


def _triad_category(categories: tuple[tuple[int, str, str], ...], total: int) -> tuple[str, str]:
    reached = [(code, label) for lowest, code, label in categories if total >= lowest]
    return reached[-1]


# --- Site and imaging ------------------------------------------------------------------------


def _site(ruleset: RuleSet, values: dict[str, Any], policy: dict[str, Any]) -> SiteResult | None:
    site = _site_by_code(ruleset, values["confirmed_site"], policy)
    if site is None:
        return None
    return SiteResult(
        site.code, site.label, site.risk, site.trabecular, site.typical_return_days, site.evidence
    )


def _imaging(ruleset: RuleSet, values: dict[str, Any]) -> ImagingResult | None:
    keys = ("imaging_modality", "imaging_result", "imaging_grade_system", "imaging_grade")
    if all(values[key] is None for key in keys):
        return None
    system = _grading_system(ruleset, values["imaging_grade_system"])
    grade = values["imaging_grade"]
    description = None
    if system and grade is not None and grade <= len(system.descriptions):
        description = system.descriptions[grade - 1]
    return ImagingResult(
        values["imaging_modality"],
        values["imaging_result"],
        values["imaging_grade_system"],
        grade,
        description,
    )
