"""The default CPU renderer: a classical landmark-driven talking portrait.

The mouth takes the shape of the phones heard in the audio (generation.speech: pocketsphinx's
phonetic decoder -> visemes blended across neighbours), opened as far as the voice is loud;
it shuts on p/b/m (and on every closure the audio shows), rounds on oo/oh/w, spreads on ee.
Eyes blink every 2-6 s; the head turns (yaw, pitch over a generic face depth), rolls a little
and nods on stressed syllables. Only the face moves, inside its own outline: the photo is
warped in place from the 68 landmarks given with the request (never re-detected per frame),
so the background, hair and shoulders stay still.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from generation.audio_features import DEFAULT_LEAD_SECONDS, LipSound, extract_features
from generation.renderers.base import RenderRequest, crop_portrait, frame_count_for
from generation.renderers.ordered_threads import ordered_map
from generation.renderers.talking.face_animator import FaceAnimator, FramePose
from generation.renderers.talking.motion import MotionTrack, plan_motion
from generation.speech import Phone, recognise_phones, viseme_track


class AnimatorRenderer:
    name = "animator"
    version = "2"

    def __init__(
        self,
        *,
        expressiveness: float = 1.0,
        head_motion: float = 1.0,
        blinks: bool = True,
        threads: int = 1,
    ) -> None:
        self.expressiveness = expressiveness
        self.head_motion = head_motion
        self.blinks = blinks
        # Frames rendered at once (each frame depends only on its pose, so the output is the
        # same for any count): a worker running one job at a time gives it its cores.
        self.threads = max(1, threads)

    def frame_count(self, request: RenderRequest) -> int:
        return frame_count_for(request.audio, request.fps)

    def motion(self, request: RenderRequest) -> MotionTrack:
        """The per-frame plan (mouth opening, width, blinks, head motion) for this request."""
        count = self.frame_count(request)
        audio = request.audio
        lips = LipSound.of(audio)
        features = extract_features(audio, fps=request.fps, frame_count=count, lips=lips)
        phones = confirmed_bilabials(recognise_phones(audio.samples, audio.sample_rate), lips)
        visemes = viseme_track(
            phones, fps=request.fps,
            frame_count=count, lead_seconds=DEFAULT_LEAD_SECONDS,
            closures=lips.closure_spans(), bursts=lips.burst_releases(),
        )
        return plan_motion(
            features,
            visemes,
            seed=request.seed,
            expressiveness=self.expressiveness,
            head_motion=self.head_motion,
            blinks=self.blinks,
        )

    def frames(self, request: RenderRequest) -> Iterator[np.ndarray]:
        if request.landmarks is None:
            raise ValueError("The animator needs the portrait's 68 face landmarks.")
        crop = crop_portrait(request.portrait_rgb, request.landmarks, request.size)
        assert crop.landmarks is not None
        animator = FaceAnimator(crop.image, crop.landmarks)
        track = self.motion(request)
        poses = (pose_at(track, index) for index in range(len(track)))
        yield from ordered_map(animator.render, poses, threads=self.threads)


# The recogniser's p, b and m are kept only where the sound agrees the lips were shut;
# otherwise it heard the right manner at the wrong place (an n for an m, a d for a b), and
# a shut mouth there would be a visible mistake.
_NOT_LABIAL = {"P": "T", "B": "D", "M": "N"}


def confirmed_bilabials(phones: tuple[Phone, ...], lips: LipSound) -> tuple[Phone, ...]:
    labial = [p for p in phones if p.label in _NOT_LABIAL]
    verdicts = dict(zip(labial, lips.labial([(p.start, p.end) for p in labial]), strict=True))
    return tuple(
        p if verdicts.get(p, True) else Phone(_NOT_LABIAL[p.label], p.start, p.end)
        for p in phones
    )


def pose_at(track: MotionTrack, index: int) -> FramePose:
    return FramePose(
        mouth_open=float(track.mouth_open[index]),
        mouth_width=float(track.mouth_width[index]),
        blink=float(track.blink[index]),
        head_roll=float(track.head_roll[index]),
        head_shift=(float(track.head_shift[index, 0]), float(track.head_shift[index, 1])),
        head_nod=float(track.head_nod[index]),
        head_yaw=float(track.head_yaw[index]),
        head_pitch=float(track.head_pitch[index]),
        tongue=float(track.tongue[index]),
        brow_lift=float(track.brow_lift[index]),
        gaze=(float(track.gaze[index, 0]), float(track.gaze[index, 1])),
    )
