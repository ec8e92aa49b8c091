"""How long a signed-in session lasts.

- Staff and care-team members (anyone who sees other people's records) are signed out after
  SESSION_IDLE_TIMEOUT seconds without a request; IdleSessionMiddleware enforces it and the page
  warns SESSION_IDLE_WARNING seconds before (static/js/session-timeout.js).
- A patient may tick "Keep me signed in on this phone" for SESSION_REMEMBER_AGE; every other
  session ends when the browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE).
"""

import time

from django.conf import settings
from django.http import HttpRequest

IDLE_KEY = "rebound_idle_timeout"  # whether this session signs out when idle
LAST_SEEN_KEY = "rebound_last_seen"  # Unix time of the person's last request
# The last-seen time is written at most this often, so most requests do not save the session.
TOUCH_EVERY = 30


def idle_timeout_applies(request: HttpRequest) -> bool:
    """Whether the signed-in person's session ends when idle (worked out once per session)."""
    if IDLE_KEY not in request.session:
        request.session[IDLE_KEY] = request.user.signs_out_when_idle()
    return request.session[IDLE_KEY]


def seconds_left(request: HttpRequest, now: float | None = None) -> int:
    """Seconds until an idle session ends."""
    now = time.time() if now is None else now
    last_seen = request.session.get(LAST_SEEN_KEY, now)
    return max(0, round(last_seen + settings.SESSION_IDLE_TIMEOUT - now))


def touch(request: HttpRequest, *, force: bool = False) -> None:
    """Record activity now (unless it was recorded in the last TOUCH_EVERY seconds)."""
    now = time.time()
    last_seen = request.session.get(LAST_SEEN_KEY)
    if force or last_seen is None or now - last_seen >= TOUCH_EVERY:
        request.session[LAST_SEEN_KEY] = now


def remember_on_this_device(request: HttpRequest, remember: bool) -> bool:
    """After sign-in: keep a patient's session for SESSION_REMEMBER_AGE if they asked.

    Only people whose sessions do not end when idle (patients) may stay signed in; for everyone
    else the box is ignored. Returns whether the session was kept.
    """
    keep = remember and not idle_timeout_applies(request)
    request.session.set_expiry(settings.SESSION_REMEMBER_AGE if keep else 0)
    return keep


def idle_limit_text() -> str:
    """The idle limit in words ("30 minutes"), for messages."""
    seconds = settings.SESSION_IDLE_TIMEOUT
    return f"{seconds // 60} minutes" if seconds >= 120 else f"{seconds} seconds"
