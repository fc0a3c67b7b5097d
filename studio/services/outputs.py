"""Changing what the verifier says about published outputs."""

from django.db import transaction

from studio.models import JobState, OutputArtifact
from studio.services.audit import audit_record
from studio.services.job_transitions import can_transition, job_transition
from studio.stored_files import signed_links_retire


@transaction.atomic
def output_status_set(
    artifact: OutputArtifact, status: str, *, actor=None, reason: str = ""
) -> None:
    previous = artifact.status
    artifact.status = status
    changed = ["status", "status_changed_at"]
    if previous == "released" and status != "released":
        # Links its viewers were given must not keep serving a video that is no longer out.
        changed += [name for name in ("file", "poster")
                    if signed_links_retire(getattr(artifact, name))]
    artifact.save(update_fields=changed)
    audit_record(
        "output.status",
        actor=actor,
        subject=artifact,
        details={"from": previous, "to": status, "reason": reason},
    )


@transaction.atomic
def outputs_revoke_for_creator(*, creator, reason: str) -> int:
    """Mark every output of the creator revoked: the verifier says so for any copy, even stripped."""
    count = 0
    for artifact in (
        OutputArtifact.objects.filter(job__creator=creator)
        .exclude(status="revoked")
        .select_related("job")
    ):
        output_status_set(artifact, "revoked", actor=creator, reason=reason)
        job = artifact.job
        if job is not None and can_transition(job.state, JobState.REVOKED):
            job_transition(job, JobState.REVOKED, actor=creator, reason=reason)
        count += 1
    return count
