"""Liveness of a consent recording, free of any framework.

A consent recording is made in the browser inside a challenge the server issued
(`challenge.py`): a one-time code to read aloud and two or three actions revealed at random
moments. From the recording's frames and sound this package measures whether

- each action happened in its time window, in order (`signals.py` turns 68 face landmarks
  into head yaw/pitch, eye aspect ratio and mouth opening; `steps.py` checks the actions);
- the mouth moved with the voice (`avsync.py`: correlation of mouth opening with the
  loudness envelope, and its lag);
- the face moved the way a face moves, not the way a photo slides (`signals.non_rigid_motion`);
- the frames were seen before or loop (`fingerprint.py`: perceptual hashes);

and `verdict.py` folds the measurements into grant / hold for a moderator / refuse, with
reason codes that the studio turns into sentences. Nothing here reads a clock, a database or
settings; thresholds are constants with a note on how they were set.
"""

from .challenge import ACTIONS, Challenge, ChallengeStep, new_challenge
from .fingerprint import frame_hash, looped, near_duplicate
from .signals import FaceTrack
from .verdict import LivenessVerdict, judge_recording

__all__ = [
    "ACTIONS",
    "Challenge",
    "ChallengeStep",
    "FaceTrack",
    "LivenessVerdict",
    "frame_hash",
    "judge_recording",
    "looped",
    "near_duplicate",
    "new_challenge",
]
