"""Forms of the clinic core. They validate and normalise; views and services save."""

from datetime import date

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import timezone

from clinic.logos import validated_logo
from clinic.models import CARE_TEAM_ROLES, Clinic, Membership, Patient, Role, Sex, User

STAFF_INVITE_ROLES = [(r.value, r.label) for r in Role if r != Role.PATIENT]


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, labelled for e-mail sign-in, with one message for every failure."""

    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    remember = forms.BooleanField(
        required=False,
        label="Keep me signed in on this phone",
        help_text="For 14 days, on your own phone only. Clinic staff are always signed out "
        "after 30 minutes without activity.",
    )
    error_messages = {
        "invalid_login": "That e-mail address and password do not match an account. "
        "Check them and try again, or reset your password.",
        "inactive": "That e-mail address and password do not match an account. "
        "Check them and try again, or reset your password.",
    }


class EmailPasswordResetForm(PasswordResetForm):
    """Django's reset form, labelled like the login form."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class CodeForm(forms.Form):
    """A code from the authenticator app (or, where allowed, a backup code)."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
                "class": "code-input",
            }
        ),
    )


class TimeZoneForm(forms.ModelForm):
    """The signed-in person's own time zone: every date and time is shown in it."""

    class Meta:
        model = User
        fields = ["time_zone"]
        labels = {"time_zone": "Your time zone"}
        help_texts = {"time_zone": "Rebound shows every date and time to you in this zone."}


class ClinicSecurityForm(forms.ModelForm):
    """The clinic admin's security settings for their clinic."""

    class Meta:
        model = Clinic
        fields = ["require_staff_2fa", "lockout_failures", "lockout_minutes"]


class ClinicLogoForm(forms.Form):
    """The clinic's logo for progress reports; `clean_logo` leaves the PNG to store."""

    logo = forms.FileField(
        label="Logo",
        help_text="A PNG, JPEG or WebP picture of at most 512 KB, 32 to 4000 pixels on each "
        "side. It is printed at the top of every progress report.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def clean_logo(self) -> bytes:
        return validated_logo(self.cleaned_data["logo"])


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "menstrual_questions_apply",
            "email",
            "phone",
            "time_zone",
            "distance_unit",
            "therapist",
        ]
        widgets = {"date_of_birth": DateInput()}
        labels = {"menstrual_questions_apply": "Ask the menstrual-health questions"}

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = User.objects.filter(
            memberships__clinic=clinic,
            memberships__role=Role.THERAPIST,
            memberships__is_active=True,
        ).order_by("full_name")
        self.fields["therapist"].required = True
        self.fields["therapist"].empty_label = "Choose a therapist"
        if not self.instance.pk:
            self.fields["time_zone"].initial = clinic.time_zone

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born < date(today.year - 110, 1, 1):
            raise forms.ValidationError("Check the year: that would make the runner over 110.")
        if (today - born).days < 365 * 8:
            raise forms.ValidationError("Rebound is for runners aged 8 and over.")
        return born

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sex") == Sex.MALE and cleaned.get("menstrual_questions_apply"):
            self.add_error(
                "menstrual_questions_apply",
                "Leave this off unless the runner has periods; for intersex or undisclosed, "
                "choose that option under Sex.",
            )
        return cleaned


class PatientSettingsForm(forms.ModelForm):
    """What a patient may change about themselves."""

    class Meta:
        model = Patient
        fields = ["phone", "time_zone", "distance_unit"]
        labels = {"distance_unit": "Show distances in"}

    reminder_consent = forms.BooleanField(
        required=False,
        label="Send me reminders",
        help_text="Reminders to log your day and do your sessions. You can stop them at any time.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminder_consent"].initial = self.instance.reminder_consent

    def save(self, commit=True):
        self.instance.set_reminder_consent(self.cleaned_data["reminder_consent"])
        return super().save(commit)


class CareTeamAddForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Coach or nutritionist",
        empty_label="Choose a person",
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(
                memberships__clinic=patient.clinic,
                memberships__role__in=CARE_TEAM_ROLES,
                memberships__is_active=True,
            )
            .exclude(care_teams__patient=patient)
            .distinct()
            .order_by("full_name")
        )
        roles = dict(
            Membership.objects.filter(clinic=patient.clinic, role__in=CARE_TEAM_ROLES).values_list(
                "user_id", "role"
            )
        )
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.full_name} — {Role(roles.get(u.pk, Role.COACH)).label}"
        )


class OwnerForm(forms.Form):
    """Who is responsible for a patient: one of the clinic's active physical therapists."""

    therapist = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Responsible physical therapist",
        empty_label="Choose a therapist",
        error_messages={
            "required": "Choose a physical therapist.",
            "invalid_choice": "Choose a physical therapist of this clinic.",
        },
    )

    def __init__(self, *args, clinic, **kwargs):
        from clinic.services import clinic_therapists

        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = clinic_therapists(clinic)


class InvitationForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Full name")
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=STAFF_INVITE_ROLES)

    def __init__(self, *args, clinic, **kwargs):
        self.clinic = clinic
        super().__init__(*args, **kwargs)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        email, role = cleaned.get("email"), cleaned.get("role")
        if (
            email
            and role
            and Membership.objects.filter(
                clinic=self.clinic, user__email__iexact=email, role=role, is_active=True
            ).exists()
        ):
            self.add_error("email", "This person already has that role in this clinic.")
        return cleaned


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Your full name")
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Repeat the password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ. Type the same one twice.")
        if p1:
            probe = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
