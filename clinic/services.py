"""Workflows of the clinic core that span models or send mail."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from clinic import emails
from clinic.models import (
    CARE_TEAM_ROLES,
    CareTeamMember,
    Clinic,
    Invitation,
    Membership,
    Patient,
    Role,
    Submission,
    User,
)
from reports.outcome_facts import outcome_facts_refresh

INVITATION_SALT = "rebound.invitation"
# Long past any retry or back-button replay (a phone offline for days included).
SUBMISSION_DAYS = 30


class InvitationError(Exception):
    """The invitation link cannot be used; the message says why and what to do."""


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.pk), salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("invitation_accept", args=[invitation_token(invitation)])
    return settings.SITE_URL.rstrip("/") + path


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link names, or InvitationError explaining why it cannot be used."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        invitation_id = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
        invitation = Invitation.objects.select_related("clinic", "patient").get(pk=invitation_id)
    except signing.SignatureExpired as exc:
        raise InvitationError("expired") from exc
    except (signing.BadSignature, Invitation.DoesNotExist, ValueError) as exc:
        raise InvitationError("invalid") from exc
    if invitation.status != "pending":
        raise InvitationError(invitation.status)
    return invitation


def invitation_send(invitation: Invitation) -> None:
    emails.send_templated(
        to=invitation.email,
        template="invitation",
        context={"invitation": invitation, "url": invitation_url(invitation)},
    )


def invitation_create(
    *,
    clinic: Clinic,
    email: str,
    full_name: str,
    role: str,
    invited_by: User | None,
    patient: Patient | None = None,
) -> Invitation:
    """Create an invitation, revoke older pending ones to the same address and role, and mail it."""
    email = email.strip().lower()
    with transaction.atomic():
        Invitation.objects.pending().filter(clinic=clinic, email__iexact=email, role=role).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            clinic=clinic,
            email=email,
            full_name=full_name,
            role=role,
            patient=patient,
            invited_by=invited_by,
        )
        transaction.on_commit(lambda: invitation_send(invitation))
    return invitation


class PatientInviteError(Exception):
    """The patient cannot be invited to an account; the message says why and what to do."""


def patient_invite(*, patient: Patient, invited_by: User | None) -> Invitation:
    """E-mail the patient a link to set up their account (an older pending link is revoked).

    Raises PatientInviteError when they have an account, no e-mail address on file, or the
    address already signs in to another patient record of the clinic."""
    if patient.user_id:
        raise PatientInviteError(f"{patient.first_name} already has an account.")
    if not patient.email:
        raise PatientInviteError(
            f"There is no e-mail address on {patient.first_name}'s record: add it on the "
            "patient's page, then invite them."
        )
    if Patient.objects.filter(clinic=patient.clinic, user__email__iexact=patient.email).exists():
        raise PatientInviteError(
            f"{patient.email} already signs in to another patient record of this clinic. "
            "Keep one record per runner, or correct the e-mail address."
        )
    return invitation_create(
        clinic=patient.clinic,
        email=patient.email,
        full_name=patient.full_name,
        role=Role.PATIENT,
        invited_by=invited_by,
        patient=patient,
    )


def invitation_accept(
    *, invitation: Invitation, user: User | None, full_name: str = "", password: str = ""
) -> User:
    """Use the invitation once: create or reuse the account, add the role, link the patient record.

    `user` is the signed-in account when the invited address already has one; otherwise a new
    account is made with `full_name` and `password`.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != "pending":
            raise InvitationError(locked.status)
        if (
            user is not None
            and locked.patient_id
            and Patient.objects.filter(clinic_id=locked.clinic_id, user=user)
            .exclude(pk=locked.patient_id)
            .exists()
        ):
            # One patient record per account per clinic: this account already has one.
            raise InvitationError("duplicate_record")
        if user is None:
            try:
                user = User.objects.create_user(
                    email=locked.email,
                    password=password,
                    full_name=full_name,
                    # Pages show times in the runner's zone, or the clinic's, until they change it.
                    time_zone=locked.patient.time_zone
                    if locked.patient
                    else locked.clinic.time_zone,
                )
            except IntegrityError as exc:
                raise InvitationError("account_exists") from exc
        else:
            user.end_sessions()  # a new role: the person's other sessions sign in again
        Membership.objects.update_or_create(
            user=user, clinic=locked.clinic, role=locked.role, defaults={"is_active": True}
        )
        if locked.patient_id:
            Patient.objects.filter(pk=locked.patient_id, user__isnull=True).update(user=user)
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
    return user


def care_team_add(*, patient: Patient, user: User, added_by: User) -> CareTeamMember:
    """Put a coach or nutritionist of the patient's clinic on the patient's care team."""
    membership = (
        Membership.objects.active()
        .filter(clinic=patient.clinic, user=user, role__in=CARE_TEAM_ROLES)
        .first()
    )
    if membership is None:
        raise ValueError("Only coaches and nutritionists of this clinic can join a care team.")
    member, _ = CareTeamMember.objects.get_or_create(
        patient=patient, user=user, defaults={"role": membership.role, "added_by": added_by}
    )
    return member


def submissions_forget(*, now=None) -> int:
    """Forget submission ids older than SUBMISSION_DAYS: the nightly job's work. Safe to rerun."""
    cutoff = (now or timezone.now()) - timedelta(days=SUBMISSION_DAYS)
    deleted, _ = Submission.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- The responsible therapist ------------------------------------------------------------------


class OwnerError(Exception):
    """The person cannot be made responsible for the patient; the message says why."""


def clinic_therapists(clinic: Clinic | int) -> QuerySet[User]:
    """The clinic's active physical therapists: the people who may be responsible for a patient."""
    therapists = Membership.objects.active().filter(clinic=clinic, role=Role.THERAPIST)
    return User.objects.filter(pk__in=therapists.values("user")).order_by("full_name", "id")


def patient_owner_set(*, patient: Patient, therapist: User, actor: User) -> bool:
    """Make `therapist` responsible for `patient` (taking it, or reassigning it); the new owner
    gets an in-app notice unless they did it themselves. False if they already were."""
    from notifications.services import staff_notify

    if not clinic_therapists(patient.clinic_id).filter(pk=therapist.pk).exists():
        raise OwnerError(f"{therapist} is not a physical therapist of this clinic.")
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        if locked.therapist_id == therapist.pk:
            return False
        Patient.objects.filter(pk=patient.pk).update(therapist=therapist)
        patient.therapist = therapist
        outcome_facts_refresh(patient)
        if therapist.pk != actor.pk:
            staff_notify(recipient=therapist, patient=patient, kind="patient_assigned", by=actor)
    return True


def patient_owner_default(*, patient: Patient, actor: User) -> bool:
    """Make the acting therapist responsible for a patient who has none (taking or deciding an
    intake, activating a plan). False when the patient has an owner or the actor is no
    therapist of the clinic (an admin who only administers)."""
    if not clinic_therapists(patient.clinic_id).filter(pk=actor.pk).exists():
        return False
    unowned = Q(therapist__isnull=True) | Q(therapist__is_active=False)
    taken = Patient.objects.filter(unowned, pk=patient.pk).update(therapist=actor)
    if taken:
        patient.therapist = actor
        outcome_facts_refresh(patient)
    return bool(taken)
