"""Signing in through an invitation, switching clinic, and a patient's own settings."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinic import access, audit, services
from clinic.forms import AcceptInvitationForm, PatientSettingsForm
from clinic.models import Role, User

INVITATION_PROBLEMS = {
    "expired": "This invitation link has expired.",
    "invalid": "This invitation link is not valid. Check that you used the whole link.",
    "accepted": "This invitation has already been used.",
    "revoked": "This invitation was withdrawn by the clinic.",
    "account_exists": "An account with this e-mail address already exists.",
    "duplicate_record": "Your account already has a patient record at this clinic.",
}


@access.public
def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as problem:
        return render(
            request,
            "clinic/invitation_problem.html",
            {"problem": INVITATION_PROBLEMS[str(problem)], "code": str(problem)},
            status=410 if str(problem) in {"expired", "accepted", "revoked"} else 404,
        )
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing:
        return _accept_as_existing_user(request, invitation, existing)
    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                user=None,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationError as problem:
            messages.error(request, INVITATION_PROBLEMS[str(problem)])
            return redirect("login")
        return _welcome(request, user, invitation)
    return render(
        request, "clinic/invitation_accept.html", {"invitation": invitation, "form": form}
    )


def _accept_as_existing_user(request, invitation, existing):
    if request.user != existing:
        return render(
            request, "clinic/invitation_existing.html", {"invitation": invitation}, status=200
        )
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=existing)
        except services.InvitationError as problem:
            return render(
                request,
                "clinic/invitation_problem.html",
                {"problem": INVITATION_PROBLEMS[str(problem)], "code": str(problem)},
                status=409,
            )
        return _welcome(request, existing, invitation)
    return render(request, "clinic/invitation_join.html", {"invitation": invitation})


def _welcome(request, user, invitation):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    access.switch_clinic(request, invitation.clinic_id)
    audit.record(
        request,
        "membership.grant",
        obj=invitation,
        detail={"user": user.email, "role": invitation.role},
    )
    messages.success(request, f"Welcome to {invitation.clinic.name}.")
    return redirect("home")


@require_POST
@access.signed_in
def switch_clinic(request):
    try:
        clinic_id = int(request.POST.get("clinic", ""))
    except ValueError:
        clinic_id = None
    if clinic_id is None or not access.switch_clinic(request, clinic_id):
        messages.error(request, "You are not a member of that clinic.")
    return redirect("home")


@access.for_roles(Role.PATIENT)
def patient_settings(request):
    patient = access.own_patient_record(request)
    form = PatientSettingsForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        form.save()
        # The record's zone times the reminders; the account's zone shows the pages. One choice.
        User.objects.filter(pk=request.user.pk).update(time_zone=patient.time_zone)
        messages.success(request, "Your settings were saved.")
        return redirect("patient_home")
    return render(request, "clinic/patient_settings.html", {"form": form, "patient": patient})
