"""Checking a live consent recording: decode it, measure liveness, hear the code, look for
Signet's watermark and earlier recordings, and word the verdict for the creator.

The measurements live in safety.liveness (framework-free); this module feeds it the frames,
the sound, the enrolled face and the recordings already on file, and turns reason codes into
sentences. Nothing is written here: studio.services.consent records the outcome.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
from django.utils.translation import gettext as _

from generation.media.audio import decode_audio
from generation.media.errors import MediaError
from safety.consent import spoken_lead_in, spoken_sentence
from safety.faces import faces_match_across_frames
from safety.liveness import Challenge, FaceTrack, frame_hash, judge_recording
from safety.liveness.fingerprint import from_hex, to_hex
from safety.liveness.verdict import GRANTED, HELD, REFUSED, LivenessVerdict
from safety.speech import code_spoken, transcribe, trim_silence
from safety.watermark import WatermarkReadError, read_watermark_from_file
from studio.face_backend import face_backend, identity_thresholds
from studio.models import ConsentChallenge, ConsentRecord, EnrolledIdentity

# Frames analysed per second and their longest side: blinks (100-400 ms) need ~15 fps; dlib
# finds a webcam face reliably at 320 px (at 240 px a synthetic blink was missed).
ANALYSIS_FPS = 15.0
ANALYSIS_SIDE = 320
FACE_MATCH_FRAMES = 5
# A live recording lasts as long as the challenge asked, give or take the browser's start
# and stop latency; one much shorter or longer was not made on the page.
DURATION_SLACK = 1.5
# MediaRecorder writes WebM (Matroska); phones' and editors' files are MP4/MOV.
LIVE_CONTAINERS = ("matroska", "webm")


def reason_messages() -> dict[str, str]:
    return {
        "signet_watermark": _(
            "This recording carries Signet's own watermark: it is a video Signet made, "
            "not you in front of your camera."
        ),
        "replayed": _("This recording was used before. Record a new one, live."),
        "looped": _("The recording repeats itself like a looped clip. Record yourself live."),
        "no_face": _(
            "Your face was not visible in most of the recording. Face the camera in good light."
        ),
        "face_mismatch": _(
            "The face in the recording is not the face you enrolled. Signet only animates "
            "your own face."
        ),
        "no_face_motion": _(
            "The face in the recording did not move like a live face (it looks like a photo)."
        ),
        "steps_missed": _(
            "None of the actions we asked for was seen at the moment it was asked."
        ),
        "no_voice": _("No voice was heard. Read the sentence aloud with your microphone on."),
        "lips_not_in_sync": _("Your lips did not move with the voice in the recording."),
        "steps_partly_missed": _("Not every action we asked for was seen in time."),
        "face_grey_zone": _("The face in the recording is close to, but not surely, yours."),
        "lips_sync_grey_zone": _("Your lips followed the voice only loosely."),
        "code_not_heard": _("Your one-time code was not recognised in what you said."),
    }


def verdict_message(verdict: LivenessVerdict) -> str:
    messages = reason_messages()
    said = " ".join(messages.get(code, code) for code in verdict.reasons)
    if verdict.outcome == REFUSED:
        return _("Your consent was not recorded. %(why)s Reload the page to try again.") % {
            "why": said
        }
    if verdict.outcome == HELD:
        return _(
            "Thank you. A moderator will look at your consent recording before you can make "
            "videos, because: %(why)s You will see the decision here; no video is made until "
            "then."
        ) % {"why": said}
    return _("Thank you: your consent is recorded. You can now make videos.")


@dataclass(frozen=True)
class EvidenceCheck:
    verdict: LivenessVerdict
    face_report: dict
    spoken_report: dict
    sha256: str
    frame_hashes: list[str]

    @property
    def outcome(self) -> str:
        return self.verdict.outcome


class NotLive(Exception):
    """The file was not made live on the page (wrong container, wrong length)."""


def _frames(path: Path) -> tuple[list[tuple[float, np.ndarray]], list[np.ndarray], float, str]:
    """Frames at <= ANALYSIS_FPS scaled to <= ANALYSIS_SIDE, one full-size frame a second
    (for the identity match, whose quality limits want a full-size face), the duration and
    the container's name."""
    frames: list[tuple[float, np.ndarray]] = []
    full_size: list[np.ndarray] = []
    with av.open(str(path)) as container:
        kind = container.format.name
        if not container.streams.video:
            raise MediaError("The file contains no video track.")
        stream = container.streams.video[0]
        next_at, last = 0.0, 0.0
        for frame in container.decode(stream):
            if frame.time is None:
                continue
            last = float(frame.time)
            if last + 1e-6 < next_at:
                continue
            next_at = last + 1.0 / ANALYSIS_FPS
            rgb = frame.to_ndarray(format="rgb24")
            if last >= len(full_size):
                full_size.append(rgb)
            scale = ANALYSIS_SIDE / max(rgb.shape[:2])
            if scale < 1.0:
                size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
                rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
            frames.append((last, np.ascontiguousarray(rgb)))
    return frames, full_size, last, kind


def check_evidence(
    *, path: Path, data: bytes, challenge: ConsentChallenge, identity: EnrolledIdentity,
    elapsed_seconds: float, statement_version: str,
) -> EvidenceCheck:
    """Measure the recording against the challenge. Raises NotLive or MediaError."""
    frames, full_size, duration, kind = _frames(path)
    if not any(name in kind for name in LIVE_CONTAINERS):
        raise NotLive(f"container {kind}")
    if not frames:
        raise MediaError("The recording has no video frames.")
    if abs(duration - challenge.seconds) > DURATION_SLACK + 1.0 / ANALYSIS_FPS:
        raise NotLive(f"lasts {duration:.1f} s, the challenge asked for {challenge.seconds} s")
    if elapsed_seconds + DURATION_SLACK < duration:
        raise NotLive(f"{duration:.1f} s of video arrived {elapsed_seconds:.1f} s after the start")

    backend = face_backend()
    track = FaceTrack.from_frames(
        frames, backend.detect, getattr(backend, "landmarks_in_box", None)
    )
    step = max(1, len(full_size) // FACE_MATCH_FRAMES)
    face = faces_match_across_frames(
        np.asarray(identity.embedding),
        full_size[::step][:FACE_MATCH_FRAMES],
        backend=backend,
        thresholds=identity_thresholds(),
    )
    face_report = {
        "decision": face.decision,
        "matched": face.matched,
        "frames_checked": face.frames_checked,
        "frames_matched": face.accepted_frames,
        "distances": [None if d is None else round(float(d), 4) for d in face.distances],
        "explanation": face.explanation,
    }

    try:
        samples = decode_audio(path).samples
    except MediaError:
        samples = np.zeros(0, dtype=np.float32)
    language = challenge.language
    transcript = (
        transcribe(
            trim_silence(samples),
            lead_in=spoken_lead_in(statement_version, language),
            language=language,
        )
        if len(samples)
        else ""
    )
    spoken = code_spoken(transcript, challenge.code, language).to_dict()
    spoken |= {
        "transcript": transcript,
        "sentence": spoken_sentence(challenge.code, statement_version, language),
        "language": language,
    }

    from studio.provenance_config import watermark_codec

    try:
        watermark_found = read_watermark_from_file(path, watermark_codec()).found
    except WatermarkReadError:
        watermark_found = False

    sha256 = hashlib.sha256(data).hexdigest()
    hashes = np.stack([frame_hash(rgb) for _, rgb in frames])
    earlier = ConsentRecord.objects.exclude(frame_hashes=[]).values_list(
        "public_id", "recording_sha256", "frame_hashes"
    )
    same_bytes = [str(pid) for pid, digest, _ in earlier if digest == sha256]
    verdict = judge_recording(
        track=track,
        challenge=Challenge.from_list(challenge.steps, challenge.seconds),
        samples=samples,
        rate=16_000,
        hashes=hashes,
        earlier=((str(pid), from_hex(old)) for pid, _, old in earlier),
        code_heard=bool(spoken["matched"]),
        face_decision=face.decision,
        watermark_found=watermark_found,
    )
    if same_bytes and "replayed" not in verdict.reasons:
        verdict = LivenessVerdict(REFUSED, ("replayed", *verdict.reasons), verdict.report)
    verdict.report["face_distances"] = face_report["distances"]
    verdict.report["watermark_found"] = watermark_found
    verdict.report["transcript"] = transcript
    verdict.report["same_bytes_as"] = same_bytes
    return EvidenceCheck(verdict, face_report, spoken, sha256, to_hex(hashes))


__all__ = ["GRANTED", "HELD", "REFUSED", "EvidenceCheck", "NotLive", "check_evidence"]
