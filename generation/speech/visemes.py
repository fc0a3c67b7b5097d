"""From timed phones to per-video-frame mouth shapes, with coarticulation.

Each phone maps to a viseme: a target for the lips' opening, width and protrusion, plus flags
for a bilabial press (p, b, m) and the lower lip on the upper teeth (f, v), and how much tongue
shows. Neighbouring phones blend by dominance (Cohen & Massaro 1993): every phone has a weight
that is flat over its own span and falls off exponentially outside it; a parameter at time t is
the dominance-weighted mean of the phones' targets. Bilabials shut the lips outright over
their whole span (a hard constraint, not a blend) and part them on the next vowel's onset, while
lip rounding spreads far ahead (the lips round during the "t" of "two"). Consonants made inside
the mouth (k, g, h) barely dominate: the lips keep the neighbouring vowels' shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generation.speech.phones import Phone

STEP_SECONDS = 0.005


@dataclass(frozen=True)
class Viseme:
    name: str
    opening: float  # lips' opening at full voice, 0 shut .. 1 a wide "ah"
    width: float  # mouth width relative to the photo's (< 1 rounded, > 1 spread)
    protrusion: float = 0.0  # lips pushed forward (rounded vowels, sh)
    press: float = 0.0  # 1: lips shut and pressed (p, b, m)
    labiodental: float = 0.0  # 1: lower lip tucked under the upper teeth (f, v)
    tongue: float = 0.0  # 1: tongue tip shows (th, l)
    dominance: float = 1.0  # weight in the blend
    reach: float = 0.06  # seconds: how far the dominance carries outside the phone


REST = Viseme("rest", 0.0, 1.0, dominance=0.25, reach=0.05)
_VISEMES = {
    "bilabial": Viseme("bilabial", 0.0, 0.98, press=1.0, dominance=5.0, reach=0.02),
    "labiodental": Viseme("labiodental", 0.06, 1.0, labiodental=1.0, dominance=8.0,
                          reach=0.025),
    "dental": Viseme("dental", 0.3, 1.02, tongue=1.0, dominance=2.0, reach=0.04),
    "alveolar": Viseme("alveolar", 0.4, 1.03, dominance=1.0, reach=0.04),
    "sibilant": Viseme("sibilant", 0.25, 1.04, dominance=2.5, reach=0.04),
    "postalveolar": Viseme("postalveolar", 0.16, 0.8, protrusion=0.6, dominance=2.5,
                           reach=0.05),
    "lateral": Viseme("lateral", 0.45, 1.02, tongue=0.7, dominance=1.0, reach=0.04),
    "velar": Viseme("velar", 0.5, 1.0, dominance=0.3, reach=0.03),
    "glide_w": Viseme("glide_w", 0.1, 0.62, protrusion=1.0, dominance=4.0, reach=0.09),
    "glide_r": Viseme("glide_r", 0.3, 0.8, protrusion=0.5, dominance=1.5, reach=0.06),
    "glide_y": Viseme("glide_y", 0.16, 1.1, dominance=1.5, reach=0.05),
    "open": Viseme("open", 1.0, 1.0, dominance=1.2, reach=0.06),
    "mid_open": Viseme("mid_open", 0.72, 1.02, dominance=1.2, reach=0.06),
    # Spread up to 1.3 x: dlib reads about half of a commanded change of width at the
    # corners, and at 1.2 x rounded/spread stayed 0.80-0.86 on the four shared photos
    # (bench/lipsync_quality.py; 0.77-0.83 at 1.3 x, identity at worst 0.43 either way).
    # An ee's jaw is nearly shut: the plan lifts every opening towards the loudness, and
    # at 0.45 (0.62 for the mid ones) an ee came out 0.81 of an ah at full voice, dlib
    # reading an ah only 1.05-1.32 x as open (1.16-1.43 now; correlation min 0.743 -> 0.72).
    "spread": Viseme("spread", 0.22, 1.3, dominance=1.5, reach=0.07),
    "mid_spread": Viseme("mid_spread", 0.5, 1.2, dominance=1.3, reach=0.06),
    "rounded": Viseme("rounded", 0.42, 0.64, protrusion=1.0, dominance=2.0, reach=0.12),
    "mid_rounded": Viseme("mid_rounded", 0.55, 0.72, protrusion=0.8, dominance=1.8,
                          reach=0.11),
    "open_rounded": Viseme("open_rounded", 0.7, 0.82, protrusion=0.5, dominance=1.5,
                           reach=0.09),
}
# ARPAbet (pocketsphinx en-us) -> viseme. Diphthongs take their first, longer part.
PHONE_VISEMES = {
    "P": "bilabial", "B": "bilabial", "M": "bilabial",
    "F": "labiodental", "V": "labiodental",
    "TH": "dental", "DH": "dental",
    "T": "alveolar", "D": "alveolar", "N": "alveolar",
    "S": "sibilant", "Z": "sibilant",
    "SH": "postalveolar", "ZH": "postalveolar", "CH": "postalveolar", "JH": "postalveolar",
    "L": "lateral",
    "K": "velar", "G": "velar", "NG": "velar", "HH": "velar",
    "W": "glide_w", "R": "glide_r", "ER": "glide_r", "Y": "glide_y",
    "AA": "open", "AY": "open", "AW": "open",
    "AH": "mid_open", "AE": "mid_open",
    "IY": "spread", "IH": "mid_spread", "EY": "mid_spread", "EH": "mid_spread",
    "UW": "rounded", "UH": "mid_rounded", "OW": "mid_rounded", "OY": "open_rounded",
    "AO": "open_rounded",
}


CLOSURE = "CLOSURE"  # an acoustically detected closure, shown as a bilabial
# The lips meet this long before a detected closure's sound starts (a hum fades in over
# ~15 ms; the lips close before the murmur sounds) and part where it ends: held on past the
# end, they stayed shut on the first loud frame of the vowel (on espeak-ng speech: mouth/
# loudness correlation of the worst clip 0.72 with 10 ms more at the end, 0.75 without).
CLOSURE_LEAD = 0.02
# A hum may run into the sounds around it (the n before an m): the lips shut for its last
# CLOSURE_MAX seconds at most. (A hush before a burst is cut shorter where it is found:
# audio_features.BURST_CLOSURE_MAX_STEPS.)
CLOSURE_MAX = 0.08
RELEASE_SECONDS = 0.08


def viseme_for(label: str) -> Viseme:
    name = "bilabial" if label == CLOSURE else PHONE_VISEMES.get(label.upper())
    return _VISEMES[name] if name else REST


@dataclass(frozen=True, eq=False)
class VisemeTrack:
    """Per video frame. ``opening`` is the shape's opening before the voice's loudness scales
    it; ``press`` is 1 on frames that must show the lips shut (any part of a bilabial)."""

    opening: np.ndarray
    width: np.ndarray
    protrusion: np.ndarray
    press: np.ndarray
    labiodental: np.ndarray
    tongue: np.ndarray
    unlabelled: np.ndarray  # 0..1: share of the blend that came from "silence" phones
    release: np.ndarray  # 1 on the frames where shut lips burst open (a p or b released)

    def __len__(self) -> int:
        return len(self.opening)


def viseme_track(phones: tuple[Phone, ...] | list[Phone], *, fps: int, frame_count: int,
                 lead_seconds: float = 0.0,
                 closures: tuple[tuple[float, float], ...] | list = (),
                 bursts: tuple[float, ...] | list = ()) -> VisemeTrack:
    """``closures``: (start, end) seconds where the audio shows the vocal tract shut (a stop's
    hush, a hum); the lips close there too, whatever phone the recogniser heard. ``bursts``:
    seconds where the audio shows shut lips bursting open; the recogniser's p and b end in
    one as well."""
    duration = frame_count / fps + lead_seconds + 0.2
    times = np.arange(0.0, duration, STEP_SECONDS) + STEP_SECONDS / 2
    phones = list(phones) or [Phone("SIL", 0.0, duration)]
    phones += [Phone(CLOSURE, max(start, end - CLOSURE_MAX) - CLOSURE_LEAD, end)
               for start, end in closures]
    visemes = [viseme_for(p.label) for p in phones]
    weight_sum = np.full(len(times), 1e-6)
    # A tiny floor of "rest" keeps the blend defined far from every phone.
    sums = {key: 1e-6 * getattr(REST, key) for key in _BLENDED}
    rounding_weight = np.full(len(times), 1e-6)
    rounding_sum = 1e-6 * np.full(len(times), REST.width)
    protrusion_sum = np.zeros(len(times))
    rest_sum = np.zeros(len(times))
    for phone, viseme in zip(phones, visemes, strict=True):
        outside = np.maximum(np.maximum(phone.start - times, times - phone.end), 0.0)
        weight = viseme.dominance * np.exp(-outside / viseme.reach)
        weight_sum += weight
        if viseme is REST:
            rest_sum += weight
        for key in _BLENDED:
            sums[key] = sums[key] + weight * getattr(viseme, key)
        # Lip rounding carries further than the jaw's opening (anticipatory rounding).
        round_weight = _rounding_dominance(viseme) * np.exp(-outside / max(viseme.reach, 0.1))
        rounding_weight += round_weight
        rounding_sum += round_weight * viseme.width
        protrusion_sum += round_weight * viseme.protrusion
    blended = {key: sums[key] / weight_sum for key in _BLENDED}
    width = rounding_sum / rounding_weight
    protrusion = protrusion_sum / rounding_weight

    # The press is a hard fact of each bilabial: 1 over its whole span, a frame either side
    # easing in/out, so closing and opening take at least one frame.
    press_steps = np.zeros(len(times))
    for phone, viseme in zip(phones, visemes, strict=True):
        if viseme.press > 0:
            inside = (times >= phone.start) & (times < phone.end)
            press_steps[inside] = 1.0
    opening = blended["opening"] * (1.0 - press_steps)

    def per_frame(values: np.ndarray, reduce, lead: float) -> np.ndarray:
        out = np.zeros(frame_count, dtype=np.float32)
        for frame in range(frame_count):
            first = int(np.floor((frame / fps + lead) / STEP_SECONDS))
            last = max(first + 1, int(np.ceil(((frame + 1) / fps + lead) / STEP_SECONDS)))
            chunk = values[max(0, first):min(len(values), last)]
            if len(chunk):
                out[frame] = float(reduce(chunk))
        return out

    # A frame shows the lips shut when a bilabial covers its middle or most of it.
    press = per_frame(press_steps, np.mean, 0.0)
    middles = np.clip(((np.arange(frame_count) + 0.5) / fps / STEP_SECONDS).astype(int), 0,
                      len(press_steps) - 1)
    press = np.where((press >= 0.5) | (press_steps[middles] > 0), 1.0, press).astype(np.float32)
    # The lips burst open at a p or b: the frames in the RELEASE_SECONDS after it may open
    # fast (the jaw is already on its way to the vowel while they are shut).
    release = np.zeros(frame_count, dtype=np.float32)
    burst_times = list(bursts) + [p.end for p in phones if p.label.upper() in ("P", "B")]
    for burst in burst_times:
        first = max(0, int(np.floor(burst * fps)))
        last = min(frame_count, int(np.ceil((burst + RELEASE_SECONDS) * fps)))
        release[first:last] = 1.0
    return VisemeTrack(
        opening=per_frame(opening, np.mean, lead_seconds) * (1.0 - press),
        width=per_frame(width, np.mean, lead_seconds),
        protrusion=per_frame(protrusion, np.mean, lead_seconds),
        press=press,
        labiodental=per_frame(blended["labiodental"], np.mean, lead_seconds),
        tongue=per_frame(blended["tongue"], np.mean, lead_seconds),
        unlabelled=per_frame(rest_sum / weight_sum, np.mean, lead_seconds),
        release=release,
    )


_BLENDED = ("opening", "labiodental", "tongue")


def _rounding_dominance(viseme: Viseme) -> float:
    """Rounded and spread shapes dominate the lips' width; consonants made with the tongue
    take it from the vowels around them."""
    if viseme.protrusion > 0 or viseme.width > 1.05:
        return 2.0 * viseme.dominance
    if viseme.name in ("bilabial", "labiodental", "velar", "alveolar", "lateral", "dental"):
        return 0.15
    return 0.6 * viseme.dominance
