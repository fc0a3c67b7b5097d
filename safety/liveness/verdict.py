"""From measurements to a verdict: granted automatically, held for a moderator, or refused.

Refused: what a live person in front of a camera cannot produce by accident (a Signet
watermark, frames seen before, a loop, no face or someone else's, no voice, a face that never
moves non-rigidly, none of the asked actions, lips that ignore the voice). Held: what an honest
person can get wrong (an action missed, the code misheard, a grey-zone score). Granted: all
checks passed. Every outcome carries reason codes; the studio words them for people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .avsync import av_sync
from .challenge import OPEN_MOUTH, Challenge
from .fingerprint import LOOP_SHARE, REPLAY_SHARE, looped, near_duplicate
from .signals import FaceTrack, mouth_opening, non_rigid_motion
from .steps import check_steps

GRANTED, HELD, REFUSED = "granted", "held", "refused"

# Share of frames that must show a face.
MIN_FACE_SHARE = 0.7
# 90th percentile of non-rigid motion (share of eye distance). Calibrated on dlib landmarks:
# still, shifted and zoomed photos of the 12 shared face photos stay below 0.025 (detector
# jitter); the synthetic genuine-like recordings (blinks, speech, turns) reach 0.06-0.15.
MOTION_MIN = 0.035
# Mouth/voice correlation at the best lag: at or above AV_AUTO passes, below AV_REFUSE refuses,
# in between is held. Synthetic genuine-like recordings measure 0.5-0.8; a still photo with a
# voice ~0 (its mouth does not move); real speakers on webcams are reported at 0.3-0.6, so the
# automatic bar is kept low and the grey zone goes to a person.
AV_AUTO = 0.3
AV_REFUSE = 0.1
# Seconds of voice needed: the sentence with a six-digit code takes 3-5 s to say.
MIN_VOICED_SECONDS = 1.5


@dataclass(frozen=True)
class LivenessVerdict:
    outcome: str
    reasons: tuple[str, ...]
    report: dict[str, Any] = field(default_factory=dict)


def judge_recording(
    *,
    track: FaceTrack,
    challenge: Challenge,
    samples: np.ndarray,
    rate: int,
    hashes: np.ndarray,
    earlier: Iterable[tuple[str, np.ndarray]] = (),
    code_heard: bool,
    face_decision: str,
    watermark_found: bool = False,
) -> LivenessVerdict:
    """`face_decision`: "accepted", "review" or "refused" from the identity match of the
    recording's face against the enrolled one; `earlier`: (label, frame hashes) of consent
    recordings already on file; `code_heard`: the issued code was recognised in the sound."""
    refuse: list[str] = []
    hold: list[str] = []
    report: dict[str, Any] = {"frames": len(track.times)}

    if watermark_found:
        refuse.append("signet_watermark")
    replay = max(((near_duplicate(hashes, old), label) for label, old in earlier), default=None)
    report["duplicate"] = {
        "best_share": round(replay[0], 3) if replay else 0.0,
        "of": replay[1] if replay and replay[0] >= REPLAY_SHARE else None,
    }
    if replay and replay[0] >= REPLAY_SHARE:
        refuse.append("replayed")
    loop_share, loop_lag = looped(hashes, track.times)
    report["loop"] = {"share": round(loop_share, 3), "lag": round(loop_lag, 2)}
    if loop_share >= LOOP_SHARE:
        refuse.append("looped")

    found = track.found
    report["face_share"] = round(float(found.mean()) if len(found) else 0.0, 3)
    if not len(found) or found.mean() < MIN_FACE_SHARE:
        refuse.append("no_face")
    report["face_decision"] = face_decision
    if face_decision == "refused":
        refuse.append("face_mismatch")
    elif face_decision != "accepted":
        hold.append("face_grey_zone")

    motion = non_rigid_motion(track.landmarks)
    motion_p90 = float(np.nanpercentile(motion, 90)) if np.isfinite(motion).any() else 0.0
    report["motion"] = round(motion_p90, 4)
    steps = check_steps(track, challenge)
    report["steps"] = [step.to_dict() for step in steps]
    passed = sum(step.passed for step in steps)
    if motion_p90 < MOTION_MIN:
        refuse.append("no_face_motion")
    if passed == 0:
        refuse.append("steps_missed")
    elif passed < len(steps):
        hold.append("steps_partly_missed")

    mouth = np.full(len(track.times), np.nan)
    if found.any():
        mouth[found] = mouth_opening(track.landmarks[found])
    use = np.ones(len(track.times), dtype=bool)
    for step in challenge.steps:
        if step.action == OPEN_MOUTH:
            use &= ~((track.times >= step.reveal_at) & (track.times < step.ends_at))
    sync = av_sync(track.times, mouth, samples, rate, use=use)
    report["av_sync"] = sync.to_dict()
    if sync.voiced_seconds < MIN_VOICED_SECONDS:
        refuse.append("no_voice")
    elif sync.correlation < AV_REFUSE:
        refuse.append("lips_not_in_sync")
    elif sync.correlation < AV_AUTO:
        hold.append("lips_sync_grey_zone")

    report["code_heard"] = code_heard
    if not code_heard:
        hold.append("code_not_heard")

    if refuse:
        return LivenessVerdict(REFUSED, tuple(refuse + hold), report)
    if hold:
        return LivenessVerdict(HELD, tuple(hold), report)
    return LivenessVerdict(GRANTED, (), report)
