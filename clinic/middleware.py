"""Request-wide policies: idle sign-out of staff sessions, and each person's own time zone."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth import logout
from django.utils import timezone

from clinic import sessions


class IdleSessionMiddleware:
    """Sign out a staff or care-team session that has had no request for SESSION_IDLE_TIMEOUT.

    The view then runs for an anonymous visitor, so its access decorator sends them to the login
    page. Reading the time left (GET of `session_status`) is not activity; everything else is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or not sessions.idle_timeout_applies(request):
            return None
        if sessions.seconds_left(request) <= 0:
            logout(request)
            messages.info(
                request,
                f"For your patients' privacy you were signed out after "
                f"{sessions.idle_limit_text()} without activity. Sign in again to carry on.",
            )
            return None
        status_check = request.resolver_match.url_name == "session_status"
        if not (status_check and request.method == "GET"):
            sessions.touch(request, force=status_check)
        return None


class UserTimezoneMiddleware:
    """Show times in the signed-in person's own time zone; everything is stored in UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = getattr(request.user, "time_zone", None) if request.user.is_authenticated else None
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone)) if zone else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
