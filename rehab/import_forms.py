"""Forms of the watch-file import: the upload, and the confirmation of what it found.

The upload form reads every file (rehab.watch_files) and is invalid when any one cannot be read,
naming the file and why next to the field: nothing is previewed or added until every file reads.
"""

from django import forms
from django.core.exceptions import ValidationError

from clinic.submissions import SubmissionIdField
from rehab.forms import PainField
from rehab.models import ActivityKind
from rehab.watch_files import (
    EXTENSIONS,
    MAX_FILE_BYTES,
    MAX_FILES,
    UnreadableFile,
    WatchActivity,
    read_watch_file,
)

KIND_CHOICES = [
    (kind.value, kind.label)
    for kind in (
        ActivityKind.RUN,
        ActivityKind.WALK_RUN,
        ActivityKind.WALK,
        ActivityKind.CYCLING,
        ActivityKind.SWIMMING,
        ActivityKind.ELLIPTICAL,
        ActivityKind.OTHER_CROSS,
    )
]
MB = MAX_FILE_BYTES // (1024 * 1024)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class WatchFilesField(forms.FileField):
    """One or several files: the field cleans to the list of uploads."""

    widget = MultipleFileInput(attrs={"accept": ",".join(f".{ext}" for ext in EXTENSIONS)})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(WatchFilesField, self).clean(upload, initial) for upload in files]


class WatchUploadForm(forms.Form):
    files = WatchFilesField(
        label="Files from your watch or app",
        help_text=f".fit, .gpx or .tcx; up to {MAX_FILES} files of {MB} MB each.",
        error_messages={
            "required": "Choose the file of your run (.fit, .gpx or .tcx).",
            "empty": "That file is empty.",
            "invalid": "Choose a file from your phone or computer.",
        },
    )

    def clean_files(self) -> list[WatchActivity]:
        """Every file read, or errors naming each file that could not be (nothing is kept)."""
        uploads = self.cleaned_data["files"]
        if len(uploads) > MAX_FILES or any(
            getattr(u, "refused", "") == "too many" for u in uploads
        ):
            raise ValidationError(f"Choose at most {MAX_FILES} files at a time.")
        errors, found, shas = [], [], set()
        for upload in uploads:
            name = (upload.name or "file")[-120:]
            if getattr(upload, "refused", "") == "too big" or upload.size > MAX_FILE_BYTES:
                errors.append(f"{name}: this file is over {MB} MB; an activity file is smaller.")
                continue
            try:
                activity = read_watch_file(name, upload.read())
            except UnreadableFile as unreadable:
                errors.append(f"{name}: {unreadable}")
                continue
            if activity.sha256 not in shas:  # the same file chosen twice counts once
                shas.add(activity.sha256)
                found.append(activity)
        if errors:
            raise ValidationError(errors)
        return found


class WatchConfirmForm(forms.Form):
    """The kind of each activity found (the file's, changeable) and the site pain of each day
    that has no log yet."""

    submission = SubmissionIdField()
    token = forms.CharField(widget=forms.HiddenInput, max_length=20_000)

    def __init__(self, *args, found: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.found = found
        for index, item in enumerate(found):
            if not item.addable:
                continue
            self.fields[f"kind_{index}"] = forms.ChoiceField(
                label="What was it?",
                choices=KIND_CHOICES,
                initial=str(item.activity.kind),
                error_messages={"invalid_choice": "Choose what it was from the list."},
            )
        for day in sorted({item.day for item in found if item.addable and item.needs_pain}):
            self.fields[pain_field(day)] = PainField(
                label=f"How much did the injury site hurt on {day:%a %-d %b}?",
                required_message="Choose how much the injury site hurt that day, from 0 to 10.",
            )

    def choices(self) -> list[tuple[WatchActivity, str]]:
        return [
            (item.activity, self.cleaned_data[f"kind_{index}"])
            for index, item in enumerate(self.found)
            if item.addable
        ]

    def site_pains(self) -> dict:
        days = {item.day for item in self.found if item.addable and item.needs_pain}
        return {day: self.cleaned_data[pain_field(day)] for day in days}

    def rows(self) -> list[dict]:
        """Each found activity with its bound fields, for the template."""
        rows, asked = [], set()
        for index, item in enumerate(self.found):
            name = pain_field(item.day)
            pain = self[name] if name in self.fields and name not in asked else None
            asked.add(name)
            kind = self[f"kind_{index}"] if item.addable else None
            rows.append({"found": item, "kind": kind, "pain": pain})
        return rows


def pain_field(day) -> str:
    return f"site_pain_{day:%Y%m%d}"
