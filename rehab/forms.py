"""Forms of the daily log, alert acknowledgement and snoozing, and the clinic's alert thresholds.

They validate and normalise (distances to whole metres, pains to ints); services save. Every
message says what to enter instead, in the patient's own distance unit.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format

from clinic.forms import DateInput
from clinic.models import Patient
from clinic.submissions import SubmissionIdField
from rehab.models import (
    EDIT_WINDOW_DAYS,
    MAX_DISTANCE_M_PER_DAY,
    MAX_MINUTES_PER_DAY,
    NO_DISTANCE_KINDS,
    RULE_CHOICES,
    SNOOZE_MAX_DAYS,
    UNSNOOZABLE_RULES,
    AcknowledgementReason,
    ActivityKind,
    DailyLog,
    care_start,
)
from rehab.rules import alerts as alert_rules
from rehab.rules import load

PAIN_CHOICES = [(n, str(n)) for n in range(11)]
UNIT_WORDS = {"km": "km", "mi": "miles"}
MAX_ACTIVITIES = 8

ACTIVITY_CHOICES = [
    ("", "Choose…"),
    (
        "Running and walking",
        [(k.value, k.label) for k in (ActivityKind.RUN, ActivityKind.WALK_RUN, ActivityKind.WALK)],
    ),
    (
        "Cross-training",
        [
            (k.value, k.label)
            for k in (
                ActivityKind.DEEP_WATER_RUNNING,
                ActivityKind.CYCLING,
                ActivityKind.SWIMMING,
                ActivityKind.ELLIPTICAL,
                ActivityKind.ANTIGRAVITY_TREADMILL,
                ActivityKind.OTHER_CROSS,
            )
        ],
    ),
    ("Other", [(k.value, k.label) for k in (ActivityKind.STRENGTH, ActivityKind.REST)]),
]


def max_distance_text(unit: str) -> str:
    """The daily distance limit in the patient's unit, e.g. "93.2 miles"."""
    return f"{round(load.to_display(MAX_DISTANCE_M_PER_DAY, unit), 1):g} {UNIT_WORDS[unit]}"


class PainField(forms.TypedChoiceField):
    """A 0–10 pain rating, chosen from eleven buttons."""

    widget = forms.RadioSelect

    def __init__(self, *, required_message: str | None = None, **kwargs):
        messages = {
            "invalid_choice": "Choose a whole number from 0 (no pain) to 10 (worst pain).",
            "required": required_message or "Choose a number from 0 to 10.",
        }
        super().__init__(
            choices=PAIN_CHOICES,
            coerce=int,
            empty_value=None,
            error_messages=messages,
            **kwargs,
        )


class DailyLogForm(forms.Form):
    submission = SubmissionIdField()
    date = forms.DateField(
        widget=DateInput(),
        error_messages={
            "required": "Choose the day you are logging.",
            "invalid": "Enter the date as year-month-day, e.g. 2026-03-14.",
        },
    )
    site_pain = PainField(
        label="How much does the injury site hurt now?",
        required_message="Choose how much the injury site hurts now, from 0 to 10.",
    )
    morning_pain = PainField(
        label="How did it feel when you woke up this morning?",
        required=False,
        help_text="Morning pain shows how the bone took yesterday's activity.",
    )
    activity_pain = PainField(
        label="Pain during or after today's activity",
        required=False,
        help_text="Leave empty on a rest day.",
    )
    swelling = forms.BooleanField(label="Swelling at the injury site", required=False)
    limp = forms.BooleanField(label="Limping", required=False)
    notes = forms.CharField(
        label="Notes for your therapist",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only your clinic's therapists read these.",
    )

    def __init__(self, *args, patient: Patient, today: dt.date, log: DailyLog | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient, self.today, self.log = patient, today, log
        self.first_day = max(care_start(patient), today - dt.timedelta(days=EDIT_WINDOW_DAYS))
        self.fields["date"].widget.attrs.update(
            min=self.first_day.isoformat(), max=today.isoformat()
        )
        self.fields["notes"].error_messages["max_length"] = (
            "Keep notes under 2,000 characters (this has %(show_value)d)."
        )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > self.today:
            raise ValidationError("That day has not happened yet. Log today or an earlier day.")
        if day < care_start(self.patient):
            raise ValidationError(
                f"Logs start on {_day(care_start(self.patient))}, the day you joined the clinic."
            )
        if day < self.today - dt.timedelta(days=EDIT_WINDOW_DAYS):
            raise ValidationError(
                f"You can log up to {EDIT_WINDOW_DAYS} days back. For earlier days, tell your "
                "therapist."
            )
        if self.log is not None and day == self.log.date:
            return day  # one log per day: the log being changed is the one on its own date
        taken = self.patient.daily_logs.filter(date=day)
        if self.log is not None:
            taken = taken.exclude(pk=self.log.pk)
        if taken.exists():
            raise ValidationError(
                f"You already logged {_day(day)}. Open that day from the list to change it."
            )
        return day


class DistanceField(forms.DecimalField):
    """A distance as typed: "5", "5.2" or "5,2"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label="Activity",
        choices=ACTIVITY_CHOICES,
        error_messages={
            "required": "Choose what you did.",
            "invalid_choice": "Choose an activity from the list.",
        },
    )
    distance = DistanceField(
        label="Distance",
        required=False,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": "Enter the distance as a number, e.g. 3.5."},
    )
    minutes = forms.IntegerField(
        label="Minutes",
        required=False,
        min_value=0,
        max_value=MAX_MINUTES_PER_DAY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter whole minutes, e.g. 30.",
            "min_value": "Minutes cannot be negative.",
            "max_value": "A day has 24 hours: enter at most 1,440 minutes.",
        },
    )
    rpe = forms.TypedChoiceField(
        label="Effort (0–10)",
        choices=[("", "–"), *PAIN_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose an effort from 0 (rest) to 10 (maximal)."},
    )

    def __init__(self, *args, unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["distance"].label = f"Distance ({UNIT_WORDS[unit]})"
        self.fields["distance"].error_messages["min_value"] = "A distance cannot be negative."

    def clean_distance(self):
        distance = self.cleaned_data["distance"]
        if distance is None:
            return None
        limit = Decimal(str(load.to_display(MAX_DISTANCE_M_PER_DAY, self.unit)))
        try:
            too_far = distance > limit or load.from_display(distance, self.unit) > (
                MAX_DISTANCE_M_PER_DAY
            )
        except (InvalidOperation, ValueError):
            raise ValidationError("Enter the distance as a number, e.g. 3.5.") from None
        if too_far:
            raise ValidationError(
                f"That is more than a day can hold: enter at most {max_distance_text(self.unit)}."
            )
        return distance

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind in NO_DISTANCE_KINDS and cleaned.get("distance"):
            label = ActivityKind(kind).label.lower()
            self.add_error("distance", f"A {label} has no distance: leave it empty.")
        if kind == ActivityKind.REST and cleaned.get("minutes"):
            self.add_error("minutes", "A rest day has no duration: leave it empty.")
        return cleaned

    def activity(self) -> dict:
        """The Activity row's fields, distance in whole metres."""
        distance = self.cleaned_data.get("distance")
        return {
            "kind": self.cleaned_data["kind"],
            "distance_m": load.from_display(distance, self.unit) if distance else None,
            "duration_min": self.cleaned_data.get("minutes"),
            "rpe": self.cleaned_data.get("rpe"),
        }

    @staticmethod
    def initial_for(activity, unit: str) -> dict:
        """A stored Activity as the form shows it, in the patient's unit."""
        distance = None
        if activity.distance_m is not None:
            distance = Decimal(str(round(load.to_display(activity.distance_m, unit), 2)))
        return {
            "kind": activity.kind,
            "distance": distance.normalize() if distance else distance,
            "minutes": activity.duration_min,
            "rpe": activity.rpe,
        }


class BaseActivityFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        done = self.activities()
        unit = self.form_kwargs["unit"]
        if sum(a["distance_m"] or 0 for a in done) > MAX_DISTANCE_M_PER_DAY:
            raise ValidationError(
                f"The distances add up to more than a day can hold: at most "
                f"{max_distance_text(unit)} in all."
            )
        if sum(a["duration_min"] or 0 for a in done) > MAX_MINUTES_PER_DAY:
            raise ValidationError("The minutes add up to more than 24 hours.")

    def activities(self) -> list[dict]:
        """The day's activities in the order entered; empty and removed rows are left out."""
        return [
            form.activity()
            for form in self.forms
            if form.cleaned_data.get("kind") and not self._should_delete_form(form)
        ]


ActivityFormSet = forms.formset_factory(
    ActivityForm,
    formset=BaseActivityFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_ACTIVITIES,
    absolute_max=MAX_ACTIVITIES,
    validate_max=True,
)


def activity_formset(data, *, log: DailyLog | None, unit: str) -> BaseActivityFormSet:
    """The day's activity rows: the saved ones to show, or exactly the rows that were posted.

    A posted formset gets no initial values. With them, a posted row equal to a saved activity
    reads as "unchanged" and is skipped, so replaying a post (the log now saved) dropped every
    activity of the day.
    """
    shown = data is None and log is not None
    initial = [ActivityForm.initial_for(a, unit) for a in log.activities.all()] if shown else []
    formset = ActivityFormSet(data, initial=initial, form_kwargs={"unit": unit}, prefix="activity")
    formset.extra = 0 if len(initial) >= MAX_ACTIVITIES else 1
    return formset


class AlertAcknowledgeForm(forms.Form):
    """Why the alert is closed: a reason from the list, and a note (required for "Other")."""

    reason = forms.ChoiceField(
        label="Reason",
        choices=[("", "Choose a reason…"), *AcknowledgementReason.choices],
        error_messages={"required": "Choose why you are acknowledging this alert."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='What you did or decided, e.g. "Called Maya; holding the step this week."',
        error_messages={"max_length": "Keep the note under 1,000 characters."},
    )
    # The count the clinician was shown: new occurrences since then must be seen first.
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("reason") == AcknowledgementReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Say what the reason is when you choose “Other”.")
        return data


class AlertSnoozeForm(forms.Form):
    """Mute one rule for one patient for a number of days; the safety rules are not offered."""

    rule = forms.ChoiceField(
        label="Rule",
        choices=[(code, label) for code, label in RULE_CHOICES if code not in UNSNOOZABLE_RULES],
        error_messages={"invalid_choice": "This rule cannot be snoozed: choose one from the list."},
    )
    days = forms.IntegerField(
        label="Days",
        min_value=1,
        max_value=SNOOZE_MAX_DAYS,
        initial=7,
        help_text=f"1 to {SNOOZE_MAX_DAYS} days.",
        error_messages={
            "required": f"Enter a number of days from 1 to {SNOOZE_MAX_DAYS}.",
            "invalid": f"Enter a number of days from 1 to {SNOOZE_MAX_DAYS}.",
            "min_value": f"Enter a number of days from 1 to {SNOOZE_MAX_DAYS}.",
            "max_value": f"Snooze for {SNOOZE_MAX_DAYS} days at most.",
        },
    )


class AlertPolicyForm(forms.Form):
    """One number per threshold of rehab.rules.alerts.ALERT_POLICY_DEFAULTS, within its limits."""

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for key, policy in alert_rules.ALERT_POLICY_DEFAULTS.items():
            self.fields[key] = _threshold_field(policy, current.get(key, policy.value))

    def overrides(self) -> dict:
        """The values that differ from the defaults: what the clinic's policy row stores."""
        defaults = alert_rules.ALERT_POLICY_DEFAULTS
        return {
            key: value for key, value in self.cleaned_data.items() if value != defaults[key].value
        }


def _threshold_field(policy: alert_rules.PolicyValue, initial) -> forms.Field:
    if isinstance(policy.value, bool):
        return forms.BooleanField(
            label=policy.label, required=False, initial=initial, help_text=policy.help
        )
    field_class = forms.IntegerField if isinstance(policy.value, int) else forms.FloatField
    whole = "whole " if field_class is forms.IntegerField else ""
    message = f"Enter a {whole}number from {policy.min:g} to {policy.max:g}."
    return field_class(
        label=policy.label,
        min_value=policy.min,
        max_value=policy.max,
        initial=initial,
        help_text=f"{policy.help} Default: {policy.value:g}.",
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), message),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def _day(day: dt.date) -> str:
    return date_format(day, "D j M")
