"""Intake forms, built from the rule set's questions so the form and the score never drift apart.

Answers are stored as the scoring engine reads them: choice codes, numbers, ISO dates, and
distances in kilometres whatever unit the runner sees.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.html import format_html

from clinic.forms import DateInput
from intake.models import IntakeDecision
from intake.rulesets import get_ruleset
from intake.scoring import POLICY_DEFAULTS, QUESTIONS, REGION_AREAS, effective_policy
from intake.spot_map import spot_dots, spot_numbers
from rehab.models import VisitMode
from rehab.visit_forms import TimeInput, clean_mode_and_link, visit_start

KM_PER_MILE = 1.609344

# (code, title for the runner). "about" is asked only of runners the clinic has no record of.
RUNNER_STEPS = [
    ("about", "About you"),
    ("pain", "Where it hurts"),
    ("pattern", "When it hurts"),
    ("training", "Your running"),
    ("equipment", "Your shoes"),
    ("history", "Past injuries"),
    ("body", "Health and energy"),
]
THERAPIST_STEP = "therapist"
WEEKS = 6
# Filled from the patient record or the "about" step rather than asked twice.
DERIVED_KEYS = {"age", "sex"}
RADIO_MAX_CHOICES = 5


# The rule set's pain questions fill two short phone screens: where and since when, then how the
# pain behaves (the warning signs and the pain pattern).
PATTERN_STEP = "pattern"
PAIN_PATTERN_KEYS = frozenset(
    {
        "pain_on_impact",
        "point_tenderness",
        "swelling",
        "limp",
        "better_with_rest_returns_running",
        "no_warm_up_stops_run",
        "pain_at_rest_or_night",
        "pain_walking",
        # 2026.3
        "groin_pain_also",
        "pain_stairs_hills",
        "pain_eases_warm_up",
    }
)


def questions_of(version: str | None = None) -> dict:
    """The questions of a rule set by key: the latest, or an old intake's own version."""
    if version is None:
        return QUESTIONS
    return {question.key: question for question in get_ruleset(version).questions}


def step_keys(step: str, version: str | None = None) -> list[str]:
    """The answer keys a questionnaire step asks, in the rule set's order."""
    topic = "pain" if step == PATTERN_STEP else step
    questions = questions_of(version)
    keys = [k for k, q in questions.items() if q.step == topic and k not in DERIVED_KEYS]
    if topic == "pain":
        keys = [k for k in keys if (k in PAIN_PATTERN_KEYS) == (step == PATTERN_STEP)]
    return keys


def _to_unit(km: float, unit: str) -> float:
    return round(km / KM_PER_MILE, 1) if unit == "mi" else km


def _to_km(value: float, unit: str) -> float:
    return round(value * KM_PER_MILE, 1) if unit == "mi" else round(value, 1)


class SpotPicker(forms.RadioSelect):
    """The exact spot, each option marked with its area so static/js/intake.js can show only
    the spots of the area the runner picked first (all of them without JavaScript)."""

    def __init__(self, *args, area_of: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.area_of = area_of

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["data-area"] = self.area_of.get(str(value), "")
        return option


def _area_of() -> dict[str, str]:
    return {code: area for area, _, codes in REGION_AREAS for code in codes}


def _numbered(choices) -> list[tuple[str, str]]:
    """Each spot's label starts with its dot's number on the drawing; screen readers skip the
    number, since the drawing is not read out to them."""
    numbers = spot_numbers(choices)
    return [
        (code, format_html('<span class="spot-number" aria-hidden="true">{}</span> {}', n, label))
        if (n := numbers.get(code))
        else (code, label)
        for code, label in choices
    ]


def _spot_field(question) -> forms.Field:
    area_of = _area_of()
    return forms.ChoiceField(
        choices=_numbered(question.choices),
        widget=SpotPicker(area_of=area_of, attrs={"class": "spot-picker"}),
        required=False,
    )


def _choice_field(question, required=False) -> forms.Field:
    choices = list(question.choices)
    if (
        question.key == "region"
        and REGION_AREAS
        and question.choices == QUESTIONS["region"].choices
    ):
        return _spot_field(question)
    if len(choices) <= RADIO_MAX_CHOICES or question.key == "area":
        if question.step == THERAPIST_STEP and "not_done" not in question.choice_codes:
            # A radio cannot be unticked: this undoes, say, an imaging result given by mistake.
            choices = [("", "Not recorded"), *choices]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, required=required)
    return forms.ChoiceField(choices=[("", "Choose…"), *choices], required=required)


def _number_field(question, unit: str, *, integer: bool) -> forms.Field:
    low, high = question.min, question.max
    shown_unit = question.unit.strip()
    if question.unit.strip() == "km":
        low, high, shown_unit = _to_unit(low, unit), _to_unit(high, unit), unit
    attrs = {"inputmode": "numeric" if integer else "decimal"}
    if integer:
        field = forms.IntegerField(
            min_value=int(low), max_value=int(high), widget=forms.NumberInput(attrs=attrs)
        )
    else:
        field = forms.DecimalField(
            min_value=Decimal(str(low)),
            max_value=Decimal(str(high)),
            decimal_places=1,
            widget=forms.NumberInput(attrs={**attrs, "step": "0.1"}),
        )
    field.required = False
    field.shown_unit = shown_unit
    return field


def question_field(question, unit: str) -> forms.Field:
    kind = question.kind
    if kind in ("choice", "yes_no"):
        field = _choice_field(question)
    elif kind == "int" and question.min == 0 and question.max == 10:
        field = forms.TypedChoiceField(
            choices=[(n, str(n)) for n in range(11)],
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect(attrs={"class": "pain-scale"}),
            required=False,
        )
    elif kind == "int":
        field = _number_field(question, unit, integer=True)
    elif kind == "number":
        field = _number_field(question, unit, integer=False)
    elif kind == "date":
        field = forms.DateField(widget=DateInput(), required=False)
    elif kind == "choice_list":
        field = forms.MultipleChoiceField(
            choices=question.choices, widget=forms.CheckboxSelectMultiple, required=False
        )
    elif kind == "text":
        field = forms.CharField(
            max_length=question.max_length or 1000,
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
        )
    else:
        raise ValueError(f"No form field for question kind {kind!r}")
    field.label = question.question
    unit_text = getattr(field, "shown_unit", "")
    if unit_text:
        field.help_text = f"In {unit_text}."
    if question.help:
        field.help_text = question.help
    return field


class AnswerStepForm(forms.Form):
    """One step of the questionnaire. Every answer is optional; a bad one is refused.

    `version` asks an old intake's own rule-set questions (the latest when None).
    """

    def __init__(
        self,
        *args,
        step: str,
        unit: str = "km",
        answers: dict | None = None,
        version: str | None = None,
        **kwargs,
    ):
        self.step, self.unit, self.version = step, unit, version
        self.questions = questions_of(version)
        answers = answers or {}
        super().__init__(*args, **kwargs)
        for key in step_keys(step, version):
            question = self.questions[key]
            if question.kind == "number_list":
                self._add_week_fields(question, answers.get(key))
                continue
            self.fields[key] = question_field(question, unit)
            self.fields[key].menstrual = question.menstrual
            if key in answers:
                self.initial[key] = self._shown(question, answers[key])

    def _add_week_fields(self, question, weeks):
        weeks = list(weeks or [])
        for n in range(1, WEEKS + 1):
            field = _number_field(question, self.unit, integer=False)
            field.label = f"{WEEKS - n + 1} weeks ago" if n < WEEKS else "Last week"
            field.help_text = ""
            field.week_of = question.key
            name = f"{question.key}__{n}"
            self.fields[name] = field
            if n - 1 < len(weeks):
                self.initial[name] = _to_unit(weeks[n - 1], self.unit)

    def _shown(self, question, value):
        if question.unit.strip() == "km" and isinstance(value, int | float):
            return _to_unit(value, self.unit)
        return value

    @property
    def spot_dots(self) -> list:
        """The dots of the drawing beside the exact-spot picker; none for an old rule set's list."""
        field = self.fields.get("region")
        if field is None or not isinstance(field.widget, SpotPicker):
            return []
        selected = self["region"].value()
        return spot_dots(self.questions["region"].choices, area_of=_area_of(), selected=selected)

    def exam_sections(self) -> list[dict]:
        """The examination by site, each test with its evidence grade (see EXAM_SECTIONS)."""
        sections = [*EXAM_SECTIONS]
        named = {key for section in sections for key in section.keys}
        others = tuple(name for name in self.fields if name not in named)
        if others:
            sections.append(ExamSection("Other findings", "", others))
        shown = []
        for section in sections:
            tests = [self._exam_test(key) for key in section.keys if key in self.fields]
            if tests:
                shown.append({"section": section, "tests": tests})
        return shown

    def _exam_test(self, key: str) -> dict:
        question, field = self.questions[key], self.fields[key]
        grade = _EVIDENCE.search(question.help or "")
        choices = getattr(field, "choices", ())
        return {
            "field": self[key],
            "title": question.label,
            "grade": grade.group(1) if grade else "",
            "record_only": key in RECORD_ONLY,
            "inline": isinstance(field.widget, forms.RadioSelect)
            and all(len(str(label)) <= _INLINE_LABEL_MAX for _, label in choices),
        }

    @property
    def week_question(self) -> str | None:
        questions = self.questions
        keys = [k for k in step_keys(self.step, self.version) if questions[k].kind == "number_list"]
        return questions[keys[0]].question if keys else None

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for key, value in list(cleaned.items()):
            if isinstance(value, date) and value > today:
                self.add_error(key, "This date cannot be in the future.")
        self._refuse_week_gaps()
        if cleaned.get("menstrual_applicable") == "no":
            # Hidden once "no" is chosen; an answer typed before is not kept.
            for name, field in self.fields.items():
                if getattr(field, "menstrual", False):
                    cleaned[name] = None
        return cleaned

    def _refuse_week_gaps(self):
        """Weeks are compared in a row, so an empty week between two filled ones is refused.

        Dropping it would make, say, 6 and 2 weeks ago look like neighbours and invent a spike.
        """
        names = [name for name, field in self.fields.items() if getattr(field, "week_of", None)]
        if any(name in self.errors for name in names):
            return
        filled = [n for n, name in enumerate(names) if self.cleaned_data.get(name) is not None]
        for n in range(filled[0] + 1, filled[-1]) if filled else ():
            if n not in filled:
                self.add_error(names[n], "Fill in this week (0 if you did not run).")

    def answers(self) -> dict:
        """The cleaned answers in the scoring engine's format; unanswered keys are left out."""
        result, weeks = {}, {}
        for name, value in self.cleaned_data.items():
            field = self.fields[name]
            if getattr(field, "week_of", None):
                weeks.setdefault(field.week_of, [])
                if value is not None:
                    weeks[field.week_of].append(_to_km(float(value), self.unit))
                continue
            if value in (None, "", []):
                continue
            question = self.questions[name]
            if isinstance(value, Decimal):
                value = float(value)
            if question.unit.strip() == "km":
                value = _to_km(value, self.unit)
            elif isinstance(value, date):
                value = value.isoformat()
            result[name] = value
        result.update({key: values for key, values in weeks.items() if values})
        return result


@dataclass(frozen=True)
class ExamSection:
    title: str
    site: str
    keys: tuple[str, ...]
    note: str = ""


# The examination grouped by the site each test provokes (reference §1: clinical tests and further
# site tests). Presentation only: the answer keys and their scoring are the rule set's. A key of
# an old or a later rule set that no section names is shown under "Other findings".
EXAM_SECTIONS = (
    ExamSection("Any site", "", ("bony_tenderness", "cannot_hop_or_bear_weight")),
    ExamSection("Heel", "calcaneus", ("calcaneal_squeeze",)),
    ExamSection("Navicular", "top of the midfoot, a high-risk site", ("n_spot_tenderness",)),
    ExamSection("Tibia", "shin", ("hop_test", "tuning_fork")),
    ExamSection("Femoral shaft", "thigh", ("fulcrum_test",)),
    ExamSection(
        "Femoral neck",
        "hip, a high-risk site",
        ("hip_internal_rotation_pain",),
        note="A single-leg hop that brings on groin pain (under Tibia) counts here too.",
    ),
    ExamSection("Control and strength", "", ("single_leg_squat", "calf_raise")),
    ExamSection(
        "Energy availability",
        "IOC REDs CAT2, from the physician's results",
        ("testosterone", "t3_low", "edeq_global", "growth_deviation"),
    ),
    ExamSection(
        "Site and imaging",
        "",
        (
            "confirmed_site",
            "imaging_modality",
            "imaging_result",
            "imaging_grade_system",
            "imaging_grade",
        ),
    ),
)
# Strong evidence that the test is unreliable: its grade must not read as a recommendation.
RECORD_ONLY = frozenset({"tuning_fork"})
_EVIDENCE = re.compile(r"\bEvidence ([A-D])\b")
# Options this short sit on one line: positive / negative / not done.
_INLINE_LABEL_MAX = 16


class AboutYouForm(forms.Form):
    """Who the runner is, when the clinic has no record of them yet."""

    first_name = forms.CharField(max_length=80, label="First name")
    last_name = forms.CharField(max_length=80, label="Last name")
    date_of_birth = forms.DateField(label="Date of birth", widget=DateInput())
    sex = forms.ChoiceField(
        label=QUESTIONS["sex"].question, choices=QUESTIONS["sex"].choices, widget=forms.RadioSelect
    )
    phone = forms.CharField(
        max_length=30, required=False, label="Mobile phone", help_text="Optional. For reminders."
    )

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("Your date of birth cannot be in the future.")
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if not 8 <= age <= 100:
            raise forms.ValidationError("Check the year: Rebound is for runners aged 8 to 100.")
        return born


class IntakeLinkForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Runner's full name")
    email = forms.EmailField(label="Runner's e-mail address")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class DecisionForm(forms.ModelForm):
    """The therapist's decision; "follow-up" also books the visit (rehab.services.visit_book),
    its date and time read in the runner's time zone (`zone`)."""

    kind = forms.ChoiceField(
        label="Decision",
        choices=IntakeDecision.Kind.choices,
        widget=forms.RadioSelect,
        help_text="Start rehab opens a plan draft for this runner. A follow-up visit needs a "
        "date and a time: it is booked, shown on the runner's Today and reminded the day before.",
    )
    follow_up_time = forms.TimeField(label="Follow-up time", required=False, widget=TimeInput())
    follow_up_mode = forms.ChoiceField(
        label="Follow-up: where",
        choices=VisitMode.choices,
        initial=VisitMode.IN_CLINIC,
        widget=forms.RadioSelect,
        required=False,
    )
    follow_up_video_url = forms.CharField(
        label="Video link",
        max_length=500,
        required=False,
        help_text="For a video call: the https:// link the runner opens.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )

    class Meta:
        model = IntakeDecision
        fields = [
            "kind",
            "notes",
            "follow_up_on",
            "follow_up_time",
            "follow_up_mode",
            "follow_up_video_url",
        ]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "follow_up_on": DateInput(),
        }
        labels = {"follow_up_on": "Follow-up date"}

    def __init__(self, *args, zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone or timezone.get_current_timezone()
        self.fields["follow_up_time"].help_text = f"In the runner's time zone, {self.zone}."

    def clean(self):
        cleaned = super().clean()
        kind, when = cleaned.get("kind"), cleaned.get("follow_up_on")
        at = cleaned.pop("follow_up_time", None)
        mode = cleaned.pop("follow_up_mode", None) or VisitMode.IN_CLINIC
        link = cleaned.pop("follow_up_video_url", "")
        cleaned["visit"] = None
        if kind == IntakeDecision.Kind.FOLLOW_UP and not when:
            self.add_error("follow_up_on", "Choose the date of the follow-up visit.")
        if when and when < timezone.localdate():
            self.add_error("follow_up_on", "The follow-up date cannot be in the past.")
        if kind != IntakeDecision.Kind.FOLLOW_UP:
            return cleaned
        if at is None and "follow_up_time" not in self.errors:
            self.add_error("follow_up_time", "Choose the time of the follow-up visit.")
        visit = {"mode": mode, "video_url": link}
        clean_mode_and_link(self, visit, mode="mode", link="video_url", field="follow_up_video_url")
        if when and at and not self.errors:
            try:
                starts_at = visit_start(when, at, self.zone, now=timezone.now())
            except forms.ValidationError as error:
                self.add_error("follow_up_time", error)
            else:
                cleaned["visit"] = {**visit, "starts_at": starts_at}
        return cleaned


class AssignForm(forms.Form):
    therapist = forms.ModelChoiceField(queryset=None, label="Assign to", empty_label="Unassigned")

    def __init__(self, *args, clinic, **kwargs):
        from clinic.models import User

        super().__init__(*args, **kwargs)
        self.fields["therapist"].required = False
        self.fields["therapist"].queryset = User.objects.filter(
            memberships__clinic=clinic, memberships__role="therapist", memberships__is_active=True
        ).order_by("full_name")


def _shown_default(setting) -> str:
    if setting.type is bool:
        return "on." if setting.value else "off."
    text = str(setting.value)
    return text if text.endswith(".") else f"{text}."


class ScoringPolicyForm(forms.Form):
    """One field per *policy* default of the rule set; only changed values are stored."""

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for key, setting in POLICY_DEFAULTS.items():
            self.fields[key] = self._field(setting)
            self.fields[key].help_text = f"{setting.help} Default: {_shown_default(setting)}"
            self.initial[key] = current.get(key, setting.value)

    @staticmethod
    def _field(setting) -> forms.Field:
        if setting.type is bool:
            return forms.BooleanField(label=setting.label, required=False)
        if setting.type is int:
            return forms.IntegerField(
                label=setting.label, min_value=setting.min, max_value=setting.max
            )
        if setting.type is float:
            return forms.FloatField(
                label=setting.label, min_value=setting.min, max_value=setting.max
            )
        return forms.CharField(
            label=setting.label,
            min_length=setting.min or 1,
            max_length=setting.max or 500,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                effective_policy(self.overrides())
            except ValueError as error:
                raise forms.ValidationError(str(error)) from error
        return cleaned

    def overrides(self) -> dict:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if value != POLICY_DEFAULTS[key].value
        }
