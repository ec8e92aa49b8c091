"""Recording who read, exported or changed patient data, and every sign-in. Rows are only added."""

from collections.abc import Iterable

from django.http import HttpRequest

from clinic.access import workspace
from clinic.client_address import client_address
from clinic.models import AuditEvent, Clinic, Patient, User


def record(
    request: HttpRequest,
    action: str,
    *,
    patient: Patient | None = None,
    obj=None,
    detail: dict | None = None,
    clinic: Clinic | None = None,
) -> AuditEvent:
    """Add one audit row for the signed-in person's `action` in their active clinic (or in
    `clinic`, for a request without a signed-in person, such as a one-click unsubscribe)."""
    if clinic is None:
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
        ip_address=client_address(request),
    )


def record_reads(
    request: HttpRequest, action: str, patients: Iterable[Patient], *, detail: dict | None = None
) -> None:
    """One row per patient for a read that showed several patients' data at once (a page of an
    API list), in one insert, so each patient's "who viewed my record" shows it."""
    user = request.user if request.user.is_authenticated else None
    address = client_address(request)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            clinic_id=patient.clinic_id,
            actor=user,
            action=action,
            patient=patient,
            object_type=Patient._meta.label_lower,
            object_id=str(patient.pk),
            detail=detail or {},
            ip_address=address,
        )
        for patient in patients
    )


def record_owner_change(
    request: HttpRequest, patient: Patient, *, before_id: int | None, why: str
) -> AuditEvent | None:
    """Audit a change of the patient's responsible therapist that an action made on the way
    (taking or deciding an intake, activating a plan), if it made one."""
    after_id = Patient.objects.filter(pk=patient.pk).values_list("therapist_id", flat=True).get()
    if after_id == before_id:
        return None
    return record(
        request,
        "patient.owner",
        patient=patient,
        obj=patient,
        detail={"from": before_id, "to": after_id, "by": why},
    )


def record_sign_in(
    request: HttpRequest | None,
    action: str,
    *,
    email: str,
    actor: User | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Add one row about signing in to the account of `email` (which may not exist).

    Sign-in events belong to a person, not to a clinic, so `clinic` stays empty; the account
    tried is the row's object. The actor is set only when the person really signed in.
    """
    account = actor or User.objects.filter(email__iexact=email).first()
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=User._meta.label_lower if account else "",
        object_id=str(account.pk) if account else "",
        detail={"email": email[:254], **(detail or {})},
        ip_address=client_address(request) if request is not None else None,
    )


# Receivers of Django's and axes' sign-in signals, connected in ClinicConfig.ready().


def on_logged_in(sender, request, user, **kwargs) -> None:
    record_sign_in(request, "auth.login", email=user.email, actor=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    email = str(credentials.get("username") or "").strip().lower()
    record_sign_in(request, "auth.login_failed", email=email)


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    record_sign_in(request, "auth.locked_out", email=username or "")
