"""A creator withdraws one released video: it is revoked for anyone who checks a copy, and its
files and the photo and audio it was made from are deleted."""

from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from studio.errors import NotAllowed
from studio.models import GenerationJob, JobState, ModerationCase
from studio.services.job_transitions import job_transition
from studio.services.outputs import output_status_set

# Stored in English on the job and worded for the reader by studio.job_failure_words.
WITHDRAWN_BY_CREATOR = gettext_noop(
    "You withdrew this video: its file, preview, photo and audio are deleted, and anyone who "
    "checks a copy is told it was revoked."
)


@transaction.atomic
def job_withdraw(*, job: GenerationJob, creator) -> GenerationJob:
    """Kept, as for a deleted account: the output's row (hashes, watermark, manifest, fingerprint)
    so that the verifier still answers "revoked" for any copy, and the audit log."""
    job = GenerationJob.objects.select_for_update().get(pk=job.pk, creator=creator)
    if job.state != JobState.RELEASED:
        raise NotAllowed(_("Only a released video can be withdrawn."))
    # Under review, the files are a moderator's evidence: they decide first.
    if ModerationCase.objects.filter(job=job).exclude(state=ModerationCase.State.RESOLVED).exists():
        raise NotAllowed(
            _(
                "A moderator is looking into this video. You can withdraw it once they have "
                "decided."
            )
        )
    artifact = job.output
    output_status_set(artifact, "revoked", actor=creator, reason="withdrawn_by_creator")
    job_transition(job, JobState.REVOKED, actor=creator, reason=WITHDRAWN_BY_CREATOR)
    job.failure_reason = WITHDRAWN_BY_CREATOR
    job.save(update_fields=["failure_reason"])
    stored = [
        (artifact, "file"),
        (artifact, "poster"),
        (job.portrait, "image"),
        (job.audio, "file"),
    ]
    for row, field_name in stored:
        if row is None:
            continue
        field = getattr(row, field_name)
        if field:
            # The file goes only once the rows no longer name it; a rollback keeps both.
            transaction.on_commit(partial(field.storage.delete, field.name))
            setattr(row, field_name, "")
            row.save(update_fields=[field_name])
    return job
