"""How requests are logged: an expected refusal in one line, a server error with its traceback."""

import logging


class ClientErrorsInOneLine(logging.Filter):
    """Drop the traceback from `django.request` records of a 4xx answer.

    Django logs a 404 (Http404) and a 403 (PermissionDenied) as warnings with the exception
    attached, so every refused or mistyped URL printed a traceback. The line that names the path
    stays; 5xx records keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
