"""Worked cases for rule set 2026.3, scored as the queue sees them: mostly from the runner's answers
alone, before any examination. Each row asserts the red flags with their levels, the band and the
notes; the thresholds are tested on each side. Reference rows: bsi-reference.md §1–§4.

Plain pytest, no database.
"""

import pytest

from intake.scoring import score

F = {"sex": "female", "menstrual_applicable": "yes", "age": 24}
M = {"sex": "male", "menstrual_applicable": "no", "age": 30}
TEEN = {"sex": "female", "menstrual_applicable": "yes", "age": 16, "height_cm": 165}
FOCAL = {"pain_localized": "one_spot", "pain_on_impact": "yes"}
URGENT_SPOT = {"possible_high_risk_site_urgent": "urgent"}
EXPEDITE_SPOT = {"possible_high_risk_site": "expedite"}
FEMORAL_NECK = {"femoral_neck": "urgent"}
REST = {"rest_or_walking_pain": "expedite"}
BONE_HEALTH = {"bone_health": "refer"}
SHIN_SPLINTS = {"shin_splints_fit_better"}

# (id, answers, red flags {code: level}, band, note codes)
CASES = [
    # §1/§3: every high-risk site reported by the runner's spot alone, no examination
    (
        "inner ankle bone: medial malleolus",
        {"region": "ankle_inner", **FOCAL},
        URGENT_SPOT,
        "moderate",
        set(),
    ),
    (
        "top of the midfoot: navicular",
        {"region": "foot_top_midfoot", **FOCAL},
        URGENT_SPOT,
        "moderate",
        set(),
    ),
    (
        "outer edge half-way: 5th metatarsal",
        {"region": "foot_outer_base5", "point_tenderness": "yes"},
        URGENT_SPOT,
        "low",
        set(),
    ),
    (
        "under the big-toe joint: sesamoids",
        {"region": "big_toe_under", **FOCAL},
        URGENT_SPOT,
        "moderate",
        set(),
    ),
    (
        "front of the shin: anterior tibia",
        {"region": "shin_front", **FOCAL},
        URGENT_SPOT,
        "moderate",
        set(),
    ),
    (
        "front of the knee: patella (policy)",
        {"region": "knee_front", **FOCAL},
        EXPEDITE_SPOT,
        "moderate",
        set(),
    ),
    (
        "deep outer ankle: talus",
        {"region": "ankle_talus", **FOCAL},
        EXPEDITE_SPOT,
        "moderate",
        set(),
    ),
    (
        "focality not answered: expedite",
        {"region": "ankle_inner", "pain_localized": "unsure"},
        EXPEDITE_SPOT,
        "low",
        set(),
    ),
    (
        "spread and not tender: no flag",
        {"region": "ankle_inner", "pain_localized": "spread", "point_tenderness": "no"},
        {},
        "low",
        set(),
    ),
    (
        "a confirmed site replaces the guess",
        {"region": "ankle_inner", **FOCAL, "confirmed_site": "fibula"},
        {},
        "moderate",
        set(),
    ),
    (
        "confirmed high-risk site",
        {"region": "ankle_inner", **FOCAL, "confirmed_site": "medial_malleolus"},
        {"high_risk_site": "urgent"},
        "moderate",
        set(),
    ),
    (
        "N-spot positive: navicular",
        {"region": "foot_top", "n_spot_tenderness": "positive"},
        URGENT_SPOT,
        "moderate",
        set(),
    ),
    ("low-risk spot: no flag", {"region": "ball_of_foot", **FOCAL}, {}, "moderate", set()),
    # §2: femoral neck through each route
    (
        "hip rotation positive, thigh picked",
        {"region": "thigh", "hip_internal_rotation_pain": "positive"},
        FEMORAL_NECK,
        "low",
        set(),
    ),
    ("groin pain with a limp", {"region": "hip_groin", "limp": "yes"}, FEMORAL_NECK, "low", set()),
    (
        "groin pain too, painful hop",
        {"region": "thigh", "groin_pain_also": "yes", "hop_test": "positive"},
        FEMORAL_NECK,
        "low",
        set(),
    ),
    (
        "groin pain at night",
        {"region": "hip_groin", "pain_at_rest_or_night": "yes"},
        {**FEMORAL_NECK, **REST},
        "moderate",
        set(),
    ),
    (
        "groin pain too, on stairs",
        {"region": "buttock_low_back", "groin_pain_also": "yes", "pain_stairs_hills": "yes"},
        FEMORAL_NECK,
        "low",
        set(),
    ),
    (
        "groin pain without a loading sign",
        {"region": "hip_groin", "limp": "no", "pain_on_impact": "no"},
        {},
        "low",
        set(),
    ),
    (
        "no groin pain, limp",
        {"region": "thigh", "groin_pain_also": "no", "limp": "yes"},
        {},
        "low",
        set(),
    ),
    # §1/§2: late-stage signs lift the band (0, 1, 2 signs)
    (
        "no late-stage sign",
        {"region": "thigh", "pain_at_rest_or_night": "no", "pain_walking": "no"},
        {},
        "low",
        set(),
    ),
    ("one late-stage sign", {"region": "thigh", "pain_walking": "yes"}, REST, "moderate", set()),
    (
        "both late-stage signs",
        {"region": "thigh", "pain_at_rest_or_night": "yes", "pain_walking": "yes"},
        REST,
        "high",
        set(),
    ),
    # §1: shin splints vs bone (3 agreeing signs needed; tenderness unanswered)
    (
        "shin splints: three signs agree",
        {
            "region": "shin_inner",
            "pain_localized": "spread",
            "pain_eases_warm_up": "yes",
            "swelling": "no",
            "pain_on_impact": "yes",
            "change_distance": "yes",
        },
        {},
        "low",
        SHIN_SPLINTS,
    ),
    (
        "shin splints: only two signs",
        {
            "region": "shin_inner",
            "pain_localized": "spread",
            "pain_eases_warm_up": "no",
            "swelling": "no",
            "pain_on_impact": "yes",
            "change_distance": "yes",
        },
        {},
        "moderate",
        set(),
    ),
    (
        "whole shin, pain-free hop, no swelling",
        {"region": "shin_whole", "hop_test": "negative", "swelling": "no", "pain_on_impact": "yes"},
        {},
        "low",
        SHIN_SPLINTS,
    ),
    (
        "shin splints contradicted: builds till stop",
        {
            "region": "shin_inner",
            "pain_localized": "spread",
            "pain_eases_warm_up": "yes",
            "swelling": "no",
            "no_warm_up_stops_run": "yes",
        },
        {},
        "low",
        set(),
    ),
    # §1: heel and the calcaneal squeeze
    (
        "heel, painful squeeze",
        {"region": "heel", "calcaneal_squeeze": "positive"},
        {},
        "moderate",
        set(),
    ),
    (
        "heel, squeeze negative",
        {"region": "heel", "calcaneal_squeeze": "negative"},
        {},
        "low",
        set(),
    ),
    (
        "heel, focal, painful squeeze",
        {"region": "heel", **FOCAL, "calcaneal_squeeze": "positive"},
        {},
        "high",
        set(),
    ),
    (
        "thigh, positive fulcrum",
        {"region": "thigh", "fulcrum_test": "positive"},
        {},
        "moderate",
        set(),
    ),
    # §4: REDs referral
    (
        "man, REDs orange: bone-health referral",
        {
            **M,
            "previous_bsi_2_years": 2,
            "previous_stress_fractures": 2,
            "testosterone": "lowest_quartile",
        },
        BONE_HEALTH,
        "low",
        set(),
    ),
    (
        "woman, 5 months without a period, low BMD",
        {**F, "months_since_last_period": 5, "bone_density_z": -1.2},
        BONE_HEALTH,
        "low",
        {"current_amenorrhoea"},
    ),
]


@pytest.mark.parametrize(
    ("answers", "flags", "band", "notes"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_worked_case(answers, flags, band, notes):
    result = score(answers)
    assert {flag.code: flag.level for flag in result.red_flags} == flags
    assert result.band == band
    assert {note.code for note in result.notes} == notes
    assert result.priority == (result.red_flags[0].level if flags else band)


def test_there_are_at_least_30_worked_cases():
    assert len(CASES) >= 30


def test_the_possible_site_names_the_bone_and_the_policy_can_switch_it_off():
    answers = {"region": "foot_outer_base5", **FOCAL}
    (flag,) = score(answers).red_flags
    assert flag.matched == (
        "possible_high_risk_level=urgent",
        "possible_high_risk_site=fifth_metatarsal_proximal",
    )
    assert "confirm at examination" in flag.title
    assert score(answers, policy={"high_risk_from_region": False}).red_flags == ()
    kneecap = {"region": "knee_front", **FOCAL}
    assert score(kneecap, policy={"patella_high_risk": False}).red_flags == ()


def test_a_late_stage_runner_is_no_longer_low_suspicion_under_an_expedite_flag():
    answers = {"pain_at_rest_or_night": "yes", "pain_walking": "yes"}
    assert score(answers, version="2026.2").band == "low"
    latest = score(answers)
    assert (latest.band, latest.priority) == ("high", "expedite")
    assert [floor.code for floor in latest.band_floors] == ["late_stage", "late_stage_both"]


def test_old_versions_results_carry_no_new_keys():
    assert "reds" not in score({}, version="2026.2").to_dict()
    assert "reds" in score({}).to_dict()


# --- Triad (§4 and its additions) ---------------------------------------------------------------


def triad_factor(result, key):
    return next(factor for factor in result.triad.factors if factor.key == key)


def test_triad_with_every_factor_missing_is_incomplete_never_a_clearance():
    triad = score(F).triad
    assert triad.category == "incomplete"
    assert triad.category_label == "Incomplete (0 of 6 factors known)"
    assert score(F, version="2026.2").triad.category_label == "Full clearance"


def test_triad_with_all_six_known_gives_its_clearance():
    answers = {
        **F, "dietary_restriction": "none", "height_cm": 165, "weight_kg": 58,
        "age_first_period": 13, "periods_last_12_months": 12, "months_since_last_period": 0,
        "bone_density_z": 0.2, "previous_stress_fractures": 0,
    }  # fmt: skip
    assert score(answers).triad.category_label == "Full clearance"


def test_incomplete_triad_says_how_bad_it_already_is():
    triad = score({**F, "dietary_restriction": "some", "bone_density_z": -1.5}).triad
    assert triad.category_label == (
        "Incomplete (2 of 6 factors known); no better than provisional or limited clearance"
    )
    restricted = {**F, "dietary_restriction": "eating_disorder", "periods_last_12_months": 3}
    restricted["bone_density_z"] = -2.5
    assert score(restricted).triad.category == "restricted"  # supported whatever is missing


@pytest.mark.parametrize(
    ("weight_kg", "points"),
    [(48, 2), (49, 1), (51, 1), (51.2, 0)],
    ids=["84pct", "86pct", "89.7pct", "90.2pct"],
)
def test_adolescent_weight_is_percent_of_median_bmi_for_age_each_side_of_85_and_90(
    weight_kg, points
):
    result = score({**TEEN, "weight_kg": weight_kg})
    assert triad_factor(result, "low_bmi").points == points
    assert "% of the median for age and sex" in triad_factor(result, "low_bmi").basis
    assert "adolescent_bmi" in {note.code for note in result.notes}
    assert result.triad.category == "incomplete"


def test_an_adult_keeps_the_absolute_bmi_cut_offs():
    result = score({**TEEN, "age": 18, "weight_kg": 48})  # BMI 17.6
    assert triad_factor(result, "low_bmi").points == 1
    assert result.measures["percent_median_bmi"] is None


@pytest.mark.parametrize(("months", "points"), [(2, 0), (3, 2)])
def test_current_amenorrhoea_scores_two_whatever_the_12_month_count(months, points):
    result = score({**F, "periods_last_12_months": 11, "months_since_last_period": months})
    assert triad_factor(result, "oligomenorrhoea").points == points


# --- IOC REDs CAT2 for every runner (§4) --------------------------------------------------------

MAN_ALL_KNOWN = {
    **M, "previous_stress_fractures": 0, "testosterone": "normal", "t3_low": "no",
    "bone_density_z": 0.0, "dietary_restriction": "none", "edeq_global": 0.5,
}  # fmt: skip
WOMAN_ALL_KNOWN = {
    **F, "age_first_period": 13, "months_since_last_period": 0, "periods_last_12_months": 12,
    "t3_low": "no", "previous_stress_fractures": 0, "bone_density_z": 0.1,
    "dietary_restriction": "none", "edeq_global": 1.0,
}  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "light", "refer"),
    [
        (MAN_ALL_KNOWN, "green", False),
        ({**MAN_ALL_KNOWN, "t3_low": "yes"}, "yellow", False),  # 1 primary
        ({**MAN_ALL_KNOWN, "testosterone": "below_range"}, "orange", True),  # severe = 2
        ({**MAN_ALL_KNOWN, "testosterone": "lowest_quartile", "t3_low": "yes"}, "orange", True),
        ({**MAN_ALL_KNOWN, "testosterone": "below_range", "t3_low": "yes"}, "orange", True),  # 3
        (
            {
                **MAN_ALL_KNOWN,
                "testosterone": "below_range",
                "t3_low": "yes",
                "bone_density_z": -1.1,
            },
            "red",
            True,
        ),  # 4
        ({**MAN_ALL_KNOWN, "edeq_global": 1.68}, "green", False),
        ({**MAN_ALL_KNOWN, "edeq_global": 1.69}, "yellow", False),
        (WOMAN_ALL_KNOWN, "green", False),
        ({**WOMAN_ALL_KNOWN, "edeq_global": 2.30}, "green", False),
        ({**WOMAN_ALL_KNOWN, "edeq_global": 2.31}, "yellow", False),
        ({**WOMAN_ALL_KNOWN, "periods_last_12_months": 8}, "green", False),  # 1 secondary
        (
            {
                **WOMAN_ALL_KNOWN,
                "periods_last_12_months": 8,
                "previous_stress_fractures": 1,
                "previous_bsi_2_years": 1,
                "months_out_bsi_2_years": 2,
            },
            "yellow",
            False,
        ),  # 2 secondary
        ({**WOMAN_ALL_KNOWN, "months_since_last_period": 11}, "yellow", False),
        ({**WOMAN_ALL_KNOWN, "months_since_last_period": 12}, "orange", True),  # severe
        (
            {
                **WOMAN_ALL_KNOWN,
                "months_since_last_period": 14,
                "bone_density_z": -1.5,
                "t3_low": "yes",
            },
            "red",
            True,
        ),
    ],
)
def test_reds_cat2_light_for_men_and_women_each_side_of_its_thresholds(answers, light, refer):
    reds = score(answers).reds
    assert reds.complete
    assert (reds.light, reds.refer) == (light, refer)
    if refer:
        assert "bone_health" in {flag.code for flag in score(answers).red_flags}


def test_reds_is_incomplete_while_indicators_are_unknown_and_never_green_from_missing_data():
    reds = score(M).reds
    assert (reds.light, reds.at_least, reds.complete) == ("incomplete", None, False)
    assert reds.light_label == "Incomplete (0 of 7 indicators known)"
    assert "testosterone_low" in reds.unknown


def test_known_indicators_already_refer_a_man_before_the_labs_come_back():
    answers = {
        **M,
        "previous_stress_fractures": 2,
        "previous_bsi_2_years": 2,
        "previous_sites": ["femoral_neck"],
        "dietary_restriction": "eating_disorder",
    }
    result = score(answers)
    assert (result.reds.light, result.reds.at_least) == ("incomplete", "orange")
    assert result.reds.refer
    assert {flag.code for flag in result.red_flags} == {"bone_health"}


def test_women_and_men_see_their_own_indicators():
    women = {i.key for i in score(F).reds.indicators}
    men = {i.key for i in score(M).reds.indicators}
    assert "amenorrhoea_severe" in women and "testosterone_low" not in women
    assert "testosterone_low" in men and "amenorrhoea_severe" not in men
    assert score(F).triad is not None and score(M).triad is None


# --- Training: a typical week before the change (§4, policy window) ----------------------------


@pytest.mark.parametrize(
    ("answers", "spike"),
    [
        ({"km_before_change": 40, "km_now": 65, "weeks_since_change": 3}, True),
        ({"km_before_change": 40, "km_now": 52, "weeks_since_change": 3}, False),  # 30%
        ({"km_before_change": 40, "km_now": 52.4, "weeks_since_change": 3}, True),  # 31%
        ({"km_before_change": 40, "km_now": 65, "weeks_since_change": 8}, True),
        ({"km_before_change": 40, "km_now": 65, "weeks_since_change": 9}, None),
    ],
)
def test_typical_week_before_the_change_stands_in_for_week_by_week_distances(answers, spike):
    result = score(answers)
    training = next(group for group in result.risk_profile if group.group == "training_load")
    assert ("Weekly distance rose" in " ".join(training.reasons)) is bool(spike)


@pytest.mark.parametrize(("shoe", "flagged"), [("carbon_plate", True), ("standard", False)])
def test_minimalist_or_carbon_plate_shoes_ask_for_a_footwear_check_policy(shoe, flagged):
    equipment = next(g for g in score({"shoe_type": shoe}).risk_profile if g.group == "equipment")
    assert equipment.flagged is flagged
