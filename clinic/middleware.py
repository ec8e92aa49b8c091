"""Request-wide policies: pages kept by no cache, idle sign-out of staff sessions, and each
person's own time zone."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth import logout
from django.utils import timezone
from django.utils.cache import patch_cache_control

from clinic import sessions


class NoStoreMiddleware:
    """Send every page with `Cache-Control: no-store`, so no browser or proxy keeps a copy.

    On a shared clinic computer the back button after signing out must not show a patient's
    record from the browser's cache. Nearly every page shows someone's data (intake and
    unsubscribe links too, without a sign-in), so the rule has no exceptions to get wrong.
    Static files are answered by WhiteNoise before this middleware and keep their caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response


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


OFFLINE_HEADER = "X-Rebound-Offline"
# The patient's own pages the service worker may keep for use without a network. Every one is
# for the patient role alone (`access.for_roles(Role.PATIENT)`), so a 200 is the person's own page.
OFFLINE_PAGES = frozenset({"today", "log_today", "log_day"})


class OfflinePagesMiddleware:
    """Tell the service worker which pages it may keep, and to forget them at sign-out.

    The worker keeps a page only when this header says so; everything else (staff pages, other
    people's data, errors) passes through it uncached. Signing out answers with Clear-Site-Data
    so the browser drops its own caches too (static/js/offline.js empties the worker's).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        name = match.url_name if match else None
        if name == "logout" and request.method == "POST":
            response["Clear-Site-Data"] = '"cache"'
        elif (
            name in OFFLINE_PAGES
            and request.method == "GET"
            and response.status_code == 200
            and request.user.is_authenticated
        ):
            response[OFFLINE_HEADER] = "patient"
        return response
