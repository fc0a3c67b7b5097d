"""The liveness challenge: which actions, revealed when, and how long the recording runs.

The server draws the challenge and keeps it; the page only shows each action at its moment.
Times are seconds from the start of the recording (MediaRecorder's first frame).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

TURN_LEFT = "turn_left"
TURN_RIGHT = "turn_right"
LOOK_UP = "look_up"
BLINK_TWICE = "blink_twice"
OPEN_MOUTH = "open_mouth"
ACTIONS = (TURN_LEFT, TURN_RIGHT, LOOK_UP, BLINK_TWICE, OPEN_MOUTH)

# Each action must be seen within this many seconds of its prompt appearing: enough for a
# person to read one word and move (reaction ~0.5 s, a head turn ~0.5 s), too short to hunt
# through a pre-recorded clip for a matching moment.
STEP_WINDOW = 3.0
# The first prompt comes after the camera has settled and the face has been seen neutral.
FIRST_REVEAL = (1.2, 2.2)
# Gap between one prompt and the next (the previous window is over before the next prompt).
REVEAL_GAP = (STEP_WINDOW + 0.3, STEP_WINDOW + 1.1)
RECORDING_SECONDS = 14.0
# From issuing the challenge to sending the recording: reading the statement, a 14 s recording
# and the upload; a code older than this may have been seen by someone else.
CHALLENGE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class ChallengeStep:
    action: str
    reveal_at: float
    window: float = STEP_WINDOW

    @property
    def ends_at(self) -> float:
        return self.reveal_at + self.window

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "reveal_at": self.reveal_at, "window": self.window}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChallengeStep:
        return cls(str(data["action"]), float(data["reveal_at"]), float(data["window"]))


@dataclass(frozen=True)
class Challenge:
    steps: tuple[ChallengeStep, ...]
    seconds: float = RECORDING_SECONDS

    def to_list(self) -> list[dict[str, Any]]:
        return [step.to_dict() for step in self.steps]

    @classmethod
    def from_list(cls, steps: list[dict[str, Any]], seconds: float = RECORDING_SECONDS):
        return cls(tuple(ChallengeStep.from_dict(step) for step in steps), seconds)


def new_challenge(rng: random.Random | None = None, *, count: int | None = None) -> Challenge:
    """Two or three different actions at random moments. Pass a seeded `random.Random` for a
    reproducible challenge (tests, the bench); the default draws from the OS's secure source.
    Left and right turns never both appear (one turn is enough; two confuse people)."""
    rng = rng or random.SystemRandom()
    count = count if count is not None else rng.choice((2, 3))
    actions: list[str] = []
    pool = list(ACTIONS)
    while len(actions) < count:
        action = rng.choice(pool)
        pool.remove(action)
        if action in (TURN_LEFT, TURN_RIGHT):
            pool = [a for a in pool if a not in (TURN_LEFT, TURN_RIGHT)]
        actions.append(action)
    steps = []
    at = rng.uniform(*FIRST_REVEAL)
    for action in actions:
        steps.append(ChallengeStep(action, round(at, 2)))
        at += rng.uniform(*REVEAL_GAP)
    seconds = max(RECORDING_SECONDS, round(steps[-1].ends_at + 0.5, 1))
    return Challenge(tuple(steps), seconds)
