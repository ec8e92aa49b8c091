"""The account page's form for a new personal API token."""

from django import forms

from api.models import TokenScope
from api.tokens import EXPIRY_CHOICES


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What is it for?",
        max_length=80,
        help_text="A name you will recognise, e.g. “Clinic EHR sync” or “My watch app”.",
        error_messages={"required": "Name the token, so you know what to revoke later."},
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text="Read only is enough for exports and reports.",
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        choices=[(days, f"{days} days") for days in EXPIRY_CHOICES],
        coerce=int,
        initial=30,
    )
