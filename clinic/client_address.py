"""The client address of a request: the one place that decides it.

Sign-in lockouts (django-axes, AXES_CLIENT_IP_CALLABLE), the audit trail and the password-reset
rate limit all ask `client_address(request)`.

With no reverse proxy configured (TRUSTED_PROXY_COUNT = 0) the address is the connection's own,
REMOTE_ADDR, and forwarded headers are ignored: anyone can write them. Behind N reverse proxies
that each append the address they received the connection from to X-Forwarded-For, the client is
the N-th address from the right of that header (django-ipware picks it); whatever a client wrote
there itself stands further left and is never used. TRUSTED_PROXIES, when set, also demands that
the connection comes from one of those proxies, so a client that reaches the app directly cannot
choose its own address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_address(request: HttpRequest) -> str | None:
    """The address of the person's own machine, as far as the trusted proxies tell it."""
    connection = request.META.get("REMOTE_ADDR") or None
    if not settings.TRUSTED_PROXY_COUNT or not _from_trusted_proxy(connection):
        return connection
    # ipware counts the proxies listed in the header; the nearest one is REMOTE_ADDR instead.
    forwarded, _routable = get_client_ip(
        request,
        proxy_count=settings.TRUSTED_PROXY_COUNT - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return forwarded or connection


def _from_trusted_proxy(connection: str | None) -> bool:
    if not settings.TRUSTED_PROXIES:
        return True
    try:
        address = ipaddress.ip_address(connection or "")
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES
    )
