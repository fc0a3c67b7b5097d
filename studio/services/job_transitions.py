"""The generation job's state machine: the one place that changes a job's state."""

from django.db import transaction

from studio.errors import InvalidTransition
from studio.models import GenerationJob, JobState
from studio.services.audit import audit_record

S = JobState
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.CHECKING, S.CANCELLED}),
    S.CHECKING: frozenset({S.QUEUED, S.HELD, S.REJECTED, S.FAILED}),
    S.HELD: frozenset({S.QUEUED, S.REJECTED, S.CANCELLED}),
    S.QUEUED: frozenset({S.RENDERING, S.CANCELLED, S.FAILED}),
    # rendering -> queued: the worker died and the job is tried again.
    S.RENDERING: frozenset({S.SEALING, S.QUEUED, S.FAILED, S.CANCELLED}),
    S.SEALING: frozenset({S.IN_REVIEW, S.RELEASED, S.FAILED, S.QUEUED}),
    S.IN_REVIEW: frozenset({S.RELEASED, S.REJECTED, S.REVOKED}),
    S.RELEASED: frozenset({S.REVOKED, S.IN_REVIEW, S.REJECTED}),
    S.FAILED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.REVOKED: frozenset(),
}
TERMINAL_STATES = frozenset(state for state, targets in ALLOWED_TRANSITIONS.items() if not targets)
ACTIVE_STATES = frozenset({S.SUBMITTED, S.CHECKING, S.QUEUED, S.RENDERING, S.SEALING})
# Not published yet: held for a moderator, or on its way. The worker checks consent again.
UNPUBLISHED_STATES = ACTIVE_STATES | {S.HELD}


def can_transition(from_state: str, to_state: str) -> bool:
    return to_state in ALLOWED_TRANSITIONS.get(from_state, frozenset())


@transaction.atomic
def job_transition(
    job: GenerationJob,
    to_state: str,
    *,
    actor=None,
    reason: str = "",
    details: dict | None = None,
    **field_updates,
) -> GenerationJob:
    """Move a job to `to_state` if the machine allows it, and record the move in the audit log.

    The row is re-read under a lock so a worker and a creator's cancel cannot both win.
    """
    locked = GenerationJob.objects.select_for_update().get(pk=job.pk)
    if not can_transition(locked.state, to_state):
        raise InvalidTransition(
            f"A job that is {locked.get_state_display().lower()} cannot become "
            f"{JobState(to_state).label.lower()}."
        )
    from_state = locked.state
    locked.state = to_state
    if to_state in {S.FAILED, S.REJECTED} and reason:
        locked.failure_reason = reason
    for field, value in field_updates.items():
        setattr(locked, field, value)
    locked.save()
    audit_record(
        "job.transition",
        actor=actor,
        subject=locked,
        details={"from": from_state, "to": to_state, "reason": reason, **(details or {})},
    )
    # Keep the caller's object in step with the database.
    job.refresh_from_db()
    return locked
