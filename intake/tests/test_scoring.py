"""The intake score, checked row by row against the clinical reference (bsi-reference.md).

Plain pytest, no database. Test names say which behaviour and which evidence row they hold to.
"""

import copy
import dataclasses
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import rulesets
from intake.management.commands.score_intake import Command
from intake.rulesets import LATEST_VERSION, get_ruleset
from intake.scoring import (
    BANDS,
    DERIVED_FACTS,
    PLAN_ACTIONS,
    POLICY_DEFAULTS,
    PRIORITIES,
    QUESTIONS,
    REGIONS,
    SITE_CHOICES,
    SITES,
    effective_policy,
    score,
    validate_answers,
)

RULESET = get_ruleset(LATEST_VERSION)
TODAY = dt.date(2026, 3, 1)
FEMALE = {"sex": "female", "menstrual_applicable": "yes"}


def item_points(result) -> dict[str, int]:
    return {item.key: item.points for item in result.items}


def flag_levels(result) -> dict[str, str]:
    return {flag.code: flag.level for flag in result.red_flags}


def note_codes(result) -> set[str]:
    return {note.code for note in result.notes}


def invalid_keys(result) -> set[str]:
    return {problem.key for problem in result.invalid}


def risk_group(result, code: str):
    return next(group for group in result.risk_profile if group.group == code)


def triad_factor(result, key: str):
    return next(factor for factor in result.triad.factors if factor.key == key)


# --- §1 Warning signs: each rule on each side ------------------------------------------------

SECTION_1_RULES = [
    # (item key, points, answers that fire it, answers on the other side)
    ("pain_localized", 2, {"pain_localized": "one_spot"}, {"pain_localized": "spread"}),
    ("pain_on_impact", 2, {"pain_on_impact": "yes"}, {"pain_on_impact": "no"}),
    ("point_tenderness", 2, {"point_tenderness": "yes"}, {"point_tenderness": "no"}),
    ("bony_tenderness", 3, {"bony_tenderness": "positive"}, {"bony_tenderness": "negative"}),
    ("swelling", 1, {"swelling": "yes"}, {"swelling": "no"}),
    (
        "better_with_rest_returns_running",
        1,
        {"better_with_rest_returns_running": "yes"},
        {"better_with_rest_returns_running": "no"},
    ),
    ("no_warm_up_stops_run", 1, {"no_warm_up_stops_run": "yes"}, {"no_warm_up_stops_run": "no"}),
    ("pain_at_rest_or_night", 1, {"pain_at_rest_or_night": "yes"}, {"pain_at_rest_or_night": "no"}),
    ("pain_walking", 1, {"pain_walking": "yes"}, {"pain_walking": "no"}),
    ("training_change", 1, {"change_intensity": "yes"}, {"change_intensity": "no"}),
    ("hop_test_positive", 1, {"hop_test": "positive"}, {"hop_test": "negative"}),
    (
        "hop_test_negative_tibia",
        -2,
        {"hop_test": "negative", "region": "shin_inner"},
        {"hop_test": "negative", "region": "thigh"},
    ),
    ("fulcrum_test", 1, {"fulcrum_test": "positive"}, {"fulcrum_test": "negative"}),
    (
        "hip_internal_rotation_pain",
        1,
        {"hip_internal_rotation_pain": "positive"},
        {"hip_internal_rotation_pain": "negative"},
    ),
    (
        "imaging_shows_bsi",
        5,
        {"imaging_result": "stress_fracture"},
        {"imaging_result": "normal"},
    ),
    # 2026.3: site provocation tests and the shin-splint picture (test_scoring_cases.py has more)
    ("calcaneal_squeeze", 2, {"calcaneal_squeeze": "positive"}, {"calcaneal_squeeze": "negative"}),
    ("n_spot_tenderness", 2, {"n_spot_tenderness": "positive"}, {"n_spot_tenderness": "not_done"}),
    (
        "shin_splint_picture",
        -2,
        {"region": "shin_whole", "pain_eases_warm_up": "yes", "swelling": "no"},
        {"region": "shin_whole", "pain_eases_warm_up": "yes", "swelling": "yes"},
    ),
]


@pytest.mark.parametrize(
    ("key", "points", "fires", "other_side"),
    SECTION_1_RULES,
    ids=[rule[0] for rule in SECTION_1_RULES],
)
def test_section_1_rule_scores_its_points_on_one_side_only(key, points, fires, other_side):
    assert item_points(score(fires)).get(key) == points
    assert key not in item_points(score(other_side))


def test_every_rule_of_the_rule_set_has_a_two_sided_test():
    assert {rule.key for rule in RULESET.items} == {rule[0] for rule in SECTION_1_RULES}


def test_item_reason_names_its_evidence_and_section_patel_2011():
    (item,) = score({"pain_localized": "one_spot"}).items
    assert (
        item.reason
        == "Pain in one spot — bone rather than soft tissue (C: Patel et al. 2011, AAFP)"
    )
    assert item.section == "§1"


def test_examination_supersedes_the_runners_own_tender_spot_knobloch_2025():
    result = score({"point_tenderness": "yes", "bony_tenderness": "positive"})
    assert item_points(result) == {"bony_tenderness": 3}
    negative_exam = score({"point_tenderness": "yes", "bony_tenderness": "negative"})
    assert item_points(negative_exam) == {}
    not_done = score({"point_tenderness": "yes", "bony_tenderness": "not_done"})
    assert item_points(not_done) == {"point_tenderness": 2}


def test_negative_hop_lowers_suspicion_for_a_confirmed_tibial_site_milgrom_2021():
    result = score({"hop_test": "negative", "confirmed_site": "posteromedial_tibia"})
    assert item_points(result) == {"hop_test_negative_tibia": -2}


def test_score_never_drops_below_zero():
    result = score({"hop_test": "negative", "region": "shin_front"})
    assert sum(item.points for item in result.items) == -2
    assert result.score == 0
    assert result.band == "low"


def test_training_change_counts_once_however_many_changed_bolthouse():
    answers = dict.fromkeys(("change_distance", "change_intensity", "change_surface"), "yes")
    answers.update(weekly_km=[10, 10, 20, 20], longest_recent_run_km=30)
    answers["longest_run_previous_30d_km"] = 15
    assert item_points(score(answers)) == {"training_change": 1}


def test_unsure_scores_nothing_but_is_answered_while_missing_is_not_answered():
    unsure = score({"swelling": "unsure"})
    assert item_points(unsure) == {}
    assert "swelling" not in unsure.not_answered
    assert "swelling" in score({}).not_answered


def test_yes_no_questions_accept_json_booleans():
    assert item_points(score({"swelling": True})) == {"swelling": 1}
    assert "swelling" not in score({"swelling": False}).not_answered


# --- Bands -------------------------------------------------------------------------------------

BAND_CASES = [
    ({}, 0, "low"),
    ({"pain_localized": "one_spot"}, 2, "low"),
    ({"pain_localized": "one_spot", "swelling": "yes"}, 3, "moderate"),
    ({"pain_localized": "one_spot", "pain_on_impact": "yes"}, 4, "moderate"),
    ({"pain_localized": "one_spot", "pain_on_impact": "yes", "swelling": "yes"}, 5, "high"),
]


@pytest.mark.parametrize(("answers", "total", "band"), BAND_CASES)
def test_band_boundaries_are_the_policy_cut_offs(answers, total, band):
    result = score(answers)
    assert (result.score, result.band, result.priority) == (total, band, band)


def test_band_cut_offs_come_from_the_clinic_policy():
    answers = {"pain_localized": "one_spot", "pain_on_impact": "yes", "swelling": "yes"}
    result = score(answers, policy={"band_high_from": 6})
    assert result.band == "moderate"
    assert result.policy_used["band_high_from"] == 6


# --- §2 Red flags --------------------------------------------------------------------------

HIP_LOADING_SIGNS = [
    {"pain_on_impact": "yes"},
    {"pain_walking": "yes"},
    {"limp": "yes"},
    {"hip_internal_rotation_pain": "positive"},
    {"hop_test": "positive"},
    {"cannot_hop_or_bear_weight": "yes"},
]


@pytest.mark.parametrize("sign", HIP_LOADING_SIGNS, ids=lambda sign: next(iter(sign)))
def test_groin_pain_with_loading_is_an_urgent_femoral_neck_flag_robertson_2017(sign):
    result = score({"region": "hip_groin", **sign})
    assert flag_levels(result)["femoral_neck"] == "urgent"
    assert result.priority == "urgent"


def test_groin_pain_without_a_loading_sign_raises_no_femoral_neck_flag():
    assert "femoral_neck" not in flag_levels(score({"region": "hip_groin"}))
    assert "femoral_neck" not in flag_levels(score({"region": "thigh", "pain_on_impact": "yes"}))


def test_confirmed_femoral_neck_raises_the_femoral_neck_and_high_risk_flags():
    flags = flag_levels(score({"confirmed_site": "femoral_neck"}))
    assert flags == {"femoral_neck": "urgent", "high_risk_site": "urgent"}


def test_red_flag_carries_action_evidence_patient_message_and_what_raised_it():
    (flag,) = score({"region": "hip_groin", "limp": "yes"}).red_flags
    assert flag.action == POLICY_DEFAULTS["action_femoral_neck"].value
    assert flag.evidence.startswith("C: Robertson & Wood 2017")
    assert "stop running" in flag.patient_message
    assert flag.matched == ("groin_or_deep_hip_pain=true", "limp=yes")
    (old,) = score({"region": "hip_groin", "limp": "yes"}, version="2026.2").red_flags
    assert old.matched == ("region=hip_groin", "limp=yes")


HIGH_RISK_SITES = [site.code for site in SITES if site.risk == "high"]
LOW_RISK_SITES = [site.code for site in SITES if site.risk == "low"]


@pytest.mark.parametrize("site", HIGH_RISK_SITES)
def test_confirmed_high_risk_site_is_urgent_hoenig_2023(site):
    result = score({"confirmed_site": site})
    assert flag_levels(result)["high_risk_site"] == "urgent"
    assert result.site.risk == "high"


@pytest.mark.parametrize("site", LOW_RISK_SITES)
def test_confirmed_low_risk_site_raises_no_flag(site):
    result = score({"confirmed_site": site})
    assert result.red_flags == ()
    assert result.site.risk == "low"


def test_focal_front_of_shin_pain_raises_the_high_risk_flag_before_confirmation_policy():
    answers = {"region": "shin_front", "pain_localized": "one_spot"}
    assert flag_levels(score(answers, version="2026.2")) == {"high_risk_site": "urgent"}
    assert flag_levels(score(answers)) == {"possible_high_risk_site_urgent": "urgent"}
    for version in ("2026.2", "2026.3"):
        policy = {"high_risk_from_region": False}
        assert score(answers, version=version, policy=policy).red_flags == ()


def test_front_of_shin_pain_that_is_spread_and_not_tender_raises_no_flag():
    answers = {"region": "shin_front", "pain_localized": "spread", "point_tenderness": "no"}
    assert score(answers).red_flags == ()


def test_a_confirmed_low_risk_site_outranks_the_region_guess():
    answers = {"region": "shin_front", "pain_localized": "one_spot"}
    result = score({**answers, "confirmed_site": "posteromedial_tibia"})
    assert result.red_flags == ()


@pytest.mark.parametrize("answer", ["pain_at_rest_or_night", "pain_walking"])
def test_pain_at_rest_at_night_or_walking_is_expedited_etg(answer):
    result = score({answer: "yes"})
    assert flag_levels(result) == {"rest_or_walking_pain": "expedite"}
    assert result.priority == "expedite"


def test_cannot_hop_or_bear_weight_is_expedited_hop_test():
    result = score({"cannot_hop_or_bear_weight": "yes"})
    assert flag_levels(result) == {"cannot_hop_or_bear_weight": "expedite"}


def test_previous_stress_fracture_is_referred_for_bone_health_triad_consensus():
    result = score({"previous_stress_fractures": 1})
    assert flag_levels(result) == {"bone_health": "refer"}
    assert result.priority == "refer"


def test_trabecular_site_with_energy_deficiency_is_referred_de_souza_2014():
    answers = {"confirmed_site": "pelvis", "dietary_restriction": "some"}
    assert flag_levels(score(answers)) == {"bone_health": "refer"}


@pytest.mark.parametrize(
    "answers",
    [
        {"confirmed_site": "pelvis", "dietary_restriction": "none"},
        {"confirmed_site": "calcaneus", "dietary_restriction": "some"},
        {"previous_stress_fractures": 0},
    ],
)
def test_no_bone_health_referral_without_both_trabecular_site_and_energy_signs(answers):
    assert "bone_health" not in flag_levels(score(answers))


def test_red_flags_override_the_band_most_pressing_first():
    answers = {
        "previous_stress_fractures": 2,
        "pain_walking": "yes",
        "region": "hip_groin",
        "pain_on_impact": "yes",
    }
    result = score(answers)
    assert [flag.level for flag in result.red_flags] == ["urgent", "expedite", "refer"]
    assert result.band == "moderate"
    assert result.priority == "urgent"


def test_refer_outranks_a_high_band():
    answers = {"previous_sites": ["calcaneus"], "imaging_result": "stress_fracture"}
    result = score(answers)
    assert (result.band, result.priority) == ("high", "refer")


def test_red_flag_action_wording_is_clinic_policy():
    wording = "Phone the runner today."
    (flag,) = score({"pain_walking": "yes"}, policy={"action_rest_pain": wording}).red_flags
    assert flag.action == wording


# --- Notes -----------------------------------------------------------------------------------


def test_diffuse_inner_shin_pain_without_a_tender_spot_suggests_shin_splints_patel_2011():
    answers = {"region": "shin_inner", "pain_localized": "spread", "point_tenderness": "no"}
    assert "shin_splints_fit_better" in note_codes(score(answers, version="2026.2"))
    # 2026.2: no tender spot must be an answer: not answering is not "no".
    del answers["point_tenderness"]
    assert "shin_splints_fit_better" not in note_codes(score(answers, version="2026.2"))
    # 2026.3: the differentiating signs agreeing show it even with tenderness unanswered.
    agreeing = {**answers, "pain_eases_warm_up": "yes", "swelling": "no"}
    assert "shin_splints_fit_better" in note_codes(score(agreeing))


def test_no_tender_spot_at_the_hip_does_not_lower_suspicion_knobloch_2025():
    result = score({"region": "hip_groin", "bony_tenderness": "negative"})
    assert "deep_site_not_palpable" in note_codes(result)


def test_normal_xray_does_not_rule_out_but_normal_mri_makes_bsi_unlikely():
    xray = score({"imaging_modality": "xray", "imaging_result": "normal"})
    mri = score({"imaging_modality": "mri", "imaging_result": "normal"})
    assert note_codes(xray) == {"normal_xray_does_not_rule_out"}
    assert note_codes(mri) == {"normal_mri"}


# --- §4 Risk profile ---------------------------------------------------------------------------


def test_risk_profile_reports_all_six_groups_even_when_nothing_is_answered():
    groups = score({}).risk_profile
    assert [group.group for group in groups] == [
        "training_load",
        "recovery",
        "equipment",
        "strength",
        "nutrition_energy",
        "history",
    ]
    assert not any(group.flagged for group in groups)
    assert all(group.not_answered for group in groups)


@pytest.mark.parametrize(
    ("weekly_km", "flagged"),
    [
        ([20, 20, 27, 27], True),  # +35%
        ([20, 20, 26, 26], False),  # +30% exactly: not more than 30%
        ([30, 30, 20, 20, 27, 27], True),  # the latest two weeks
        ([0, 0, 20, 20], False),  # a rise from nothing has no percentage
        ([20, 25, 30], False),  # fewer than four weeks
    ],
)
def test_weekly_distance_rising_more_than_30_percent_in_two_weeks_nielsen_2014(weekly_km, flagged):
    group = risk_group(score({"weekly_km": weekly_km}), "training_load")
    assert group.flagged is flagged


def test_load_spike_threshold_is_policy_and_recorded():
    answers = {"weekly_km": [20, 20, 25, 25]}
    assert not risk_group(score(answers), "training_load").flagged
    result = score(answers, policy={"load_spike_pct": 20})
    group = risk_group(result, "training_load")
    assert group.flagged
    assert group.reasons[0].startswith("Weekly distance rose more than 20% over two weeks")
    assert result.policy_used["load_spike_pct"] == 20
    assert result.measures["load_change_pct"] == 25.0


@pytest.mark.parametrize(("recent", "flagged"), [(21, True), (20, False)])
def test_a_run_longer_than_any_in_the_previous_30_days_bjsm_2025(recent, flagged):
    answers = {"longest_recent_run_km": recent, "longest_run_previous_30d_km": 20}
    group = risk_group(score(answers), "training_load")
    assert group.flagged is flagged
    assert [action.code for action in group.actions] == (["coach_collaboration"] if flagged else [])


@pytest.mark.parametrize(("rest_days", "flagged"), [(0, True), (1, False)])
def test_fewer_than_one_rest_day_a_week_asks_the_plan_to_enforce_rest_policy(rest_days, flagged):
    group = risk_group(score({"rest_days_per_week": rest_days}), "recovery")
    assert group.flagged is flagged
    assert [action.code for action in group.actions] == (["enforce_rest_days"] if flagged else [])


@pytest.mark.parametrize(
    ("answers", "flagged"),
    [
        ({"shoe_age_km": 800}, True),
        ({"shoe_age_km": 799, "shoe_age_months": 11}, False),
        ({"shoe_age_months": 12}, True),
        ({"change_shoes": "yes"}, True),
    ],
)
def test_worn_or_changed_shoes_ask_for_a_footwear_check_policy(answers, flagged):
    group = risk_group(score(answers), "equipment")
    assert group.flagged is flagged
    assert [action.code for action in group.actions] == (["footwear_check"] if flagged else [])


@pytest.mark.parametrize(
    ("answers", "flagged"),
    [
        ({"single_leg_squat": "poor_control"}, True),
        ({"calf_raise": "weak"}, True),
        ({"single_leg_squat": "good", "calf_raise": "normal"}, False),
    ],
)
def test_weakness_asks_for_strength_emphasis_bennell_1996(answers, flagged):
    group = risk_group(score(answers), "strength")
    assert group.flagged is flagged


def test_low_vitamin_d_asks_for_nutritionist_and_physician_levels_lappe():
    group = risk_group(score({"vitamin_d_low": "yes"}), "nutrition_energy")
    assert [action.code for action in group.actions] == [
        "nutritionist_referral",
        "physician_levels",
    ]


def test_energy_signs_ask_for_a_nutritionist_referral_in_men_too():
    result = score({"sex": "male", "dietary_restriction": "some"})
    assert risk_group(result, "nutrition_energy").flagged
    assert result.triad is None


def test_previous_stress_fracture_flags_recurrence_and_bone_health_wright_2015():
    group = risk_group(score({"previous_stress_fractures": 1}), "history")
    assert [action.code for action in group.actions] == ["recurrence_flag", "bone_health_workup"]
    assert "odds ratio 4.99" in group.reasons[0]


def test_female_sex_asks_the_energy_and_menstrual_questions_wright_2015():
    group = risk_group(score({"sex": "female"}), "history")
    assert [action.code for action in group.actions] == ["ask_energy_items"]


# Every risk-profile factor of §4, each on both sides: (group, factor, fires, other side).
RISK_FACTOR_CASES = [
    ("training_load", "load_spike", {"weekly_km": [20, 20, 27, 27]}, {"weekly_km": [20] * 4}),
    (
        "training_load",
        "long_run_spike",
        {"longest_recent_run_km": 21, "longest_run_previous_30d_km": 20},
        {"longest_recent_run_km": 20, "longest_run_previous_30d_km": 20},
    ),
    ("training_load", "change_distance", {"change_distance": "yes"}, {"change_distance": "no"}),
    ("training_load", "change_intensity", {"change_intensity": "yes"}, {"change_intensity": "no"}),
    ("training_load", "change_surface", {"change_surface": "yes"}, {"change_surface": "unsure"}),
    ("recovery", "rest_days_low", {"rest_days_per_week": 0}, {"rest_days_per_week": 1}),
    ("equipment", "shoes_worn", {"shoe_age_km": 800}, {"shoe_age_km": 799}),
    ("equipment", "change_shoes", {"change_shoes": "yes"}, {"change_shoes": "no"}),
    (
        "strength",
        "single_leg_squat",
        {"single_leg_squat": "poor_control"},
        {"single_leg_squat": "good"},
    ),
    ("strength", "calf_raise", {"calf_raise": "weak"}, {"calf_raise": "not_done"}),
    (
        "nutrition_energy",
        "dietary_restriction",
        {"dietary_restriction": "some"},
        {"dietary_restriction": "none"},
    ),
    ("nutrition_energy", "low_bmi", {"weight_loss_pct_month": 5}, {"weight_loss_pct_month": 4.9}),
    (
        "nutrition_energy",
        "delayed_menarche",
        {**FEMALE, "age_first_period": 15},
        {**FEMALE, "age_first_period": 14},
    ),
    (
        "nutrition_energy",
        "menstrual_disturbance",
        {**FEMALE, "periods_last_12_months": 9},
        {**FEMALE, "periods_last_12_months": 10},
    ),
    (
        "nutrition_energy",
        "low_bone_density",
        {"bone_density_z": -1.1},
        {"bone_density_z": -1.0},
    ),
    ("nutrition_energy", "vitamin_d_low", {"vitamin_d_low": "yes"}, {"vitamin_d_low": "no"}),
    ("nutrition_energy", "calcium_low", {"calcium_low": "yes"}, {"calcium_low": "no"}),
    (
        "history",
        "previous_stress_fracture",
        {"previous_sites": ["fibula"]},
        {"previous_stress_fractures": 0},
    ),
    ("history", "female_sex", {"sex": "female"}, {"sex": "male"}),
]


@pytest.mark.parametrize(
    ("group", "factor", "fires", "other_side"),
    RISK_FACTOR_CASES,
    ids=[case[1] for case in RISK_FACTOR_CASES],
)
def test_each_risk_factor_flags_its_group_with_its_evidence_and_actions(
    group, factor, fires, other_side
):
    rule = next(
        f for g in RULESET.risk_groups if g.code == group for f in g.factors if f.key == factor
    )
    result = risk_group(score(fires), group)
    reasons = [reason for reason in result.reasons if reason.endswith(f"({rule.evidence})")]
    assert result.flagged and len(reasons) == 1
    assert {action.code for action in result.actions} >= set(rule.actions)
    assert not risk_group(score(other_side), group).flagged


def test_every_risk_factor_of_the_rule_set_has_a_two_sided_test():
    keys = {(g.code, f.key) for g in RULESET.risk_groups for f in g.factors}
    keys -= {("equipment", "shoe_type"), ("nutrition_energy", "reds_indicators")}  # cases file
    assert keys == {(case[0], case[1]) for case in RISK_FACTOR_CASES}


# --- §4 Female Athlete Triad Cumulative Risk Assessment ---------------------------------------


def test_triad_applies_to_female_runners_and_where_the_period_questions_apply():
    assert score({"sex": "male"}).triad is None
    assert score({}).triad is None
    assert score({"sex": "female"}).triad is not None
    assert score({"menstrual_applicable": "yes"}).triad is not None


def test_period_questions_count_only_where_they_apply():
    result = score({"sex": "female", "menstrual_applicable": "no", "periods_last_12_months": 2})
    factor = triad_factor(result, "oligomenorrhoea")
    assert (factor.points, factor.basis) == (None, "not applicable")
    assert "oligomenorrhoea" not in result.triad.missing
    assert "periods_last_12_months" not in result.not_answered


@pytest.mark.parametrize("status", [None, "unsure"])
def test_unknown_whether_period_questions_apply_is_missing_not_not_applicable(status):
    female = {"sex": "female", "menstrual_applicable": status}
    result = score(female)
    for key in ("delayed_menarche", "oligomenorrhoea"):
        assert (triad_factor(result, key).points, triad_factor(result, key).basis) == (
            None,
            "not answered",
        )
        assert key in result.triad.missing
    assert {"age_first_period", "periods_last_12_months"} <= set(result.not_answered)
    answered = score({**female, "periods_last_12_months": 4})
    assert triad_factor(answered, "oligomenorrhoea").points == 2
    assert "periods_last_12_months" not in answered.not_answered


def test_unknown_period_status_of_a_male_runner_lists_no_period_question():
    result = score({"sex": "male"})
    assert result.triad is None
    assert "periods_last_12_months" not in result.not_answered


def test_version_2026_1_read_an_unanswered_period_status_as_not_applicable():
    """What 2026.2 changed; stored 2026.1 results must keep rescoring the old way."""
    answers = {"sex": "female", "periods_last_12_months": 4}
    old = score(answers, version="2026.1")
    assert (triad_factor(old, "oligomenorrhoea").basis, old.triad.missing) == (
        "not applicable",
        ("low_energy", "low_bmi", "low_bone_density", "stress_fracture"),
    )
    assert "periods_last_12_months" not in old.not_answered
    new = score(answers, version="2026.2")
    assert triad_factor(new, "oligomenorrhoea").points == 2
    assert "delayed_menarche" in new.triad.missing


def test_versions_2026_1_and_2026_2_differ_only_in_the_period_status_and_the_patella_policy():
    old, new = get_ruleset("2026.1"), get_ruleset("2026.2")
    assert set(new.policy) - set(old.policy) == {"patella_high_risk"}
    assert {key: new.policy[key] for key in old.policy} == old.policy
    same = dataclasses.replace(
        old,
        version="2026.2",
        policy=new.policy,
        period_items_unless_no=True,
        policy_site_risk=(("patella", "patella_high_risk"),),
    )
    assert same == new


def test_the_patellas_high_risk_class_is_clinic_policy_reference_section_3():
    default = score({"confirmed_site": "patella"})
    assert default.site.risk == "high"
    assert flag_levels(default) == {"high_risk_site": "urgent"}
    off = score({"confirmed_site": "patella"}, policy={"patella_high_risk": False})
    assert off.site.risk == "low"
    assert off.red_flags == ()
    assert off.policy_used["patella_high_risk"] is False
    triad = score(
        {**FEMALE, "previous_sites": ["patella"]}, policy={"patella_high_risk": False}
    ).triad
    assert triad_factor_of(triad, "stress_fracture").points == 1  # one, at a low-risk site
    assert score({"confirmed_site": "patella"}, version="2026.1").site.risk == "high"
    with pytest.raises(ValueError, match="Unknown policy setting 'patella_high_risk'"):
        score({}, version="2026.1", policy={"patella_high_risk": False})


def triad_factor_of(triad, key):
    return next(factor for factor in triad.factors if factor.key == key)


TRIAD_CUTOFFS = [
    # (factor, answers, points) — rows of the De Souza 2014 table, both sides of each cut-off
    ("low_energy", {"dietary_restriction": "none"}, 0),
    ("low_energy", {"dietary_restriction": "some"}, 1),
    ("low_energy", {"dietary_restriction": "eating_disorder"}, 2),
    ("low_bmi", {"height_cm": 200, "weight_kg": 74}, 0),  # BMI 18.5
    ("low_bmi", {"height_cm": 200, "weight_kg": 73.6}, 1),  # BMI 18.4
    ("low_bmi", {"height_cm": 200, "weight_kg": 70.4}, 1),  # BMI 17.6
    ("low_bmi", {"height_cm": 200, "weight_kg": 70}, 2),  # BMI 17.5
    ("low_bmi", {"weight_loss_pct_month": 4.9}, 0),
    ("low_bmi", {"weight_loss_pct_month": 5}, 1),
    ("low_bmi", {"weight_loss_pct_month": 10}, 2),
    ("low_bmi", {"height_cm": 200, "weight_kg": 80, "weight_loss_pct_month": 10}, 2),
    ("delayed_menarche", {"age_first_period": 14}, 0),
    ("delayed_menarche", {"age_first_period": 15}, 1),
    ("delayed_menarche", {"age_first_period": 16}, 2),
    ("oligomenorrhoea", {"periods_last_12_months": 10}, 0),
    ("oligomenorrhoea", {"periods_last_12_months": 9}, 1),
    ("oligomenorrhoea", {"periods_last_12_months": 6}, 1),
    ("oligomenorrhoea", {"periods_last_12_months": 5}, 2),
    ("low_bone_density", {"bone_density_z": -1.0}, 0),
    ("low_bone_density", {"bone_density_z": -1.5}, 1),
    ("low_bone_density", {"bone_density_z": -2.0}, 2),
    ("stress_fracture", {"previous_stress_fractures": 0}, 0),
    ("stress_fracture", {"previous_sites": ["calcaneus"]}, 1),
    ("stress_fracture", {"previous_stress_fractures": 2}, 2),
    ("stress_fracture", {"previous_sites": ["navicular"]}, 2),  # high-risk site
    ("stress_fracture", {"previous_sites": ["sacrum"]}, 2),  # trabecular site
    (
        "stress_fracture",
        {"imaging_result": "stress_reaction", "confirmed_site": "fibula"},
        1,
    ),
]


@pytest.mark.parametrize(("factor", "answers", "points"), TRIAD_CUTOFFS)
def test_triad_factor_points_de_souza_2014(factor, answers, points):
    result = score({**FEMALE, "age": 25, "bone_density_z": 0, **answers})
    assert triad_factor(result, factor).points == points


TRIAD_TOTALS = [
    ({}, 0, "full"),
    ({"dietary_restriction": "some"}, 1, "full"),
    ({"dietary_restriction": "eating_disorder"}, 2, "provisional"),
    (
        {
            "dietary_restriction": "eating_disorder",
            "periods_last_12_months": 3,
            "bone_density_z": -1.5,
        },
        5,
        "provisional",
    ),
    (
        {
            "dietary_restriction": "eating_disorder",
            "periods_last_12_months": 3,
            "bone_density_z": -2.5,
        },
        6,
        "restricted",
    ),
]


@pytest.mark.parametrize(("answers", "total", "category"), TRIAD_TOTALS)
def test_triad_total_sets_the_clearance_category_de_souza_2014(answers, total, category):
    triad = score({**FEMALE, **answers}, version="2026.2").triad
    assert (triad.total, triad.category) == (total, category)
    # 2026.3 never shows a clearance from missing factors (test_scoring_cases.py)
    latest = score({**FEMALE, **answers}).triad
    assert latest.category == ("restricted" if total >= 6 else "incomplete")


def test_triad_lists_missing_factors_so_the_total_reads_as_a_minimum():
    triad = score({**FEMALE, "dietary_restriction": "none"}).triad
    assert triad.missing == (
        "low_bmi",
        "delayed_menarche",
        "oligomenorrhoea",
        "low_bone_density",
        "stress_fracture",
    )


def test_delayed_menarche_stands_in_for_a_missing_bone_scan_apnm_2020():
    result = score({**FEMALE, "age_first_period": 16})
    factor = triad_factor(result, "low_bone_density")
    assert (factor.points, factor.substituted_from) == (2, "delayed_menarche")
    assert result.triad.substituted == ("low_bone_density",)
    assert result.triad.total == 4
    assert "low_bone_density" not in result.triad.missing


def test_a_real_bone_scan_is_never_substituted():
    result = score({**FEMALE, "age_first_period": 16, "bone_density_z": 0.5})
    assert triad_factor(result, "low_bone_density").points == 0
    assert result.triad.substituted == ()


def test_adult_bmi_cut_offs_do_not_apply_to_adolescents_de_souza_2014():
    answers = {**FEMALE, "height_cm": 160, "weight_kg": 40}  # BMI 15.6
    adolescent = score({**answers, "age": 16}, version="2026.2")
    assert triad_factor(adolescent, "low_bmi").points is None
    assert "low_bmi" in adolescent.triad.missing
    assert "adolescent_bmi" in note_codes(adolescent)
    # 2026.3 weighs adolescents by percent of the median BMI for age (test_scoring_cases.py).
    assert triad_factor(score({**answers, "age": 16}), "low_bmi").points == 2
    adult = score({**answers, "age": 18})
    assert triad_factor(adult, "low_bmi").points == 2
    assert "adolescent_bmi" not in note_codes(adult)


def test_adolescent_weight_loss_still_counts():
    result = score(
        {**FEMALE, "age": 15, "height_cm": 160, "weight_kg": 40, "weight_loss_pct_month": 6},
        version="2026.2",
    )
    assert triad_factor(result, "low_bmi").points == 1


def test_adolescent_age_is_clinic_policy():
    answers = {**FEMALE, "age": 19, "height_cm": 160, "weight_kg": 40}
    result = score(answers, version="2026.2", policy={"adolescent_age_below": 20})
    assert triad_factor(result, "low_bmi").points is None


# --- §3 Sites and imaging -------------------------------------------------------------------


def test_site_choices_follow_the_reference_table():
    trabecular = {site.code for site in SITES if site.trabecular}
    assert trabecular == {"femoral_neck", "pelvis", "sacrum"}
    assert {site.risk for site in SITES} == {"high", "low"}
    assert tuple((site.code, site.label) for site in SITES) == SITE_CHOICES


def test_confirmed_site_is_reported_with_its_risk_and_typical_return_hoenig_2023():
    site = score({"confirmed_site": "navicular"}).site
    assert (site.risk, site.trabecular, site.typical_return_days) == ("high", False, 127)
    assert score({}).site is None


def test_imaging_grade_is_recorded_with_its_description():
    answers = {
        "imaging_modality": "mri",
        "imaging_result": "stress_fracture",
        "imaging_grade_system": "kaeding_miller",
        "imaging_grade": 3,
    }
    imaging = score(answers).imaging
    assert imaging.grade_description == "Non-displaced fracture line"


def test_imaging_grade_beyond_its_systems_scale_is_invalid():
    result = score({"imaging_grade_system": "fredericson", "imaging_grade": 5})
    assert invalid_keys(result) == {"imaging_grade"}
    assert result.imaging.grade is None


# --- The four clinical cases ------------------------------------------------------------------


def test_case_diffuse_inner_shin_pain_after_a_mileage_jump_fits_shin_splints():
    answers = {
        "region": "shin_inner",
        "side": "both",
        "pain_localized": "spread",
        "point_tenderness": "no",
        "pain_on_impact": "no",
        "better_with_rest_returns_running": "yes",
        "change_distance": "yes",
        "weekly_km": [20, 22, 30, 34],
    }
    result = score(answers, version="2026.2")
    assert result.band in ("low", "moderate")
    assert result.red_flags == ()
    assert "shin_splints_fit_better" in note_codes(result)
    note = next(note for note in result.notes if note.code == "shin_splints_fit_better")
    assert note.text.startswith("Shin splints (medial tibial stress syndrome) fit better")


@pytest.mark.parametrize(
    "where",
    [{"confirmed_site": "anterior_tibia"}, {}],
    ids=["confirmed_anterior_tibial_cortex", "region_front_of_shin"],
)
def test_case_focal_front_of_shin_pain_with_painful_hop_is_high_and_urgent(where):
    answers = {
        "region": "shin_front",
        "pain_localized": "one_spot",
        "point_tenderness": "yes",
        "hop_test": "positive",
        **where,
    }
    result = score(answers, version="2026.2")
    assert result.band == "high"
    assert flag_levels(result)["high_risk_site"] == "urgent"
    assert result.priority == "urgent"
    latest = score(answers)
    assert latest.band == "high"
    assert latest.priority == "urgent"


def test_case_metatarsal_shaft_pain_with_swelling_and_tenderness_is_high_without_a_flag():
    answers = {
        "region": "foot_top",
        "pain_localized": "one_spot",
        "swelling": "yes",
        "point_tenderness": "yes",
    }
    for extra in ({}, {"confirmed_site": "metatarsal_shaft_2_4", "bony_tenderness": "positive"}):
        result = score({**answers, **extra})
        assert result.band == "high"
        assert result.red_flags == ()
        assert result.priority == "high"


# --- Answers: invalid values count as not answered ---------------------------------------------

INVALID_ANSWERS = [
    ("pain_now", 11),
    ("pain_now", 5.5),
    ("pain_now", "5"),
    ("pain_now", True),
    ("height_cm", 99),
    ("weight_kg", 251),
    ("weight_kg", float("nan")),
    ("weekly_km", [10, -1]),
    ("weekly_km", [10] * 13),
    ("weekly_km", 40),
    ("region", "moon"),
    ("region", ["shin_front"]),
    ("swelling", "maybe"),
    ("onset_date", "yesterday"),
    ("onset_date", "2026-02-30"),
    ("previous_sites", ["navicular", "elbow"]),
    ("other_injuries", "x" * 2001),
    ("hop_test", {"result": "positive"}),
]


@pytest.mark.parametrize(("key", "value"), INVALID_ANSWERS)
def test_an_unusable_answer_is_listed_as_invalid_and_not_answered(key, value):
    result = score({key: value})
    assert invalid_keys(result) == {key}
    if QUESTIONS[key].kind != "text":
        assert key in result.not_answered


def test_whole_number_floats_are_read_as_whole_numbers():
    result = score({"pain_now": 5.0, "previous_stress_fractures": 1.0})
    assert result.invalid == ()
    assert "bone_health" in flag_levels(result)


def test_unknown_keys_are_listed_and_ignored():
    result = score({"favourite_colour": "blue", 7: "x"})
    assert invalid_keys(result) == {"favourite_colour", "7"}
    assert result.score == 0


def test_answers_that_are_not_a_mapping_score_as_empty():
    result = score(["region", "hip_groin"])
    assert invalid_keys(result) == {"answers"}
    assert len(result.not_answered) == len(score({}).not_answered)


def test_blank_answers_are_not_answered_rather_than_invalid():
    result = score({"region": "", "weekly_km": [], "swelling": None})
    assert result.invalid == ()
    assert {"region", "weekly_km", "swelling"} <= set(result.not_answered)


VALIDATION_MESSAGES = [
    ({"pain_now": 11}, "pain_now", "Pain now must be a whole number from 0 to 10."),
    (
        {"weekly_km": [10, 500]},
        "weekly_km",
        "Weekly distance must be a list of at most 12 numbers, each from 0 to 400 km.",
    ),
    ({"height_cm": 90}, "height_cm", "Height must be a number from 100 to 230 cm."),
    ({"weight_kg": 20}, "weight_kg", "Weight must be a number from 25 to 250 kg."),
    ({"onset_date": "2026-03-02"}, "onset_date", "Start of the pain cannot be in the future."),
    ({"region": "moon"}, "region", "Painful area must be one of the listed options."),
]


@pytest.mark.parametrize(("answers", "key", "message"), VALIDATION_MESSAGES)
def test_validation_messages_are_clear_for_forms(answers, key, message):
    assert validate_answers(answers, today=TODAY) == {key: message}


def test_valid_answers_have_no_validation_messages():
    answers = {"onset_date": "2026-03-01", "pain_now": 0, "weekly_km": [0, 400]}
    assert validate_answers(answers, today=TODAY) == {}


# --- Policy -------------------------------------------------------------------------------------


def test_policy_defaults_are_labelled_clinic_defaults_within_their_bounds():
    for key, setting in POLICY_DEFAULTS.items():
        assert isinstance(setting.value, setting.type), key
        assert "not evidence" in setting.help, key
        if setting.type in (int, float):
            assert setting.min <= setting.value <= setting.max, key


def test_result_records_every_policy_value_it_used():
    defaults = {key: setting.value for key, setting in POLICY_DEFAULTS.items()}
    assert score({}).policy_used == defaults
    assert score({}, policy={"rest_days_min": 2}).policy_used == {**defaults, "rest_days_min": 2}


INVALID_POLICIES = [
    ({"no_such_setting": 1}, "Unknown policy setting 'no_such_setting'"),
    ({"load_spike_pct": "30"}, "must be a whole number from 5 to 200"),
    ({"load_spike_pct": True}, "must be a whole number"),
    ({"load_spike_pct": 2.5}, "must be a whole number"),
    ({"rest_days_min": 8}, "must be a whole number from 0 to 7"),
    ({"high_risk_from_region": 1}, "must be true or false"),
    ({"action_rest_pain": ""}, "must be text of 1 to 500 characters"),
    ({"band_moderate_from": 5, "band_high_from": 5}, "must be lower than 'band_high_from'"),
    (["band_high_from"], "Policy must be a mapping"),
]


@pytest.mark.parametrize(("policy", "message"), INVALID_POLICIES)
def test_invalid_policy_is_rejected_with_a_clear_message(policy, message):
    with pytest.raises(ValueError, match=message):
        score({}, policy=policy)


def test_effective_policy_can_check_a_clinic_form_without_scoring():
    assert effective_policy({"shoe_max_km": 600})["shoe_max_km"] == 600
    with pytest.raises(ValueError):
        effective_policy({"shoe_max_km": 50})


# --- Versioning and reproducibility -------------------------------------------------------------

WORKED_EXAMPLE = {
    "region": "shin_front",
    "side": "left",
    "onset_date": "2026-02-10",
    "pain_localized": "one_spot",
    "pain_on_impact": "yes",
    "point_tenderness": "yes",
    "swelling": "no",
    "no_warm_up_stops_run": "yes",
    "pain_now": 3,
    "pain_worst": 7,
    "weekly_km": [30, 32, 40, 45, 48],
    "change_distance": "yes",
    "longest_recent_run_km": 24,
    "longest_run_previous_30d_km": 18,
    "rest_days_per_week": 0,
    "shoe_age_km": 950,
    "sex": "female",
    "age": 24,
    "height_cm": 168,
    "weight_kg": 51,
    "dietary_restriction": "some",
    "menstrual_applicable": "yes",
    "age_first_period": 15,
    "periods_last_12_months": 7,
    "previous_stress_fractures": 1,
    "previous_sites": ["metatarsal_shaft_2_4"],
}

# The 2026.1 result of WORKED_EXAMPLE (also shown in docs/scoring.md). If this fails, an edit
# changed an existing version: put the change into a new rule-set module instead.
PINNED_2026_1 = {
    "score": 8,
    "band": "high",
    "priority": "urgent",
    "items": [
        ("pain_localized", 2),
        ("pain_on_impact", 2),
        ("point_tenderness", 2),
        ("no_warm_up_stops_run", 1),
        ("training_change", 1),
    ],
    "red_flags": [("high_risk_site", "urgent"), ("bone_health", "refer")],
    "flagged_groups": ["training_load", "recovery", "equipment", "nutrition_energy", "history"],
    "triad": (6, "restricted"),
    "measures": {"bmi": 18.1, "load_change_pct": 37.1},
}


def test_version_2026_1_result_is_pinned():
    result = score(WORKED_EXAMPLE, version="2026.1").to_dict()
    summary = {
        "score": result["score"],
        "band": result["band"],
        "priority": result["priority"],
        "items": [(item["key"], item["points"]) for item in result["items"]],
        "red_flags": [(flag["code"], flag["level"]) for flag in result["red_flags"]],
        "flagged_groups": [group["group"] for group in result["risk_profile"] if group["flagged"]],
        "triad": (result["triad"]["total"], result["triad"]["category"]),
        "measures": result["measures"],
    }
    assert summary == PINNED_2026_1


def test_rescoring_with_the_stored_version_and_policy_reproduces_the_stored_result():
    stored = json.loads(json.dumps(score(WORKED_EXAMPLE, policy={"load_spike_pct": 25}).to_dict()))
    answers = json.loads(json.dumps(WORKED_EXAMPLE))
    rescored = score(answers, version=stored["version"], policy=stored["policy_used"])
    assert rescored.to_dict() == stored


def test_docs_worked_example_is_the_engines_exact_output():
    docs = Path(__file__).resolve().parents[2] / "docs" / "scoring.md"
    example = docs.read_text(encoding="utf-8").split("## Worked example", 1)[1]
    answers, printed = (
        json.loads(block.split("```")[0]) for block in example.split("```json")[1:3]
    )
    assert answers == WORKED_EXAMPLE
    assert score(answers, version=printed["version"]).to_dict() == printed


def test_a_later_version_leaves_results_of_the_old_version_unchanged(monkeypatch):
    old = score(WORKED_EXAMPLE, version="2026.1").to_dict()
    stricter = {
        **RULESET.policy,
        "band_high_from": dataclasses.replace(RULESET.policy["band_high_from"], value=20),
    }
    later = dataclasses.replace(RULESET, version="2099.1", policy=stricter)
    monkeypatch.setitem(rulesets.RULESETS, "2099.1", later)
    assert score(WORKED_EXAMPLE, version="2099.1").band == "moderate"
    assert score(WORKED_EXAMPLE, version="2026.1").to_dict() == old


def test_result_records_its_version_and_the_latest_is_the_default():
    assert score({}).version == LATEST_VERSION == "2026.3"


@pytest.mark.parametrize("version", ["1999.1", 2026.1, ""])
def test_unknown_version_is_rejected(version):
    with pytest.raises(ValueError, match="Unknown rule-set version"):
        score({}, version=version)


def test_result_carries_the_decision_support_disclaimer():
    disclaimer = score({}).disclaimer
    assert "not a diagnosis" in disclaimer
    assert "MRI is the reference standard" in disclaimer


# --- The rule set is consistent data --------------------------------------------------------------


def _all_conditions(ruleset):
    for rule in (*ruleset.items, *ruleset.notes):
        yield from rule.all_of
    for flag in ruleset.red_flags:
        for group in flag.any_of:
            yield from group
    for group in ruleset.risk_groups:
        for factor in group.factors:
            yield from factor.all_of


@pytest.mark.parametrize("version", sorted(rulesets.RULESETS))
def test_every_rule_condition_names_a_known_fact(version):
    ruleset = get_ruleset(version)
    known = {question.key for question in ruleset.questions} | set(DERIVED_FACTS)
    assert {condition.fact for condition in _all_conditions(ruleset)} <= known


@pytest.mark.parametrize("version", sorted(rulesets.RULESETS))
def test_every_action_and_evidence_reference_resolves(version):
    ruleset = get_ruleset(version)
    actions = dict(ruleset.plan_actions)
    for group in ruleset.risk_groups:
        assert set(group.questions) <= {question.key for question in ruleset.questions}
        for factor in group.factors:
            assert set(factor.actions) <= set(actions)
            assert factor.evidence[:2] in ("A:", "B:", "C:", "D:", "Po")
    for flag in ruleset.red_flags:
        assert flag.action_policy_key in ruleset.policy
        assert flag.level in ("urgent", "expedite", "refer")
    for rule in (*ruleset.items, *ruleset.notes):
        assert rule.evidence[:2] in ("A:", "B:", "C:", "D:")


def test_exported_choice_lists_are_value_label_pairs_for_forms():
    assert ("shin_front", "Front of the shin, on the sharp front edge of the shinbone") in REGIONS
    for question in QUESTIONS.values():
        assert all(
            isinstance(code, str) and isinstance(label, str) for code, label in question.choices
        )
    assert [code for code, _ in BANDS] == ["low", "moderate", "high"]
    assert PRIORITIES == ("urgent", "expedite", "refer", "high", "moderate", "low")
    assert set(PLAN_ACTIONS) == {code for code, _ in RULESET.plan_actions}


def test_the_engine_imports_no_django():
    code = (
        "import sys, intake.scoring; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)  # noqa: S603 (our own code)


# --- Fuzzing: score never raises, is JSON-ready and deterministic ---------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def plausible(question):
    """Values a real form could send for `question`, so that fuzzing reaches the rules."""
    codes = sorted(question.choice_codes)
    if question.kind == "yes_no":
        return st.sampled_from(codes) | st.booleans()
    if question.kind == "choice":
        return st.sampled_from(codes)
    if question.kind == "choice_list":
        return st.lists(st.sampled_from(codes), max_size=3)
    if question.kind == "int":
        return st.integers(int(question.min), int(question.max))
    if question.kind == "number":
        return st.floats(question.min, question.max) | st.integers(question.min, question.max)
    if question.kind == "number_list":
        return st.lists(st.floats(question.min, question.max), max_size=question.max_items)
    if question.kind == "date":
        return st.dates().map(dt.date.isoformat)
    return st.text(max_size=20)


def intake_answers(exclude=()):
    optional = {
        key: plausible(question) | json_values
        for key, question in QUESTIONS.items()
        if key not in exclude
    }
    return st.fixed_dictionaries({}, optional=optional)


def assert_well_formed(result):
    data = result.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert result.score == max(0, sum(item.points for item in result.items))
    assert result.priority in PRIORITIES
    if result.red_flags:
        assert result.priority == result.red_flags[0].level
    else:
        assert result.priority == result.band


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.dictionaries(st.text(max_size=30), json_values, max_size=8))
def test_score_never_raises_on_arbitrary_json_objects(answers):
    assert_well_formed(score(answers))


@FUZZ
@given(intake_answers())
def test_score_never_raises_on_real_keys_with_any_values(answers):
    assert_well_formed(score(answers))
    validate_answers(answers, today=TODAY)


@FUZZ
@given(intake_answers())
def test_score_is_deterministic(answers):
    first = json.dumps(score(answers).to_dict())
    assert json.dumps(score(copy.deepcopy(answers)).to_dict()) == first


@FUZZ
@given(intake_answers(exclude={"region", "pain_on_impact", "hip_internal_rotation_pain"}))
def test_case_groin_pain_running_with_painful_hip_rotation_is_urgent_whatever_else(others):
    answers = {
        **others,
        "region": "hip_groin",
        "pain_on_impact": "yes",
        "hip_internal_rotation_pain": "positive",
    }
    result = score(answers)
    assert flag_levels(result)["femoral_neck"] == "urgent"
    assert result.priority == "urgent"


# --- The management command ---------------------------------------------------------------------


def run_command(*args, **options) -> dict:
    out = io.StringIO()
    call_command(Command(), *args, stdout=out, **options)
    return json.loads(out.getvalue())


def test_command_prints_the_result_as_json(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(WORKED_EXAMPLE))
    assert run_command(str(path)) == score(WORKED_EXAMPLE).to_dict()
    assert (
        run_command(str(path), version="2026.1")
        == score(WORKED_EXAMPLE, version="2026.1").to_dict()
    )


def test_command_applies_a_policy_file(tmp_path):
    answers, policy = tmp_path / "answers.json", tmp_path / "policy.json"
    answers.write_text(json.dumps({"weekly_km": [20, 20, 25, 25]}))
    policy.write_text(json.dumps({"load_spike_pct": 20}))
    assert run_command(str(answers), policy=str(policy))["policy_used"]["load_spike_pct"] == 20


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not valid JSON"), ("[1, 2]", "must hold one JSON object")],
)
def test_command_rejects_invalid_json(tmp_path, content, message):
    path = tmp_path / "answers.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run_command(str(path))


def test_command_rejects_a_missing_file_and_an_unknown_version(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_command(str(tmp_path / "missing.json"))
    path = tmp_path / "answers.json"
    path.write_text("{}")
    with pytest.raises(CommandError, match="Unknown rule-set version"):
        run_command(str(path), version="1999.1")
