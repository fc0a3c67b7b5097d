"""One application error, turned into one page or one JSON shape in one place (the middleware)."""


class ApplicationError(Exception):
    """An error whose message is written for the person who caused it."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class InputRefused(ApplicationError):
    code = "input_refused"


class UploadTooLarge(ApplicationError):
    status = 413
    code = "too_large"


class GateRefused(ApplicationError):
    status = 403
    code = "gate_refused"


class NotAllowed(ApplicationError):
    status = 403
    code = "not_allowed"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class InvalidTransition(ApplicationError):
    status = 409
    code = "invalid_transition"


class RateLimited(ApplicationError):
    """Too many requests; `retry_after` is how many seconds until the client's window ends."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int = 60, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        self.extra = {**self.extra, "retry_after": retry_after}

class ServiceBusy(ApplicationError):
    """Too much work queued: answered with 503 and a Retry-After header, never a timeout."""

    status = 503
    code = "busy"

    def __init__(self, message: str, *, retry_after: int = 2):
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


class AlreadyDone(ApplicationError):
    """The same request came twice (a reload, a double click); the first one's result stands."""

    status = 409
    code = "already_done"
