"""What the API shows and accepts. Reads are plain fields; writes validate with the same rules
as the forms (limits, the log's edit window) before a service saves them."""

import datetime as dt

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clinic.forms import PatientForm
from clinic.models import Patient
from intake.models import Intake, IntakeScore
from rehab.forms import MAX_ACTIVITIES
from rehab.models import (
    EDIT_WINDOW_DAYS,
    MAX_DISTANCE_M_PER_DAY,
    MAX_MINUTES_PER_DAY,
    NO_DISTANCE_KINDS,
    AcknowledgementReason,
    Activity,
    ActivityKind,
    Alert,
    DailyLog,
    Plan,
    care_start,
)

# --- Patients ---------------------------------------------------------------------------------


class PatientSerializer(serializers.ModelSerializer):
    """A patient record. Date of birth, sex and contact details are shown to clinic staff only
    (null for the care team and the patient's own token, as on the pages)."""

    therapist = serializers.SerializerMethodField()
    date_of_birth = serializers.SerializerMethodField()
    sex = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    discharged = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "email",
            "phone",
            "time_zone",
            "distance_unit",
            "therapist",
            "created_at",
            "discharged",
        ]

    def _staff(self) -> bool:
        return bool(self.context.get("staff"))

    def get_therapist(self, patient) -> str | None:
        return patient.therapist.full_name if patient.therapist_id else None

    def get_date_of_birth(self, patient) -> dt.date | None:
        return patient.date_of_birth if self._staff() else None

    def get_sex(self, patient) -> str | None:
        return patient.sex if self._staff() else None

    def get_email(self, patient) -> str | None:
        return patient.email if self._staff() else None

    def get_phone(self, patient) -> str | None:
        return patient.phone if self._staff() else None

    def get_discharged(self, patient) -> bool:
        return patient.discharged_at is not None


class ReferralSerializer(serializers.Serializer):
    """A new patient from an external referral (a physician's EHR, a sports-medicine clinic).

    Validated by the same form as *New patient*; `therapist` is the responsible therapist's user
    id in the clinic (default: the caller, when they are a therapist). `referred_by` and
    `reason` are kept in the audit row of the creation.
    """

    first_name = serializers.CharField(max_length=80)
    last_name = serializers.CharField(max_length=80)
    date_of_birth = serializers.DateField()
    sex = serializers.ChoiceField(choices=Patient._meta.get_field("sex").choices)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    time_zone = serializers.CharField(required=False, max_length=64)
    distance_unit = serializers.ChoiceField(
        choices=Patient._meta.get_field("distance_unit").choices, required=False
    )
    therapist = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    referred_by = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate(self, data):
        clinic, caller = self.context["clinic"], self.context["user"]
        fields = {k: v for k, v in data.items() if k not in ("referred_by", "reason")}
        fields.setdefault("time_zone", clinic.time_zone)
        fields.setdefault("distance_unit", "km")
        fields.setdefault("therapist", caller.pk)
        form = PatientForm(data=fields, clinic=clinic)
        if not form.is_valid():
            raise serializers.ValidationError(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()}
            )
        data["form"] = form
        return data


# --- Intakes ----------------------------------------------------------------------------------


class RedFlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    level = serializers.CharField()
    title = serializers.CharField()


class IntakeScoreSerializer(serializers.ModelSerializer):
    """One score the intake received, with its rule-set version and the red flags it raised."""

    red_flags = serializers.SerializerMethodField()

    class Meta:
        model = IntakeScore
        fields = ["kind", "version", "score", "band", "priority", "red_flags", "created_at"]

    @extend_schema_field(RedFlagSerializer(many=True))
    def get_red_flags(self, score) -> list[dict]:
        flags = score.result.get("red_flags") or []
        return [
            {key: str(flag.get(key, "")) for key in ("code", "level", "title")} for flag in flags
        ]


class IntakeSerializer(serializers.ModelSerializer):
    scores = IntakeScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Intake
        fields = [
            "id",
            "status",
            "source",
            "region",
            "side",
            "confirmed_site",
            "score",
            "band",
            "priority",
            "red_flag_level",
            "ruleset_version",
            "submitted_at",
            "decided_at",
            "exam_side",
            "imaging_status",
            "imaging_date",
            "scores",
        ]


# --- Plans ------------------------------------------------------------------------------------


class CurrentStepSerializer(serializers.Serializer):
    phase_index = serializers.IntegerField()
    phase_kind = serializers.CharField()
    phase_label = serializers.CharField()
    step_index = serializers.IntegerField()
    step_label = serializers.CharField()
    phase_started_on = serializers.DateField(allow_null=True)
    step_started_on = serializers.DateField(allow_null=True)


class PhaseSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    goal = serializers.CharField()
    weeks = serializers.CharField()
    steps = serializers.SerializerMethodField()

    def get_steps(self, phase) -> list[str]:
        return [step.label for step in phase.steps]


class PlanSerializer(serializers.ModelSerializer):
    """A rehab plan, its phases, and where the patient stands in it now."""

    current_step = CurrentStepSerializer(source="*")
    phases = PhaseSerializer(source="spec.phases", many=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "status",
            "high_risk_site",
            "site_label",
            "start_date",
            "activated_at",
            "ended_at",
            "current_step",
            "phases",
        ]


# --- Daily logs -------------------------------------------------------------------------------


class ActivitySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    distance_m = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_DISTANCE_M_PER_DAY
    )
    duration_min = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_MINUTES_PER_DAY
    )
    rpe = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10)

    class Meta:
        model = Activity
        fields = ["kind", "distance_m", "duration_min", "rpe"]

    def validate(self, data):
        if data["kind"] in NO_DISTANCE_KINDS and data.get("distance_m"):
            raise serializers.ValidationError({"distance_m": "This activity has no distance."})
        if data["kind"] == ActivityKind.REST and data.get("duration_min"):
            raise serializers.ValidationError({"duration_min": "A rest day has no duration."})
        return data


class DailyLogSerializer(serializers.ModelSerializer):
    """A day's log. `notes` are for the clinic's therapists: null for the care team."""

    activities = ActivitySerializer(many=True)
    notes = serializers.SerializerMethodField()

    class Meta:
        model = DailyLog
        fields = [
            "id",
            "date",
            "site_pain",
            "morning_pain",
            "activity_pain",
            "swelling",
            "limp",
            "notes",
            "activities",
            "created_at",
            "updated_at",
        ]

    def get_notes(self, log) -> str | None:
        return log.notes if self.context.get("notes") else None


class DailyLogWriteSerializer(serializers.Serializer):
    """The patient's day, saved as on *Log my day*: a day already logged is updated (an upsert),
    the date within the edit window, the activities replacing the day's previous ones."""

    date = serializers.DateField()
    site_pain = serializers.IntegerField(min_value=0, max_value=10)
    morning_pain = serializers.IntegerField(
        min_value=0, max_value=10, required=False, allow_null=True
    )
    activity_pain = serializers.IntegerField(
        min_value=0, max_value=10, required=False, allow_null=True
    )
    swelling = serializers.BooleanField(required=False, default=False)
    limp = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    activities = ActivitySerializer(many=True, required=False, max_length=MAX_ACTIVITIES)

    def validate_date(self, day):
        patient, today = self.context["patient"], self.context["today"]
        if day > today:
            raise serializers.ValidationError("That day has not happened yet.")
        if day < care_start(patient):
            raise serializers.ValidationError("Logs start on the day the patient joined.")
        if day < today - dt.timedelta(days=EDIT_WINDOW_DAYS):
            raise serializers.ValidationError(f"Logs go back {EDIT_WINDOW_DAYS} days at most.")
        return day

    def validate_activities(self, activities):
        if sum(a.get("distance_m") or 0 for a in activities) > MAX_DISTANCE_M_PER_DAY:
            raise serializers.ValidationError("The distances add up to more than a day can hold.")
        if sum(a.get("duration_min") or 0 for a in activities) > MAX_MINUTES_PER_DAY:
            raise serializers.ValidationError("The minutes add up to more than 24 hours.")
        return activities


# --- Alerts -----------------------------------------------------------------------------------


class AlertSerializer(serializers.ModelSerializer):
    acknowledged_by = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "reason",
            "evidence",
            "section",
            "dates",
            "occurrences",
            "rules_version",
            "raised_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_reason",
            "acknowledgement_note",
        ]

    def get_acknowledged_by(self, alert) -> str | None:
        return alert.acknowledged_by.full_name if alert.acknowledged_by_id else None


class AlertAcknowledgeSerializer(serializers.Serializer):
    """Why the alert is closed, as on the page: a reason, and a note when it is "other".
    `seen_occurrences`: the count the caller last read; newer occurrences refuse it (409)."""

    reason = serializers.ChoiceField(choices=AcknowledgementReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    seen_occurrences = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)

    def validate(self, data):
        if data["reason"] == AcknowledgementReason.OTHER and not data["note"].strip():
            raise serializers.ValidationError({"note": "Say what the reason is for “other”."})
        return data
