"""Filter forms of the export page and the audit trail: they validate and return plain filters."""

from django import forms

from clinic.models import Membership, Patient, Role, User
from intake import scoring
from reports import audit_trail, plans
from reports.cohort import RISK_CLASSES, STATUSES, CohortFilters
from reports.models import ExportFormat, ExportKind, ReportSummary

DATE = forms.DateInput(attrs={"type": "date"})


def bootstrap(form: forms.Form) -> None:
    """Bootstrap's classes on each widget, for the filter bars drawn field by field."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


def clinic_therapists(clinic):
    return User.objects.filter(
        memberships__clinic=clinic, memberships__role=Role.THERAPIST
    ).order_by("full_name")


class CohortFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Rows",
        choices=[(ExportKind.SUMMARY, "One per patient"), (ExportKind.LOGS, "One per daily log")],
        initial=ExportKind.SUMMARY,
        required=False,
    )
    intake_from = forms.DateField(label="Intake from", required=False, widget=DATE)
    intake_to = forms.DateField(label="Intake to", required=False, widget=DATE)
    therapist = forms.ModelChoiceField(
        label="Therapist", queryset=User.objects.none(), required=False, empty_label="Anyone"
    )
    site = forms.ChoiceField(
        label="Site",
        required=False,
        choices=[("", "Any site"), *((site.code, site.label) for site in scoring.SITES)],
    )
    risk = forms.ChoiceField(
        label="Risk class", required=False, choices=[("", "Any"), *RISK_CLASSES.items()]
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=list(STATUSES.items()), initial="all"
    )
    phase = forms.ChoiceField(label="Phase", required=False)
    deidentified = forms.BooleanField(
        label="De-identified for research",
        required=False,
        help_text="No names or contacts; research ids instead; days since intake, not dates.",
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["therapist"].queryset = clinic_therapists(clinic)
        bootstrap(self)
        self.fields["phase"].choices = [("", "Any phase"), *plans.phase_choices()]

    def clean(self):
        data = super().clean()
        start, end = data.get("intake_from"), data.get("intake_to")
        if start and end and start > end:
            self.add_error("intake_to", "The end of the range is before its start.")
        data["kind"] = data.get("kind") or ExportKind.SUMMARY
        return data

    def filters(self) -> CohortFilters:
        data = self.cleaned_data
        return CohortFilters(
            intake_from=data.get("intake_from"),
            intake_to=data.get("intake_to"),
            therapist_id=data["therapist"].pk if data.get("therapist") else None,
            site=data.get("site") or "",
            risk=data.get("risk") or "",
            status=data.get("status") or "all",
            phase=data.get("phase") or "",
        )


class ExportForm(CohortFilterForm):
    """The export page's one form: the filters, the rows, de-identified or not, and the format
    of a prepared file. "Apply filters", "Download CSV now" and "Prepare file" all submit it, so
    a file is always made from what the form on screen says."""

    format = forms.ChoiceField(
        label="File",
        # Excel first: what a link without a format shows is what clean_format() assumes.
        choices=sorted(ExportFormat.choices, key=lambda choice: choice[0] != ExportFormat.XLSX),
        initial=ExportFormat.XLSX,
        required=False,
        help_text="Of a prepared file.",
    )

    def clean_format(self) -> str:
        return self.cleaned_data.get("format") or ExportFormat.XLSX


ACTION_CHOICES = [
    ("", "Any action"),
    ("Families", [("patient.", "Patient records"), ("export.", "Exports"), ("auth.", "Sign-ins")]),
    ("Actions", sorted(audit_trail.ACTION_LABELS.items(), key=lambda item: item[1])),
]


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label="Who", queryset=User.objects.none(), required=False, empty_label="Anyone"
    )
    action = forms.ChoiceField(label="Action", required=False, choices=ACTION_CHOICES)
    patient = forms.ModelChoiceField(
        label="Patient", queryset=Patient.objects.none(), required=False, empty_label="Any patient"
    )
    date_from = forms.DateField(label="From", required=False, widget=DATE)
    date_to = forms.DateField(label="To", required=False, widget=DATE)

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(clinic=clinic).exclude(role=Role.PATIENT)
        self.fields["actor"].queryset = User.objects.filter(
            pk__in=members.values("user_id")
        ).order_by("full_name")
        self.fields["patient"].queryset = Patient.objects.filter(clinic=clinic).order_by(
            "last_name", "first_name"
        )
        bootstrap(self)

    def filters(self) -> audit_trail.AuditFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return audit_trail.AuditFilters(
            actor_id=data["actor"].pk if data.get("actor") else None,
            action=data.get("action") or "",
            patient_id=str(data["patient"].pk) if data.get("patient") else "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class ReportSummaryForm(forms.Form):
    """The clinician's short summary on the progress report (reports.handover)."""

    text = forms.CharField(
        label="Clinician's summary",
        required=False,
        max_length=ReportSummary.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": ReportSummary.MAX_LENGTH}),
        help_text="A few sentences for whoever receives the report: where the runner stands, "
        "what comes next, what to watch for. Printed on the PDF; never shown to the care team "
        "or the patient in Rebound.",
    )
