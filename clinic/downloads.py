"""Serving files people download (exports): only from guarded views, as attachments, named by us.

Every download goes through `attachment_response`:
- it refuses to serve from a view that is public or not wrapped by clinic.access, so an access
  check has always run first (the caller still records the export with `audit.record`);
- the file name is built here from plain words and the date, slugified to ASCII letters, digits
  and dashes, so it cannot smuggle a path or a header into someone's Downloads folder; the one
  piece of patient data a label may carry is the name on a handover document the clinician
  gives the patient (the progress report), as such a slug;
- it is always `Content-Disposition: attachment` with `nosniff`, never cached, and sandboxed by
  its own Content-Security-Policy in case a browser renders it anyway.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import IO

from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
    "ndjson": "application/fhir+ndjson",  # FHIR bulk export (api/fhir)
    "txt": "text/plain; charset=utf-8",
    "zip": "application/zip",
}


def download_name(label: str, extension: str, *, when: datetime | None = None) -> str:
    """`rebound-<label>-<YYYY-MM-DD-HHMM>.<extension>`: ASCII letters, digits and dashes only."""
    if extension not in CONTENT_TYPES:
        raise ValueError(f"Rebound does not serve .{extension} files.")
    stamp = timezone.localtime(when or timezone.now()).strftime("%Y-%m-%d-%H%M")
    words = slugify(label)[:60].strip("-") or "export"
    return f"rebound-{words}-{stamp}.{extension}"


def attachment_response(
    request: HttpRequest,
    content: bytes | str | IO[bytes] | Iterable[bytes],
    *,
    label: str,
    extension: str,
) -> HttpResponse | StreamingHttpResponse:
    """A download of `content` (bytes, text, an open binary file or an iterator of bytes).

    `label` names what is exported ("caseload", "audit log"); the file name adds the date.
    """
    _require_guarded_view(request)
    filename = download_name(label, extension)
    content_type = CONTENT_TYPES[extension]
    if isinstance(content, bytes | str):
        response = HttpResponse(content, content_type=content_type)
    elif hasattr(content, "read"):
        response = FileResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _require_guarded_view(request: HttpRequest) -> None:
    match = getattr(request, "resolver_match", None)
    rule = getattr(match.func, "access_rule", None) if match else None
    if rule is None or rule == "public" or rule == "before_second_factor":
        raise ImproperlyConfigured(
            "Downloads are served only from views behind an access check (clinic.access)."
        )
