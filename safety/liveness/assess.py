"""One consent recording, assessed end to end (framework-free): is it a live capture of the
challenge, whose face, what was said, a Signet output, seen before? The studio's service and
bench/consent_liveness.py both call `assess_recording`, so the bench measures what runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from generation.media.audio import decode_audio
from generation.media.errors import MediaError
from safety.faces import faces_match_across_frames
from safety.speech import code_spoken, transcribe, trim_silence
from safety.watermark import WatermarkCodec, WatermarkReadError, read_watermark_from_file

from .challenge import Challenge
from .fingerprint import frame_hash, to_hex
from .recording import ANALYSIS_FPS, read_recording
from .signals import FaceTrack
from .verdict import REFUSED, LivenessVerdict, judge_recording

FACE_MATCH_FRAMES = 5
# A live recording lasts as long as the challenge asked, give or take the browser's start and
# stop latency; one much shorter or longer was not made on the page.
DURATION_SLACK = 1.5
# MediaRecorder writes WebM (Matroska); phones' and editors' files are MP4/MOV.
LIVE_CONTAINERS = ("matroska", "webm")


class NotLive(Exception):
    """The file was not made live on the page (wrong container, wrong length, too early)."""


@dataclass(frozen=True)
class Assessment:
    verdict: LivenessVerdict
    face_report: dict
    spoken_report: dict
    sha256: str
    frame_hashes: list[str]

    @property
    def outcome(self) -> str:
        return self.verdict.outcome


def assess_recording(
    path: Path,
    *,
    challenge: Challenge,
    code: str,
    language: str,
    lead_in: str,
    sentence: str,
    reference_embedding: np.ndarray,
    backend,
    thresholds,
    codec: WatermarkCodec | None,
    earlier: Iterable[tuple[str, str, np.ndarray]] = (),
    elapsed_seconds: float,
) -> Assessment:
    """`earlier`: (label, sha256, frame hashes) of recordings on file. Raises NotLive or
    MediaError (unreadable file)."""
    data = Path(path).read_bytes()
    try:
        recording = read_recording(path)
    except (av.error.FFmpegError, OSError, ValueError) as error:
        raise MediaError("The file is not a video this page recorded.") from error
    frames, duration = recording.frames, recording.duration
    if not any(name in recording.container for name in LIVE_CONTAINERS):
        raise NotLive(f"container {recording.container}")
    if not frames:
        raise MediaError("The recording has no video frames.")
    if abs(duration - challenge.seconds) > DURATION_SLACK + 1.0 / ANALYSIS_FPS:
        raise NotLive(f"lasts {duration:.1f} s, the challenge asked for {challenge.seconds} s")
    if elapsed_seconds + DURATION_SLACK < duration:
        raise NotLive(f"{duration:.1f} s of video arrived {elapsed_seconds:.1f} s after the start")

    track = FaceTrack.from_frames(
        frames, backend.detect, getattr(backend, "landmarks_in_box", None)
    )
    full = recording.full_size
    face = faces_match_across_frames(
        np.asarray(reference_embedding),
        full[:: max(1, len(full) // FACE_MATCH_FRAMES)][:FACE_MATCH_FRAMES],
        backend=backend,
        thresholds=thresholds,
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
    voiced = trim_silence(samples)
    transcript = (
        transcribe(voiced, lead_in=lead_in, language=language, code=code) if len(voiced) else ""
    )
    spoken = code_spoken(transcript, code, language).to_dict()
    spoken |= {"transcript": transcript, "sentence": sentence, "language": language}

    watermark_found = False
    if codec is not None:
        try:
            watermark_found = read_watermark_from_file(path, codec).found
        except WatermarkReadError:
            watermark_found = False

    sha256 = hashlib.sha256(data).hexdigest()
    hashes = np.stack([frame_hash(rgb) for _, rgb in frames])
    earlier = list(earlier)
    same_bytes = [label for label, digest, _ in earlier if digest == sha256]
    verdict = judge_recording(
        track=track,
        challenge=challenge,
        samples=samples,
        rate=16_000,
        hashes=hashes,
        earlier=((label, old) for label, _, old in earlier),
        code_heard=bool(spoken["matched"]),
        face_decision=face.decision,
        watermark_found=watermark_found,
    )
    if same_bytes and "replayed" not in verdict.reasons:
        verdict = LivenessVerdict(REFUSED, ("replayed", *verdict.reasons), verdict.report)
    verdict.report.update(
        face_distances=face_report["distances"],
        watermark_found=watermark_found,
        transcript=transcript,
        same_bytes_as=same_bytes,
    )
    return Assessment(verdict, face_report, spoken, sha256, to_hex(hashes))
