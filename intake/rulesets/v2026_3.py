"""Rule set 2026.3: red flags before the examination (issue 17). Frozen once released.

Built on 2026.2; what changed, each traced to the clinical reference (bsi-reference.md):

1. A two-step region picker (area, then the exact spot) precise enough to hold one bone where
   possible (§1, "what the runner can tell"). A focal complaint at a spot that holds a high-risk
   site (§3) raises "possible high-risk site — confirm at examination" (§1 policy: at least
   expedite; urgent where the spot names one bone); the therapist's confirmed site replaces it.
2. The femoral-neck flag through every route (§2): a positive hip internal-rotation/FADIR test
   whatever the region, or groin/deep-hip pain with a loading sign, a limp, a painful hop, or pain
   at rest or at night.
3. Late-stage signs (pain at rest, at night or with walking, §1 and §2) lift the band.
4. The shin-splint picture from §1's differentiating signs together lowers the band.
5. Site provocation tests (§1 further site tests) with their evidence grade.
6. The Triad reads "incomplete (k of 6 factors known)"; adolescents are weighed by percent of the
   median BMI-for-age (§4 additions); "months since your last period".
7. The IOC REDs CAT2 rating for every runner (§4), with the bone-health referral.
8. Questionnaire gaps: calf, whole shin, shoe type, typical week before the change, stairs/hills.
"""

import dataclasses

from intake.rulesets import v2026_1, v2026_2
from intake.rulesets.schema import (
    BandFloor,
    Cutoff,
    HighRiskSpot,
    ItemRule,
    NoteRule,
    PolicySetting,
    Question,
    RedFlagRule,
    RedsIndicator,
    RedsLight,
    RedsTables,
    RiskFactorRule,
    RiskGroup,
    when,
)

VERSION = "2026.3"

# --- The two-step region picker (§1, §3) ------------------------------------------------------

AREAS = (
    ("hip", "Hip, groin or buttock"),
    ("thigh", "Thigh"),
    ("knee", "Knee"),
    ("lower_leg", "Lower leg: shin or calf"),
    ("ankle", "Ankle"),
    ("foot", "Foot"),
    ("other", "Somewhere else"),
)

# (code, plain words, area). Codes of 2026.1 keep their meaning so old answers still read.
SPOTS = (
    ("hip_groin", "Groin, front of the hip or deep in the hip", "hip"),
    ("hip_outer", "Outer side of the hip (the bony point you lie on)", "hip"),
    ("buttock_low_back", "Buttock or lower back", "hip"),
    ("thigh", "Thigh", "thigh"),
    ("knee_front", "Front of the knee, on the kneecap itself", "knee"),
    ("knee", "Elsewhere around the knee", "knee"),
    ("shin_front", "Front of the shin, on the sharp front edge of the shinbone", "lower_leg"),
    ("shin_inner", "Inner edge of the shin", "lower_leg"),
    ("shin_whole", "All along the shin, over a long stretch", "lower_leg"),
    ("shin_outer", "Outer side of the lower leg", "lower_leg"),
    ("calf", "Calf or back of the lower leg", "lower_leg"),
    ("ankle_inner", "Inner ankle bone (the bump on the inside of the ankle)", "ankle"),
    ("ankle_outer", "Outer ankle bone (the bump on the outside of the ankle)", "ankle"),
    ("ankle_talus", "Deep in the ankle, just below and in front of the outer ankle bone", "ankle"),
    ("foot_top_midfoot", "Top of the midfoot: the bony bump in line with the inner ankle", "foot"),
    ("foot_top", "Top of the foot, nearer the toes", "foot"),
    ("foot_inner", "Inner side of the foot (arch)", "foot"),
    ("foot_outer_base5", "Outer edge of the foot, half-way along (the bony bump there)", "foot"),
    ("foot_outer", "Outer edge of the foot, elsewhere", "foot"),
    ("big_toe_under", "Under the big-toe joint (ball of the foot, big-toe side)", "foot"),
    ("ball_of_foot", "Ball of the foot, under the smaller toes", "foot"),
    ("heel", "Heel", "foot"),
    ("other", "Somewhere else", "other"),
)

REGION_AREAS = tuple(
    (area, label, tuple(code for code, _, spot_area in SPOTS if spot_area == area))
    for area, label in AREAS
)

# §1: "a region precise enough to hold one bone where possible" — the reference names five spots
# that hold one bone (urgent, like the front of the shin in 2026.1). The kneecap's high-risk class
# is policy (§3) and the deep ankle spot holds more than the talus: expedite (§1 policy minimum).
HIGH_RISK_SPOTS = (
    HighRiskSpot("shin_front", "anterior_tibia", "urgent"),
    HighRiskSpot("ankle_inner", "medial_malleolus", "urgent"),
    HighRiskSpot("foot_top_midfoot", "navicular", "urgent"),
    HighRiskSpot("foot_outer_base5", "fifth_metatarsal_proximal", "urgent"),
    HighRiskSpot("big_toe_under", "sesamoids", "urgent"),
    HighRiskSpot("knee_front", "patella", "expedite"),
    HighRiskSpot("ankle_talus", "talus_lateral_process", "expedite"),
)

SHOE_TYPES = (
    ("standard", "Standard running shoes"),
    ("maximal", "Maximal cushioning (very thick soles)"),
    ("carbon_plate", "Carbon-plate or 'super' shoes"),
    ("minimalist", "Minimalist or barefoot shoes"),
    ("spikes_flats", "Racing flats or spikes"),
    ("other", "Other or a mix"),
)

TESTOSTERONE = (
    ("below_range", "Below the reference range"),
    ("lowest_quartile", "In the lowest quarter of the reference range"),
    ("normal", "Higher in the range"),
)

YES_NO_UNSURE = v2026_1.YES_NO_UNSURE
TEST_RESULTS = v2026_1.TEST_RESULTS


def _yes_no(key, step, label, question, **extra) -> Question:
    return Question(key, "yes_no", step, label, question, YES_NO_UNSURE, **extra)


def _test(key, label, question, help_text) -> Question:
    return Question(key, "choice", "therapist", label, question, TEST_RESULTS, help=help_text)


# --- Questions ----------------------------------------------------------------------------------

_CHANGED = {
    "region": dataclasses.replace(
        v2026_1.QUESTIONS[0],
        question="Point to the exact spot: where does it hurt most?",
        choices=tuple((code, label) for code, label, _ in SPOTS),
    ),
    "hop_test": dataclasses.replace(
        next(q for q in v2026_1.QUESTIONS if q.key == "hop_test"),
        help="Tibia. Evidence B (Milgrom 2021): sensitivity 100%, specificity 45%; a negative hop "
        "makes a tibial BSI less likely, a positive one is not proof.",
    ),
    "fulcrum_test": dataclasses.replace(
        next(q for q in v2026_1.QUESTIONS if q.key == "fulcrum_test"),
        help="Femoral shaft. Evidence B (Reiman 2015): sensitivity 88–93%, specificity 13–75%.",
    ),
    "hip_internal_rotation_pain": dataclasses.replace(
        next(q for q in v2026_1.QUESTIONS if q.key == "hip_internal_rotation_pain"),
        label="Hip internal rotation / FADIR pain",
        question="Groin pain on hip internal rotation or FADIR, log roll or hop",
        help="Femoral neck screen. Evidence C (StatPearls): a positive test raises the urgent "
        "femoral-neck flag whatever region the runner chose.",
    ),
    "bony_tenderness": dataclasses.replace(
        next(q for q in v2026_1.QUESTIONS if q.key == "bony_tenderness"),
        help="Evidence C (Knobloch 2025): the most important finding where the bone can be felt; "
        "femoral neck, pelvis and sacrum are too deep to press on.",
    ),
}

_AREA = Question(
    "area", "choice", "pain", "Painful area", "Which part of the leg or foot hurts?", AREAS
)

_AFTER = {
    "pain_walking": (
        _yes_no(
            "groin_pain_also",
            "pain",
            "Groin or deep hip pain",
            "Do you also have pain in the groin, at the front of the hip or deep in the hip?",
        ),
        _yes_no(
            "pain_stairs_hills",
            "pain",
            "Pain on stairs or hills",
            "Does it hurt going up or down stairs or hills?",
        ),
        _yes_no(
            "pain_eases_warm_up",
            "pain",
            "Eases as the run warms up",
            "During a run, does the pain ease once you have warmed up?",
        ),
    ),
    "weekly_km": (
        Question(
            "km_before_change",
            "number",
            "training",
            "Typical week before the change",
            "Or, if that is easier: how far did you run in a typical week before your training "
            "changed?",
            min=0,
            max=400,
            unit=" km",
        ),
        Question(
            "km_now",
            "number",
            "training",
            "Typical week now",
            "And how far in a typical week now?",
            min=0,
            max=400,
            unit=" km",
        ),
        Question(
            "weeks_since_change",
            "int",
            "training",
            "Weeks since the change",
            "How many weeks ago did it change?",
            min=0,
            max=52,
            unit=" weeks",
        ),
    ),
    "orthoses": (
        Question(
            "shoe_type",
            "choice",
            "equipment",
            "Shoe type",
            "What kind of shoes do you run in?",
            SHOE_TYPES,
        ),
    ),
    "previous_sites": (
        Question(
            "previous_bsi_2_years",
            "int",
            "history",
            "Stress injuries in the last 2 years",
            "How many of them were in the last 2 years?",
            min=0,
            max=20,
        ),
        Question(
            "months_out_bsi_2_years",
            "int",
            "history",
            "Months out of training for them",
            "In the last 2 years, how many months in all could you not train because of them?",
            min=0,
            max=24,
            unit=" months",
        ),
    ),
    "periods_last_12_months": (
        Question(
            "months_since_last_period",
            "int",
            "body",
            "Months since the last period",
            "How many months is it since your last period? (0 if you had one this month)",
            min=0,
            max=60,
            unit=" months",
            menstrual=True,
        ),
    ),
    "fulcrum_test": (
        _test(
            "calcaneal_squeeze",
            "Calcaneal squeeze",
            "Squeezing the heel from both sides behind the talus reproduces the pain",
            "Calcaneus. Evidence C: a common sign in BSI reviews; its accuracy is not studied, so "
            "a positive test raises suspicion and a negative one rules nothing out.",
        ),
        _test(
            "n_spot_tenderness",
            "Navicular N-spot",
            "Tenderness over the dorsal proximal navicular (the N-spot)",
            "Navicular, a high-risk site. Evidence C (Khan, Brukner et al. 1992–94); accuracy not "
            "studied. Positive: urgent possible high-risk site until imaging.",
        ),
        _test(
            "tuning_fork",
            "Tuning fork (128 Hz)",
            "128 Hz tuning fork on the bare bone reproduces the pain",
            "Record only. Evidence A (Mugunthan 2014): too unreliable for routine use; it does not "
            "change the score.",
        ),
    ),
    "cannot_hop_or_bear_weight": (
        Question(
            "testosterone",
            "choice",
            "therapist",
            "Testosterone (men)",
            "Testosterone, from the physician's results (men)",
            TESTOSTERONE,
            help="REDs CAT2 (A, Stellingwerff 2023): below range is a severe primary indicator, "
            "lowest quarter a primary one.",
        ),
        _yes_no(
            "t3_low",
            "therapist",
            "Low T3",
            "Total or free T3 in the lowest quarter of the reference range or below",
            help="REDs CAT2 primary indicator (physician's results).",
        ),
        Question(
            "edeq_global",
            "number",
            "therapist",
            "EDE-Q global score",
            "EDE-Q global score, if measured",
            min=0,
            max=6,
            help="REDs CAT2 primary indicator above 2.30 (women) or 1.68 (men).",
        ),
        _yes_no(
            "growth_deviation",
            "therapist",
            "Off the growth curve (under 18)",
            "Under 18: height or weight has fallen off the runner's own growth curve",
            help="REDs CAT2 primary indicator for adolescents.",
        ),
    ),
}


def _questions() -> tuple[Question, ...]:
    questions = []
    for question in v2026_2.RULESET.questions:
        if question.key == "region":
            questions.append(_AREA)  # the two-step picker: the area, then the exact spot
        questions.append(_CHANGED.get(question.key, question))
        questions.extend(_AFTER.get(question.key, ()))
    return tuple(questions)


QUESTIONS = _questions()

# --- Items (§1) ---------------------------------------------------------------------------------

_SHIN_SPLINTS = "C: Patel et al. 2011, AAFP; C: eTG; B: Milgrom 2021 (hop)"

ITEMS = (
    *v2026_1.ITEMS,
    ItemRule(
        "calcaneal_squeeze",
        2,
        "Calcaneal squeeze reproduces the pain — raises suspicion at the heel bone",
        "C: BSI reviews, accuracy not studied",
        "§1",
        (when("calcaneal_squeeze", "positive"),),
    ),
    ItemRule(
        "n_spot_tenderness",
        2,
        "Tender N-spot over the navicular — raises suspicion at a high-risk site",
        "C: Khan, Brukner et al. 1992–94",
        "§1",
        (when("n_spot_tenderness", "positive"),),
    ),
    ItemRule(
        "shin_splint_picture",
        -2,
        "The differentiating signs agree on shin splints: diffuse pain, eases as the run warms "
        "up, pain-free hop, no swelling",
        _SHIN_SPLINTS,
        "§1",
        (when("shin_splint_picture", True),),
    ),
)

# Site provocation tests (§1 further site tests): the site each one tests.
SITE_TESTS = (
    ("calcaneal_squeeze", "calcaneus"),
    ("n_spot_tenderness", "navicular"),
    ("fulcrum_test", "femoral_shaft"),
)

# --- Band floors --------------------------------------------------------------------------------

_ETG = "C: eTG"

BAND_FLOORS = (
    BandFloor(
        "late_stage",
        "moderate",
        "Pain at rest, at night or with walking — a later stage on the continuum: at least "
        "moderate suspicion",
        _ETG,
        "§1, §2",
        (when("late_stage_signs", 1, 2),),
    ),
    BandFloor(
        "late_stage_both",
        "high",
        "Pain both at rest or at night and with walking — a later stage: high suspicion",
        _ETG,
        "§1, §2",
        (when("late_stage_signs", 2),),
    ),
    BandFloor(
        "site_test_positive",
        "moderate",
        "A site provocation test reproduces the pain: at least moderate suspicion at that site",
        "C: further site tests of the reference (squeeze, N-spot); B: Reiman 2015 (fulcrum)",
        "§1",
        (when("site_test_positive", True),),
    ),
)

# --- Red flags (§2) -----------------------------------------------------------------------------

_GROIN = when("groin_or_deep_hip_pain", True)
_GROIN_SIGNS = (
    when("pain_on_impact", "yes"),
    when("pain_walking", "yes"),
    when("pain_stairs_hills", "yes"),
    when("limp", "yes"),
    when("hop_test", "positive"),
    when("cannot_hop_or_bear_weight", "yes"),
    when("pain_at_rest_or_night", "yes"),
)
_HIGH_RISK_CODES = tuple(site.code for site in v2026_1.SITES if site.risk == "high")
_OLD_FLAGS = {rule.code: rule for rule in v2026_1.RED_FLAGS}
_POSSIBLE_MESSAGE = (
    "The spot you pointed to holds a bone where stress injuries heal more slowly and need closer "
    "care. Please stop running until your clinician has examined you."
)

RED_FLAGS = (
    dataclasses.replace(
        _OLD_FLAGS["femoral_neck"],
        title="Groin or deep hip pain with loading, a limp, a painful hop, pain at rest or at "
        "night, or a positive hip rotation test — possible femoral neck stress fracture",
        any_of=((when("hip_internal_rotation_pain", "positive"),),)
        + tuple((_GROIN, sign) for sign in _GROIN_SIGNS)
        + ((when("confirmed_site", "femoral_neck"),),),
    ),
    dataclasses.replace(
        _OLD_FLAGS["high_risk_site"], any_of=((when("confirmed_site_risk", "high"),),)
    ),
    RedFlagRule(
        "possible_high_risk_site_urgent",
        "urgent",
        "Possible high-risk site — confirm at examination (the spot names one bone)",
        "action_possible_high_risk_site",
        _POSSIBLE_MESSAGE,
        "Policy (§1): a focal complaint at a high-risk region; A: Hoenig et al. 2023, BJSM",
        "§1, §2, §3",
        (
            (
                when("possible_high_risk_level", "urgent"),
                when("possible_high_risk_site", *_HIGH_RISK_CODES),
            ),
        ),
    ),
    RedFlagRule(
        "possible_high_risk_site",
        "expedite",
        "Possible high-risk site — confirm at examination",
        "action_possible_high_risk_site",
        _POSSIBLE_MESSAGE,
        "Policy (§1): a focal complaint at a high-risk region, at least expedite",
        "§1, §2, §3",
        (
            (
                when("possible_high_risk_level", "expedite"),
                when("possible_high_risk_site", *_HIGH_RISK_CODES),
            ),
        ),
    ),
    _OLD_FLAGS["rest_or_walking_pain"],
    _OLD_FLAGS["cannot_hop_or_bear_weight"],
    dataclasses.replace(
        _OLD_FLAGS["bone_health"],
        title="Recurrent bone stress injury, one at a trabecular site with signs of low energy, "
        "or a REDs CAT2 light of orange or red",
        evidence="A: De Souza et al. 2014, BJSM, Triad consensus; C: BJSM MSK Playbook: BSI 2025; "
        "A: Stellingwerff et al. 2023, BJSM, REDs CAT2",
        any_of=(
            (when("recurrent", True),),
            (when("trabecular_bsi_with_energy_deficiency", True),),
            (when("reds_refer", True),),
        ),
    ),
)

# --- Notes --------------------------------------------------------------------------------------

_OLD_NOTES = {rule.code: rule for rule in v2026_1.NOTES}

NOTES = (
    dataclasses.replace(
        _OLD_NOTES["shin_splints_fit_better"],
        text="Shin splints (medial tibial stress syndrome) fit better than a bone stress injury: "
        "the differentiating signs agree (pain spread along the shin, easing as the run warms "
        "up, a pain-free hop, no swelling) and nothing points to one spot",
        evidence=_SHIN_SPLINTS,
        all_of=(when("shin_splint_picture", True),),
    ),
    _OLD_NOTES["deep_site_not_palpable"],
    _OLD_NOTES["normal_xray_does_not_rule_out"],
    _OLD_NOTES["normal_mri"],
    NoteRule(
        "adolescent_bmi",
        "Adult BMI cut-offs do not apply to adolescents: weight is judged as percent of the median "
        "BMI for age and sex (UK-WHO reference, rcpchgrowth)",
        "A: De Souza et al. 2014, BJSM; Policy: %mBMI mapping",
        "§4",
        (when("adolescent", True), when("bmi_known", True)),
    ),
    NoteRule(
        "current_amenorrhoea",
        "No period for 3 months or more: scored as amenorrhoea (Triad 2 points) whatever the "
        "12-month count; check pregnancy and hormonal contraception",
        "A: De Souza et al. 2014, BJSM; Policy: current amenorrhoea",
        "§4",
        (when("current_amenorrhoea", True),),
    ),
)

# --- Risk profile (§4) --------------------------------------------------------------------------


def _group(code: str) -> RiskGroup:
    return next(group for group in v2026_1.RISK_GROUPS if group.code == code)


_TRIAD_ROW = "A: De Souza et al. 2014, BJSM, Triad risk assessment"


def _risk_groups() -> tuple[RiskGroup, ...]:
    groups = []
    for group in v2026_1.RISK_GROUPS:
        if group.code == "training_load":
            group = dataclasses.replace(
                group,
                questions=(
                    *group.questions,
                    "km_before_change",
                    "km_now",
                    "weeks_since_change",
                ),
            )
        elif group.code == "equipment":
            group = dataclasses.replace(
                group,
                questions=(*group.questions, "shoe_type"),
                factors=(
                    *group.factors,
                    RiskFactorRule(
                        "shoe_type",
                        "Minimalist or carbon-plate shoes: check they suit the runner",
                        "Policy: the reference has no row for shoe types; §4 'worn or unsuitable "
                        "footwear' (A: Bonanno et al. 2017, BJSM)",
                        ("footwear_check",),
                        (when("shoe_type", "minimalist", "carbon_plate"),),
                    ),
                ),
            )
        elif group.code == "nutrition_energy":
            factors = tuple(
                dataclasses.replace(
                    factor,
                    text="Nine or fewer periods in 12 months, or none for 3 months or more",
                )
                if factor.key == "menstrual_disturbance"
                else factor
                for factor in group.factors
            )
            group = dataclasses.replace(
                group,
                questions=(*group.questions, "months_since_last_period"),
                factors=(
                    *factors,
                    RiskFactorRule(
                        "reds_indicators",
                        "REDs CAT2 indicators of low energy availability (see the REDs rating)",
                        "A: Stellingwerff et al. 2023, BJSM, REDs CAT2",
                        ("nutritionist_referral", "bone_health_workup"),
                        (when("reds_any_indicator", True),),
                    ),
                ),
            )
        groups.append(group)
    return tuple(groups)


RISK_GROUPS = _risk_groups()

# --- Female Athlete Triad (§4) ------------------------------------------------------------------

# §4 additions: %mBMI < 85% → 2 points, 85–< 90% → 1 point (policy, conservative).
ADOLESCENT_PERCENT_MEDIAN_BMI = (Cutoff("<", 85, 2), Cutoff("<", 90, 1))

# --- IOC REDs CAT2 (§4, A — Stellingwerff et al., BJSM 2023) ------------------------------------

_CAT2 = "A: Stellingwerff et al. 2023, BJSM, IOC REDs CAT2"

REDS = RedsTables(
    indicators=(
        RedsIndicator(
            "amenorrhoea_severe",
            "severe",
            "Primary amenorrhoea (no period by 15) or 12 or more months without a period",
            "reds_amenorrhoea_severe",
            "female",
            "runner",
        ),
        RedsIndicator(
            "testosterone_low",
            "severe",
            "Clinically low testosterone (below the reference range)",
            "reds_testosterone_low",
            "male",
            "physician",
        ),
        RedsIndicator(
            "amenorrhoea_secondary",
            "primary",
            "Secondary amenorrhoea: 3 to 11 months without a period",
            "reds_amenorrhoea_secondary",
            "female",
            "runner",
        ),
        RedsIndicator(
            "testosterone_subclinical",
            "primary",
            "Testosterone in the lowest quarter of the reference range",
            "reds_testosterone_subclinical",
            "male",
            "physician",
        ),
        RedsIndicator(
            "t3_low",
            "primary",
            "Low T3 (lowest quarter or below)",
            "reds_t3_low",
            "all",
            "physician",
        ),
        RedsIndicator(
            "bsi_history",
            "primary",
            "≥ 1 trabecular (femoral neck, sacrum, pelvis) or ≥ 2 other BSIs in 2 years, or "
            "≥ 6 months out of training for BSI in 2 years",
            "reds_bsi_history",
            "all",
            "runner",
        ),
        RedsIndicator(
            "low_bmd", "primary", "BMD Z-score below −1", "reds_low_bmd", "all", "physician"
        ),
        RedsIndicator(
            "growth_deviation",
            "primary",
            "Adolescent: fallen off their own growth curve (height or weight)",
            "reds_growth_deviation",
            "adolescent",
            "examination",
        ),
        RedsIndicator(
            "eating_disorder",
            "primary",
            "Diagnosed eating disorder, or EDE-Q global above 2.30 (women) / 1.68 (men)",
            "reds_eating_disorder",
            "all",
            "runner",
        ),
        RedsIndicator(
            "oligomenorrhoea",
            "secondary",
            "Oligomenorrhoea: fewer than 9 periods in 12 months",
            "reds_oligomenorrhoea",
            "female",
            "runner",
        ),
        RedsIndicator(
            "one_low_risk_bsi",
            "secondary",
            "One low-risk BSI in the last 2 years",
            "reds_one_low_risk_bsi",
            "all",
            "runner",
        ),
    ),
    lights=(
        RedsLight("green", "Green: low risk", "Full sport participation", None, None),
        RedsLight(
            "yellow",
            "Yellow: low-to-moderate risk",
            "Sport participation with monitoring; treat the indicators",
            1,
            2,
        ),
        RedsLight(
            "orange",
            "Orange: moderate-to-high risk",
            "Modified training and competition under a treatment plan",
            2,
            None,
        ),
        RedsLight(
            "red",
            "Red: very high risk",
            "No training or competition until treated",
            4,
            None,
        ),
    ),
    refer_from="orange",
    evidence=_CAT2,
)

# --- Policy -------------------------------------------------------------------------------------

POLICY = {
    **v2026_2.POLICY,
    "high_risk_from_region": PolicySetting(
        True,
        bool,
        "Possible high-risk site flag from the runner's spot",
        "Clinic default, not evidence (reference §1). When the runner points to a spot that holds "
        "a high-risk site (inner ankle bone, top of the midfoot, outer edge of the foot half-way "
        "along, under the big-toe joint, front of the shin, kneecap, deep outer ankle) and the "
        "pain is focal, raise 'possible high-risk site — confirm at examination' before a "
        "therapist confirms the site.",
    ),
    "action_possible_high_risk_site": PolicySetting(
        "Possible high-risk site: examine soon to confirm the site; until then no running, and "
        "imaging referral if the site is confirmed.",
        str,
        "Action: possible high-risk site",
        "Clinic default, not evidence: wording the clinical lead may edit.",
        min=1,
        max=500,
    ),
}

RULESET = dataclasses.replace(
    v2026_2.RULESET,
    version=VERSION,
    questions=QUESTIONS,
    high_risk_regions=(),
    tibial_regions=frozenset({"shin_front", "shin_inner", "shin_whole"}),
    items=ITEMS,
    red_flags=RED_FLAGS,
    notes=NOTES,
    risk_groups=RISK_GROUPS,
    policy=POLICY,
    region_areas=REGION_AREAS,
    high_risk_spots=HIGH_RISK_SPOTS,
    band_floors=BAND_FLOORS,
    triad_incomplete_category=True,
    adolescent_percent_median_bmi=ADOLESCENT_PERCENT_MEDIAN_BMI,
    site_tests=SITE_TESTS,
    reds=REDS,
)
