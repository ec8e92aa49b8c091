"""Rate limits on requests that cost someone else something, such as a password-reset e-mail.

Each counter lives in the cache (Redis in production, shared by every web process) from its first
request for the length of its window, so a burst is counted the same whenever it comes.
"""

import hashlib
import logging

import redis
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def within_limit(name: str, *, key: str, limit: tuple[int, int]) -> bool:
    """Count one more request of `name` for `key`; whether it is within (requests, seconds).

    With the cache out of reach nothing can be counted, so the request is not within the limit
    (it fails closed, and the caller answers as it always does): never a server error.
    """
    try:
        return _count(name, key=key, limit=limit)
    except redis.RedisError as error:
        log.error("Rate limit %s could not be counted (%s): refusing the request.", name, error)
        return False


def _count(name: str, *, key: str, limit: tuple[int, int]) -> bool:
    most, seconds = limit
    # Hashed: the cache never holds e-mail addresses, and any key is a valid cache key.
    cache_key = f"rate:{name}:{hashlib.sha256(key.encode()).hexdigest()}"
    if cache.add(cache_key, 1, timeout=seconds):
        return most >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between the two calls: this request opens a new one
        cache.add(cache_key, 1, timeout=seconds)
        count = 1
    return count <= most


def password_reset_allowed(*, email: str, client: str | None) -> bool:
    """Whether a reset e-mail may go to `email` for a request from `client`; counts the request.

    Both limits count every request, so a client cannot spread a burst over many addresses, nor
    many clients over one address.
    """
    email = email.strip().lower()
    by_email = within_limit(
        "password-reset-email", key=email, limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    )
    by_client = within_limit(
        "password-reset-client",
        key=client or "",
        limit=settings.PASSWORD_RESET_LIMIT_PER_CLIENT,
    )
    if not by_email:
        # The address's hash, not the address: logs are read more widely than the database.
        digest = hashlib.sha256(email.encode()).hexdigest()[:12]
        log.warning("Password reset not sent: too many requests for address %s.", digest)
    if not by_client:
        log.warning("Password reset not sent: too many requests from %s.", client)
    return by_email and by_client
