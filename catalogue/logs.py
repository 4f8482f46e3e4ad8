"""Structured logs: one JSON object per line, each carrying the request id it belongs to.

Request lines hold the method, the path without its query string, the status and the timing;
nothing a registrant typed is logged (form bodies never are, and neither are query strings).
"""

import contextvars
import json
import logging
import re
import time
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

access_logger = logging.getLogger("catalogue.requests")


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        entry.update(
            {
                key: value
                for key, value in record.__dict__.items()
                # Django attaches the request object to error records: its repr would carry
                # the query string, so only the path is kept.
                if key not in STANDARD | {"request_id", "request"} and not key.startswith("_")
            }
        )
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry.setdefault("path", request.path)
            entry.setdefault("method", getattr(request, "method", None))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestLogMiddleware:
    """Gives every request an id (kept from a trusted-looking X-Request-ID), returns it in the
    response, and logs one line per request with its status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        duration = round((time.perf_counter() - started) * 1000, 1)
        response["X-Request-ID"] = request_id
        access_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration,
            },
        )
        return response
