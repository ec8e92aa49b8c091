"""The clinic admin's actions on members and invitations."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinic import access, audit, services
from clinic.forms import InvitationForm
from clinic.models import Invitation, Membership


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
    membership.is_active = not membership.is_active
    membership.save(update_fields=["is_active"])
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
