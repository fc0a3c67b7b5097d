"""JSON log lines with the request id, job id and creator pseudonym of the moment."""

import json
import logging
from datetime import UTC, datetime

from studio.observability import context

# Attributes every LogRecord has; anything else was passed in `extra=` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_CONTEXT = ("request_id", "job_id", "creator")


class ContextFilter(logging.Filter):
    """Stamps each record with the context variables (empty strings when unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", "") or context.request_id.get()
        record.job_id = getattr(record, "job_id", "") or context.job_id.get()
        creator = getattr(record, "creator", "") or context.creator.get()
        if not creator:
            request = context.current_request.get()
            user = getattr(request, "user", None) if request is not None else None
            # Only a user already loaded: a log line never triggers a database query.
            if request is not None and "user" in getattr(request, "__dict__", {}):
                creator = _pseudonym_if_loaded(user)
        record.creator = creator
        return True


def _pseudonym_if_loaded(user) -> str:
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or type(wrapped).__name__ == "object":
        return ""
    try:
        return context.creator_pseudonym(wrapped)
    except Exception:  # logging must never fail the request
        return ""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _CONTEXT:
            value = getattr(record, name, "")
            if value:
                entry[name] = value
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in _CONTEXT and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
