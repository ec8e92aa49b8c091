"""The REST API's resources (/api/v1/). Each view names the roles it needs (`roles`, checked by
`clinic.access.api_allows`) and loads the URL's patient through `clinic.access.patient_for`, so
a token or session sees exactly what its person sees on the pages; reads of patient data are
audited as page views are."""

from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from api import idempotency
from api import serializers as api_serializers
from clinic import access, audit
from clinic.access import Perm
from clinic.models import STAFF_ROLES, Role
from intake.models import IntakeScore
from rehab import services as rehab_services
from rehab.models import patient_today
from rehab.services import alerts as alert_services

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    description="A UUID new for each request: a retry with the same key is answered with the "
    "first answer and changes nothing.",
)


class PatientData(generics.ListAPIView):
    """A list of one patient's data (`patient_id` in the URL), needing `perm` on the patient."""

    perm = Perm.VIEW_PROGRESS
    audit_action = ""

    def patient(self):
        if not hasattr(self, "_patient"):
            self._patient = access.patient_for(self.request, self.kwargs["patient_id"], self.perm)
        return self._patient

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "staff": access.workspace(self.request).is_staff,
        }

    def list(self, request, patient_id):
        patient = self.patient()
        page = self.paginate_queryset(self.get_queryset())
        audit.record(
            request,
            self.audit_action,
            patient=patient,
            obj=patient,
            detail={"via": "api", "count": len(page)},
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- Patients ---------------------------------------------------------------------------------


class PatientList(generics.ListCreateAPIView):
    """Patients this person may see in the clinic (`GET`); a new patient from a referral
    (`POST`, clinic staff with a read-write token or a session)."""

    serializer_class = api_serializers.PatientSerializer

    def get_queryset(self):
        return (
            access.patients_visible(self.request)
            .select_related("therapist")
            .order_by("last_name", "first_name", "id")
        )

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "staff": access.workspace(self.request).is_staff,
        }

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        audit.record_reads(request, "patient.view", page, detail={"via": "api", "list": True})
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=api_serializers.ReferralSerializer,
        responses={201: api_serializers.PatientSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def post(self, request):
        if not access.workspace(request).is_staff:
            self.permission_denied(request, "Only clinic staff add patients.")
        clinic = access.workspace(request).clinic
        referral = api_serializers.ReferralSerializer(
            data=request.data, context={"clinic": clinic, "user": request.user}
        )
        referral.is_valid(raise_exception=True)

        def create():
            patient = referral.validated_data["form"].save(commit=False)
            patient.clinic = clinic
            patient.save()
            audit.record(
                request,
                "patient.create",
                patient=patient,
                obj=patient,
                detail={
                    "via": "api",
                    "referred_by": referral.validated_data["referred_by"],
                    "reason": referral.validated_data.get("reason", ""),
                },
            )
            body = self.get_serializer(patient).data
            return body, reverse("api_patient", args=[patient.pk])

        with transaction.atomic():
            return idempotency.once(request, "patient", create)


class PatientDetail(generics.GenericAPIView):
    serializer_class = api_serializers.PatientSerializer

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "staff": access.workspace(self.request).is_staff,
        }

    def get(self, request, patient_id):
        patient = access.patient_for(request, patient_id, Perm.VIEW_PROGRESS)
        audit.record(request, "patient.view", patient=patient, obj=patient, detail={"via": "api"})
        return Response(self.get_serializer(patient).data)


# --- Intakes, plans, logs, alerts ------------------------------------------------------------


class IntakeList(PatientData):
    """The patient's intakes with every score they received (clinic staff only)."""

    perm = Perm.VIEW_CLINICAL
    audit_action = "intake.view"
    serializer_class = api_serializers.IntakeSerializer

    def get_queryset(self):
        return (
            self.patient()
            .intakes.exclude(status="draft")
            .prefetch_related(Prefetch("scores", IntakeScore.objects.defer("answers", "policy")))
            .defer("answers", "about", "steps_done")
            .order_by("-submitted_at", "id")
        )


class PlanList(PatientData):
    """The patient's rehab plans, newest first, each with its phases and current step."""

    audit_action = "plan.view"
    serializer_class = api_serializers.PlanSerializer

    def get_queryset(self):
        return self.patient().plans.order_by("-created_at", "id")


class DailyLogList(PatientData):
    """The patient's daily logs, newest first. Notes are shown to clinic staff and the patient."""

    audit_action = "rehab.logs.view"
    serializer_class = api_serializers.DailyLogSerializer

    def get_queryset(self):
        return self.patient().daily_logs.with_activities().order_by("-date")

    def get_serializer_context(self):
        patient, user = self.patient(), self.request.user
        notes = access.workspace(self.request).is_staff or patient.user_id == user.pk
        return {**super().get_serializer_context(), "notes": notes}


class AlertList(PatientData):
    """The patient's alerts, newest first, open and acknowledged (clinic staff only)."""

    perm = Perm.VIEW_CLINICAL
    audit_action = "alert.view"
    serializer_class = api_serializers.AlertSerializer

    def get_queryset(self):
        return (
            self.patient()
            .alerts.select_related("acknowledged_by")
            .order_by("-last_date", "-raised_at", "id")
        )


class AlertAcknowledge(generics.GenericAPIView):
    """Acknowledge an open alert with a reason, as on the alert's page (clinic staff)."""

    roles = STAFF_ROLES
    serializer_class = api_serializers.AlertAcknowledgeSerializer

    @extend_schema(
        responses={
            200: api_serializers.AlertSerializer,
            409: OpenApiResponse(description="New occurrences since `seen_occurrences`."),
        }
    )
    def post(self, request, patient_id, alert_id):
        patient = access.patient_for(request, patient_id, Perm.EDIT)
        alert = get_object_or_404(patient.alerts, pk=alert_id)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                done = alert_services.alert_acknowledge(
                    alert=alert,
                    by=request.user,
                    reason=data.validated_data["reason"],
                    note=data.validated_data["note"],
                    seen_occurrences=data.validated_data.get("seen_occurrences"),
                )
                if done:
                    audit.record(
                        request,
                        "alert.acknowledge",
                        patient=patient,
                        obj=alert,
                        detail={
                            "via": "api",
                            "rule": alert.rule,
                            "key": alert.key,
                            "occurrences": alert.occurrences,
                            "reason": alert.acknowledgement_reason,
                            "note": alert.acknowledgement_note,
                        },
                    )
        except alert_services.AlertChanged as changed:
            return Response(
                {"detail": f"The alert has {changed.args[0]} occurrences now: read them first."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(api_serializers.AlertSerializer(alert).data)


class MyDailyLog(generics.GenericAPIView):
    """Log the patient's own day (a patient's read-write token or session). A day already logged
    is updated, as on *Log my day*; alerts and the plan's progression follow as there."""

    roles = (Role.PATIENT,)
    serializer_class = api_serializers.DailyLogWriteSerializer

    @extend_schema(
        responses={201: api_serializers.DailyLogSerializer}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    def post(self, request):
        patient = access.own_patient_record(request)
        today = patient_today(patient)
        data = self.get_serializer(data=request.data, context={"patient": patient, "today": today})
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "activities"}

        def save():
            log = rehab_services.daily_log_save(
                patient=patient,
                by=request.user,
                log=None,
                fields=fields,
                activities=data.validated_data.get("activities", []),
                today=today,
            )
            body = api_serializers.DailyLogSerializer(log, context={"notes": True}).data
            return body, reverse("api_patient_logs", args=[patient.pk])

        with transaction.atomic():
            return idempotency.once(request, "daily-log", save)
