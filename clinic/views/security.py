"""Signing in and keeping an account safe: two-step verification, sessions, the security page."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from clinic import access, audit, rate_limits, sessions, two_factor
from clinic.access import SecondFactor
from clinic.client_address import client_address
from clinic.forms import CodeForm, EmailAuthenticationForm, EmailPasswordResetForm, TimeZoneForm
from clinic.models import AuditEvent, Patient
from clinic.views.common import safe_next

LOW_ON_BACKUP_CODES = 3


class SignInView(auth_views.LoginView):
    """Django's login view, plus "Keep me signed in on this phone" for patients."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.remember_on_this_device(self.request, form.cleaned_data["remember"])
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, rate-limited per e-mail address and per client address.

    Past a limit the answer is the usual "if an account exists, we sent an e-mail" page, so it
    tells no more than before; only the e-mail is not sent.
    """

    form_class = EmailPasswordResetForm

    def form_valid(self, form):
        if rate_limits.password_reset_allowed(
            email=form.cleaned_data["email"], client=client_address(self.request)
        ):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


def _next_url(request) -> str:
    """Where to go after this step: the page first asked for, if it is on this site."""
    return safe_next(request, reverse("home"))


def _mark_verified(request, device) -> None:
    """The person proved the second factor: a new session key for the raised trust."""
    request.session.cycle_key()
    otp_login(request, device)


@access.before_second_factor
def two_factor_verify(request):
    """The second step of signing in: a code from the app, or a backup code."""
    next_url = _next_url(request)
    if access.second_factor(request) is not SecondFactor.VERIFY:
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.code_verify(request.user, form.cleaned_data["code"])
        except two_factor.CodeRefused as refusal:
            form.add_error("code", str(refusal))
            audit.record_sign_in(
                request, "auth.second_factor_failed", email=request.user.email, actor=request.user
            )
        else:
            _mark_verified(request, device)
            audit.record_sign_in(
                request, "auth.second_factor", email=request.user.email, actor=request.user
            )
            _warn_if_low_on_backup_codes(request, device)
            return redirect(next_url)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


def _warn_if_low_on_backup_codes(request, device) -> None:
    if device.name != two_factor.BACKUP_CODES_NAME:
        return
    left = two_factor.backup_codes_left(request.user)
    if left <= LOW_ON_BACKUP_CODES:
        messages.warning(
            request,
            f"You used a backup code; {left} left. Make new ones on your account security page.",
        )


@access.before_second_factor
def two_factor_enrol(request):
    """Set up the authenticator app: scan the QR code (or type the key), confirm with a code."""
    next_url = _next_url(request)
    state = access.second_factor(request)
    if state is SecondFactor.VERIFY:
        return redirect_to_login(next_url, reverse("two_factor_verify"))
    if request.user.is_verified():
        messages.info(request, "Two-step verification is already on for your account.")
        return redirect("account_security")
    device = two_factor.pending_authenticator(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.authenticator_confirm(device, form.cleaned_data["code"])
        except two_factor.CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            _mark_verified(request, device)
            audit.record_sign_in(
                request, "auth.second_factor_enrolled", email=request.user.email, actor=request.user
            )
            return _show_backup_codes(request, codes, next_url, first_time=True)
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "next": next_url,
            "required": state is SecondFactor.ENROL,
            "qr_code": two_factor.qr_code_data_uri(device),
            "otpauth_url": device.config_url,
            "secret": two_factor.secret_for_display(device),
        },
    )


def _show_backup_codes(request, codes: list[str], next_url: str, *, first_time: bool):
    """Backup codes are shown once, in the response to the request that made them."""
    response = render(
        request,
        "registration/backup_codes.html",
        {"codes": codes, "next": next_url, "first_time": first_time},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@access.signed_in
def backup_codes_new(request):
    if not request.user.is_verified():
        return redirect("account_security")
    codes = two_factor.backup_codes_issue(request.user)
    audit.record_sign_in(
        request, "auth.backup_codes_new", email=request.user.email, actor=request.user
    )
    return _show_backup_codes(request, codes, reverse("account_security"), first_time=False)


@require_POST
@access.signed_in
def two_factor_disable(request):
    """Turn two-step verification off, where no clinic requires it of this person."""
    if request.user.second_factor_required():
        messages.error(request, "Your clinic requires two-step verification for your role.")
    else:
        request.user.remove_second_factor()
        audit.record_sign_in(
            request, "auth.second_factor_removed", email=request.user.email, actor=request.user
        )
        messages.success(request, "Two-step verification is off.")
    return redirect("account_security")


@access.signed_in
def account_security(request):
    """Two-step verification, password, sessions, recent sign-ins, and the person's time zone."""
    user = request.user
    zone_form = TimeZoneForm(request.POST or None, instance=user)
    if request.method == "POST" and zone_form.is_valid():
        zone_form.save()
        # A runner's records follow: reminders come at their local time (as on *Settings*).
        Patient.objects.filter(user=user).update(time_zone=user.time_zone)
        messages.success(request, f"Times are now shown in {user.get_time_zone_display()}.")
        return redirect("account_security")
    enrolled, required = user.second_factor_facts()
    sign_ins = AuditEvent.objects.filter(actor=user, action="auth.login").order_by("-at")[:5]
    return render(
        request,
        "registration/account_security.html",
        {
            "enrolled": enrolled,
            "required": required,
            "backup_codes_left": two_factor.backup_codes_left(user) if enrolled else 0,
            "sign_ins": sign_ins,
            "zone_form": zone_form,
        },
    )


@require_POST
@access.signed_in
def sign_out_everywhere(request):
    """End every session of this person, this one included."""
    user = request.user
    audit.record_sign_in(request, "auth.signed_out_everywhere", email=user.email, actor=user)
    user.end_sessions()
    logout(request)
    messages.success(request, "You were signed out on every device. Sign in again to continue.")
    return redirect("login")


@require_http_methods(["GET", "POST"])
@access.signed_in
def session_status(request):
    """Seconds until an idle session ends. GET only reads it; POST is "Stay signed in"."""
    if not sessions.idle_timeout_applies(request):
        return JsonResponse({"remaining": None})
    return JsonResponse({"remaining": sessions.seconds_left(request)})
