"""URLs of the REST API (/api/v1/) and the FHIR export (/fhir/R4/); every view is wrapped by
clinic.access (`api_endpoint`, or `public` for the schema and its documentation)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.fhir import views as fhir
from api.views import resources, tokens
from clinic import access
from clinic.access import Perm


def endpoint(view_class, rule: str):
    return access.api_endpoint(rule)(view_class.as_view())


V = resources
urlpatterns = [
    path("account/api-tokens/", tokens.token_create, name="api_token_create"),
    path("account/api-tokens/<int:token_id>/revoke/", tokens.token_revoke, name="api_token_revoke"),
    path("api/v1/schema/", access.public(SpectacularAPIView.as_view()), name="api_schema"),
    path(
        "api/v1/docs/",
        access.public(
            SpectacularSwaggerSplitView.as_view(
                url_name="api_schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api_docs",
    ),
    path("api/v1/patients/", endpoint(V.PatientList, "patients"), name="api_patients"),
    path(
        "api/v1/patients/<uuid:patient_id>/",
        endpoint(V.PatientDetail, f"patient:{Perm.VIEW_PROGRESS.value}"),
        name="api_patient",
    ),
    path(
        "api/v1/patients/<uuid:patient_id>/intakes/",
        endpoint(V.IntakeList, f"patient:{Perm.VIEW_CLINICAL.value}"),
        name="api_patient_intakes",
    ),
    path(
        "api/v1/patients/<uuid:patient_id>/plans/",
        endpoint(V.PlanList, f"patient:{Perm.VIEW_PROGRESS.value}"),
        name="api_patient_plans",
    ),
    path(
        "api/v1/patients/<uuid:patient_id>/logs/",
        endpoint(V.DailyLogList, f"patient:{Perm.VIEW_PROGRESS.value}"),
        name="api_patient_logs",
    ),
    path(
        "api/v1/patients/<uuid:patient_id>/alerts/",
        endpoint(V.AlertList, f"patient:{Perm.VIEW_CLINICAL.value}"),
        name="api_patient_alerts",
    ),
    path(
        "api/v1/patients/<uuid:patient_id>/alerts/<uuid:alert_id>/acknowledge/",
        endpoint(V.AlertAcknowledge, f"patient:{Perm.EDIT.value}"),
        name="api_alert_acknowledge",
    ),
    path("api/v1/me/logs/", endpoint(V.MyDailyLog, "roles:patient"), name="api_my_logs"),
    path(
        "fhir/R4/Patient/<uuid:patient_id>/$everything",
        endpoint(fhir.PatientEverything, f"patient:{Perm.VIEW_CLINICAL.value}"),
        name="fhir_patient_everything",
    ),
    path(
        "fhir/R4/clinic/export.ndjson",
        endpoint(fhir.ClinicExport, "roles:admin"),
        name="fhir_clinic_export",
    ),
]
