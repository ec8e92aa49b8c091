import datetime as dt

from django import forms
from django.utils import timezone

from clinic.models import Patient
from clinic.submissions import SubmissionIdField
from notifications.models import CareMessage, ReminderPreference, reminders_allowed
from notifications.schedule import time_is_quiet, zone_named

MAX_PAUSE_DAYS = 90
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ReminderPreferencesForm(forms.Form):
    """A patient's reminder choices. Validates them together, so a bad mix gets a clear message
    beside the field that causes it, never a server error."""

    reminders_on = forms.BooleanField(
        required=False,
        label="Send me reminders",
        help_text="Reminders to log your day and check your pain. Switch off at any time.",
    )
    by_email = forms.BooleanField(required=False, label="E-mail")
    by_sms = forms.BooleanField(required=False, label="Text message (SMS)")
    in_app = forms.BooleanField(required=False, label="In the app")
    daily_time = forms.TimeField(
        label="Daily log reminder",
        widget=TIME_WIDGET,
        help_text="Your local time. Pick a moment after your day's activity.",
    )
    morning_time = forms.TimeField(
        label="Morning reminder",
        widget=TIME_WIDGET,
        help_text="Today's plan sessions and, the morning after a run, how the bone feels.",
    )
    quiet_start = forms.TimeField(label="Quiet from", required=False, widget=TIME_WIDGET)
    quiet_end = forms.TimeField(label="Quiet until", required=False, widget=TIME_WIDGET)
    paused_until = forms.DateField(
        label="Pause reminders until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"Away or resting? No reminders up to and including this day "
        f"(at most {MAX_PAUSE_DAYS} days ahead). Leave empty for none.",
    )

    PREFERENCE_FIELDS = (
        "by_email",
        "by_sms",
        "in_app",
        "daily_time",
        "morning_time",
        "quiet_start",
        "quiet_end",
        "paused_until",
    )
    NO_PHONE = "Add your mobile number in Settings first."

    def __init__(self, *args, patient: Patient, preference: ReminderPreference, **kwargs):
        initial = {name: getattr(preference, name) for name in self.PREFERENCE_FIELDS}
        initial["reminders_on"] = not reminders_allowed(patient, preference)
        super().__init__(*args, initial=initial, **kwargs)
        self.patient = patient
        self.fields["by_email"].help_text = patient.email or "No e-mail address on file."
        self.fields["by_sms"].help_text = patient.phone or "Add a mobile number in Settings first."

    def clean_paused_until(self):
        day = self.cleaned_data["paused_until"]
        if day is None:
            return None
        today = timezone.localdate(timezone=zone_named(self.patient.time_zone))
        if day < today:
            raise forms.ValidationError("Choose today or a later day.")
        if day > today + dt.timedelta(days=MAX_PAUSE_DAYS):
            raise forms.ValidationError(f"Pause for at most {MAX_PAUSE_DAYS} days.")
        return day

    def clean(self):
        data = super().clean()
        if data.get("by_email") and not self.patient.email:
            self.add_error("by_email", "There is no e-mail address on file; ask your clinic.")
        if data.get("by_sms") and not self.patient.phone:
            self.add_error("by_sms", self.NO_PHONE)
        if data.get("reminders_on") and not (
            data.get("by_email") or data.get("by_sms") or data.get("in_app")
        ):
            self.add_error("by_email", "Choose at least one way to reach you.")
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None) and not self.has_error("quiet_start"):
            if not self.has_error("quiet_end"):
                self.add_error("quiet_end", "Give both ends of your quiet hours, or neither.")
        elif start is not None and start == end:
            self.add_error("quiet_end", "Quiet hours need to end at a different time.")
        elif start is not None:
            for name in ("daily_time", "morning_time"):
                if (at := data.get(name)) is not None and time_is_quiet(at, start, end):
                    self.add_error(
                        name,
                        f"This falls in your quiet hours ({start:%H:%M}–{end:%H:%M}). "
                        "Choose another time or change your quiet hours.",
                    )
        return data

    def preference_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.PREFERENCE_FIELDS}


class ReminderConsentForm(ReminderPreferencesForm):
    """Consent and channels asked at the end of the questionnaire: the preferences page's
    consent and channel rules, with its times left at their defaults (changed later on
    /me/reminders/). `patient` may be unsaved: a new runner's record is made on sending."""

    PREFERENCE_FIELDS = ("by_email", "by_sms", "in_app")
    NO_PHONE = "Add your mobile number under About you first, or ask your clinic to."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("daily_time", "morning_time", "quiet_start", "quiet_end", "paused_until"):
            del self.fields[name]
        self.fields["reminders_on"].label = "Yes, send me reminders and news about my plan"
        self.fields["reminders_on"].help_text = (
            "Reminders to log your day and check your pain, and a message when your therapist "
            "starts or changes your plan. Switch them off at any time."
        )
        self.fields["in_app"].help_text = "Once you have set up your account: we e-mail you a link."
        if not self.patient.phone:
            self.fields["by_sms"].help_text = "No mobile number given under About you."


class CareMessageForm(forms.Form):
    submission = SubmissionIdField()
    text = forms.CharField(
        label="Message",
        max_length=CareMessage.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write the message first."},
        help_text="Plain words: the patient reads it in the app and, if they chose them, by "
        "e-mail or text message. Not for urgent matters.",
    )
