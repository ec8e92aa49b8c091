"""Forms of care-team collaboration: a new task or message, a reply."""

from django import forms

from clinic.models import Role
from rehab.models import SHARE_CHOICES, TASK_ROLES


class CareTaskForm(forms.Form):
    """Clinic staff: a task for a role, shared with that role on the care team or kept in-house."""

    title = forms.CharField(max_length=160)
    detail = forms.CharField(
        label="Details", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    role = forms.ChoiceField(label="For", choices=TASK_ROLES, initial=Role.THERAPIST)
    shared_with = forms.ChoiceField(
        label="Visible to",
        choices=SHARE_CHOICES,
        required=False,
        help_text="A coach or nutritionist sees only tasks shared with their role.",
    )

    def clean(self):
        cleaned = super().clean()
        role, shared = cleaned.get("role"), cleaned.get("shared_with")
        if role in (Role.COACH, Role.NUTRITIONIST) and shared != role:
            self.add_error("shared_with", "A task for the care team must be visible to that role.")
        return cleaned


class CareMessageForm(forms.Form):
    """A coach or nutritionist writes to the therapist."""

    title = forms.CharField(label="Subject", max_length=160)
    detail = forms.CharField(
        label="Message", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CareReplyForm(forms.Form):
    text = forms.CharField(label="Reply", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
