"""The clinician's records beside the scored examination: side and imaging, and SOAP notes."""

from django import forms
from django.utils import timezone

from intake.models import ClinicalNoteVersion, ExamSide, ImagingStatus

# Imaging answers of the rule set (the examination's "Site and imaging" section).
IMAGING_ANSWERS = ("imaging_modality", "imaging_result", "imaging_grade_system", "imaging_grade")
BSI_RESULTS = ("stress_reaction", "stress_fracture")


class ExamRecordForm(forms.Form):
    """Side and imaging, saved with the examination. `check(answer_form)` compares them with the
    rule set's imaging answers, so the record and the score never disagree."""

    exam_side = forms.ChoiceField(
        label="Side", choices=ExamSide.choices, widget=forms.RadioSelect, required=False
    )
    imaging_status = forms.ChoiceField(
        label="Imaging",
        choices=ImagingStatus.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Imaging done: give its date here and its type, result and grade above.",
    )
    imaging_date = forms.DateField(
        label="Imaging date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_imaging_date(self):
        day = self.cleaned_data["imaging_date"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The imaging date cannot be in the future.")
        return day

    def clean(self):
        data = super().clean()
        status = data.get("imaging_status")
        missing = not data.get("imaging_date") and not self.has_error("imaging_date")
        if status == ImagingStatus.DONE and missing:
            self.add_error("imaging_date", "Give the date of the imaging.")
        if status != ImagingStatus.DONE:
            data["imaging_date"] = None
        return data

    def check(self, answer_form) -> bool:
        """Add errors where the imaging answers contradict the status; True when all agree."""
        answers = answer_form.cleaned_data
        given = [key for key in IMAGING_ANSWERS if answers.get(key) not in (None, "")]
        status = self.cleaned_data.get("imaging_status")
        if given and not status:
            # A result without the status (a post from before the record existed): imaging was
            # done; its date and grade are asked once the status is chosen.
            self.cleaned_data["imaging_status"] = ImagingStatus.DONE
            return not answer_form.errors
        if given and status != ImagingStatus.DONE:
            self.add_error(
                "imaging_status",
                "You recorded an imaging result above: choose Imaging done, or clear it.",
            )
        if status == ImagingStatus.DONE:
            if not answers.get("imaging_modality") or not answers.get("imaging_result"):
                self.add_error("imaging_status", "Imaging done: choose its type and result above.")
            elif (
                answers.get("imaging_modality") == "mri"
                and answers.get("imaging_result") in BSI_RESULTS
                and not answers.get("imaging_grade")
            ):
                answer_form.add_error(
                    "imaging_grade",
                    "An MRI showing a bone stress injury needs its grade (Kaeding–Miller or "
                    "Fredericson): it sets the protect phase of the plan.",
                )
        return not self.errors and not answer_form.errors


class ClinicalNoteForm(forms.ModelForm):
    """A SOAP note; at least one section written."""

    class Meta:
        model = ClinicalNoteVersion
        fields = list(ClinicalNoteVersion.SECTIONS)
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ClinicalNoteVersion.SECTIONS}
        help_texts = {
            "subjective": "What the runner reports: pain, function, how the week went.",
            "objective": "What you found: tests, measurements, imaging.",
            "assessment": "Your reading of it.",
            "plan": "What happens next.",
        }

    MAX_LENGTH = 5000

    def clean(self):
        data = super().clean()
        texts = {name: (data.get(name) or "").strip() for name in ClinicalNoteVersion.SECTIONS}
        for name, text in texts.items():
            if len(text) > self.MAX_LENGTH:
                self.add_error(name, f"At most {self.MAX_LENGTH} characters.")
        if not any(texts.values()):
            self.add_error("subjective", "Write at least one section of the note.")
        data.update(texts)
        return data
