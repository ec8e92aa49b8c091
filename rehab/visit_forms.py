"""Booking a follow-up visit: date and time in the patient's own zone, where, and a note.

The start is read in the patient's time zone (a runner in Denver sees 10:00 as 10:00), checked
to lie ahead, and returned as an aware datetime stored in UTC. A video visit needs the https link
of the call. The intake's "follow-up" decision asks the same questions with `VisitFields`.
"""

import datetime as dt
from urllib.parse import urlsplit

from django import forms
from django.utils import timezone

from clinic.forms import DateInput
from clinic.models import Patient
from notifications.schedule import local_moment
from rehab.models import VisitMode, patient_zone

MAX_AHEAD = dt.timedelta(days=366)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def visit_start(day: dt.date, at: dt.time, zone: dt.tzinfo, *, now: dt.datetime) -> dt.datetime:
    """The UTC instant of `day` at `at` in `zone`; ValidationError if it is not ahead."""
    starts_at = local_moment(day, at, zone)
    if starts_at <= now:
        local_now = timezone.localtime(now, zone)
        raise forms.ValidationError(
            f"That time has passed: it is now {local_now:%H:%M} on {local_now:%-d %b} in the "
            "runner's time zone. Choose a later time.",
            code="past",
        )
    if starts_at > now + MAX_AHEAD:
        raise forms.ValidationError("Book visits at most a year ahead.", code="too_far")
    return starts_at


def clean_video_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or " " in url:
        raise forms.ValidationError(
            "Paste the https:// link of the video call (for example https://meet.example/abc).",
            code="not_https",
        )
    return url


def _mode_field(**kwargs):
    return forms.ChoiceField(
        choices=VisitMode.choices,
        initial=VisitMode.IN_CLINIC,
        widget=forms.RadioSelect,
        **kwargs,
    )


def _video_field(**kwargs):
    return forms.CharField(
        max_length=500,
        required=False,
        help_text="For a video call: the https:// link the runner opens.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
        **kwargs,
    )


class VisitForm(forms.Form):
    day = forms.DateField(label="Date", widget=DateInput())
    at = forms.TimeField(label="Time", widget=TimeInput())
    mode = _mode_field(label="Where")
    video_url = _video_field(label="Video link")
    therapist = forms.ModelChoiceField(
        queryset=None,
        label="With",
        empty_label="Choose a therapist",
        error_messages={"invalid_choice": "Choose a physical therapist of this clinic."},
    )
    note = forms.CharField(
        label="Note to the runner",
        max_length=1000,
        required=False,
        help_text="Optional. The runner sees it on their Today, e.g. “bring your running shoes”.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, patient: Patient, **kwargs):
        from clinic.services import clinic_therapists

        super().__init__(*args, **kwargs)
        self.patient = patient
        self.zone = patient_zone(patient)
        self.fields["therapist"].queryset = clinic_therapists(patient.clinic)
        self.fields["at"].help_text = f"In the runner's time zone, {patient.time_zone}."

    @classmethod
    def for_visit(cls, visit, *args, **kwargs) -> "VisitForm":
        local = visit.local_starts_at
        initial = {
            "day": local.date(),
            "at": local.time().replace(second=0, microsecond=0),
            "mode": visit.mode,
            "video_url": visit.video_url,
            "therapist": visit.therapist_id,
            "note": visit.note,
        }
        return cls(*args, patient=visit.patient, initial=initial, **kwargs)

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("day"), cleaned.get("at")
        if day and at:
            try:
                cleaned["starts_at"] = visit_start(day, at, self.zone, now=timezone.now())
            except forms.ValidationError as error:
                self.add_error("day" if error.code == "too_far" else "at", error)
        clean_mode_and_link(self, cleaned, mode="mode", link="video_url")
        return cleaned


def clean_mode_and_link(
    form: forms.Form, cleaned: dict, *, mode: str, link: str, field: str | None = None
) -> None:
    """A video visit needs its https link; a visit in the clinic has none. Errors go beside
    `field` (the link's form field, `link` by default)."""
    field = field or link
    url = (cleaned.get(link) or "").strip()
    if cleaned.get(mode) == VisitMode.VIDEO:
        if not url:
            form.add_error(field, "Paste the link of the video call, or choose “In the clinic”.")
            return
        try:
            cleaned[link] = clean_video_url(url)
        except forms.ValidationError as error:
            form.add_error(field, error)
    elif url:
        form.add_error(
            field, "A visit in the clinic has no video link: remove it, or choose video."
        )
    else:
        cleaned[link] = ""
