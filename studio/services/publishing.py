"""Publishing: the one code path by which an output becomes downloadable.

`output_publish` accepts only a SealedOutput and checks the file again (same bytes as sealed,
manifest valid and trusted, soft binding naming the job's watermark) before it creates the
OutputArtifact row that every download, API answer and preview is served from.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from safety.provenance.store import manifest_store_bytes
from studio.models import GenerationJob, JobState, ModerationCase, OutputArtifact
from studio.services.audit import audit_record
from studio.services.fingerprints import output_fingerprint_store
from studio.services.gate import CONSENT_WITHDRAWN_BEFORE_PUBLISHING, job_consent_still_valid
from studio.services.job_transitions import job_transition
from studio.services.notifications import creator_notify, readers_locale
from studio.services.sealing import SealedOutput, SealingFailed, file_sha256, sealed_read_back
from studio.stored_files import stored_files_removed_unless_committed


class UnsealedOutputRefused(SealingFailed):
    pass


def creator_handle(user) -> str:
    """A stable pseudonym: the public sees this, never the account."""
    if user is None:
        return "creator-deleted"
    digest = hmac.new(settings.SECRET_KEY.encode(), f"creator:{user.pk}".encode(), hashlib.sha256)
    return "creator-" + digest.hexdigest()[:10]


def output_publish(job: GenerationJob, sealed: SealedOutput) -> OutputArtifact:
    if not isinstance(sealed, SealedOutput):
        raise UnsealedOutputRefused("Only a sealed output can be published.")
    for path, digest in ((sealed.path, sealed.sha256), (sealed.poster_path, sealed.poster_sha256)):
        if not path.exists() or file_sha256(path) != digest:
            raise UnsealedOutputRefused("A file changed after sealing; it was not published.")
    job.refresh_from_db()
    if job.watermark_id != sealed.watermark_id:
        raise UnsealedOutputRefused(
            "The sealed file belongs to another watermark; it was not published."
        )
    try:
        sealed_read_back(
            sealed.path, expected_watermark_id=sealed.watermark_id, check_watermark=False
        )
    except SealingFailed as failure:
        raise UnsealedOutputRefused(failure.message) from failure

    status = "under_review" if sealed.hold_for_review else "released"
    with stored_files_removed_unless_committed() as stored, transaction.atomic():
        if not job_consent_still_valid(job, lock=True):
            raise UnsealedOutputRefused(CONSENT_WITHDRAWN_BEFORE_PUBLISHING)
        artifact = OutputArtifact(
            job=job,
            media_type="video/mp4",
            sha256=sealed.sha256,
            size_bytes=sealed.path.stat().st_size,
            duration_seconds=sealed.duration_seconds,
            width=sealed.width,
            height=sealed.height,
            watermark_alg=sealed.watermark_alg,
            watermark_id=sealed.watermark_id,
            manifest_id=sealed.manifest_id,
            manifest=sealed.manifest,
            manifest_store=manifest_store_bytes(sealed.path),
            creator_handle=creator_handle(job.creator),
            status=status,
        )
        with sealed.path.open("rb") as handle:
            artifact.file.save("output.mp4", File(handle), save=False)
        stored.append(artifact.file)
        with sealed.poster_path.open("rb") as handle:
            artifact.poster.save("poster.jpg", File(handle), save=False)
        stored.append(artifact.poster)
        artifact.poster_sha256 = sealed.poster_sha256
        artifact.save()
        output_fingerprint_store(artifact=artifact, path=sealed.path)
        audit_record(
            "output.published",
            subject=artifact,
            details={
                "job": str(job.public_id),
                "sha256": sealed.sha256,
                "status": status,
                "manifest_id": sealed.manifest_id,
            },
        )
        if sealed.hold_for_review:
            job_transition(job, JobState.IN_REVIEW, progress_done=0, progress_total=0)
            case = ModerationCase.objects.create(job=job, reason=sealed.review_reason)
            audit_record(
                "case.opened",
                subject=case,
                details={"reason": sealed.review_reason, "job": str(job.public_id)},
            )
            with readers_locale(job.creator):
                creator_notify(
                    job,
                    subject=_("your video is waiting for a moderator"),
                    body=_(
                        "Your first videos are checked by a moderator before you can watch and "
                        "share them."
                    ),
                )
        else:
            job_transition(job, JobState.RELEASED, progress_done=0, progress_total=0)
            if sealed.review_reason:
                case = ModerationCase.objects.create(job=job, reason=sealed.review_reason)
                audit_record(
                    "case.opened",
                    subject=case,
                    details={"reason": sealed.review_reason, "job": str(job.public_id)},
                )
    sealed.path.unlink(missing_ok=True)
    sealed.poster_path.unlink(missing_ok=True)
    return artifact
