"""What the current log lines are about: a request, a job, a creator (by pseudonym only)."""

import contextvars
from contextlib import contextmanager

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
job_id: contextvars.ContextVar[str] = contextvars.ContextVar("job_id", default="")
creator: contextvars.ContextVar[str] = contextvars.ContextVar("creator", default="")
current_request: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "current_request", default=None
)


@contextmanager
def log_context(**values):
    """Set some of request_id, job_id, creator for the block, and restore them after it."""
    variables = {"request_id": request_id, "job_id": job_id, "creator": creator}
    tokens = [(variables[name], variables[name].set(str(value))) for name, value in values.items()]
    try:
        yield
    finally:
        for variable, token in reversed(tokens):
            variable.reset(token)


def creator_pseudonym(user) -> str:
    """The public pseudonym of a signed-in user; never a name, e-mail address or key."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    from studio.services.publishing import creator_handle

    return creator_handle(user)
