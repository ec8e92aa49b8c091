"""Recording who read, exported or changed patient data. Rows are only ever added."""

from django.http import HttpRequest

from clinic.access import workspace
from clinic.models import AuditEvent, Patient


def client_ip(request: HttpRequest) -> str | None:
    """The client address as the server saw it (the proxy is trusted to set REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR") or None


def record(
    request: HttpRequest,
    action: str,
    *,
    patient: Patient | None = None,
    obj=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add one audit row for the signed-in person's `action` in their active clinic."""
    clinic = patient.clinic if patient is not None else workspace(request).clinic
    user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        clinic=clinic,
        actor=user,
        action=action,
        patient=patient,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip_address=client_ip(request),
    )
