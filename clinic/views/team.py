"""The clinic admin's actions on members, invitations, sign-in locks and security settings."""

from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic import access, audit, lockouts, services
from clinic.forms import ClinicSecurityForm, InvitationForm
from clinic.models import Invitation, Membership, Role, User


@access.admin_only
def invitation_create(request):
    clinic = access.workspace(request).clinic
    form = InvitationForm(request.POST or None, clinic=clinic)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            invitation = services.invitation_create(
                clinic=clinic, invited_by=request.user, **form.cleaned_data
            )
            audit.record(
                request, "invitation.create", obj=invitation, detail={"role": invitation.role}
            )
        messages.success(request, f"An invitation was sent to {invitation.email}.")
        return redirect("clinic_admin")
    return render(request, "clinic/invitation_form.html", {"form": form})


def _clinic_invitation(request, invitation_id) -> Invitation:
    return get_object_or_404(Invitation, pk=invitation_id, clinic=access.workspace(request).clinic)


@require_POST
@access.admin_only
def invitation_revoke(request, invitation_id):
    invitation = _clinic_invitation(request, invitation_id)
    if invitation.status == "pending":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit.record(request, "invitation.revoke", obj=invitation)
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
    return redirect("clinic_admin")


@require_POST
@access.admin_only
def invitation_resend(request, invitation_id):
    """Send a fresh link (the old one stops working) to the same person for the same role."""
    old = _clinic_invitation(request, invitation_id)
    if old.status == "accepted":
        messages.info(request, "That invitation was already accepted.")
        return redirect("clinic_admin")
    with transaction.atomic():
        invitation = services.invitation_create(
            clinic=old.clinic,
            email=old.email,
            full_name=old.full_name,
            role=old.role,
            invited_by=request.user,
            patient=old.patient,
        )
        audit.record(request, "invitation.resend", obj=invitation)
    messages.success(request, f"A new invitation was sent to {invitation.email}.")
    return redirect("clinic_admin")


@require_POST
@access.admin_only
def membership_toggle(request, membership_id):
    """Suspend or restore one role of one member. An admin cannot suspend their own admin role."""
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        pk=membership_id,
        clinic=access.workspace(request).clinic,
    )
    if membership.user_id == request.user.pk and membership.role == "admin":
        messages.error(request, "You cannot suspend your own admin role.")
        return redirect("clinic_admin")
    membership.set_active(not membership.is_active)
    if membership.user_id == request.user.pk:
        update_session_auth_hash(request, membership.user)  # keep this session, with a new key
    audit.record(
        request,
        "membership.restore" if membership.is_active else "membership.suspend",
        obj=membership,
        detail={"user": membership.user.email, "role": membership.role},
    )
    state = "restored" if membership.is_active else "suspended"
    messages.success(
        request, f"{membership.user.full_name}'s {membership.get_role_display()} role was {state}."
    )
    return redirect("clinic_admin")


@require_POST
@access.admin_only
def membership_on_duty(request, membership_id):
    """Put a therapist on duty, or off: on duty, they see the clinic's inbox (the signals of
    patients without a responsible therapist) with their own patients'. Audited."""
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        pk=membership_id,
        clinic=access.workspace(request).clinic,
        role=Role.THERAPIST,
    )
    membership.on_duty = not membership.on_duty
    membership.save(update_fields=["on_duty"])
    audit.record(
        request,
        "membership.on_duty" if membership.on_duty else "membership.off_duty",
        obj=membership,
        detail={"user": membership.user.email},
    )
    name = membership.user.full_name
    messages.success(
        request,
        f"{name} is on duty: they see the patients without a responsible therapist."
        if membership.on_duty
        else f"{name} is off duty.",
    )
    return redirect(reverse("clinic_admin") + "#members")


def _clinic_member(request, **lookup) -> User:
    """A person with a role (active or not) in the admin's clinic, or 404."""
    clinic = access.workspace(request).clinic
    return get_object_or_404(User.objects.filter(memberships__clinic=clinic).distinct(), **lookup)


@require_POST
@access.admin_only
def second_factor_reset(request, user_id):
    """Remove a member's authenticator and backup codes (a lost phone) and end their sessions."""
    member = _clinic_member(request, pk=user_id)
    if member.pk == request.user.pk:
        messages.error(request, "Manage your own two-step verification on your security page.")
        return redirect("clinic_admin")
    member.remove_second_factor()
    member.end_sessions()
    audit.record(request, "auth.second_factor_reset", obj=member, detail={"email": member.email})
    messages.success(
        request,
        f"{member.full_name}'s two-step verification was reset. They set it up again at their "
        "next sign-in if their role requires it.",
    )
    return redirect("clinic_admin")


@require_POST
@access.admin_only
def lockout_unlock(request, attempt_id):
    """Lift a sign-in lock on a member's e-mail address from one client address."""
    attempt = get_object_or_404(AccessAttempt, pk=attempt_id)
    _clinic_member(request, email__iexact=attempt.username or "")
    lockouts.lockout_clear(attempt)
    audit.record(
        request,
        "auth.unlock",
        detail={"email": attempt.username, "ip_address": attempt.ip_address},
    )
    messages.success(request, f"{attempt.username} can sign in again.")
    return redirect("clinic_admin")


@access.admin_only
def clinic_security(request):
    """Whether admins and therapists need two-step verification, and when sign-ins lock."""
    clinic = access.workspace(request).clinic
    form = ClinicSecurityForm(request.POST or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(
            request,
            "clinic.security_update",
            obj=clinic,
            detail={field: form.cleaned_data[field] for field in form.changed_data},
        )
        messages.success(request, "The security settings were saved.")
        return redirect("clinic_admin")
    return render(request, "clinic/clinic_security.html", {"form": form})
