"""Submitting, cancelling and rendering generation jobs."""

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from generation.media.audio import AudioTrack, decode_audio_once
from generation.media.errors import MediaError
from generation.media.images import load_image_rgb
from generation.render_job import RenderCancelled, render_frames
from generation.renderers import UnknownRendererError
from generation.renderers.base import RenderRequest
from safety.disclosure import LABEL_TEXTS
from safety.sealing import SealingCancelled, SealingFailed
from studio.errors import ApplicationError, GateRefused, InputRefused, NotAllowed, RateLimited
from studio.models import AudioClip, GenerationJob, JobState, ModerationCase, Portrait
from studio.renderers import GPU_RENDERERS, renderer_for
from studio.services.accounts import creator_lock
from studio.services.audit import audit_record
from studio.services.gate import (
    CONSENT_WITHDRAWN_BEFORE_PUBLISHING,
    GateOutcome,
    gate_evaluate,
    job_consent_still_valid,
)
from studio.services.job_heartbeat import job_heartbeat
from studio.services.job_transitions import ACTIVE_STATES, UNPUBLISHED_STATES, job_transition
from studio.services.notifications import creator_notify
from studio.services.uploads import (
    CheckedAudio,
    CheckedImage,
    Upload,
    audio_check_upload,
    image_check_upload,
)
from studio.stored_files import stored_copy, stored_files_removed_unless_committed

logger = logging.getLogger(__name__)
S = JobState
LABEL_CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")
LABEL_LANGUAGES = tuple(LABEL_TEXTS)
WAITING_STATES = (S.SUBMITTED, S.CHECKING, S.HELD, S.QUEUED)


def job_work_dir(job: GenerationJob) -> Path:
    """This worker's private scratch space for one job (never a shared or served folder): the
    inputs are downloaded here from storage, the output sealed here and uploaded. Removed when
    the job ends."""
    return Path(settings.SIGNET_SCRATCH_DIR) / str(job.public_id)


def job_time_limits(audio_seconds: float) -> tuple[float, float]:
    """(soft, hard) seconds: a job's time limit grows with the length of its audio."""
    soft = (
        settings.SIGNET_JOB_TIME_BASE_SECONDS
        + settings.SIGNET_JOB_TIME_PER_AUDIO_SECOND * audio_seconds
    )
    return soft, soft + 30.0


def job_enqueue(job: GenerationJob) -> None:
    """Queue the render once the surrounding transaction commits (the worker must see the row)."""
    from studio import tasks

    task = tasks.job_render_gpu if job.renderer in GPU_RENDERERS else tasks.job_render
    soft, hard = job_time_limits(job.audio_seconds)
    transaction.on_commit(
        lambda: task.apply_async(args=[job.pk], soft_time_limit=soft, time_limit=hard)
    )


def job_submit(
    *,
    creator,
    portrait: CheckedImage,
    audio: CheckedAudio,
    label_corner: str = "bottom-right",
    label_language: str = "en",
    renderer: str | None = None,
    channel: str = "web",
    enqueue: bool = True,
) -> GenerationJob:
    """Create a job for checked uploads, run the safety gate, and queue it if the gate allows.

    Refusals by the gate leave a rejected job with its reason and no stored media (except when a
    moderator needs the portrait as evidence), and raise GateRefused carrying that job.
    """
    try:
        if label_corner not in LABEL_CORNERS:
            raise NotAllowed(_("The AI-generated label can be moved to a corner, not removed."))
        if label_language not in LABEL_LANGUAGES:
            raise InputRefused(
                _("The label can be in English (en) or German (de), nothing else."),
                extra={"fields": ["label_language"]},
            )
        _refuse_if_too_many_waiting(creator)  # before the gate's face analysis, which costs
        decision = gate_evaluate(creator=creator, portrait_bytes=portrait.data)
        keep_media = (
            decision.outcome != GateOutcome.REFUSED or decision.reason_code == "do_not_animate"
        )
        with stored_files_removed_unless_committed() as stored, transaction.atomic():
            # Counted again under the creator's row lock: requests at once queue up here.
            creator_lock(creator)
            _refuse_if_too_many_waiting(creator)
            portrait_row = Portrait(
                creator=creator,
                sha256=portrait.sha256,
                media_type=portrait.media_type,
                width=portrait.width,
                height=portrait.height,
                face=decision.face,
            )
            audio_row = AudioClip(
                creator=creator,
                sha256=audio.sha256,
                media_type="audio",
                codec=audio.codec,
                duration_seconds=audio.duration_seconds,
            )
            if keep_media:
                portrait_row.image.save(
                    "portrait" + portrait.extension, ContentFile(portrait.data), save=False
                )
                stored.append(portrait_row.image)
                with audio.path.open("rb") as handle:
                    audio_row.file.save("audio" + audio.extension, File(handle), save=False)
                stored.append(audio_row.file)
            portrait_row.save()
            audio_row.save()
            job = GenerationJob.objects.create(
                creator=creator,
                portrait=portrait_row,
                audio=audio_row,
                consent=decision.consent,
                renderer=renderer or settings.SIGNET_RENDERER,
                label_corner=label_corner,
                label_language=label_language,
                audio_seconds=audio.duration_seconds,
                identity_distance=decision.distance,
                gate_report={
                    "reason_code": decision.reason_code,
                    "message": decision.message,
                    **decision.report,
                },
            )
            audit_record(
                "job.submitted",
                actor=creator,
                subject=job,
                details={"channel": channel, "audio_seconds": round(audio.duration_seconds, 2)},
            )
            job_transition(job, S.CHECKING)
            audit_record(
                f"gate.{decision.outcome}",
                actor=creator,
                subject=job,
                details={
                    "reason_code": decision.reason_code,
                    "message": decision.message,
                    **decision.report,
                },
            )
            if decision.outcome == GateOutcome.ACCEPTED:
                job_transition(job, S.QUEUED)
                if enqueue:
                    job_enqueue(job)
            elif decision.outcome == GateOutcome.HELD:
                job_transition(job, S.HELD, reason=decision.message)
                _case_open(job, ModerationCase.Reason.IDENTITY_GREY_ZONE, decision.report)
            else:
                job_transition(job, S.REJECTED, reason=decision.message)
                if decision.reason_code == "do_not_animate":
                    _case_open(
                        job,
                        ModerationCase.Reason.DO_NOT_ANIMATE,
                        {**decision.report, "gallery_entry": decision.gallery_entry.pk},
                    )
    finally:
        audio.discard()
    job.refresh_from_db()
    if job.state == S.HELD:
        creator_notify(
            job, subject=_("your video is waiting for a moderator"), body=decision.message
        )
    if job.state == S.REJECTED:
        raise GateRefused(job.failure_reason, extra={"job": str(job.public_id)})
    return job


def _refuse_if_too_many_waiting(creator) -> None:
    """A creator's jobs waiting or being made are bounded, whatever addresses or tokens send
    them: the per-client limits alone let one account with many addresses fill the queue."""
    most = settings.SIGNET_MAX_WAITING_JOBS
    waiting = GenerationJob.objects.filter(creator=creator, state__in=UNPUBLISHED_STATES).count()
    if waiting >= most:
        raise RateLimited(
            _(
                "You have %(count)d videos waiting or being made, the most at once. Send the "
                "next one when one of them is done."
            )
            % {"count": waiting},
            retry_after=60,
        )


def job_submit_uploads(
    *,
    creator,
    portrait: Upload,
    audio: Upload,
    label_corner: str = "bottom-right",
    channel: str,
    **options,
) -> GenerationJob:
    """Check both uploads by content, then submit: what the page, the API and `generate` call.

    A refused upload is written to the audit log and stores nothing.
    """
    try:
        checked_portrait = image_check_upload(portrait)
        checked_audio = audio_check_upload(audio)
    except ApplicationError as error:
        audit_record(
            "upload.refused", actor=creator, details={"message": error.message, "channel": channel}
        )
        raise
    return job_submit(
        creator=creator, portrait=checked_portrait, audio=checked_audio, label_corner=label_corner,
        channel=channel, **options,
    )  # fmt: skip


def _case_open(job: GenerationJob, reason: str, details: dict) -> ModerationCase:
    case = ModerationCase.objects.create(job=job, reason=reason, details=details)
    audit_record("case.opened", subject=case, details={"reason": reason, "job": str(job.public_id)})
    return case


def job_cancel(*, job: GenerationJob, actor) -> GenerationJob:
    """Cancel at once if nothing runs yet; otherwise ask the worker, which stops within seconds."""
    if job.state in WAITING_STATES:
        return job_transition(job, S.CANCELLED, actor=actor, reason="Cancelled by the creator.")
    if job.state in {S.RENDERING, S.SEALING}:
        GenerationJob.objects.filter(pk=job.pk).update(cancel_requested=True)
        audit_record("job.cancel_requested", actor=actor, subject=job)
        job.refresh_from_db()
        return job
    raise NotAllowed(
        _("This job is %(state)s and can no longer be cancelled.")
        % {"state": job.get_state_display().lower()}
    )


def creator_jobs_stop(*, creator, actor, reason: str) -> None:
    """Cancel every job of the creator that has not started; ask running ones to stop."""
    for job in GenerationJob.objects.filter(creator=creator, state__in=WAITING_STATES):
        job_transition(job, S.CANCELLED, actor=actor, reason=reason)
    GenerationJob.objects.filter(creator=creator, state__in=[S.RENDERING, S.SEALING]).update(
        cancel_requested=True
    )


class _JobProgress:
    """Writes progress and heartbeat at most a few times a second, and reads cancel requests."""

    def __init__(self, job: GenerationJob, interval: float = 0.5, observer=None):
        self.job_pk = job.pk
        self.observer = observer
        self.interval = interval
        self._last_write = 0.0
        self._last_cancel_check = 0.0
        self._cancelled = False

    def __call__(self, done: int, total: int) -> None:
        if self.observer:
            self.observer(done, total)
        now = time.monotonic()
        if done < total and now - self._last_write < self.interval:
            return
        self._last_write = now
        GenerationJob.objects.filter(pk=self.job_pk).update(
            progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )

    def should_cancel(self) -> bool:
        now = time.monotonic()
        if not self._cancelled and now - self._last_cancel_check >= self.interval:
            self._last_cancel_check = now
            self._cancelled = GenerationJob.objects.filter(
                pk=self.job_pk, cancel_requested=True
            ).exists()
        return self._cancelled


def _job_claim_for_render(job_pk: int) -> GenerationJob | None:
    """Move a queued job to rendering, or recover one a dead worker left behind.

    Returns None when there is nothing to do (cancelled meanwhile, finished, or running elsewhere).
    """
    job = GenerationJob.objects.get(pk=job_pk)
    if job.state in {S.RENDERING, S.SEALING}:
        fresh = (
            job.heartbeat_at
            and (timezone.now() - job.heartbeat_at).total_seconds()
            < settings.SIGNET_STALE_JOB_SECONDS
        )
        if fresh:
            return None
        job_recover_stale(job)
        job.refresh_from_db()
    if job.state != S.QUEUED:
        return None
    if not job_consent_still_valid(job):
        job_transition(job, S.FAILED, reason=CONSENT_WITHDRAWN_BEFORE_PUBLISHING)
        return None
    return job_transition(
        job,
        S.RENDERING,
        attempts=job.attempts + 1,
        heartbeat_at=timezone.now(),
        progress_done=0,
        progress_total=0,
    )


def job_recover_stale(job: GenerationJob) -> None:
    """A worker died mid-job: queue it again, or fail it with the reason after too many tries."""
    if job.attempts >= settings.SIGNET_JOB_MAX_ATTEMPTS:
        job_transition(
            job,
            S.FAILED,
            reason=f"The worker stopped unexpectedly while processing this job ({job.attempts} attempts). "
            "It was not tried again; please submit it again later.",
        )
        shutil.rmtree(job_work_dir(job), ignore_errors=True)
    else:
        job_transition(
            job, S.QUEUED, reason="The worker stopped unexpectedly; the job was queued again."
        )


def jobs_sweep_stale() -> int:
    """Recover every rendering/sealing job whose heartbeat stopped. Returns how many."""
    cutoff = timezone.now() - timezone.timedelta(seconds=settings.SIGNET_STALE_JOB_SECONDS)
    stale = GenerationJob.objects.filter(
        state__in=[S.RENDERING, S.SEALING], heartbeat_at__lt=cutoff
    )
    count = 0
    for job in stale:
        job_recover_stale(job)
        job.refresh_from_db()
        if job.state == S.QUEUED:
            job_enqueue(job)
        count += 1
    return count


def job_fail(job: GenerationJob, reason: str) -> None:
    job.refresh_from_db()
    if job.state in ACTIVE_STATES:
        job_transition(job, S.FAILED, reason=reason)
    shutil.rmtree(job_work_dir(job), ignore_errors=True)


def job_render(job_pk: int, *, observer: Callable[[int, int], None] | None = None) -> None:
    """Render, seal and publish one job. Called by the Celery task of the same name.

    `observer` sees every progress step (the management command prints them).
    """
    job = _job_claim_for_render(job_pk)
    if job is None:
        return
    work_dir = job_work_dir(job)
    work_dir.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    work_dir.mkdir(mode=0o700, exist_ok=True)
    progress = _JobProgress(job, observer=observer)
    with job_heartbeat(job.pk):
        _job_render_claimed(job, work_dir, progress)


def _job_render_claimed(job: GenerationJob, work_dir: Path, progress: _JobProgress) -> None:
    from studio.services.sealing import output_seal

    try:
        renderer = renderer_for(job.renderer)
    except (UnknownRendererError, FileNotFoundError) as error:
        # An operator problem (e.g. the hallo weights missing or not fitting): the detail goes to the log and the
        # audit trail, and the creator gets a reason without server paths in it.
        logger.error("renderer %s unavailable: %s", job.renderer, error)
        audit_record(
            "job.renderer_unavailable",
            subject=job,
            details={"renderer": job.renderer, "detail": str(error)},
        )
        job_fail(
            job,
            f"The {job.renderer} video engine is not available on this server right now; the operators have been told.",
        )
        shutil.rmtree(work_dir, ignore_errors=True)
        return
    try:
        request, output_audio = _render_request(job, work_dir)
        # One pass: the renderer's frames go straight through label, watermark and encoder; the
        # job shows "sealing" once the last frame is encoded (signing and read-back remain).
        frames = render_frames(
            renderer, request, on_progress=progress, should_cancel=progress.should_cancel
        )

        def encoded() -> None:
            job_transition(
                job, S.SEALING, progress_done=0, progress_total=0, heartbeat_at=timezone.now()
            )

        output_seal(
            job, frames, work_dir, fps=request.fps, audio=output_audio, on_encoded=encoded
        )
    except (RenderCancelled, SealingCancelled):
        job.refresh_from_db()
        job_transition(job, S.CANCELLED, reason="Cancelled by the creator while it was running.")
    except (MediaError, SealingFailed) as error:
        job_fail(job, error.message)
    except Exception as error:
        from celery.exceptions import SoftTimeLimitExceeded

        if isinstance(error, SoftTimeLimitExceeded):
            job_fail(job, "Rendering took longer than this clip's time limit and was stopped.")
            return
        logger.exception("job %s failed", job.public_id)
        job_fail(
            job,
            f"Rendering failed because of an internal error ({type(error).__name__}). "
            "The team has the details; please try again.",
        )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _render_request(job: GenerationJob, work_dir: Path) -> tuple[RenderRequest, AudioTrack]:
    """The renderer's request and the sound to deliver (the input's channels and rate), from one
    decode of the audio; both inputs downloaded from storage into the job's scratch folder."""
    import numpy as np

    portrait_path = stored_copy(
        job.portrait.image, work_dir / ("portrait" + Path(job.portrait.image.name).suffix)
    )
    audio_path = stored_copy(job.audio.file, work_dir / ("audio" + Path(job.audio.file.name).suffix))
    portrait_rgb = load_image_rgb(portrait_path, max_pixels=settings.SIGNET_MAX_IMAGE_PIXELS)
    landmarks = None
    if job.portrait.face and job.portrait.face.get("landmarks"):
        landmarks = np.asarray(job.portrait.face["landmarks"], dtype=np.float32)
    audio, delivered = decode_audio_once(
        audio_path, max_seconds=settings.SIGNET_MAX_AUDIO_SECONDS + 1
    )
    request = RenderRequest(
        portrait_rgb=portrait_rgb,
        landmarks=landmarks,
        audio=audio,
        size=settings.SIGNET_RENDER_SIZE,
        fps=settings.SIGNET_RENDER_FPS,
        seed=int(job.public_id.int % (2**31)),
    )
    return request, delivered
