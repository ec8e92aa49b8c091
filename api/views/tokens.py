"""Personal API tokens on the account page: make one (shown once), revoke one."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api import tokens
from api.forms import ApiTokenForm
from api.models import ApiToken
from clinic import access, audit


@require_POST
@access.signed_in
def token_create(request):
    """Make a token for the clinic the person is working in; its secret is shown on this
    response only (never stored, never in a message that a redirect would keep)."""
    clinic = access.workspace(request).clinic
    form = ApiTokenForm(request.POST)
    if clinic is None or not form.is_valid():
        messages.error(request, _first_error(form) if clinic else "You belong to no clinic.")
        return redirect("account_security")
    token, secret = tokens.api_token_create(user=request.user, clinic=clinic, **form.cleaned_data)
    audit.record(
        request,
        "api_token.create",
        obj=token,
        clinic=clinic,
        detail={"name": token.name, "scope": token.scope, "expires": token.expires_at.isoformat()},
    )
    response = render(request, "api/token_created.html", {"token": token, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@access.signed_in
def token_revoke(request, token_id: int):
    """Revoke one of the person's own tokens (anyone else's answers 404)."""
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    if tokens.api_token_revoke(token=token):
        audit.record(request, "api_token.revoke", obj=token, clinic=token.clinic)
        messages.success(request, f"“{token.name}” is revoked: it no longer works.")
    return redirect("account_security")


def _first_error(form) -> str:
    for errors in form.errors.values():
        return errors[0]
    return "Check the token's details."
