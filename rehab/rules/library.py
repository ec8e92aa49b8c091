"""The starter library every clinic gets: strength exercises and four plan templates, as data.

Pure Python, no Django import; `rehab.services.plans.library_seed` copies it into a clinic once
(missing rows only, so a clinic's own edits are never overwritten). Clinics then edit their copy
in the app. The structure follows clinical reference §5; doses are policy (the reference notes
that dosing evidence for strength is weak and no BSI-specific trial exists), so every template
says it is a starting point for the therapist to adjust.

Template names describe what they are. The two example progressions are labelled after the
reference's own wording ("example walk-run table", "another structured example"), never with the
name of an institution.
"""

LIBRARY_VERSION = "2026.1"

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

STOP_IF = "Stop if you feel pain at the injury site."

# code: (name, target, sets, reps, load, instructions)
EXERCISES = {
    # Calves
    "calf_raise_double": (
        "Calf raise, both legs",
        "calves",
        3,
        "15",
        "Bodyweight",
        "Stand tall with your hands on a wall or chair back. Rise onto the balls of both feet as "
        "high as you can, pause for a second, then lower slowly over three seconds. " + STOP_IF,
    ),
    "calf_raise_single": (
        "Calf raise, one leg",
        "calves",
        3,
        "10–15 each side",
        "Bodyweight, then a backpack",
        "Stand on one foot on the floor or a step edge, fingertips on a wall for balance. Rise "
        "up as high as you can and lower slowly. Keep the knee straight. Do the same number on "
        "both legs. " + STOP_IF,
    ),
    "calf_raise_bent_knee": (
        "Bent-knee calf raise",
        "calves",
        3,
        "15",
        "Bodyweight",
        "Stand with your knees slightly bent, as if about to sit. Keep that bend while you rise "
        "onto the balls of your feet and lower slowly. This works the deeper calf muscle (soleus) "
        "that takes much of the load when you run.",
    ),
    "calf_raise_seated": (
        "Seated calf raise",
        "calves",
        3,
        "20",
        "A weight or bag on your knees",
        "Sit on a chair with your feet flat and a weight resting on your thighs near the knees. "
        "Lift your heels as high as you can, hold a moment, lower slowly. Good while standing "
        "calf work is not yet comfortable.",
    ),
    # Quadriceps
    "wall_sit": (
        "Wall sit",
        "quadriceps",
        3,
        "30–45 s hold",
        "Bodyweight",
        "Lean your back against a wall and slide down until your knees are bent to about 60 "
        "degrees, feet hip-width apart and a little in front of you. Hold, breathing steadily. "
        "Slide up to finish.",
    ),
    "sit_to_stand": (
        "Sit to stand",
        "quadriceps",
        3,
        "10–12",
        "Bodyweight, then holding a weight",
        "Sit on the front of a firm chair, feet flat and hip-width apart. Lean forward and stand "
        "up without using your hands, then sit down slowly and with control. Lower the chair to "
        "make it harder.",
    ),
    "split_squat": (
        "Split squat",
        "quadriceps",
        3,
        "8–10 each side",
        "Bodyweight, then dumbbells",
        "Stand with one foot a long stride in front of the other. Bend both knees to lower "
        "straight down until the back knee nearly touches the floor, then push back up. Keep "
        "your chest up and your front knee over your toes. " + STOP_IF,
    ),
    "step_up": (
        "Step-up",
        "quadriceps",
        3,
        "10 each side",
        "A 20–30 cm step",
        "Place one whole foot on a sturdy step. Push through that foot to stand up on the step, "
        "then lower the other foot slowly back to the floor. Do not push off the back foot.",
    ),
    "leg_press": (
        "Leg press",
        "quadriceps",
        3,
        "10–12",
        "Moderate: two or three reps left in reserve",
        "On the leg press machine, place your feet hip-width apart on the plate. Lower until your "
        "knees are bent to about 90 degrees, then press back without locking the knees. A way to "
        "load the legs with the body weight taken off the foot and shin.",
    ),
    # Hamstrings
    "romanian_deadlift": (
        "Romanian deadlift",
        "hamstrings",
        3,
        "8–10",
        "Light dumbbells or a kettlebell",
        "Stand holding the weight in front of your thighs, knees softly bent. Push your hips back "
        "and let the weight slide down your legs, keeping your back flat, until you feel a "
        "stretch behind the thighs. Drive your hips forward to stand up.",
    ),
    "hamstring_bridge": (
        "Heels-on-chair bridge",
        "hamstrings",
        3,
        "10",
        "Bodyweight",
        "Lie on your back with your heels on a chair seat and knees slightly bent. Press your "
        "heels down to lift your hips until your body is in a straight line, hold two seconds, "
        "lower slowly.",
    ),
    "ball_leg_curl": (
        "Leg curl on a ball",
        "hamstrings",
        3,
        "8–12",
        "Bodyweight",
        "Lie on your back with your heels on a gym ball. Lift your hips, then pull the ball in "
        "towards you by bending your knees, and roll it out again slowly. Keep your hips up the "
        "whole time.",
    ),
    "single_leg_bridge": (
        "Single-leg bridge",
        "hamstrings",
        3,
        "8–10 each side",
        "Bodyweight",
        "Lie on your back with one knee bent and the other leg straight in the air. Push through "
        "the heel on the floor to lift your hips level, hold two seconds, lower slowly. Keep the "
        "pelvis from tipping.",
    ),
    # Glutes
    "glute_bridge": (
        "Glute bridge",
        "glutes",
        3,
        "12–15",
        "Bodyweight, then a weight on the hips",
        "Lie on your back with both knees bent and feet flat. Squeeze your buttocks and lift your "
        "hips until your body is in a line from shoulders to knees. Hold two seconds, lower "
        "slowly.",
    ),
    "clamshell": (
        "Clamshell",
        "glutes",
        3,
        "15 each side",
        "A light band around the knees",
        "Lie on your side with hips and knees bent and your feet together. Keeping the feet "
        "touching, lift the top knee as far as you can without rolling your pelvis back, then "
        "lower slowly.",
    ),
    "side_lying_abduction": (
        "Side-lying leg lift",
        "glutes",
        3,
        "12–15 each side",
        "Bodyweight, then an ankle weight",
        "Lie on your side with the bottom knee bent and the top leg straight, in line with your "
        "body. Lift the top leg towards the ceiling, leading with the heel and toes pointing "
        "forward, then lower slowly. Do not let the leg drift forwards.",
    ),
    "hip_thrust": (
        "Hip thrust",
        "glutes",
        3,
        "8–12",
        "A weight across the hips",
        "Sit on the floor with your upper back against a bench edge and knees bent. Drive "
        "through your heels to lift your hips until your thighs are level with your body, "
        "squeeze the buttocks at the top, then lower with control.",
    ),
    "banded_side_step": (
        "Banded side steps",
        "glutes",
        3,
        "10 steps each way",
        "A band above the knees",
        "With a band around your legs, bend your knees slightly and step sideways, keeping your "
        "feet apart and toes forward. Stay low and do not let the knees fall in. This is done "
        "standing, so keep it for when walking is comfortable.",
    ),
    # Hips
    "standing_march_band": (
        "Banded hip march",
        "hips",
        3,
        "10 each side",
        "A band around the feet",
        "Stand tall with a hand on a wall and a band around both feet. Lift one knee to hip "
        "height against the band, hold a second, lower slowly. Keep your trunk upright.",
    ),
    "hip_hitch": (
        "Hip hitch",
        "hips",
        3,
        "12 each side",
        "Bodyweight",
        "Stand on a low step on one leg, the other foot hanging off the side. Keeping both knees "
        "straight, let the free hip drop down, then lift it back up past level using the hip of "
        "the standing leg.",
    ),
    "copenhagen_short": (
        "Short-lever side plank with top knee on a bench",
        "hips",
        3,
        "15–20 s each side",
        "Bodyweight",
        "Lie on your side with your forearm on the floor and your top knee resting on a bench. "
        "Lift your hips so your body is straight, supported by the forearm and the top knee. "
        "Hold. This works the inner thigh muscles.",
    ),
    "seated_knee_extension": (
        "Seated knee extension with a band",
        "quadriceps",
        3,
        "15",
        "A light band",
        "Sit on a chair with a band looped around the chair leg and your ankle. Straighten the "
        "knee fully, hold two seconds, lower slowly. Loads the thigh without loading the foot.",
    ),
    # Core
    "front_plank": (
        "Front plank",
        "core",
        3,
        "20–45 s hold",
        "Bodyweight",
        "Rest on your forearms and toes (or knees to start) with your body in a straight line "
        "from head to heels. Tighten your stomach as if bracing for a cough and breathe "
        "steadily. Stop when your hips start to sag.",
    ),
    "side_plank": (
        "Side plank",
        "core",
        3,
        "20–30 s each side",
        "Bodyweight; knees bent to start",
        "Lie on your side propped on your forearm, elbow under your shoulder. Lift your hips so "
        "your body is straight from head to knees (or feet) and hold. Keep your top hip stacked "
        "over the bottom one.",
    ),
    "dead_bug": (
        "Dead bug",
        "core",
        3,
        "8 each side",
        "Bodyweight",
        "Lie on your back with your arms towards the ceiling and hips and knees bent at 90 "
        "degrees. Press your lower back into the floor. Slowly lower one arm behind your head "
        "and the opposite leg towards the floor, then return and switch sides.",
    ),
    "bird_dog": (
        "Bird dog",
        "core",
        3,
        "8 each side",
        "Bodyweight",
        "Kneel on all fours, hands under shoulders and knees under hips. Reach one arm forward "
        "and the opposite leg back until both are level with your body, hold two seconds without "
        "tipping, then return and switch.",
    ),
    "pallof_press": (
        "Pallof press",
        "core",
        3,
        "10 each side",
        "A band or cable at chest height",
        "Stand side-on to the band anchor, holding the band at your chest with both hands. Press "
        "your hands straight out in front of you without letting the band twist your trunk, hold "
        "two seconds, bring them back.",
    ),
}


def _x(code: str, **dose) -> dict:
    """An exercise of the library in a template, with the template's dose where it differs."""
    name, target, sets, reps, load, instructions = EXERCISES[code]
    return {
        "code": code,
        "name": name,
        "target": target,
        "sets": dose.get("sets", sets),
        "reps": dose.get("reps", reps),
        "load": dose.get("load", load),
        "instructions": instructions,
    }


def _seg(*pairs) -> list[dict]:
    return [{"activity": activity, "minutes": minutes} for activity, minutes in pairs]


def _step(code: str, label: str, *pairs, repeats=1, distance_m=None, instructions="") -> dict:
    return {
        "code": code,
        "label": label,
        "segments": _seg(*pairs),
        "repeats": repeats,
        "distance_m": distance_m,
        "instructions": instructions,
    }


PAIN_FREE = (
    "Only as far as it stays pain-free at the injury site. Stop and walk home slowly if it starts "
    "to hurt, and note it when you mark the session done."
)
FLAT = "On flat, even ground. Walk the recovery segments briskly; run easily enough to talk."

# Phases shared by the templates (each template gets its own copy in its JSON).
NON_WEIGHT_BEARING_STRENGTH = {
    "days": [MON, THU],
    "exercises": [
        _x("clamshell"),
        _x("side_lying_abduction"),
        _x("glute_bridge"),
        _x("calf_raise_seated"),
        _x("seated_knee_extension"),
        _x("dead_bug"),
    ],
}
CROSS_TRAIN_STRENGTH = {
    "days": [MON, WED, FRI],
    "exercises": [
        _x("calf_raise_double"),
        _x("calf_raise_bent_knee"),
        _x("sit_to_stand"),
        _x("glute_bridge"),
        _x("hamstring_bridge"),
        _x("side_plank", reps="20 s each side"),
        _x("dead_bug"),
    ],
}
READINESS_STRENGTH = {
    "days": [MON, WED, FRI],
    "exercises": [
        _x("calf_raise_single"),
        _x("step_up"),
        _x("split_squat"),
        _x("single_leg_bridge"),
        _x("romanian_deadlift"),
        _x("side_plank"),
        _x("bird_dog"),
    ],
}
RUNNING_STRENGTH = {
    "days": [TUE, FRI],
    "exercises": [
        _x("calf_raise_single"),
        _x("split_squat"),
        _x("hip_thrust"),
        _x("ball_leg_curl"),
        _x("hip_hitch"),
        _x("pallof_press"),
    ],
}

READINESS_CRITERIA = [
    "No tenderness when the bone is pressed",
    "Walking is pain-free (at least 2 weeks of pain-free walking and cross-training)",
    "High-risk sites: imaging confirms healing",
    "Strength and hop tests passed (10–15 pain-free single-leg hops)",
    "Contributing factors addressed (load, footwear, energy, strength)",
]


def _protect(steps, *, weeks, goal, clearance="", criteria=()) -> dict:
    return {
        "kind": "protect",
        "label": "Protect",
        "goal": goal,
        "entry_criteria": list(criteria),
        "exit_clearance": clearance,
        "weeks": weeks,
        "rest_days": [SUN],
        "steps": steps,
        "strength": NON_WEIGHT_BEARING_STRENGTH,
        "cross": [
            {"activity": "deep_water_running", "minutes": 20, "effort": "Easy", "days": [TUE]},
            {"activity": "swimming", "minutes": 20, "effort": "Easy", "days": [SAT]},
        ],
    }


CROSS_TRAIN = {
    "kind": "cross_train",
    "label": "Cross-train and strengthen",
    "goal": "Keep your fitness without loading the bone, and build the strength you will run on. "
    "Cross-training goes from the lowest bone load up: deep-water running, then cycling or the "
    "anti-gravity treadmill.",
    "entry_criteria": ["Walking for daily life is pain-free", "No pain at rest or at night"],
    "exit_clearance": "",
    "weeks": "2–4",
    "rest_days": [SUN],
    "steps": [
        _step("xt_dwr_30", "Deep-water running 30 min", ("deep_water_running", 30),
              instructions="In the deep end with a float belt, run without touching the bottom. "
              "Moderate effort: you could speak in short sentences."),
        _step("xt_bike_40", "Cycling 40 min", ("cycling", 40),
              instructions="Steady, seated, moderate effort. Stand on the pedals only if it is "
              "pain-free."),
        _step("xt_walk_40", "Brisk walk 40 min", ("walk", 40), instructions=PAIN_FREE),
    ],
    "strength": CROSS_TRAIN_STRENGTH,
    "cross": [
        {"activity": "deep_water_running", "minutes": 30, "effort": "Moderate (RPE 5)",
         "days": [TUE]},
        {"activity": "cycling", "minutes": 40, "effort": "Easy to moderate", "days": [SAT]},
    ],
}  # fmt: skip

READINESS = {
    "kind": "readiness",
    "label": "Readiness to run",
    "goal": "Show the bone is ready for impact: long pain-free walks, then pain-free hopping.",
    "entry_criteria": READINESS_CRITERIA,
    "exit_clearance": "",
    "weeks": "1–2",
    "rest_days": [SUN],
    "steps": [
        _step("ready_walk_30", "Brisk walk 30 min, pain-free", ("walk", 30),
              instructions=PAIN_FREE),
        _step("ready_walk_45", "Brisk walk 45 min, pain-free", ("walk", 45),
              instructions=PAIN_FREE),
        _step("ready_hops", "Single-leg hops: 10–15, pain-free", ("walk", 10),
              instructions="After a 10-minute walk to warm up, hop on the injured leg 10 to 15 "
              "times in place, landing softly. It must not hurt at the injury site, then or the "
              "next morning. Record the pain you felt."),
    ],
    "strength": READINESS_STRENGTH,
    "cross": [{"activity": "cycling", "minutes": 30, "effort": "Moderate", "days": [TUE, SAT]}],
}  # fmt: skip

WALK_RUN = {
    "kind": "walk_run",
    "label": "Walk-run",
    "goal": "Bring impact back in small doses: distance before speed, on flat ground, running "
    "every other day at most.",
    "entry_criteria": ["Readiness criteria met", "Therapist has cleared a first run"],
    "exit_clearance": "",
    "weeks": "3–4",
    "rest_days": [SUN],
    "steps": [
        _step("wr_w4_r1", "Walk 4 / run 1, five times", ("walk", 4), ("run", 1), repeats=5,
              instructions=FLAT),
        _step("wr_w3_r2", "Walk 3 / run 2, five times", ("walk", 3), ("run", 2), repeats=5,
              instructions=FLAT),
        _step("wr_w2_r3", "Walk 2 / run 3, five times", ("walk", 2), ("run", 3), repeats=5,
              instructions=FLAT),
        _step("wr_w1_r4", "Walk 1 / run 4, five times", ("walk", 1), ("run", 4), repeats=5,
              instructions=FLAT),
        _step("wr_w1_r9", "Walk 1 / run 9, three times", ("walk", 1), ("run", 9), repeats=3,
              instructions=FLAT),
        _step("wr_run_20", "Run 20 min continuously", ("walk", 5), ("run", 20), ("walk", 5),
              instructions=FLAT),
    ],
    "strength": RUNNING_STRENGTH,
    "cross": [{"activity": "cycling", "minutes": 30, "effort": "Easy", "days": [SAT]}],
}  # fmt: skip

REBUILD = {
    "kind": "rebuild",
    "label": "Rebuild",
    "goal": "Three or four runs a week with rest days between: a harder day, an easy day, a "
    "medium day. Add time before pace.",
    "entry_criteria": ["20 minutes of continuous running is pain-free, that day and the next"],
    "exit_clearance": "",
    "weeks": "3–6",
    "rest_days": [SUN],
    "steps": [
        _step("rb_run_25", "Easy run 25 min", ("run", 25)),
        _step("rb_run_30", "Easy run 30 min", ("run", 30)),
        _step("rb_run_35", "Run 35 min, steady", ("run", 35)),
        _step("rb_run_40", "Run 40 min, steady", ("run", 40)),
        _step("rb_run_45", "Run 45 min, the week's long run", ("run", 45)),
    ],
    "strength": RUNNING_STRENGTH,
    "cross": [],
}  # fmt: skip

RETURN_TO_TRAINING = {
    "kind": "return_to_training",
    "label": "Return to training",
    "goal": "Speed and intensity come back last, one session a week at first, with your coach.",
    "entry_criteria": ["45 minutes of running is pain-free", "Coach has the return plan"],
    "exit_clearance": "",
    "weeks": "2–4",
    "rest_days": [SUN],
    "steps": [
        _step("rt_strides", "Easy run 35 min + 6 × 20 s strides", ("run", 35), ("walk", 1),
              ("run", 0.5), ("walk", 1), ("run", 0.5), ("walk", 1), ("run", 0.5),
              instructions="Strides: quick, relaxed, not a sprint. Walk back between them."),
        _step("rt_tempo", "Run 40 min with 10 min at tempo", ("run", 15), ("run", 10), ("run", 15),
              instructions="The middle 10 minutes at a comfortably hard pace."),
        _step("rt_usual", "Usual training with recovery days", ("run", 45),
              instructions="Back to your own training plan, built with your coach, with at "
              "least one rest day a week."),
    ],
    "strength": {"days": [TUE], "exercises": RUNNING_STRENGTH["exercises"]},
    "cross": [],
}  # fmt: skip

TEMPLATES = {
    "low_risk_site": {
        "name": "Low-risk site: return to running",
        "risk_class": "low",
        "description": "For a bone stress injury at a low-risk site (e.g. posteromedial tibia, "
        "fibula, metatarsal shafts 2–4), which usually heals with load modification. Six phases "
        "from the clinical reference §5; each step advances after pain-free completions. A "
        "starting point: adjust steps, doses and dates for each runner.",
        "phases": [
            _protect(
                [
                    _step(
                        "pr_walk_10", "Walk 10 min, pain-free", ("walk", 10), instructions=PAIN_FREE
                    ),
                    _step(
                        "pr_walk_20", "Walk 20 min, pain-free", ("walk", 20), instructions=PAIN_FREE
                    ),
                    _step(
                        "pr_walk_30", "Walk 30 min, pain-free", ("walk", 30), instructions=PAIN_FREE
                    ),
                ],
                weeks="1–2",
                goal="Let the bone settle: no running, and walk only as far as it stays "
                "pain-free. We also look at what led to the injury: training, shoes, food and "
                "rest.",
                criteria=["Bone stress injury at a low-risk site, confirmed or suspected"],
            ),
            CROSS_TRAIN,
            READINESS,
            WALK_RUN,
            REBUILD,
            RETURN_TO_TRAINING,
        ],
    },  # fmt: skip
    "high_risk_site": {
        "name": "High-risk site: return to running",
        "risk_class": "high",
        "description": "For a high-risk site (femoral neck tension side, anterior tibia, "
        "navicular, 5th metatarsal, medial malleolus, talus, sesamoids…), where healing is slow "
        "and complications are costly. A longer protect phase that ends only with imaging "
        "clearance and the therapist's sign-off; every phase change waits for the therapist's "
        "approval (clinical reference §2, §3).",
        "phases": [
            _protect(
                [
                    _step(
                        "hr_offload",
                        "Off-loaded as the physician orders",
                        ("walk", 5),
                        instructions="Crutches or a boot exactly as your physician ordered. "
                        "Short walks at home only, and only if they do not hurt.",
                    ),
                    _step(
                        "hr_walk_10",
                        "Walk 10 min in the boot or shoes as cleared",
                        ("walk", 10),
                        instructions=PAIN_FREE,
                    ),
                    _step(
                        "hr_walk_20", "Walk 20 min, pain-free", ("walk", 20), instructions=PAIN_FREE
                    ),
                    _step(
                        "hr_walk_30", "Walk 30 min, pain-free", ("walk", 30), instructions=PAIN_FREE
                    ),
                ],
                weeks="6–8",
                goal="Off-load the bone as your physician ordered. No running and no impact. "
                "Leaving this phase needs imaging that shows healing and your therapist's "
                "sign-off.",
                clearance="Imaging confirms healing, and the therapist signs off",
                criteria=["High-risk site: imaging referral made", "Off-loading as ordered"],
            ),
            CROSS_TRAIN,
            READINESS,
            WALK_RUN,
            REBUILD,
            RETURN_TO_TRAINING,
        ],
    },  # fmt: skip
    "example_22_day": {
        "name": "Example: 22-day walk–jog–run progression",
        "risk_class": "any",
        "description": "The example walk-run table of the clinical reference §5 (a clinic "
        "protocol, evidence level D: an example, not a rule). Brisk walks of 10 to 30 minutes, "
        "then walk/jog, jog, and jog/run sessions to 30 minutes, then usual training. Rebound "
        "never runs on two days in a row, so the example's consecutive jogging days are spread "
        "over alternate days and its recovery days become rest days; each step also waits for "
        "pain-free completions. For a runner who has finished protecting the bone.",
        "phases": [
            {
                "kind": "readiness",
                "label": "Brisk walking (days 1–5)",
                "goal": "Brisk walks that grow by 5 minutes a session.",
                "entry_criteria": READINESS_CRITERIA[:2],
                "exit_clearance": "",
                "weeks": "1",
                "rest_days": [SUN],
                "steps": [
                    _step(
                        f"ex22_walk_{m}", f"Brisk walk {m} min", ("walk", m), instructions=PAIN_FREE
                    )
                    for m in (10, 15, 20, 25, 30)
                ],
                "strength": READINESS_STRENGTH,
                "cross": [],
            },
            {
                "kind": "walk_run",
                "label": "Walk/jog and jog (days 6–12)",
                "goal": "Jogging comes in between walks, then takes over.",
                "entry_criteria": ["30 minutes of brisk walking is pain-free"],
                "exit_clearance": "",
                "weeks": "2",
                "rest_days": [SUN],
                "steps": [
                    _step(
                        "ex22_w15_j5_w10",
                        "Walk 15, jog 5, walk 10",
                        ("walk", 15),
                        ("jog", 5),
                        ("walk", 10),
                        instructions=FLAT,
                    ),
                    _step(
                        "ex22_w10_j10_w10",
                        "Walk 10, jog 10, walk 10",
                        ("walk", 10),
                        ("jog", 10),
                        ("walk", 10),
                        instructions=FLAT,
                    ),
                    _step(
                        "ex22_w10_j15_w5",
                        "Walk 10, jog 15, walk 5",
                        ("walk", 10),
                        ("jog", 15),
                        ("walk", 5),
                        instructions=FLAT,
                    ),
                    _step(
                        "ex22_jog_20",
                        "Jog 20, with 5 min walking either side",
                        ("walk", 5),
                        ("jog", 20),
                        ("walk", 5),
                        instructions=FLAT,
                    ),
                    _step(
                        "ex22_w5_j25", "Walk 5, jog 25", ("walk", 5), ("jog", 25), instructions=FLAT
                    ),
                    _step("ex22_jog_30", "Jog 30", ("jog", 30), instructions=FLAT),
                ],
                "strength": RUNNING_STRENGTH,
                "cross": [],
            },
            {
                "kind": "rebuild",
                "label": "Jog/run (days 14–20)",
                "goal": "Running pace comes in, a few minutes at a time.",
                "entry_criteria": ["30 minutes of jogging is pain-free"],
                "exit_clearance": "",
                "weeks": "2",
                "rest_days": [SUN],
                "steps": [
                    _step(
                        "ex22_j15_r5_j10",
                        "Jog 15, run 5, jog 10",
                        ("jog", 15),
                        ("run", 5),
                        ("jog", 10),
                    ),
                    _step(
                        "ex22_j10_r10_j10",
                        "Jog 10, run 10, jog 10",
                        ("jog", 10),
                        ("run", 10),
                        ("jog", 10),
                    ),
                    _step(
                        "ex22_j10_r15_j5",
                        "Jog 10, run 15, jog 5",
                        ("jog", 10),
                        ("run", 15),
                        ("jog", 5),
                    ),
                    _step(
                        "ex22_j5_r20_j5",
                        "Jog 5, run 20, jog 5",
                        ("jog", 5),
                        ("run", 20),
                        ("jog", 5),
                    ),
                    _step("ex22_j5_r25", "Jog 5, run 25", ("jog", 5), ("run", 25)),
                    _step("ex22_run_30", "Run 30", ("run", 30)),
                ],
                "strength": RUNNING_STRENGTH,
                "cross": [],
            },
            {
                "kind": "return_to_training",
                "label": "Usual training (day 22)",
                "goal": "Back to usual training, with recovery days.",
                "entry_criteria": ["30 minutes of running is pain-free"],
                "exit_clearance": "",
                "weeks": "",
                "rest_days": [SUN],
                "steps": [
                    _step(
                        "ex22_usual",
                        "Usual training with recovery days",
                        ("run", 40),
                        instructions="Your own plan with your coach, with at least one "
                        "recovery day a week.",
                    ),
                ],
                "strength": {"days": [TUE], "exercises": RUNNING_STRENGTH["exercises"]},
                "cross": [],
            },
        ],
    },  # fmt: skip
    "example_interval": {
        "name": "Example: interval walk/run in six stages",
        "risk_class": "any",
        "description": "After the reference's other structured example (§5: a B-level protocol "
        "from knee injuries in soldiers, not bone stress injuries): six stages from 2 min walk / "
        "3 min run over 1 mile to continuous running over 2 miles, each done at least twice, "
        "with a rest day between runs. The reference gives the first and last stage; the four "
        "between are Rebound's even steps. Check them before use.",
        "phases": [
            {
                "kind": "readiness",
                "label": "Readiness to run",
                "goal": "Show the bone is ready for impact.",
                "entry_criteria": READINESS_CRITERIA,
                "exit_clearance": "",
                "weeks": "1",
                "rest_days": [SUN],
                "steps": [
                    _step(
                        "iv_walk_45",
                        "Brisk walk 45 min, pain-free",
                        ("walk", 45),
                        instructions=PAIN_FREE,
                    ),
                    _step(
                        "iv_hops",
                        "Single-leg hops: 10–15, pain-free",
                        ("walk", 10),
                        instructions=READINESS["steps"][2]["instructions"],
                    ),
                ],
                "strength": READINESS_STRENGTH,
                "cross": [],
            },
            {
                "kind": "walk_run",
                "label": "Interval walk/run",
                "goal": "Six stages, each done at least twice, a rest day between runs.",
                "entry_criteria": ["Readiness criteria met"],
                "exit_clearance": "",
                "weeks": "2–3",
                "rest_days": [SUN],
                "steps": [
                    _step(
                        "iv_1",
                        "Stage 1: walk 2 / run 3 over 1 mile",
                        ("walk", 2),
                        ("run", 3),
                        repeats=3,
                        distance_m=1609,
                        instructions=FLAT,
                    ),
                    _step(
                        "iv_2",
                        "Stage 2: walk 1 / run 4 over 1 mile",
                        ("walk", 1),
                        ("run", 4),
                        repeats=3,
                        distance_m=1609,
                        instructions=FLAT,
                    ),
                    _step(
                        "iv_3",
                        "Stage 3: walk 1 / run 4 over 1.5 miles",
                        ("walk", 1),
                        ("run", 4),
                        repeats=4,
                        distance_m=2414,
                        instructions=FLAT,
                    ),
                    _step(
                        "iv_4",
                        "Stage 4: walk 1 / run 9 over 1.5 miles",
                        ("walk", 1),
                        ("run", 9),
                        repeats=2,
                        distance_m=2414,
                        instructions=FLAT,
                    ),
                    _step(
                        "iv_5",
                        "Stage 5: continuous run, 1.5 miles",
                        ("run", 15),
                        distance_m=2414,
                        instructions=FLAT,
                    ),
                    _step(
                        "iv_6",
                        "Stage 6: continuous run, 2 miles",
                        ("run", 20),
                        distance_m=3219,
                        instructions=FLAT,
                    ),
                ],
                "strength": RUNNING_STRENGTH,
                "cross": [{"activity": "cycling", "minutes": 30, "effort": "Easy", "days": [SAT]}],
            },
            {
                "kind": "return_to_training",
                "label": "Return to training",
                "goal": "Build from 2 miles with your coach.",
                "entry_criteria": ["2 miles of continuous running is pain-free"],
                "exit_clearance": "",
                "weeks": "",
                "rest_days": [SUN],
                "steps": [RETURN_TO_TRAINING["steps"][-1]],
                "strength": {"days": [TUE], "exercises": RUNNING_STRENGTH["exercises"]},
                "cross": [],
            },
        ],
    },  # fmt: skip
}
