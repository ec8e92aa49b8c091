"""What a rehab plan holds, as plain data: phases, their steps, strength and cross-training.

Pure Python, no Django import. A template version and a patient's plan store the same JSON
(`PlanContent.to_json()`); `content_from_json()` reads it back and refuses anything malformed with
a `ContentError` that says what to fix, so a bad edit can never reach the progression engine.

- A **phase** (clinical reference §5: protect → cross-train and strengthen → readiness → walk-run
  → rebuild → return to training) has a goal, entry criteria, an optional clearance needed to
  leave it (high-risk sites: imaging and the therapist's sign-off), rest weekdays, a weekly
  strength session and cross-training sessions.
- A **step** is the phase's key session: the one the patient completes and reports pain for, and
  the unit the progression engine advances, holds or steps back. Its `segments` ("walk 2, run 3")
  repeat `repeats` times, optionally over a distance. A step with jog or run segments is a running
  step: never on two days in a row (§5 Walk-run).
- Strength and cross-training are the phase's supporting sessions, on fixed weekdays.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

from rehab.rules import progression
from rehab.rules.load import Record

CONTENT_SCHEMA = 1

PHASE_KINDS: Mapping[str, str] = {
    progression.PhaseKind.PROTECT: "Protect",
    progression.PhaseKind.CROSS_TRAIN: "Cross-train and strengthen",
    progression.PhaseKind.READINESS: "Readiness to run",
    progression.PhaseKind.WALK_RUN: "Walk-run",
    progression.PhaseKind.REBUILD: "Rebuild",
    progression.PhaseKind.RETURN_TO_TRAINING: "Return to training",
}

STRENGTH_TARGETS: Mapping[str, str] = {
    "hips": "Hips",
    "glutes": "Glutes",
    "calves": "Calves",
    "quadriceps": "Quadriceps",
    "hamstrings": "Hamstrings",
    "core": "Core",
}

# Cross-training by bone load, lowest first (§5: deep-water running → anti-gravity treadmill →
# treadmill → overground; cycling and swimming are options; no source ranks the elliptical).
CROSS_TRAINING: Mapping[str, str] = {
    "deep_water_running": "Deep-water running",
    "swimming": "Swimming",
    "cycling": "Cycling",
    "antigravity_treadmill": "Anti-gravity treadmill",
    "elliptical": "Elliptical",
}

# What a segment of a step may be; jog and run make it a running step.
SEGMENT_ACTIVITIES: Mapping[str, str] = {
    "walk": "Walk",
    "jog": "Jog",
    "run": "Run",
    "rest": "Rest",
    **CROSS_TRAINING,
}
RUNNING_SEGMENTS = frozenset({"jog", "run"})
# Words a therapist may type for a segment's activity, beyond the codes themselves.
SEGMENT_WORDS: Mapping[str, str] = {
    **{code: code for code in SEGMENT_ACTIVITIES},
    **{label.lower(): code for code, label in SEGMENT_ACTIVITIES.items()},
    "brisk walk": "walk",
    "deep-water running": "deep_water_running",
    "deep water running": "deep_water_running",
    "deep-water": "deep_water_running",
    "anti-gravity treadmill": "antigravity_treadmill",
    "antigravity treadmill": "antigravity_treadmill",
    "bike": "cycling",
    "swim": "swimming",
}

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

MAX_PHASES = 8
MAX_STEPS = 20
MAX_SEGMENTS = 12
MAX_EXERCISES = 12
MAX_CROSS = 4
MAX_CRITERIA = 8
MAX_SEGMENT_MINUTES = 240
MAX_REPEATS = 20
MAX_DISTANCE_M = 42_195
MAX_TEXT = 2000
MAX_LABEL = 120


class ContentError(ValueError):
    """The plan content is not valid; the message says what to fix, for the person editing."""


# --- The content ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Segment(Record):
    activity: str  # a SEGMENT_ACTIVITIES code
    minutes: float

    @property
    def label(self) -> str:
        return SEGMENT_ACTIVITIES[self.activity]

    @property
    def is_running(self) -> bool:
        return self.activity in RUNNING_SEGMENTS

    def text(self) -> str:
        return f"{self.label} {_duration(self.minutes)}"


@dataclasses.dataclass(frozen=True)
class StepSpec(Record):
    code: str
    label: str
    segments: tuple[Segment, ...] = ()
    repeats: int = 1
    distance_m: int | None = None
    instructions: str = ""

    @property
    def is_running(self) -> bool:
        return any(segment.is_running for segment in self.segments)

    def segments_text(self) -> str:
        """ "walk 2, run 3": the form the editor shows and `parse_segments` reads."""
        return ", ".join(f"{s.activity.replace('_', ' ')} {s.minutes:g}" for s in self.segments)

    def timer(self) -> list[dict]:
        """The segments as the timer script plays them, repeats laid out."""
        return [
            {
                "label": segment.label,
                "seconds": round(segment.minutes * 60),
                "kind": segment.activity,
                "text": _duration(segment.minutes),
            }
            for _ in range(self.repeats)
            for segment in self.segments
        ]


@dataclasses.dataclass(frozen=True)
class ExerciseSpec(Record):
    code: str
    name: str
    target: str
    sets: int
    reps: str
    load: str = ""
    instructions: str = ""

    @property
    def target_label(self) -> str:
        return STRENGTH_TARGETS[self.target]

    @property
    def dose(self) -> str:
        text = f"{self.sets} × {self.reps}"
        return f"{text} · {self.load}" if self.load else text


@dataclasses.dataclass(frozen=True)
class StrengthSpec(Record):
    days: tuple[int, ...] = ()  # weekdays, Monday 0
    exercises: tuple[ExerciseSpec, ...] = ()

    def on(self, weekday: int) -> bool:
        return bool(self.exercises) and weekday in self.days

    @property
    def targets(self) -> list[str]:
        seen = []
        for exercise in self.exercises:
            if exercise.target_label not in seen:
                seen.append(exercise.target_label)
        return seen


@dataclasses.dataclass(frozen=True)
class CrossSpec(Record):
    activity: str  # a CROSS_TRAINING code
    minutes: int
    effort: str = ""
    days: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return CROSS_TRAINING[self.activity]

    @property
    def rank(self) -> int:
        """Its place in the bone-load order, lowest load first."""
        return list(CROSS_TRAINING).index(self.activity)


@dataclasses.dataclass(frozen=True)
class PhaseSpec(Record):
    kind: str  # a PHASE_KINDS code
    label: str
    steps: tuple[StepSpec, ...]
    goal: str = ""
    entry_criteria: tuple[str, ...] = ()
    exit_clearance: str = ""  # what must be confirmed to leave this phase ("" for nothing)
    weeks: str = ""  # expected duration as guidance, e.g. "2–4"
    rest_days: tuple[int, ...] = ()  # weekdays with nothing planned
    strength: StrengthSpec = StrengthSpec()
    cross: tuple[CrossSpec, ...] = ()

    @property
    def kind_label(self) -> str:
        return PHASE_KINDS[self.kind]

    @property
    def has_running(self) -> bool:
        return any(step.is_running for step in self.steps)


@dataclasses.dataclass(frozen=True)
class PlanContent(Record):
    phases: tuple[PhaseSpec, ...]

    def to_json(self) -> dict:
        return {"schema": CONTENT_SCHEMA, **self.to_dict()}

    def phase(self, index: int) -> PhaseSpec:
        return self.phases[index]

    def step(self, phase_index: int, step_index: int) -> StepSpec:
        return self.phases[phase_index].steps[step_index]

    def positions(self) -> list[tuple[int, int]]:
        """Every (phase, step) in plan order."""
        return [(p, s) for p, phase in enumerate(self.phases) for s in range(len(phase.steps))]

    def engine_phases(self) -> tuple[progression.Phase, ...]:
        """The phases as the progression engine reads them."""
        return tuple(
            progression.Phase(
                phase.kind,
                phase.label,
                tuple(progression.Step(s.code, s.label, s.is_running) for s in phase.steps),
            )
            for phase in self.phases
        )

    def replace_phase(self, index: int, phase: PhaseSpec) -> PlanContent:
        phases = list(self.phases)
        phases[index] = phase
        return PlanContent(tuple(phases))

    @property
    def step_count(self) -> int:
        return sum(len(phase.steps) for phase in self.phases)


# --- Reading JSON -----------------------------------------------------------------------------


def content_from_json(data: object) -> PlanContent:
    """The content in `data` (as stored), validated; raises ContentError naming the problem."""
    data = _mapping(data, "The plan")
    phases = _list(data.get("phases"), "The plan's phases", 1, MAX_PHASES)
    specs = tuple(_phase(item, n) for n, item in enumerate(phases, start=1))
    codes = [step.code for phase in specs for step in phase.steps]
    if len(set(codes)) != len(codes):
        raise ContentError("Two steps share a code; each step needs its own.")
    return PlanContent(specs)


def _phase(data: object, n: int) -> PhaseSpec:
    where = f"Phase {n}"
    data = _mapping(data, where)
    kind = _choice(data.get("kind"), PHASE_KINDS, f"{where}: the kind")
    steps = _list(data.get("steps"), f"{where}: the steps", 1, MAX_STEPS)
    strength = _mapping(data.get("strength") or {}, f"{where}: strength")
    criteria = _list(data.get("entry_criteria") or [], f"{where}: entry criteria", 0, MAX_CRITERIA)
    return PhaseSpec(
        kind=kind,
        label=_text(data.get("label"), f"{where}: the name", MAX_LABEL, required=True),
        steps=tuple(_step(item, f"{where}, step {m}") for m, item in enumerate(steps, start=1)),
        goal=_text(data.get("goal"), f"{where}: the goal", MAX_TEXT),
        entry_criteria=tuple(
            _text(item, f"{where}: an entry criterion", 300, required=True) for item in criteria
        ),
        exit_clearance=_text(data.get("exit_clearance"), f"{where}: the clearance", 300),
        weeks=_text(data.get("weeks"), f"{where}: the weeks", 40),
        rest_days=_days(data.get("rest_days"), f"{where}: rest days"),
        strength=StrengthSpec(
            days=_days(strength.get("days"), f"{where}: strength days"),
            exercises=tuple(
                _exercise(item, f"{where}: exercise {m}")
                for m, item in enumerate(
                    _list(strength.get("exercises") or [], f"{where}: exercises", 0, MAX_EXERCISES),
                    start=1,
                )
            ),
        ),
        cross=tuple(
            _cross(item, f"{where}: cross-training {m}")
            for m, item in enumerate(
                _list(data.get("cross") or [], f"{where}: cross-training", 0, MAX_CROSS), start=1
            )
        ),
    )


def _step(data: object, where: str) -> StepSpec:
    data = _mapping(data, where)
    segments = _list(data.get("segments") or [], f"{where}: the segments", 0, MAX_SEGMENTS)
    distance = data.get("distance_m")
    if distance is not None:
        distance = _int(distance, f"{where}: the distance", 1, MAX_DISTANCE_M)
    return StepSpec(
        code=_code(data.get("code"), f"{where}: the code"),
        label=_text(data.get("label"), f"{where}: the name", MAX_LABEL, required=True),
        segments=tuple(_segment(item, where) for item in segments),
        repeats=_int(data.get("repeats", 1), f"{where}: the repeats", 1, MAX_REPEATS),
        distance_m=distance,
        instructions=_text(data.get("instructions"), f"{where}: the instructions", MAX_TEXT),
    )


def _segment(data: object, where: str) -> Segment:
    data = _mapping(data, f"{where}: a segment")
    activity = _choice(data.get("activity"), SEGMENT_ACTIVITIES, f"{where}: a segment's activity")
    return Segment(activity, _minutes_value(data.get("minutes"), where))


def _exercise(data: object, where: str) -> ExerciseSpec:
    data = _mapping(data, where)
    return ExerciseSpec(
        code=_code(data.get("code"), f"{where}: the code"),
        name=_text(data.get("name"), f"{where}: the name", MAX_LABEL, required=True),
        target=_choice(data.get("target"), STRENGTH_TARGETS, f"{where}: the target"),
        sets=_int(data.get("sets"), f"{where}: the sets", 1, 10),
        reps=_text(data.get("reps"), f"{where}: the reps", 40, required=True),
        load=_text(data.get("load"), f"{where}: the load", 120),
        instructions=_text(data.get("instructions"), f"{where}: the instructions", MAX_TEXT),
    )


def _cross(data: object, where: str) -> CrossSpec:
    data = _mapping(data, where)
    return CrossSpec(
        activity=_choice(data.get("activity"), CROSS_TRAINING, f"{where}: the activity"),
        minutes=_int(data.get("minutes"), f"{where}: the minutes", 1, MAX_SEGMENT_MINUTES),
        effort=_text(data.get("effort"), f"{where}: the effort", 120),
        days=_days(data.get("days"), f"{where}: the days"),
    )


def _mapping(value: object, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise ContentError(f"{what} is not in the expected form.")
    return value


def _list(value: object, what: str, least: int, most: int) -> list:
    if value is None:
        value = []
    if not isinstance(value, list | tuple):
        raise ContentError(f"{what} are not in the expected form.")
    if not least <= len(value) <= most:
        if least and not value:
            raise ContentError(f"{what}: add at least {least}.")
        raise ContentError(f"{what}: at most {most}.")
    return list(value)


def _text(value: object, what: str, most: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ContentError(f"{what} must be text.")
    value = value.replace("\x00", "").strip()
    if required and not value:
        raise ContentError(f"{what} is required.")
    if len(value) > most:
        raise ContentError(f"{what} is too long: at most {most} characters.")
    return value


def _int(value: object, what: str, least: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentError(f"{what} must be a whole number from {least} to {most}.")
    if not least <= value <= most:
        raise ContentError(f"{what} must be from {least} to {most}.")
    return value


def _minutes_value(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContentError(f"{where}: minutes must be a number.")
    if not 0.25 <= value <= MAX_SEGMENT_MINUTES:  # also refuses NaN
        raise ContentError(f"{where}: minutes must be from 0.25 to {MAX_SEGMENT_MINUTES}.")
    return float(value) if value != int(value) else int(value)


def _choice(value: object, choices: Mapping[str, str], what: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ContentError(f"{what} must be one of: {', '.join(choices.values())}.")
    return str(value)


CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def _code(value: object, what: str) -> str:
    if not isinstance(value, str) or not CODE_RE.match(value):
        raise ContentError(f"{what} must be lowercase letters, digits, - or _.")
    return value


def _days(value: object, what: str) -> tuple[int, ...]:
    items = _list(value or [], what, 0, 7)
    if any(isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6 for day in items):
        raise ContentError(f"{what} must be weekdays.")
    return tuple(sorted(set(items)))


# --- Segments as typed ------------------------------------------------------------------------

_SEGMENT_RE = re.compile(
    r"^(?P<activity>[a-z][a-z \-]*?)\s*"
    r"(?P<minutes>\d{1,3}(?:\.\d{1,2})?)\s*(?:m|min|mins|minutes)?$"
)


def parse_segments(text: str) -> tuple[Segment, ...]:
    """Read "walk 2, run 3" (or "walk 15 + jog 5 + walk 10"; "run 0.5" for 30 s) into segments.

    Raises ContentError with a message for the person typing.
    """
    text = (text or "").strip().lower()
    if not text:
        return ()
    parts = [part.strip() for part in re.split(r"[,+;/]", text)]
    if len(parts) > MAX_SEGMENTS:
        raise ContentError(f"At most {MAX_SEGMENTS} segments.")
    segments = []
    for part in parts:
        match = _SEGMENT_RE.match(part)
        word = match and " ".join(match["activity"].replace("_", " ").split())
        if not match or word not in SEGMENT_WORDS:
            raise ContentError(
                f"“{part[:40]}” is not a segment. Write an activity and minutes, e.g. "
                "“walk 2, run 3”. Activities: walk, jog, run, rest, or a cross-training kind."
            )
        minutes = float(match["minutes"])
        segments.append(_segment({"activity": SEGMENT_WORDS[word], "minutes": minutes}, "A step"))
    return tuple(segments)


def _duration(minutes: float) -> str:
    """ "4 min", "30 s", "1 min 30 s"."""
    whole, seconds = divmod(round(minutes * 60), 60)
    if not whole:
        return f"{seconds} s"
    return f"{whole} min {seconds} s" if seconds else f"{whole} min"


def weekday_names(days: Iterable[int]) -> str:
    days = list(days)
    if len(days) == 7:
        return "Every day"
    return ", ".join(WEEKDAYS[day] for day in days) or "No days"


def step_summary(step: StepSpec, *, distance_text: str = "") -> str:
    """One line for lists: "Walk 2 min · Run 3 min × 3 · 1.0 mi"."""
    parts = [" · ".join(segment.text() for segment in step.segments)] if step.segments else []
    if step.repeats > 1 and parts:
        parts[0] = f"{parts[0]} × {step.repeats}"
    if distance_text:
        parts.append(distance_text)
    return " · ".join(parts)
