"""Checking a live consent recording with the studio's settings, and wording the verdict.

safety.liveness.assess does the measuring (framework-free); this module hands it the
challenge, the enrolled face, the watermark key and the recordings already on file, and turns
reason codes into sentences. Nothing is written here: studio.services.consent records it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from safety.consent import spoken_lead_in, spoken_sentence
from safety.liveness import Challenge
from safety.liveness.assess import Assessment, NotLive, assess_recording
from safety.liveness.fingerprint import from_hex
from safety.liveness.verdict import GRANTED, HELD, REFUSED, LivenessVerdict
from studio.face_backend import face_backend, identity_thresholds
from studio.models import ConsentChallenge, ConsentRecord, EnrolledIdentity


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
        "steps_missed": _("None of the actions we asked for was seen at the moment it was asked."),
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


def check_evidence(
    *,
    path: Path,
    challenge: ConsentChallenge,
    identity: EnrolledIdentity,
    elapsed_seconds: float,
    statement_version: str,
) -> Assessment:
    """Assess the recording against the challenge with the studio's face backend, thresholds,
    watermark key and the recordings on file. Raises NotLive or MediaError."""
    from studio.provenance_config import watermark_codec

    language = challenge.language
    earlier = ConsentRecord.objects.exclude(frame_hashes=[]).values_list(
        "public_id", "recording_sha256", "frame_hashes"
    )
    return assess_recording(
        path,
        challenge=Challenge.from_list(challenge.steps, challenge.seconds),
        code=challenge.code,
        language=language,
        lead_in=spoken_lead_in(statement_version, language),
        sentence=spoken_sentence(challenge.code, statement_version, language),
        reference_embedding=np.asarray(identity.embedding),
        backend=face_backend(),
        thresholds=identity_thresholds(),
        codec=watermark_codec(),
        earlier=((str(pid), digest, from_hex(old)) for pid, digest, old in earlier),
        elapsed_seconds=elapsed_seconds,
    )


__all__ = ["GRANTED", "HELD", "REFUSED", "Assessment", "NotLive", "check_evidence"]
