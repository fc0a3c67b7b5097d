"""Enrolling a creator's face, recording their consent, and revoking it."""

import tempfile
from pathlib import Path

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from generation.media.audio import decode_audio
from generation.media.errors import MediaError
from generation.media.video import iter_video_frames
from safety.consent import (
    CURRENT_VERSION,
    consent_statement,
    default_expiry,
    spoken_lead_in,
    spoken_sentence,
    statement_sha256,
)
from safety.faces import analyze_portrait, faces_match_across_frames
from safety.speech import code_spoken, transcribe
from studio.errors import InputRefused, NotAllowed
from studio.face_backend import face_backend, identity_thresholds, quality_limits
from studio.models import ConsentRecord, EnrolledIdentity
from studio.services.audit import audit_record
from studio.services.uploads import Upload, image_check_upload, upload_chunks, upload_size

MAX_RECORDING_BYTES = 60 * 1024 * 1024
RECORDING_FRAMES_TO_CHECK = 5  # enough for faces_match_across_frames' minimum of 3 usable


@transaction.atomic
def identity_enrol(*, creator, selfie: Upload) -> EnrolledIdentity:
    """Store the creator's reference face. Re-enrolling replaces it and voids earlier consent."""
    checked = image_check_upload(selfie, what="selfie")
    analysis = analyze_portrait(checked.data, backend=face_backend(), limits=quality_limits())
    if analysis.problems:
        message = " ".join(problem.message for problem in analysis.problems)
        audit_record(
            "identity.enrol_refused",
            actor=creator,
            details={"problems": [p.code for p in analysis.problems]},
        )
        raise InputRefused(f"The selfie was refused: {message}")
    previous = EnrolledIdentity.objects.filter(creator=creator).first()
    if previous is not None:
        previous.selfie.delete(save=False)
        previous.delete()
        now = timezone.now()
        ConsentRecord.objects.filter(creator=creator, revoked_at__isnull=True).update(
            revoked_at=now
        )
    identity = EnrolledIdentity(
        creator=creator,
        embedding=np.asarray(analysis.face.embedding, dtype=float).tolist(),
        face_backend=face_backend().name,
    )
    identity.selfie.save("selfie" + checked.extension, ContentFile(checked.data), save=False)
    identity.save()
    audit_record(
        "identity.enrolled",
        actor=creator,
        subject=identity,
        details={"backend": identity.face_backend},
    )
    return identity


def _recording_checks(
    path: Path, identity: EnrolledIdentity, code: str, version: str
) -> tuple[dict, dict]:
    try:
        frames = list(iter_video_frames(path, max_frames=250))
    except MediaError as error:
        raise InputRefused(f"The consent recording could not be read: {error.message}") from error
    if not frames:
        raise InputRefused(
            "The consent recording has no video frames. Please record again with your camera on."
        )
    step = max(1, len(frames) // RECORDING_FRAMES_TO_CHECK)
    sample = frames[::step][:RECORDING_FRAMES_TO_CHECK]
    face_report = faces_match_across_frames(
        np.asarray(identity.embedding),
        sample,
        backend=face_backend(),
        thresholds=identity_thresholds(),
    )
    face_dict = {
        "decision": face_report.decision,
        "matched": face_report.matched,
        "frames_checked": face_report.frames_checked,
        "frames_matched": face_report.accepted_frames,
        "distances": [None if d is None else round(float(d), 4) for d in face_report.distances],
        "explanation": face_report.explanation,
    }
    if not face_report.matched:
        raise InputRefused(f"{face_report.explanation} Please record again, facing the camera.")
    try:
        audio = decode_audio(path)
        transcript = transcribe(audio.samples, lead_in=spoken_lead_in(version))
        spoken = code_spoken(transcript, code).to_dict()
        spoken["transcript"] = transcript
        spoken["sentence"] = spoken_sentence(code, version)
    except MediaError:
        spoken = {
            "matched": False,
            "transcript": "",
            "note": "The recording has no readable audio.",
        }
    return face_dict, spoken


def consent_grant(
    *,
    creator,
    signature_name: str,
    one_time_code: str,
    recording: Upload,
    ip_address: str | None = None,
    user_agent: str = "",
    statement_version: str = CURRENT_VERSION,
) -> ConsentRecord:
    """Record consent with its evidence. The recording must show the enrolled face."""
    identity = EnrolledIdentity.objects.filter(creator=creator).first()
    if identity is None:
        raise NotAllowed("Enrol your face with a selfie before giving consent.")
    if not signature_name.strip():
        raise InputRefused("Type your full name as your signature.")
    size = upload_size(recording)
    if not size:
        raise InputRefused("The consent recording is empty. Please record again.")
    if size > MAX_RECORDING_BYTES:
        raise InputRefused("The consent recording is too large; keep it under a minute.")
    data = b"".join(upload_chunks(recording))

    with tempfile.TemporaryDirectory(prefix="signet-consent-") as folder:
        path = Path(folder) / "recording.webm"
        path.write_bytes(data)
        face_report, spoken_report = _recording_checks(
            path, identity, one_time_code, statement_version
        )

    text = consent_statement(signature_name.strip(), statement_version)
    now = timezone.now()
    with transaction.atomic():
        record = ConsentRecord(
            creator=creator,
            statement_version=statement_version,
            statement_text=text,
            statement_sha256=statement_sha256(text),
            signature_name=signature_name.strip()[:200],
            one_time_code=one_time_code,
            recording_face_check=face_report,
            spoken_code_check=spoken_report,
            ip_address=ip_address,
            user_agent=user_agent[:1000],
            granted_at=now,
            expires_at=default_expiry(now),
        )
        suffix = ".mp4" if data[4:8] == b"ftyp" else ".webm"
        record.recording.save("recording" + suffix, ContentFile(data), save=False)
        record.save()
        audit_record(
            "consent.granted",
            actor=creator,
            subject=record,
            details={
                "statement_version": statement_version,
                "statement_sha256": record.statement_sha256,
                "face_frames_matched": face_report.get("frames_matched"),
                "code_heard": spoken_report.get("matched"),
            },
        )
    return record


@transaction.atomic
def consent_revoke(*, creator) -> int:
    """Revoke every active consent at once: queued and held jobs are cancelled, outputs revoked."""
    from studio.services.jobs import creator_jobs_stop
    from studio.services.outputs import outputs_revoke_for_creator

    now = timezone.now()
    revoked = ConsentRecord.objects.filter(creator=creator, revoked_at__isnull=True).update(
        revoked_at=now
    )
    audit_record("consent.revoked", actor=creator, subject=creator, details={"records": revoked})
    creator_jobs_stop(creator=creator, actor=creator, reason="Consent was revoked.")
    outputs_revoke_for_creator(creator=creator, reason="consent_revoked")
    return revoked
