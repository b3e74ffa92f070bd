"""One line per event: each request once (method, path, status, duration, user, request id),
as text or, with ``TEND_LOG_FORMAT=json``, as JSON that a log collector reads as is.

The request id comes from the ``X-Request-ID`` header a proxy sets (or is made here), is
returned in the response's header, and is attached to every record logged during the request,
so the lines of one request can be found together."""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("tend_request_id", default="")
user_id_var: ContextVar[int | None] = ContextVar("tend_user_id", default=None)

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
logger = logging.getLogger("tend.request")

# Attributes every LogRecord has: what is left is what the caller passed in ``extra``.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class ContextFilter(logging.Filter):
    """Puts the current request's id and user on every record, whoever logs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = user_id_var.get()
        return True


class DjangoRequestFilter(logging.Filter):
    """``django.request`` repeats as a warning every 4xx/5xx that the request line already
    says; only its records with an exception (a traceback worth keeping) pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.exc_info is not None


def _extras(record: logging.LogRecord) -> dict:
    return {
        key: value
        for key, value in record.__dict__.items()
        if key not in _STANDARD and key not in ("request", "server_time", "status_code")
    }


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _extras(record).items():
            if value not in (None, ""):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger message key=value...`` on one line; a traceback's newlines are
    escaped so one event stays one line."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        parts = [stamp, record.levelname, record.name, record.getMessage()]
        parts += [
            f"{key}={value}" for key, value in _extras(record).items() if value not in (None, "")
        ]
        line = " ".join(str(part) for part in parts)
        if record.exc_info:
            line += " exception=" + self.formatException(record.exc_info)
        return line.replace("\r", "\\r").replace("\n", "\\n")


class RequestLogMiddleware:
    """Outermost: times the whole request and logs it once when the response is ready."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        user_token = user_id_var.set(None)
        try:
            response = self.get_response(request)
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            user_id_var.set(user_id)
            response["X-Request-ID"] = request_id
            status = response.status_code
            level = logging.INFO
            if status >= 400:
                level = logging.ERROR if status >= 500 else logging.WARNING
            logger.log(
                level,
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user_id,
                    "request_id": request_id,
                },
            )
            return response
        finally:
            request_id_var.reset(id_token)
            user_id_var.reset(user_token)
