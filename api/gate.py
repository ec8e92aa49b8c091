"""How an API request gets in: who it is (a personal token or the session), whether they may
(`clinic.access.api_allows`), and whether they are within their rate limit.

Wired in settings.REST_FRAMEWORK as the defaults of every API view.
"""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from api import tokens
from clinic import access, rate_limits


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer rbt_…`. The token's clinic becomes the request's workspace."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer rbt_…")
        token = tokens.api_token_for_secret(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed("This token is unknown, revoked or expired.")
        request._request.api_token = token  # read by clinic.access.workspace
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token: HTTP bearer."""

    target_class = TokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from the account page (docs/api.md).",
        }


class ClinicAccess(permissions.BasePermission):
    """The person's own rights, decided by `clinic.access`; views name the `roles` they need."""

    message = "Your role in this clinic, or this token's scope, does not allow this."

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        write = request.method not in permissions.SAFE_METHODS
        return access.api_allows(request, getattr(view, "roles", None), write=write)


class TokenRateThrottle(throttling.BaseThrottle):
    """API_RATE_LIMIT requests per window for each token (or each person's session), counted
    in the shared cache by `clinic.rate_limits`; with the cache out of reach it refuses (429)."""

    def allow_request(self, request, view):
        if request.auth is not None:
            key = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            key = f"session:{request.user.pk}"
        else:
            return True  # answered 401 by authentication first; nothing to count
        return rate_limits.within_limit("api", key=key, limit=settings.API_RATE_LIMIT)

    def wait(self):
        return settings.API_RATE_LIMIT[1]
