import pytest

from studio.errors import InvalidTransition
from studio.models import AuditEvent, GenerationJob, JobState
from studio.services.job_transitions import ALLOWED_TRANSITIONS, TERMINAL_STATES, job_transition
from tests.studio.factories import make_creator

pytestmark = pytest.mark.django_db


def _job(creator, state=JobState.SUBMITTED):
    return GenerationJob.objects.create(creator=creator, renderer="still", state=state)


def test_a_job_walks_the_happy_path_and_every_step_is_audited():
    job = _job(make_creator())
    path = [
        JobState.CHECKING,
        JobState.QUEUED,
        JobState.RENDERING,
        JobState.SEALING,
        JobState.RELEASED,
    ]
    for state in path:
        job_transition(job, state)
    job.refresh_from_db()
    assert job.state == JobState.RELEASED
    moves = [
        (event.details["from"], event.details["to"])
        for event in AuditEvent.objects.filter(
            action="job.transition", subject_id=str(job.public_id)
        )
    ]
    assert moves == list(zip([JobState.SUBMITTED, *path[:-1]], path, strict=True))


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (JobState.SUBMITTED, JobState.RELEASED),
        (JobState.QUEUED, JobState.RELEASED),
        (JobState.RENDERING, JobState.IN_REVIEW),
        (JobState.REJECTED, JobState.QUEUED),
        (JobState.CANCELLED, JobState.RENDERING),
        (JobState.FAILED, JobState.QUEUED),
    ],
)
def test_a_forbidden_transition_is_refused_and_leaves_the_job_alone(start, target):
    job = _job(make_creator(), state=start)
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition) as refused:
        job_transition(job, target)
    assert "cannot become" in refused.value.message
    job.refresh_from_db()
    assert job.state == start
    assert AuditEvent.objects.count() == before


def test_terminal_states_have_no_way_out():
    assert TERMINAL_STATES == {
        JobState.FAILED,
        JobState.REJECTED,
        JobState.CANCELLED,
        JobState.REVOKED,
    }
    assert all(ALLOWED_TRANSITIONS[state] == frozenset() for state in TERMINAL_STATES)


def test_failure_reason_is_kept_for_the_creator():
    job = _job(make_creator(), state=JobState.QUEUED)
    job_transition(job, JobState.FAILED, reason="The audio could not be decoded.")
    job.refresh_from_db()
    assert job.failure_reason == "The audio could not be decoded."
