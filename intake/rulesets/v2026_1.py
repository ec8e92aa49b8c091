"""Rule set 2026.1: the first scoring rules, traced to the clinical reference, sections 1–4.

Frozen once released. Intakes store the version they were scored with, and rescoring one must give
the same result, so a change of any rule, point, text or default goes into a new module beside this
one (registered in `intake.rulesets`), never into this file.

Evidence strings read "level: source"; the levels are those of the reference (A review or
consensus, B primary study, C narrative review or textbook, D clinic page, Policy a clinic
default).
"""

from intake.rulesets.schema import (
    Cutoff,
    GradingSystem,
    ItemRule,
    NoteRule,
    PolicySetting,
    Question,
    RedFlagRule,
    RiskFactorRule,
    RiskGroup,
    RuleSet,
    Site,
    TriadTables,
    when,
)

VERSION = "2026.1"

# --- Choice lists ---------------------------------------------------------------------------

# What a runner can point to (§3: "patients describe the region"); the therapist confirms the site.
REGIONS = (
    ("hip_groin", "Hip or groin (front of the hip, deep in the hip)"),
    ("buttock_low_back", "Buttock or lower back"),
    ("thigh", "Thigh"),
    ("knee", "Knee or kneecap"),
    ("shin_front", "Front of the shin"),
    ("shin_inner", "Inner edge of the shin"),
    ("shin_outer", "Outer side of the lower leg"),
    ("ankle_inner", "Inner ankle bone"),
    ("ankle_outer", "Outer ankle bone"),
    ("foot_top", "Top of the foot"),
    ("foot_inner", "Inner side of the foot (arch)"),
    ("foot_outer", "Outer edge of the foot"),
    ("ball_of_foot", "Ball of the foot (under the toes)"),
    ("heel", "Heel"),
    ("other", "Somewhere else"),
)

SIDES = (("left", "Left"), ("right", "Right"), ("both", "Both"))

YES_NO_UNSURE = (("yes", "Yes"), ("no", "No"), ("unsure", "Not sure"))

PAIN_LOCALIZED = (
    ("one_spot", "In one spot I can point to with one finger"),
    ("spread", "Spread over a larger area"),
    ("unsure", "Not sure"),
)

TEST_RESULTS = (("positive", "Positive"), ("negative", "Negative"), ("not_done", "Not done"))

SINGLE_LEG_SQUAT = (
    ("good", "Good control"),
    ("poor_control", "Poor control (knee falls in, pelvis drops, trunk leans)"),
    ("not_done", "Not done"),
)

CALF_RAISE = (
    ("normal", "Normal for the runner's age and sport"),
    ("weak", "Weak or fewer than the other side"),
    ("not_done", "Not done"),
)

SEXES = (
    ("female", "Female"),
    ("male", "Male"),
    ("other", "Other"),
    ("prefer_not_to_say", "Prefer not to say"),
)

DIETARY_RESTRICTION = (
    ("none", "No, I eat freely"),
    ("some", "Some: I limit what or how much I eat, or have had disordered eating"),
    ("eating_disorder", "I have been diagnosed with an eating disorder"),
)

IMAGING_MODALITIES = (
    ("mri", "MRI"),
    ("xray", "X-ray"),
    ("ct", "CT"),
    ("bone_scan", "Bone scan"),
)

IMAGING_RESULTS = (
    ("normal", "Normal"),
    ("stress_reaction", "Stress reaction (no fracture line)"),
    ("stress_fracture", "Stress fracture (fracture line)"),
    ("other_finding", "Another finding"),
)

_A_HOENIG_2023 = "A: Hoenig et al. 2023, BJSM"
_C_SITES = "C: McInnis & Ramey 2013, Sports Health; A: Hoenig et al. 2023, BJSM"
_TRABECULAR = "A: De Souza et al. 2014, BJSM, Triad consensus"

# §3. typical_return_days: A — Hoenig et al., BJSM 2023 (median days to return to sport).
SITES = (
    Site("femoral_neck", "Femoral neck (hip)", "high", True, f"{_C_SITES}; {_TRABECULAR}", 107),
    Site("anterior_tibia", "Anterior tibial cortex (front of the shin)", "high", False, _C_SITES),
    Site("medial_malleolus", "Medial malleolus (inner ankle bone)", "high", False, _C_SITES),
    Site("talus_lateral_process", "Talus, lateral process", "high", False, _C_SITES),
    Site("navicular", "Tarsal navicular (midfoot)", "high", False, _C_SITES, 127),
    Site(
        "fifth_metatarsal_proximal",
        "5th metatarsal, proximal shaft (outer edge of the foot)",
        "high",
        False,
        _C_SITES,
    ),
    Site("second_metatarsal_base", "Base of the 2nd metatarsal", "high", False, _C_SITES),
    Site("sesamoids", "Great-toe sesamoids (ball of the foot)", "high", False, _C_SITES),
    Site(
        "patella",
        "Patella (kneecap)",
        "high",
        False,
        "Policy: on classic high-risk lists; not confirmed in a retrieved source",
    ),
    Site("posteromedial_tibia", "Posteromedial tibia (tibial shaft)", "low", False, _C_SITES, 44),
    Site("fibula", "Fibula or lateral malleolus (outer lower leg)", "low", False, _C_SITES, 56),
    Site("femoral_shaft", "Femoral shaft (thigh bone)", "low", False, _C_SITES),
    Site("pelvis", "Pelvis (pubic rami)", "low", True, f"{_C_SITES}; {_TRABECULAR}"),
    Site("sacrum", "Sacrum", "low", True, f"{_C_SITES}; {_TRABECULAR}"),
    Site("calcaneus", "Calcaneus (heel bone)", "low", False, _C_SITES),
    Site("metatarsal_shaft_2_4", "Shafts of metatarsals 2–4", "low", False, _C_SITES),
)

SITE_CHOICES = tuple((site.code, site.label) for site in SITES)

# §3: grading systems; the grade is recorded when imaging exists.
GRADING_SYSTEMS = (
    GradingSystem(
        "kaeding_miller",
        "Kaeding–Miller",
        5,
        (
            "Incidental imaging finding, no pain",
            "Pain with imaging signs, no fracture line",
            "Non-displaced fracture line",
            "Displaced fracture (more than 2 mm)",
            "Non-union",
        ),
    ),
    GradingSystem("fredericson", "Fredericson (tibia, MRI)", 4),
    GradingSystem(
        "arendt",
        "Arendt",
        4,
        (
            "Typical return about 3 weeks; C: Radiopaedia",
            "Typical return 3–6 weeks; C: Radiopaedia",
            "Typical return 12–16 weeks; C: Radiopaedia",
            "Typical return 16 weeks or more; C: Radiopaedia",
        ),
    ),
)

# --- Questions ------------------------------------------------------------------------------


def _yes_no(key: str, step: str, label: str, question: str, **extra) -> Question:
    return Question(key, "yes_no", step, label, question, YES_NO_UNSURE, **extra)


def _test(key: str, label: str, question: str) -> Question:
    return Question(key, "choice", "therapist", label, question, TEST_RESULTS)


QUESTIONS = (
    # Pain (§1 warning signs and history features)
    Question("region", "choice", "pain", "Painful area", "Where is the pain?", REGIONS),
    Question("side", "choice", "pain", "Side", "Which leg?", SIDES),
    Question("onset_date", "date", "pain", "Start of the pain", "When did the pain start?"),
    Question(
        "pain_localized",
        "choice",
        "pain",
        "Where the pain sits",
        "Can you point to the pain with one finger, or is it spread out?",
        PAIN_LOCALIZED,
    ),
    _yes_no(
        "pain_on_impact",
        "pain",
        "Pain on impact",
        "Does it hurt when your foot hits the ground: running, hopping or jumping?",
    ),
    _yes_no(
        "point_tenderness",
        "pain",
        "Tender spot",
        "If you press on the bone where it hurts, is one spot tender?",
    ),
    _yes_no("swelling", "pain", "Swelling", "Is there swelling where it hurts?"),
    _yes_no("limp", "pain", "Limp", "Are you limping when you walk?"),
    _yes_no(
        "better_with_rest_returns_running",
        "pain",
        "Back when running again",
        "Does the pain ease with rest but come back as soon as you run again?",
    ),
    _yes_no(
        "no_warm_up_stops_run",
        "pain",
        "Pain stops the run",
        "During a run, does the pain keep building instead of easing as you warm up, "
        "until you have to stop?",
    ),
    _yes_no(
        "pain_at_rest_or_night",
        "pain",
        "Pain at rest or at night",
        "Does it hurt while you rest, or wake you at night?",
    ),
    _yes_no("pain_walking", "pain", "Pain when walking", "Does it hurt during ordinary walking?"),
    Question(
        "pain_now", "int", "pain", "Pain now", "How bad is the pain right now?", min=0, max=10
    ),
    Question(
        "pain_worst",
        "int",
        "pain",
        "Worst pain",
        "How bad has the pain been at its worst this week?",
        min=0,
        max=10,
    ),
    # Training (§4 training load and recovery)
    Question(
        "weekly_km",
        "number_list",
        "training",
        "Weekly distance",
        "How far did you run in each of the last 4–6 weeks? Oldest week first.",
        min=0,
        max=400,
        unit=" km",
        max_items=12,
    ),
    _yes_no(
        "change_distance",
        "training",
        "More distance",
        "In the last 8 weeks, did you increase your distance?",
    ),
    _yes_no(
        "change_intensity",
        "training",
        "More intensity",
        "In the last 8 weeks, did you add speed work, hills or races?",
    ),
    _yes_no(
        "change_surface",
        "training",
        "New surface",
        "In the last 8 weeks, did you change where you run (road, track, trail, treadmill)?",
    ),
    _yes_no("change_shoes", "training", "New shoes", "In the last 8 weeks, did you change shoes?"),
    Question(
        "longest_recent_run_km",
        "number",
        "training",
        "Longest recent run",
        "What was your longest single run in the last 2 weeks?",
        min=0,
        max=400,
        unit=" km",
    ),
    Question(
        "longest_run_previous_30d_km",
        "number",
        "training",
        "Longest run in the month before",
        "What was your longest single run in the 30 days before that?",
        min=0,
        max=400,
        unit=" km",
    ),
    Question(
        "rest_days_per_week",
        "int",
        "training",
        "Rest days a week",
        "On how many days a week do you usually not run?",
        min=0,
        max=7,
    ),
    # Equipment (§4)
    Question(
        "shoe_age_km",
        "number",
        "equipment",
        "Shoe distance",
        "About how far have you run in your current shoes?",
        min=0,
        max=10000,
        unit=" km",
    ),
    Question(
        "shoe_age_months",
        "int",
        "equipment",
        "Shoe age",
        "How many months have you had your current shoes?",
        min=0,
        max=240,
        unit=" months",
    ),
    _yes_no("orthoses", "equipment", "Orthoses", "Do you run with orthoses or supportive insoles?"),
    # History (§4)
    Question(
        "previous_stress_fractures",
        "int",
        "history",
        "Previous stress fractures",
        "How many stress fractures or stress reactions have you had before this one?",
        min=0,
        max=20,
    ),
    Question(
        "previous_sites",
        "choice_list",
        "history",
        "Previous sites",
        "Where were they?",
        SITE_CHOICES,
        max_items=20,
    ),
    Question(
        "other_injuries",
        "text",
        "history",
        "Other injuries",
        "Any other injuries or conditions we should know about?",
        max_length=2000,
    ),
    # Body, nutrition and energy (§4 and the Triad assessment)
    Question("sex", "choice", "body", "Sex", "What sex were you assigned at birth?", SEXES),
    Question("age", "int", "body", "Age", "How old are you?", min=8, max=100, unit=" years"),
    Question("height_cm", "number", "body", "Height", "Height", min=100, max=230, unit=" cm"),
    Question("weight_kg", "number", "body", "Weight", "Weight", min=25, max=250, unit=" kg"),
    Question(
        "weight_loss_pct_month",
        "number",
        "body",
        "Weight lost in the last month",
        "How much weight have you lost in the last month, as a percentage of your weight?",
        min=0,
        max=50,
        unit="%",
    ),
    Question(
        "dietary_restriction",
        "choice",
        "body",
        "Dietary restriction",
        "Do you limit what or how much you eat?",
        DIETARY_RESTRICTION,
    ),
    _yes_no("vitamin_d_low", "body", "Low vitamin D", "Have you been told your vitamin D is low?"),
    _yes_no(
        "calcium_low",
        "body",
        "Low calcium",
        "Have you been told your calcium intake or level is low?",
    ),
    Question(
        "bone_density_z",
        "number",
        "body",
        "Bone density Z-score",
        "If you have had a bone density scan, what was the Z-score?",
        min=-6,
        max=4,
    ),
    _yes_no(
        "menstrual_applicable",
        "body",
        "Period questions apply",
        "Do questions about periods apply to you?",
    ),
    Question(
        "age_first_period",
        "int",
        "body",
        "Age at first period",
        "How old were you at your first period?",
        min=8,
        max=25,
        unit=" years",
        menstrual=True,
    ),
    Question(
        "periods_last_12_months",
        "int",
        "body",
        "Periods in the last 12 months",
        "How many periods have you had in the last 12 months?",
        min=0,
        max=20,
        menstrual=True,
    ),
    # Therapist examination (§1 clinical tests, §3 site and grade)
    _test("bony_tenderness", "Bony tenderness", "Point tenderness on palpation of the bone"),
    _test("hop_test", "Single-leg hop test", "Hop in place on the painful leg reproduces pain"),
    _test("fulcrum_test", "Fulcrum test", "Fulcrum test over the femoral shaft"),
    _test(
        "hip_internal_rotation_pain",
        "Hip internal rotation pain",
        "Groin pain on hip internal rotation, log roll or hop",
    ),
    Question(
        "single_leg_squat",
        "choice",
        "therapist",
        "Single-leg squat",
        "Single-leg squat control",
        SINGLE_LEG_SQUAT,
    ),
    Question(
        "calf_raise", "choice", "therapist", "Calf raise", "Single-leg calf raise", CALF_RAISE
    ),
    _yes_no(
        "cannot_hop_or_bear_weight",
        "therapist",
        "Cannot hop or bear weight",
        "Cannot hop or bear full weight on the painful leg",
    ),
    Question(
        "confirmed_site", "choice", "therapist", "Confirmed site", "Confirmed site", SITE_CHOICES
    ),
    Question(
        "imaging_modality",
        "choice",
        "therapist",
        "Imaging type",
        "Imaging type",
        IMAGING_MODALITIES,
    ),
    Question(
        "imaging_result", "choice", "therapist", "Imaging result", "Imaging result", IMAGING_RESULTS
    ),
    Question(
        "imaging_grade_system",
        "choice",
        "therapist",
        "Grading system",
        "Grading system",
        tuple((system.code, system.label) for system in GRADING_SYSTEMS),
    ),
    Question("imaging_grade", "int", "therapist", "Imaging grade", "Grade", min=1, max=5),
)

# --- Suspicion score (§1) -------------------------------------------------------------------

_NOT_EXAMINED = (None, "not_done")
_EVIDENCE_ETG = "C: eTG"

ITEMS = (
    ItemRule(
        "pain_localized",
        2,
        "Pain in one spot — bone rather than soft tissue",
        "C: Patel et al. 2011, AAFP",
        "§1",
        (when("pain_localized", "one_spot"),),
    ),
    ItemRule(
        "pain_on_impact",
        2,
        "Pain on impact: running, hopping, jumping",
        "C: eTG; D: Volante PT",
        "§1",
        (when("pain_on_impact", "yes"),),
    ),
    # The examination supersedes the runner's own report of a tender spot.
    ItemRule(
        "point_tenderness",
        2,
        "Tender spot on the bone, reported by the runner",
        "C: Knobloch et al. 2025, Curr Sports Med Rep",
        "§1",
        (when("point_tenderness", "yes"), when("bony_tenderness", *_NOT_EXAMINED)),
    ),
    ItemRule(
        "bony_tenderness",
        3,
        "Bony tenderness on examination — the most important finding where the bone can be felt",
        "C: Knobloch et al. 2025, Curr Sports Med Rep",
        "§1",
        (when("bony_tenderness", "positive"),),
    ),
    ItemRule(
        "swelling",
        1,
        "Swelling at the site — absent in shin splints",
        "C: Patel et al. 2011, AAFP",
        "§1",
        (when("swelling", "yes"),),
    ),
    ItemRule(
        "better_with_rest_returns_running",
        1,
        "Eases with rest but returns as soon as running starts",
        _EVIDENCE_ETG,
        "§1",
        (when("better_with_rest_returns_running", "yes"),),
    ),
    ItemRule(
        "no_warm_up_stops_run",
        1,
        "Pain does not warm up and grows until the run stops — points to bone",
        "C: eTG; D: Volante PT",
        "§1",
        (when("no_warm_up_stops_run", "yes"),),
    ),
    ItemRule(
        "pain_at_rest_or_night",
        1,
        "Pain at rest or at night — a later stage",
        _EVIDENCE_ETG,
        "§1",
        (when("pain_at_rest_or_night", "yes"),),
    ),
    ItemRule(
        "pain_walking",
        1,
        "Pain with ordinary walking — a later stage",
        _EVIDENCE_ETG,
        "§1",
        (when("pain_walking", "yes"),),
    ),
    ItemRule(
        "training_change",
        1,
        "Training change in the last 8 weeks — about 30% of stress fractures follow one",
        "C: Bolthouse et al., tibial stress fracture return-to-run protocol",
        "§1",
        (when("training_changed", True),),
    ),
    ItemRule(
        "hop_test_positive",
        1,
        "Single-leg hop reproduces the pain — sensitive but not specific, not proof",
        "B: Milgrom 2021",
        "§1",
        (when("hop_test", "positive"),),
    ),
    ItemRule(
        "hop_test_negative_tibia",
        -2,
        "Pain-free single-leg hop — a tibial bone stress injury is less likely",
        "B: Milgrom 2021, sensitivity 100%",
        "§1",
        (when("hop_test", "negative"), when("tibial", True)),
    ),
    ItemRule(
        "fulcrum_test",
        1,
        "Positive fulcrum test — femoral shaft",
        "B: Reiman 2015",
        "§1",
        (when("fulcrum_test", "positive"),),
    ),
    ItemRule(
        "hip_internal_rotation_pain",
        1,
        "Groin pain on hip internal rotation — femoral neck screen",
        "C: StatPearls",
        "§1",
        (when("hip_internal_rotation_pain", "positive"),),
    ),
    ItemRule(
        "imaging_shows_bsi",
        5,
        "Imaging shows a bone stress injury — MRI is the reference standard",
        "A: Hoenig et al. 2022, Nat Rev Dis Primers; C: Aspetar 2024",
        "preamble",
        (when("imaging_result", "stress_reaction", "stress_fracture"),),
    ),
)

# --- Red flags (§2): override the band ------------------------------------------------------

_HIP_REGION = when("region", "hip_groin")
_HIP_LOADING_SIGNS = (
    when("pain_on_impact", "yes"),
    when("pain_walking", "yes"),
    when("limp", "yes"),
    when("hip_internal_rotation_pain", "positive"),
    when("hop_test", "positive"),
    when("cannot_hop_or_bear_weight", "yes"),
)

RED_FLAGS = (
    RedFlagRule(
        "femoral_neck",
        "urgent",
        "Groin or front-of-hip pain with loading — possible femoral neck stress fracture",
        "action_femoral_neck",
        "Pain at the front of the hip or in the groin when you run or walk can come from a stress "
        "injury of the hip bone, and that needs checking quickly. Please stop running and avoid "
        "exercise on your feet until a clinician has seen you.",
        "C: Robertson & Wood 2017, Sports Med Int Open; C: StatPearls",
        "§2",
        tuple((_HIP_REGION, sign) for sign in _HIP_LOADING_SIGNS)
        + ((when("confirmed_site", "femoral_neck"),),),
    ),
    RedFlagRule(
        "high_risk_site",
        "urgent",
        "Pain at a high-risk site — slow healing, non-union or displacement possible",
        "action_high_risk_site",
        "Your pain is at a spot where bone stress injuries heal more slowly and need closer care. "
        "Please stop running until your clinician has reviewed you; they may arrange a scan.",
        _A_HOENIG_2023,
        "§2, §3",
        ((when("confirmed_site_risk", "high"),), (when("region_suggests_high_risk", True),)),
    ),
    RedFlagRule(
        "rest_or_walking_pain",
        "expedite",
        "Pain at rest, at night or with ordinary walking — a later stage on the continuum",
        "action_rest_pain",
        "Pain while resting, at night or with everyday walking is a sign to be seen sooner. "
        "Please pause running until your clinician has reviewed you.",
        _EVIDENCE_ETG,
        "§2",
        ((when("pain_at_rest_or_night", "yes"),), (when("pain_walking", "yes"),)),
    ),
    RedFlagRule(
        "cannot_hop_or_bear_weight",
        "expedite",
        "Cannot hop or bear weight on the leg",
        "action_cannot_bear_weight",
        "If you cannot hop or put your full weight on the leg, please do not run. "
        "Your clinic will see you sooner.",
        "D/B: hop test",
        "§2",
        ((when("cannot_hop_or_bear_weight", "yes"),),),
    ),
    RedFlagRule(
        "bone_health",
        "refer",
        "Recurrent bone stress injury, or one at a trabecular site with signs of low energy",
        "action_bone_health",
        "Because of your history, we would like a doctor and a dietitian to look at your bone "
        "health and how you fuel your running. This helps prevent the next injury.",
        "A: De Souza et al. 2014, BJSM, Triad consensus; C: BJSM MSK Playbook: BSI 2025",
        "§2, §4",
        ((when("recurrent", True),), (when("trabecular_bsi_with_energy_deficiency", True),)),
    ),
)

# --- Notes: what the answers suggest besides the score --------------------------------------

NOTES = (
    NoteRule(
        "shin_splints_fit_better",
        "Shin splints (medial tibial stress syndrome) fit better than a bone stress injury: the "
        "pain is spread along the inner shin and no single spot is tender",
        "C: Patel et al. 2011, AAFP; C: eTG",
        "§1",
        (
            when("region", "shin_inner"),
            when("pain_localized", "spread"),
            when("focal_tenderness", False),
        ),
    ),
    NoteRule(
        "deep_site_not_palpable",
        "No tender spot does not lower suspicion here: the femoral neck, pelvis and sacrum lie too "
        "deep to press on",
        "C: Knobloch et al. 2025, Curr Sports Med Rep",
        "§1",
        (when("deep_region", True), when("focal_tenderness", False)),
    ),
    NoteRule(
        "normal_xray_does_not_rule_out",
        "A normal X-ray does not rule out a bone stress injury: about two-thirds of femoral neck "
        "stress fractures look normal on X-ray; MRI is the reference standard",
        "C: Robertson & Wood 2017, Sports Med Int Open; A: Hoenig et al. 2022",
        "§2",
        (when("imaging_modality", "xray"), when("imaging_result", "normal")),
    ),
    NoteRule(
        "normal_mri",
        "A normal MRI makes a bone stress injury unlikely: MRI is the reference standard",
        "A: Hoenig et al. 2022, Nat Rev Dis Primers",
        "preamble",
        (when("imaging_modality", "mri"), when("imaging_result", "normal")),
    ),
    NoteRule(
        "adolescent_bmi",
        "Adult BMI cut-offs do not apply to adolescents: judge weight with BMI-for-age percentiles",
        "A: De Souza et al. 2014, BJSM",
        "§4",
        (when("adolescent", True), when("bmi_known", True)),
    ),
)

# --- Risk profile (§4): the "why" the plan must address -------------------------------------

PLAN_ACTIONS = (
    ("coach_collaboration", "Coach collaboration and a graded plan"),
    ("enforce_rest_days", "Plan enforces rest days"),
    ("footwear_check", "Footwear check"),
    ("strength_emphasis", "Strength phase emphasis"),
    ("nutritionist_referral", "Nutritionist referral"),
    ("physician_levels", "Physician to check vitamin D and calcium levels"),
    ("recurrence_flag", "Flag the recurrence risk"),
    ("bone_health_workup", "Bone-health work-up"),
    ("ask_energy_items", "Ask the energy and menstrual questions"),
)

_ENERGY = ("nutritionist_referral",)
_TRIAD_ROW = "A: De Souza et al. 2014, BJSM, Triad risk assessment"

RISK_GROUPS = (
    RiskGroup(
        "training_load",
        "Training load",
        (
            "weekly_km",
            "change_distance",
            "change_intensity",
            "change_surface",
            "longest_recent_run_km",
            "longest_run_previous_30d_km",
        ),
        (
            RiskFactorRule(
                "load_spike",
                "Weekly distance rose more than {load_spike_pct}% over two weeks",
                "B: Nielsen et al. 2014, JOSPT, borderline and not BSI-specific; Policy: threshold",
                ("coach_collaboration",),
                (when("load_spike", True),),
            ),
            RiskFactorRule(
                "long_run_spike",
                "A recent run was longer than any in the 30 days before it",
                "B: BJSM 2025, 5,205 runners, overuse injuries, not BSI-specific",
                ("coach_collaboration",),
                (when("long_run_spike", True),),
            ),
            RiskFactorRule(
                "change_distance",
                "Distance increased in the last 8 weeks",
                "C: Bolthouse et al.; B: Buist et al. 2008, AJSM",
                ("coach_collaboration",),
                (when("change_distance", "yes"),),
            ),
            RiskFactorRule(
                "change_intensity",
                "Intensity increased in the last 8 weeks",
                "C: Bolthouse et al.",
                ("coach_collaboration",),
                (when("change_intensity", "yes"),),
            ),
            RiskFactorRule(
                "change_surface",
                "Running surface changed in the last 8 weeks",
                "C: Bolthouse et al.",
                ("coach_collaboration",),
                (when("change_surface", "yes"),),
            ),
        ),
    ),
    RiskGroup(
        "recovery",
        "Recovery",
        ("rest_days_per_week",),
        (
            RiskFactorRule(
                "rest_days_low",
                "Fewer rest days a week than the clinic minimum of {rest_days_min}",
                "Policy: no number in the literature",
                ("enforce_rest_days",),
                (when("rest_days_low", True),),
            ),
        ),
    ),
    RiskGroup(
        "equipment",
        "Equipment",
        ("shoe_age_km", "shoe_age_months", "change_shoes", "orthoses"),
        (
            RiskFactorRule(
                "shoes_worn",
                "Shoes at or past the clinic limit of {shoe_max_km} km or {shoe_max_months} months",
                "Policy: shoe-age threshold; A: Bonanno et al. 2017, BJSM, footwear and orthoses",
                ("footwear_check",),
                (when("shoes_worn", True),),
            ),
            RiskFactorRule(
                "change_shoes",
                "New or different shoes in the last 8 weeks",
                "C: Bolthouse et al.",
                ("footwear_check",),
                (when("change_shoes", "yes"),),
            ),
        ),
    ),
    RiskGroup(
        "strength",
        "Strength",
        ("single_leg_squat", "calf_raise"),
        (
            RiskFactorRule(
                "single_leg_squat",
                "Poor single-leg squat control (hip and glute weakness)",
                "B: Bennell 1996, weakly quantified",
                ("strength_emphasis",),
                (when("single_leg_squat", "poor_control"),),
            ),
            RiskFactorRule(
                "calf_raise",
                "Weak calf raise",
                "B: Bennell 1996, weakly quantified",
                ("strength_emphasis",),
                (when("calf_raise", "weak"),),
            ),
        ),
    ),
    RiskGroup(
        "nutrition_energy",
        "Nutrition and energy",
        (
            "dietary_restriction",
            "height_cm",
            "weight_kg",
            "weight_loss_pct_month",
            "age_first_period",
            "periods_last_12_months",
            "bone_density_z",
            "vitamin_d_low",
            "calcium_low",
        ),
        (
            RiskFactorRule(
                "dietary_restriction",
                "Dietary restriction or disordered eating — low energy availability",
                _TRIAD_ROW,
                _ENERGY,
                (when("triad_low_energy", 1, 2),),
            ),
            RiskFactorRule(
                "low_bmi",
                "Low BMI or recent weight loss",
                _TRIAD_ROW,
                _ENERGY,
                (when("triad_low_bmi", 1, 2),),
            ),
            RiskFactorRule(
                "delayed_menarche",
                "First period at 15 or later",
                _TRIAD_ROW,
                _ENERGY,
                (when("triad_delayed_menarche", 1, 2),),
            ),
            RiskFactorRule(
                "menstrual_disturbance",
                "Nine or fewer periods in the last 12 months",
                _TRIAD_ROW,
                _ENERGY,
                (when("triad_oligomenorrhoea", 1, 2),),
            ),
            RiskFactorRule(
                "low_bone_density",
                "Bone density Z-score below −1.0",
                _TRIAD_ROW,
                _ENERGY,
                (when("triad_low_bone_density", 1, 2),),
            ),
            RiskFactorRule(
                "vitamin_d_low",
                "Low vitamin D",
                "B: Lappe, recruits; B: college athletes below 40 ng/mL",
                ("nutritionist_referral", "physician_levels"),
                (when("vitamin_d_low", "yes"),),
            ),
            RiskFactorRule(
                "calcium_low",
                "Low calcium",
                "B: Lappe, recruits",
                ("nutritionist_referral", "physician_levels"),
                (when("calcium_low", "yes"),),
            ),
        ),
    ),
    RiskGroup(
        "history",
        "History",
        ("previous_stress_fractures", "previous_sites", "sex"),
        (
            RiskFactorRule(
                "previous_stress_fracture",
                "Previous stress fracture — odds ratio 4.99; up to 22% recur",
                "A: Wright et al. 2015, BJSM; B: Kelsey 2007",
                ("recurrence_flag", "bone_health_workup"),
                (when("recurrent", True),),
            ),
            RiskFactorRule(
                "female_sex",
                "Female sex — odds ratio 2.31",
                "A: Wright et al. 2015, BJSM",
                ("ask_energy_items",),
                (when("sex", "female"),),
            ),
        ),
    ),
)

# --- Female Athlete Triad Cumulative Risk Assessment (§4) -----------------------------------

TRIAD = TriadTables(
    factor_labels=(
        ("low_energy", "Low energy availability ± disordered eating"),
        ("low_bmi", "Low BMI or weight loss"),
        ("delayed_menarche", "Delayed menarche"),
        ("oligomenorrhoea", "Oligo- or amenorrhoea"),
        ("low_bone_density", "Low bone mineral density"),
        ("stress_fracture", "Stress reaction or fracture"),
    ),
    dietary_restriction_points=(("none", 0), ("some", 1), ("eating_disorder", 2)),
    bmi=(Cutoff("<=", 17.5, 2), Cutoff("<", 18.5, 1)),
    weight_loss_pct_month=(Cutoff(">=", 10, 2), Cutoff(">=", 5, 1)),
    age_first_period=(Cutoff(">=", 16, 2), Cutoff(">=", 15, 1)),
    periods_last_12_months=(Cutoff("<", 6, 2), Cutoff("<=", 9, 1)),
    bone_density_z=(Cutoff("<=", -2.0, 2), Cutoff("<", -1.0, 1)),
    categories=(
        (0, "full", "Full clearance"),
        (2, "provisional", "Provisional or limited clearance"),
        (6, "restricted", "Restricted"),
    ),
    # Delayed menarche may stand in for bone density when no scan exists (B: APNM 2020).
    substitutes=(("low_bone_density", "delayed_menarche"),),
    evidence="A: De Souza et al. 2014, BJSM; B: Appl Physiol Nutr Metab 2020, substitution",
)

# --- Policy: clinic defaults, editable per clinic, never evidence ---------------------------

_DEFAULT = "Clinic default, not evidence"

POLICY = {
    "band_moderate_from": PolicySetting(
        3,
        int,
        "Moderate suspicion from score",
        f"{_DEFAULT}: no study gives score cut-offs. A score at or above this is 'moderate'.",
        min=1,
        max=30,
    ),
    "band_high_from": PolicySetting(
        5,
        int,
        "High suspicion from score",
        f"{_DEFAULT}: no study gives score cut-offs. A score at or above this is 'high'.",
        min=2,
        max=40,
    ),
    "load_spike_pct": PolicySetting(
        30,
        int,
        "Load spike: rise over two weeks (%)",
        f"{_DEFAULT}. A rise of more than 30% over two weeks was a borderline risk for "
        "distance-related injuries in one cohort (Nielsen 2014); it is not a BSI threshold.",
        min=5,
        max=200,
    ),
    "rest_days_min": PolicySetting(
        1,
        int,
        "Fewest rest days a week",
        f"{_DEFAULT}: no study gives a number. Fewer rest days a week than this flags recovery.",
        min=0,
        max=7,
    ),
    "shoe_max_km": PolicySetting(
        800,
        int,
        "Shoe check after (km)",
        f"{_DEFAULT}: shoes that have run this far ask for a footwear check.",
        min=100,
        max=5000,
    ),
    "shoe_max_months": PolicySetting(
        12,
        int,
        "Shoe check after (months)",
        f"{_DEFAULT}: shoes this old ask for a footwear check.",
        min=1,
        max=60,
    ),
    "adolescent_age_below": PolicySetting(
        18,
        int,
        "Adult BMI cut-offs from age",
        f"{_DEFAULT}. Absolute BMI cut-offs do not apply to adolescents (Triad consensus); "
        "below this age the BMI item is not scored.",
        min=10,
        max=25,
    ),
    "high_risk_from_region": PolicySetting(
        True,
        bool,
        "Urgent flag from the painful region",
        f"{_DEFAULT}. When the runner points to one spot in a region that strongly suggests a "
        "high-risk site (front of the shin: anterior tibial cortex), raise the urgent high-risk "
        "site flag before a therapist confirms the site.",
    ),
    "action_femoral_neck": PolicySetting(
        "Urgent: stop running and weight-bearing exercise; same-day medical review and imaging "
        "for a possible femoral neck stress fracture.",
        str,
        "Action: femoral neck red flag",
        f"{_DEFAULT}: the sources say urgent and non-weight-bearing; 'same-day' is our wording.",
        min=1,
        max=500,
    ),
    "action_high_risk_site": PolicySetting(
        "Urgent: imaging referral and off-loading before any rehab plan starts; therapist "
        "sign-off on every phase change.",
        str,
        "Action: high-risk site red flag",
        f"{_DEFAULT}: wording the clinical lead may edit.",
        min=1,
        max=500,
    ),
    "action_rest_pain": PolicySetting(
        "Expedite review: pain at rest, at night or with walking.",
        str,
        "Action: rest or walking pain",
        f"{_DEFAULT}: wording the clinical lead may edit.",
        min=1,
        max=500,
    ),
    "action_cannot_bear_weight": PolicySetting(
        "Expedite review: cannot hop or bear weight on the leg.",
        str,
        "Action: cannot hop or bear weight",
        f"{_DEFAULT}: wording the clinical lead may edit.",
        min=1,
        max=500,
    ),
    "action_bone_health": PolicySetting(
        "Refer for a bone-health work-up (physician) and nutrition support (dietitian).",
        str,
        "Action: bone-health referral",
        f"{_DEFAULT}: wording the clinical lead may edit.",
        min=1,
        max=500,
    ),
}

RULESET = RuleSet(
    version=VERSION,
    questions=QUESTIONS,
    sites=SITES,
    grading_systems=GRADING_SYSTEMS,
    high_risk_regions=(("shin_front", "anterior_tibia"),),
    tibial_regions=frozenset({"shin_front", "shin_inner"}),
    tibial_sites=frozenset({"anterior_tibia", "posteromedial_tibia"}),
    deep_regions=frozenset({"hip_groin", "buttock_low_back"}),
    bands=(
        ("low", "Low suspicion"),
        ("moderate", "Moderate suspicion"),
        ("high", "High suspicion"),
    ),
    items=ITEMS,
    red_flags=RED_FLAGS,
    notes=NOTES,
    plan_actions=PLAN_ACTIONS,
    risk_groups=RISK_GROUPS,
    triad=TRIAD,
    policy=POLICY,
    disclaimer=(
        "Decision support, not a diagnosis. The score raises or lowers suspicion of a bone stress "
        "injury and says why; no single clinical test rules one in or out, and MRI is the "
        "reference standard for diagnosis."
    ),
)
