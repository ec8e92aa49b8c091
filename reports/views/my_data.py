"""The runner's own data, downloaded from their account page: the right of access."""

from clinic import access, audit
from clinic.downloads import attachment_response
from clinic.models import Role
from reports.my_data import my_data_zip


@access.for_roles(Role.PATIENT)
def my_data_download(request):
    """Everything Rebound keeps about the signed-in runner in this clinic, as one ZIP. Only their
    own record: it comes from the session, never from the URL."""
    patient = access.own_patient_record(request)
    content, counts = my_data_zip(patient)
    audit.record(
        request,
        "patient.data_download",
        patient=patient,
        obj=patient,
        detail={"bytes": len(content), "rows": counts},
    )
    return attachment_response(request, content, label="my data", extension="zip")
