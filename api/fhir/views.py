"""The FHIR R4 export: one patient's `$everything` (clinic staff, like the progress report) and
the whole clinic as NDJSON (clinic admins), for a token or the session, audited."""

import json

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fhir import export
from clinic import access, audit
from clinic.access import Perm
from clinic.downloads import attachment_response
from clinic.models import Patient, Role


class FhirJSONRenderer(JSONRenderer):
    media_type = export.CONTENT_TYPE


class PatientEverything(APIView):
    """`GET /fhir/R4/Patient/<id>/$everything`: a Bundle of the patient's record. With
    `?download=1` the same Bundle as a file (the patient page's download button)."""

    renderer_classes = [FhirJSONRenderer, JSONRenderer]

    @extend_schema(exclude=True)
    def get(self, request, patient_id):
        patient = access.patient_for(request, patient_id, Perm.VIEW_CLINICAL)
        patient = export.with_fhir_data(Patient.objects.filter(pk=patient.pk)).get()
        bundle = export.everything_bundle(
            patient, base=settings.SITE_URL, exported_by=request.user, now=timezone.now()
        )
        download = request.query_params.get("download") == "1"
        audit.record(
            request,
            "fhir.download" if download else "fhir.view",
            patient=patient,
            obj=patient,
            detail={"resources": len(bundle["entry"])},
        )
        if download:
            content = json.dumps(bundle, indent=2)
            return attachment_response(request, content, label="fhir record", extension="json")
        return Response(bundle, content_type=export.CONTENT_TYPE)


class ClinicExport(APIView):
    """`GET /fhir/R4/clinic/export.ndjson`: every patient of the clinic, streamed as NDJSON
    (clinic admins). Each patient's rows in the audit trail say their record was exported."""

    roles = (Role.ADMIN,)

    @extend_schema(exclude=True)
    def get(self, request):
        clinic = access.workspace(request).clinic
        patients = Patient.objects.filter(clinic=clinic)
        audit.record(request, "fhir.bulk_export", detail={"patients": patients.count()})
        audit.record_reads(request, "fhir.bulk_export", patients.only("pk", "clinic_id"))
        lines = export.ndjson_lines(
            patients, base=settings.SITE_URL, exported_by=request.user, now=timezone.now()
        )
        return attachment_response(request, lines, label="fhir export", extension="ndjson")
