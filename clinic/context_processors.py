"""Page context: the clinic the person works in, the links their roles open, the idle timer."""

from django.conf import settings

from clinic import sessions
from clinic.access import SecondFactor, second_factor, workspace


def navigation(request):
    """The workspace for the menus; none until the second factor is done (only "Sign out")."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    if second_factor(request) is not SecondFactor.DONE:
        return {"second_factor_pending": True}
    return {"ws": workspace(request)}


def session_timeout(request):
    """What static/js/session-timeout.js needs, for sessions that end when idle."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    if second_factor(request) is not SecondFactor.DONE:
        return {}  # the verify and set-up pages: the server still ends the session when idle
    if not sessions.idle_timeout_applies(request):
        return {}
    return {
        "session_timeout": {
            "seconds": sessions.seconds_left(request),
            "warning": settings.SESSION_IDLE_WARNING,
            "limit": sessions.idle_limit_text(),
        }
    }
