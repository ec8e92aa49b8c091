"""Forms of plans and templates: the phase editor, assignment, sessions done, approvals, policy.

They validate and normalise into `rehab.rules.content` dataclasses (segments typed as "walk 2,
run 3" become Segment tuples, distances become metres); services save. The same phase editor
edits a template (saving a new version) and a patient's draft plan.
"""

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from clinic.forms import DateInput
from clinic.submissions import SubmissionIdField
from rehab.forms import PainField, _threshold_field
from rehab.models import Exercise, PlanTemplate, RiskClass
from rehab.rules import content as plan_content
from rehab.rules import load, progression
from rehab.rules.content import (
    CROSS_TRAINING,
    PHASE_KINDS,
    WEEKDAYS,
    ContentError,
    CrossSpec,
    ExerciseSpec,
    PhaseSpec,
    PlanContent,
    StepSpec,
    StrengthSpec,
)

WEEKDAY_CHOICES = [(str(n), name) for n, name in enumerate(WEEKDAYS)]
EFFORT_CHOICES = [("", "–"), *[(n, str(n)) for n in range(11)]]
UNIT_WORDS = {"km": "km", "mi": "miles"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _weekdays(values) -> list[int]:
    return sorted({int(value) for value in values})


class WeekdaysField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=WEEKDAY_CHOICES, required=False, **kwargs)


# --- Templates ----------------------------------------------------------------------------------


class TemplateForm(forms.ModelForm):
    class Meta:
        model = PlanTemplate
        fields = ["name", "risk_class", "description", "is_archived"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "risk_class": "Rebound proposes a template of the injury site's risk class.",
            "is_archived": "Plans already made from it are not affected.",
        }


class TemplateCreateForm(forms.Form):
    name = forms.CharField(max_length=120)
    risk_class = forms.ChoiceField(choices=RiskClass.choices, initial=RiskClass.ANY)
    copy_from = forms.ModelChoiceField(
        queryset=PlanTemplate.objects.none(),
        required=False,
        empty_label="Start from one empty phase",
        help_text="Start from a copy of another template's current version.",
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = PlanTemplate.objects.filter(
            clinic=clinic, current_version__isnull=False
        ).select_related("current_version")

    def content(self) -> PlanContent:
        source = self.cleaned_data.get("copy_from")
        if source is not None:
            return source.current_version.spec
        return PlanContent((blank_phase(progression.PhaseKind.PROTECT, "Protect"),))


def blank_phase(kind: str, label: str) -> PhaseSpec:
    return PhaseSpec(
        kind=kind,
        label=label,
        steps=(StepSpec(code=new_code(), label="First step"),),
        rest_days=(6,),
    )


def new_code() -> str:
    return "s" + uuid.uuid4().hex[:10]


# --- The phase list -----------------------------------------------------------------------------


class PhaseListForm(forms.Form):
    """Reorder, remove and add phases: one form, one save (one new template version)."""

    add_kind = forms.ChoiceField(
        label="Add a phase", choices=[("", "Add no phase"), *PHASE_KINDS.items()], required=False
    )
    add_label = forms.CharField(label="Its name", max_length=120, required=False)

    def __init__(self, *args, content: PlanContent, **kwargs):
        super().__init__(*args, **kwargs)
        self.content = content
        count = len(content.phases)
        for index, phase in enumerate(content.phases):
            self.fields[f"order_{index}"] = forms.IntegerField(
                label=f"Position of {phase.label}",
                min_value=1,
                max_value=count,
                initial=index + 1,
                error_messages={"invalid": "Enter a position number."},
            )
            self.fields[f"remove_{index}"] = forms.BooleanField(
                label=f"Remove {phase.label}", required=False
            )

    @property
    def rows(self):
        return [
            (phase, self[f"order_{index}"], self[f"remove_{index}"])
            for index, phase in enumerate(self.content.phases)
        ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        kept = [
            (cleaned[f"order_{i}"], i, phase)
            for i, phase in enumerate(self.content.phases)
            if not cleaned.get(f"remove_{i}")
        ]
        phases = [phase for _, _, phase in sorted(kept, key=lambda row: (row[0], row[1]))]
        if cleaned.get("add_kind"):
            label = cleaned.get("add_label") or PHASE_KINDS[cleaned["add_kind"]]
            phases.append(blank_phase(cleaned["add_kind"], label))
        if not phases:
            raise ValidationError("A plan needs at least one phase: keep one.")
        if len(phases) > plan_content.MAX_PHASES:
            raise ValidationError(f"At most {plan_content.MAX_PHASES} phases.")
        self.new_content = PlanContent(tuple(phases))
        return cleaned


# --- One phase ----------------------------------------------------------------------------------


class PhaseForm(forms.Form):
    kind = forms.ChoiceField(choices=list(PHASE_KINDS.items()))
    label = forms.CharField(label="Name", max_length=plan_content.MAX_LABEL)
    goal = forms.CharField(
        required=False,
        max_length=plan_content.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What this phase is for, in the patient's words.",
    )
    entry_criteria = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line.",
    )
    exit_clearance = forms.CharField(
        label="Clearance to leave",
        required=False,
        max_length=300,
        help_text="If set, approving the move out of this phase asks the therapist to confirm it,"
        ' e.g. "Imaging confirms healing, and the therapist signs off".',
    )
    weeks = forms.CharField(label="Expected weeks", required=False, max_length=40)
    rest_days = WeekdaysField(label="Rest days", help_text="Nothing is planned on these days.")
    strength_days = WeekdaysField(label="Strength days")

    def clean_entry_criteria(self):
        lines = _lines(self.cleaned_data["entry_criteria"])
        if len(lines) > plan_content.MAX_CRITERIA:
            raise ValidationError(f"At most {plan_content.MAX_CRITERIA} criteria.")
        if any(len(line) > 300 for line in lines):
            raise ValidationError("Keep each criterion under 300 characters.")
        return lines


class StepForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, required=False, max_length=60)
    label = forms.CharField(label="Step", max_length=plan_content.MAX_LABEL)
    segments = forms.CharField(
        label="Segments",
        required=False,
        max_length=300,
        help_text='e.g. "walk 2, run 3". Jog or run makes it a running step.',
    )
    repeats = forms.IntegerField(
        label="Repeats", min_value=1, max_value=plan_content.MAX_REPEATS, initial=1
    )
    distance = forms.CharField(label="Distance", required=False, max_length=12)
    instructions = forms.CharField(
        required=False,
        max_length=plan_content.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["distance"].label = f"Distance ({UNIT_WORDS[unit]})"

    def clean_segments(self):
        try:
            return plan_content.parse_segments(self.cleaned_data["segments"])
        except ContentError as error:
            raise ValidationError(str(error)) from None

    def clean_distance(self):
        text = self.cleaned_data["distance"].strip().replace(",", ".")
        if not text:
            return None
        try:
            value = Decimal(text)
            metres = load.from_display(value, self.unit)
        except (InvalidOperation, ValueError, ArithmeticError):
            raise ValidationError("Enter the distance as a number, e.g. 1.5.") from None
        if not 1 <= metres <= plan_content.MAX_DISTANCE_M:
            raise ValidationError("Enter a distance up to a marathon.")
        return metres

    def clean_code(self):
        code = self.cleaned_data["code"]
        return code if plan_content.CODE_RE.match(code or "") else new_code()

    def spec(self) -> StepSpec:
        data = self.cleaned_data
        return StepSpec(
            code=data["code"],
            label=data["label"].strip(),
            segments=data["segments"],
            repeats=data["repeats"],
            distance_m=data["distance"],
            instructions=data["instructions"].strip(),
        )

    @staticmethod
    def initial_for(step: StepSpec, unit: str) -> dict:
        distance = ""
        if step.distance_m:
            distance = f"{load.to_display(step.distance_m, unit):.2f}".rstrip("0").rstrip(".")
        return {
            "code": step.code,
            "label": step.label,
            "segments": step.segments_text(),
            "repeats": step.repeats,
            "distance": distance,
            "instructions": step.instructions,
        }


class ExerciseRowForm(forms.Form):
    exercise = forms.ChoiceField(label="Exercise")
    sets = forms.IntegerField(min_value=1, max_value=10, initial=3)
    reps = forms.CharField(max_length=40)
    load = forms.CharField(required=False, max_length=120)

    def __init__(self, *args, library: dict[str, ExerciseSpec], **kwargs):
        super().__init__(*args, **kwargs)
        self.library = library
        self.fields["exercise"].choices = [("", "Choose…")] + [
            (code, f"{spec.name} ({spec.target_label.lower()})") for code, spec in library.items()
        ]

    def spec(self) -> ExerciseSpec:
        data = self.cleaned_data
        chosen = self.library[data["exercise"]]
        return ExerciseSpec(
            code=chosen.code,
            name=chosen.name,
            target=chosen.target,
            sets=data["sets"],
            reps=data["reps"].strip(),
            load=data["load"].strip(),
            instructions=chosen.instructions,
        )


class CrossRowForm(forms.Form):
    activity = forms.ChoiceField(
        choices=[("", "Choose…"), *CROSS_TRAINING.items()],
        help_text="Non-impact options first; deep-water running has the lowest bone load (§5).",
    )
    minutes = forms.IntegerField(min_value=1, max_value=plan_content.MAX_SEGMENT_MINUTES)
    effort = forms.CharField(required=False, max_length=120)
    days = WeekdaysField()

    def spec(self) -> CrossSpec:
        data = self.cleaned_data
        return CrossSpec(
            activity=data["activity"],
            minutes=data["minutes"],
            effort=data["effort"].strip(),
            days=tuple(_weekdays(data["days"])),
        )


class RowFormSet(forms.BaseFormSet):
    def filled(self) -> list[forms.Form]:
        """Rows in order (by ORDER when given), without empty and removed ones."""
        initial = self.initial_form_count()
        forms_ = [
            form
            for index, form in enumerate(self.forms)
            if (index < initial or form.has_changed())
            and form.is_valid()
            and not self._should_delete_form(form)
        ]
        if self.can_order:
            forms_.sort(key=lambda f: (f.cleaned_data.get("ORDER") or 999, self.forms.index(f)))
        return forms_


StepFormSet = forms.formset_factory(
    StepForm,
    formset=RowFormSet,
    extra=2,
    can_delete=True,
    can_order=True,
    max_num=plan_content.MAX_STEPS,
    absolute_max=plan_content.MAX_STEPS + 2,
    validate_max=True,
)
ExerciseFormSet = forms.formset_factory(
    ExerciseRowForm,
    formset=RowFormSet,
    extra=2,
    can_delete=True,
    max_num=plan_content.MAX_EXERCISES,
    absolute_max=plan_content.MAX_EXERCISES + 2,
    validate_max=True,
)
CrossFormSet = forms.formset_factory(
    CrossRowForm,
    formset=RowFormSet,
    extra=1,
    can_delete=True,
    max_num=plan_content.MAX_CROSS,
    absolute_max=plan_content.MAX_CROSS + 1,
    validate_max=True,
)


class PhaseEditor:
    """The phase form and its three row lists (steps, strength exercises, cross-training)."""

    def __init__(self, data, *, phase: PhaseSpec, exercises, unit: str):
        library = {e.code: e.as_spec() for e in exercises}
        for item in phase.strength.exercises:  # keep what the phase has even if archived since
            library.setdefault(item.code, item)
        self.form = PhaseForm(
            data,
            prefix="phase",
            initial={
                "kind": phase.kind,
                "label": phase.label,
                "goal": phase.goal,
                "entry_criteria": "\n".join(phase.entry_criteria),
                "exit_clearance": phase.exit_clearance,
                "weeks": phase.weeks,
                "rest_days": [str(day) for day in phase.rest_days],
                "strength_days": [str(day) for day in phase.strength.days],
            },
        )
        self.steps = StepFormSet(
            data,
            prefix="step",
            initial=[StepForm.initial_for(step, unit) for step in phase.steps],
            form_kwargs={"unit": unit},
        )
        self.exercises = ExerciseFormSet(
            data,
            prefix="exercise",
            initial=[
                {"exercise": x.code, "sets": x.sets, "reps": x.reps, "load": x.load}
                for x in phase.strength.exercises
            ],
            form_kwargs={"library": library},
        )
        self.cross = CrossFormSet(
            data,
            prefix="cross",
            initial=[
                {
                    "activity": c.activity,
                    "minutes": c.minutes,
                    "effort": c.effort,
                    "days": [str(d) for d in c.days],
                }
                for c in phase.cross
            ],
        )
        self.error = ""

    @property
    def parts(self):
        return (self.form, self.steps, self.exercises, self.cross)

    def is_valid(self) -> bool:
        valid = all(part.is_valid() for part in self.parts)
        if valid and not self.steps.filled():
            self.error = "A phase needs at least one step."
            return False
        return valid

    def phase(self) -> PhaseSpec:
        data = self.form.cleaned_data
        return PhaseSpec(
            kind=data["kind"],
            label=data["label"].strip(),
            steps=tuple(form.spec() for form in self.steps.filled()),
            goal=data["goal"].strip(),
            entry_criteria=tuple(data["entry_criteria"]),
            exit_clearance=data["exit_clearance"].strip(),
            weeks=data["weeks"].strip(),
            rest_days=tuple(_weekdays(data["rest_days"])),
            strength=StrengthSpec(
                days=tuple(_weekdays(data["strength_days"])),
                exercises=tuple(form.spec() for form in self.exercises.filled()),
            ),
            cross=tuple(form.spec() for form in self.cross.filled()),
        )

    def content_with(self, content: PlanContent, index: int) -> PlanContent | None:
        """The whole content with this phase replaced, validated; None (with `error`) if not."""
        try:
            new = content.replace_phase(index, self.phase())
            return plan_content.content_from_json(new.to_json())
        except ContentError as error:
            self.error = str(error)
            return None


# --- Plans --------------------------------------------------------------------------------------


class AssignForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=PlanTemplate.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose a template.", "invalid_choice": "Choose a template."},
    )
    start_date = forms.DateField(
        widget=DateInput(), error_messages={"invalid": "Enter the date as year-month-day."}
    )
    high_risk_site = forms.BooleanField(
        label="High-risk site: I approve every change of step",
        required=False,
        help_text="Clinical reference §2, §3. Leaving the protect phase always needs approval.",
    )
    tasks = forms.MultipleChoiceField(
        label="Care tasks", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, templates, tasks: list[dict], today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["template"].queryset = templates
        self.fields["tasks"].choices = [(t["source"], t["title"]) for t in tasks]
        self.proposed_tasks = tasks

    def clean_start_date(self):
        day = self.cleaned_data["start_date"]
        if not self.today - dt.timedelta(days=7) <= day <= self.today + dt.timedelta(days=90):
            raise ValidationError("Start within the past week or the next 90 days.")
        return day

    def chosen_tasks(self) -> list[dict]:
        chosen = set(self.cleaned_data.get("tasks") or [])
        return [task for task in self.proposed_tasks if task["source"] in chosen]


class PlanSettingsForm(forms.Form):
    name = forms.CharField(max_length=120)
    start_date = forms.DateField(widget=DateInput())
    high_risk_site = forms.BooleanField(
        label="High-risk site: I approve every change of step", required=False
    )
    baseline_morning_pain = forms.TypedChoiceField(
        label="Baseline morning pain",
        choices=[("", "From the first logs"), *[(n, f"{n}/10") for n in range(11)]],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Morning pain above this holds the step (clinical reference §5).",
    )

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_start_date(self):
        day = self.cleaned_data["start_date"]
        if not self.today - dt.timedelta(days=7) <= day <= self.today + dt.timedelta(days=90):
            raise ValidationError("Start within the past week or the next 90 days.")
        return day


class SessionDoneForm(forms.Form):
    """One session marked done; its prefix is the session's key, so a day's forms differ."""

    submission = SubmissionIdField()
    site_pain_during = PainField(
        label="Pain at the injury site during it",
        required_message="Choose how much the injury site hurt during the session, 0 to 10.",
    )
    effort = forms.TypedChoiceField(
        label="Effort, 0–10",
        choices=EFFORT_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose an effort from 0 to 10."},
    )
    swelling = forms.BooleanField(label="Swelling", required=False)
    limp = forms.BooleanField(label="Limping", required=False)
    note = forms.CharField(label="Note for your therapist", required=False, max_length=500)

    @staticmethod
    def initial_for(completion) -> dict:
        if completion is None:
            return {}
        fields = ("site_pain_during", "effort", "swelling", "limp", "note")
        return {name: getattr(completion, name) for name in fields}


class MorningCheckForm(forms.Form):
    submission = SubmissionIdField()
    completion = forms.UUIDField(widget=forms.HiddenInput)
    pain = PainField(
        label="Pain at the injury site when you woke up",
        required_message="Choose how it felt this morning, 0 to 10.",
    )


class ApprovalForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": "Note (optional)"}),
    )
    clearance = forms.BooleanField(required=False)


class DeclineForm(forms.Form):
    note = forms.CharField(label="Why not yet", required=False, max_length=1000)


class ResumeForm(forms.Form):
    position = forms.ChoiceField(label="Resume at")
    note = forms.CharField(label="Note", required=False, max_length=1000)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        for p, s in plan.spec.positions():
            if (p, s) > plan.position:
                break
            phase = plan.spec.phase(p)
            choices.append((f"{p}.{s}", f"{phase.label} · {phase.steps[s].label}"))
        self.fields["position"].choices = choices
        self.fields["position"].initial = f"{plan.phase_index}.{plan.step_index}"

    def chosen(self) -> tuple[int, int]:
        phase, step = self.cleaned_data["position"].split(".")
        return int(phase), int(step)


class EndPlanForm(forms.Form):
    note = forms.CharField(label="Why", required=False, max_length=1000)


class ProgressionPolicyForm(forms.Form):
    """One field per progression default (rehab.rules.progression), within its limits."""

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for key, policy in progression.PROGRESSION_POLICY_DEFAULTS.items():
            self.fields[key] = _threshold_field(policy, current.get(key, policy.value))

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("advance_max_pain"), cleaned.get("step_back_pain")
        if low is not None and high is not None and high <= low:
            self.add_error(
                "step_back_pain", "The step-back pain must be above the highest pain to advance."
            )
        return cleaned

    def overrides(self) -> dict:
        defaults = progression.PROGRESSION_POLICY_DEFAULTS
        return {
            key: value for key, value in self.cleaned_data.items() if value != defaults[key].value
        }


class ExerciseForm(forms.ModelForm):
    class Meta:
        model = Exercise
        fields = ["name", "target", "sets", "reps", "load", "instructions", "is_archived"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "instructions": "Plain words for the patient, and when to stop.",
            "is_archived": "Templates and plans that use it keep their copy.",
        }
