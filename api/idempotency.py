"""`Idempotency-Key` on API writes: a replayed POST is recognised and answered as the first time.

The key (a UUID the client makes per logical request) claims a `clinic.submissions` row in the
same transaction as the write, as the forms' hidden submission id does: the first request does
the work and keeps its answer; a retry with the same key (a time-out, a lost connection) gets that
answer back with `Idempotent-Replayed: true` and changes nothing. A key another person used is
refused (409). Without the header a write is simply done.
"""

import json
import uuid
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from clinic import submissions

HEADER = "Idempotency-Key"


def key_of(request) -> uuid.UUID | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise ValidationError({HEADER: "Send a UUID, new for each request."}) from None


def once(request, scope: str, write: Callable[[], tuple[dict, str]]) -> Response:
    """Run `write` (which returns the body and the new resource's path) once per key; answer
    201 with it, or the first answer again for a replay."""
    key = key_of(request)
    if key is None:
        body, location = write()
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})
    try:
        with submissions.once(request, key, f"api-{scope}") as claim:
            body, location = write()
            claim.answer(location, json.dumps(body, cls=DjangoJSONEncoder))
    except submissions.Replayed as replay:
        first = replay.submission
        if first.pk is None:
            return Response(
                {"detail": "This Idempotency-Key was used for another request."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(
            json.loads(first.message),
            status=status.HTTP_201_CREATED,
            headers={"Location": first.redirect_to, "Idempotent-Replayed": "true"},
        )
    return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})
