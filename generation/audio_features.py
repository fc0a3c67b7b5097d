"""Per-video-frame audio features that drive a talking mouth: level, voicing, spectral shape,
lip-rounding and lip-closure cues, smoothed so the mouth moves without jitter.

Analysis runs on 10 ms steps (fine enough to see the 30-150 ms silences before a plosive),
then each video frame takes the mean (or, for closures, the max) of the steps it covers.

Voice activity is energy-based with an adaptive noise floor rather than silero-vad: silero is
trained to find *speech* and drops sung passages, it pulls in torch (the CPU render path does
not otherwise need it), and a mouth should move for any vocal sound loud enough to hear.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.linalg import solve_toeplitz
from scipy.ndimage import maximum_filter1d, minimum_filter1d
from scipy.signal import resample_poly

from generation.media.audio import DecodedAudio

STEP_SECONDS = 0.010
WINDOW_SAMPLES_AT_16K = 512  # 32 ms: resolves formants of voices up to ~250 Hz pitch
# Mouth shapes lead the sound they make; viewers also forgive video-ahead-of-audio far more
# than audio-ahead-of-video, so features are sampled this much later than each frame's time.
DEFAULT_LEAD_SECONDS = 0.03
_EPS = 1e-10
HUM_CLOSURE = 0.5


@dataclass(frozen=True, eq=False)
class AudioFeatures:
    """One value per video frame for each cue, all in [0, 1] unless stated."""

    fps: int
    loudness: np.ndarray  # level above the noise floor; 1 = the clip's loud voice
    voice: np.ndarray  # voice activity, smoothed (0 silence, 1 voice)
    centroid: np.ndarray  # spectral centroid (200-4000 Hz) / 4 kHz
    low_band: np.ndarray  # share of 200-4000 Hz energy below 1 kHz
    high_band: np.ndarray  # share of 200-8000 Hz energy above 3 kHz (fricatives: s, sh, f)
    roundness: np.ndarray  # rounded-vowel cue (oo, oh, aw): F1 and F2 both low
    spreadness: np.ndarray  # spread-vowel cue (ee, i, e): F2 high, F1 low
    openness: np.ndarray  # open unrounded vowel cue (ah, a): F1 high, F2 mid
    closure: np.ndarray  # lips-closed cue: 1 in the hush before a plosive burst (p, b, t...),
    # HUM_CLOSURE during a hum (m, but also n, l)
    voice_now: np.ndarray | None = None  # voice activity without the lead: 0 until the
    # sound itself starts (a p or b that opens an utterance keeps the lips shut until then)
    sounding: np.ndarray | None = None  # 1 where voice sounds within the frame's own time (no
    # lead, no smoothing): 0 once a note or an utterance has stopped, where the smoothed
    # cues still carry its 70-80 ms tail

    def __len__(self) -> int:
        return len(self.loudness)


def extract_features(
    audio: DecodedAudio,
    *,
    fps: int = 25,
    frame_count: int | None = None,
    lead_seconds: float = DEFAULT_LEAD_SECONDS,
    lips: LipSound | None = None,
) -> AudioFeatures:
    """Compute features for ``frame_count`` video frames (default: the audio's length).
    ``lips``, the clip's LipSound when the caller has it, saves analysing the sound twice."""
    if frame_count is None:
        frame_count = max(1, int(round(audio.duration_seconds * fps)))
    steps = _analyse_steps(lips if lips is not None else LipSound.of(audio))
    return AudioFeatures(
        fps=fps,
        loudness=_per_frame(steps.loudness, fps, frame_count, lead_seconds),
        voice=_per_frame(steps.voice, fps, frame_count, lead_seconds),
        centroid=_per_frame(steps.centroid, fps, frame_count, lead_seconds),
        low_band=_per_frame(steps.low_band, fps, frame_count, lead_seconds),
        high_band=_per_frame(steps.high_band, fps, frame_count, lead_seconds),
        roundness=_per_frame(steps.roundness, fps, frame_count, lead_seconds),
        spreadness=_per_frame(steps.spreadness, fps, frame_count, lead_seconds),
        openness=_per_frame(steps.openness, fps, frame_count, lead_seconds),
        closure=_per_frame(steps.closure, fps, frame_count, lead_seconds, reduce=np.max),
        voice_now=_per_frame(steps.voice, fps, frame_count, 0.0, reduce=np.min),
        sounding=_per_frame(steps.sounding, fps, frame_count, 0.0, reduce=np.max),
    )


@dataclass(frozen=True, eq=False)
class _Steps:
    loudness: np.ndarray
    voice: np.ndarray
    sounding: np.ndarray
    centroid: np.ndarray
    low_band: np.ndarray
    high_band: np.ndarray
    roundness: np.ndarray
    spreadness: np.ndarray
    openness: np.ndarray
    closure: np.ndarray


def _analyse_steps(lips: LipSound) -> _Steps:
    level_db, voiced, f1, f2 = lips.level_db, lips.voiced, lips.f1, lips.f2
    loudness = _smooth_attack_release(_normalised_level(level_db, voiced), attack=0.025,
                                      release=0.07)
    centroid_hz = lips.centroid
    def audible(cue: np.ndarray) -> np.ndarray:
        """Formants mean something only in voiced, audible sound."""
        return np.nan_to_num(cue * voiced * np.clip(loudness * 2.5, 0.0, 1.0), nan=0.0)

    # Lip rounding lowers every formant; rounded vowels (oo 300/870 Hz, oh, aw 570/840 Hz) are
    # the ones with F2 under ~1.1 kHz and F1 under ~0.7 kHz (ah 730/1090, ee 270/2290 are not).
    roundness_raw = audible(np.clip((1150.0 - f2) / 300.0, 0.0, 1.0)
                            * np.clip((800.0 - f1) / 150.0, 0.0, 1.0))
    # Spread vowels (ee 270/2290 Hz, i 390/1990, e 530/1840) are the front ones: F2 over
    # ~1.8 kHz with F1 under ~600 Hz. German's front rounded vowels (ue, oe: F2 1600-1800 Hz)
    # sit just under the ramp. (Men's formants; women's sit higher, which only makes the cue
    # surer.)
    spreadness_raw = audible(np.clip((f2 - 1800.0) / 350.0, 0.0, 1.0)
                             * np.clip((650.0 - f1) / 150.0, 0.0, 1.0))
    # Open vowels (ah, a) are the ones with the jaw wide: F1 over 600-680 Hz, which no rounded
    # vowel reaches (espeak-ng's en and de: A: 750-820/1040-1280 Hz, a 850-900/1300-1400, a
    # sung ah 680-740/1080-1110; rounded aw, oh, o 445-560 Hz; the British lot vowel 590-720 Hz
    # but F2 930-1040). The F2 bounds keep the cue off the lot vowel (below) and off the
    # breathy h of "who" (712-750/1656), the F1 and hiss bounds off s, f, t and k.
    openness_raw = audible(np.clip((f1 - 600.0) / 80.0, 0.0, 1.0)
                           * np.clip((1100.0 - f1) / 100.0, 0.0, 1.0)
                           * np.clip((f2 - 980.0) / 80.0, 0.0, 1.0)
                           * np.clip((1650.0 - f2) / 150.0, 0.0, 1.0)
                           * np.clip((0.2 - lips.high_share) / 0.1, 0.0, 1.0))
    closure = _closure_cue(level_db, centroid_hz, voiced)
    return _Steps(
        loudness=loudness,
        voice=_smooth_attack_release(voiced.astype(np.float64), attack=0.02, release=0.08),
        centroid=np.clip(centroid_hz / 4000.0, 0.0, 1.0),
        low_band=lips.low_share,
        high_band=lips.high_share,
        roundness=_smooth_attack_release(roundness_raw, attack=0.05, release=0.08),
        spreadness=_smooth_attack_release(spreadness_raw, attack=0.05, release=0.08),
        openness=_smooth_attack_release(openness_raw, attack=0.05, release=0.08),
        closure=closure,
        sounding=(~_pauses(voiced)).astype(np.float64),
    )


# A silence this long is a pause, and the lips close for it; a shorter one is a stop's hush
# inside a word (t, k: the lips stay apart), where the closure cues decide.
PAUSE_STEPS = 21  # odd, so the opening below keeps runs exactly where they are


def _pauses(voiced: np.ndarray) -> np.ndarray:
    """Steps inside a run of at least PAUSE_STEPS steps without voice."""
    silent = ~voiced.astype(bool)
    return maximum_filter1d(minimum_filter1d(silent, PAUSE_STEPS), PAUSE_STEPS)


def _level_db(samples: np.ndarray, hop: int, count: int) -> np.ndarray:
    """RMS level (dBFS) over the 20 ms centred on each step's centre."""
    half = hop // 2
    padded = np.zeros((count + 1) * hop, dtype=np.float64)
    padded[half : half + len(samples)] = samples[: len(padded) - half]
    power = (padded.reshape(-1, hop) ** 2).mean(axis=1)
    power = 0.5 * (power[:-1] + power[1:])
    return 10.0 * np.log10(power[:count] + _EPS)


def _band_energies(
    samples: np.ndarray, sample_rate: int, hop: int, window: int, count: int
) -> dict[str, np.ndarray]:
    """Band energies and the 200-4000 Hz centroid per step, in blocks to bound memory."""
    freqs = np.fft.rfftfreq(window, 1.0 / sample_rate)
    masks = {
        "b200_1000": (freqs >= 200) & (freqs < 1000),
        "b200_4000": (freqs >= 200) & (freqs < 4000),
        "b3000_8000": (freqs >= 3000) & (freqs < 8000),
        "b200_8000": (freqs >= 200) & (freqs < 8000),
    }
    out = {name: np.zeros(count) for name in (*masks, "centroid_200_4000")}
    padded = np.zeros(count * hop + window, dtype=np.float32)
    start = window // 2 - hop // 2  # centre each window on its step
    padded[start : start + len(samples)] = samples[: len(padded) - start]
    taper = np.hanning(window).astype(np.float32)
    block = 2048
    centroid_mask = masks["b200_4000"]
    for first in range(0, count, block):
        last = min(count, first + block)
        index = np.arange(first, last)[:, None] * hop + np.arange(window)[None, :]
        spectrum = np.abs(np.fft.rfft(padded[index] * taper, axis=1)) ** 2
        for name, mask in masks.items():
            out[name][first:last] = spectrum[:, mask].sum(axis=1)
        weighted = spectrum[:, centroid_mask] @ freqs[centroid_mask]
        out["centroid_200_4000"][first:last] = weighted / (out["b200_4000"][first:last] + _EPS)
    return out


def _formants(
    samples: np.ndarray, sample_rate: int, hop: int, count: int, *, order: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """F1 and F2 (Hz) per step by linear prediction (autocorrelation method), NaN where none.

    Hand-written because no offline package here tracks formants (Praat's parselmouth is not
    installed); this is the textbook method: 8 kHz, pre-emphasis, 30 ms Hamming windows every
    20 ms, order-10 all-pole fit, pole angles with bandwidths under 500 Hz as formants.
    """
    rate = 8_000
    signal = resample_poly(samples.astype(np.float64), rate, sample_rate)
    signal = np.append(signal[:1], signal[1:] - 0.7 * signal[:-1])
    length = int(0.030 * rate)
    taper = np.hamming(length)
    f1 = np.full(count, np.nan)
    f2 = np.full(count, np.nan)
    for step in range(0, count, 2):
        centre = int(round((step + 1.0) * hop / sample_rate * rate))  # between the pair
        start = centre - length // 2
        if start < 0 or start + length > len(signal):
            continue
        segment = signal[start : start + length] * taper
        autocorrelation = np.correlate(segment, segment, "full")[length - 1 : length + order]
        if autocorrelation[0] <= 1e-9:
            continue
        autocorrelation[0] *= 1.0001  # a little white noise keeps the system well posed
        coefficients = solve_toeplitz(autocorrelation[:order], -autocorrelation[1 : order + 1])
        poles = np.roots(np.concatenate(([1.0], coefficients)))
        poles = poles[np.imag(poles) > 0]
        frequency = np.angle(poles) * rate / (2 * np.pi)
        bandwidth = -np.log(np.abs(poles) + _EPS) * rate / np.pi
        found = np.sort(frequency[(frequency > 150) & (frequency < 3800) & (bandwidth < 500)])
        pair = slice(step, min(count, step + 2))
        if len(found) >= 1:
            f1[pair] = found[0]
        if len(found) >= 2:
            f2[pair] = found[1]
    return f1, f2


def _voice_activity(level_db: np.ndarray) -> np.ndarray:
    """Steps with sound clearly above the clip's noise floor, gaps under 60 ms bridged."""
    floor = np.percentile(level_db, 10)
    loud = np.percentile(level_db, 95)
    # 12 dB over the floor, but never above loud - 20 dB: a clip with no pause at all has
    # its "floor" percentile inside the voice.
    gate = max(min(floor + 12.0, loud - 20.0), loud - 40.0, -60.0)
    active = level_db > gate
    # Close short gaps (a stop consonant inside a word is not a pause), drop 20 ms blips.
    active = minimum_filter1d(maximum_filter1d(active, 7), 7)
    active = maximum_filter1d(minimum_filter1d(active, 3), 3)
    return active


def _normalised_level(level_db: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """Map dB to 0..1 between the noise floor and the clip's loud voice."""
    reference = np.percentile(level_db[voiced], 90) if voiced.any() else level_db.max()
    floor = max(min(np.percentile(level_db, 10) + 6.0, reference - 20.0), reference - 40.0)
    span = max(reference - floor, 6.0)
    return np.clip((level_db - floor) / span, 0.0, 1.0) ** 1.3


def _closure_cue(
    level_db: np.ndarray, centroid_hz: np.ndarray, voiced: np.ndarray
) -> np.ndarray:
    """1 where the lips should be shut inside speech, HUM_CLOSURE where they may be.

    Stops (p, b, t, k...) show as a 30-150 ms dip at least 15 dB under the surrounding speech
    followed by a burst rising >= 10 dB within 20 ms; only the dip is marked (the lips part
    at the burst). A hum (m) shows as voiced sound 8-25 dB under the local peak with its
    200-4000 Hz centroid under 600 Hz (espeak-ng's m: 12-15 dB down, 450-570 Hz; its vowels,
    oo included, sit at 620 Hz and up at full level).
    """
    count = len(level_db)
    local_peak = maximum_filter1d(level_db, 41)  # +-200 ms
    in_speech = maximum_filter1d(voiced, 61)  # within 300 ms of voice
    dip = (level_db < local_peak - 8.0) & in_speech
    rise = np.zeros(count, dtype=bool)
    rise[:-2] = (level_db[2:] - level_db[:-2]) >= 10.0
    closure = np.zeros(count)
    onsets = np.flatnonzero(rise & dip)
    for onset in onsets:
        start = onset
        while start > 0 and dip[start - 1] and onset - start < 15:
            start -= 1
        if 3 <= onset - start + 1 <= 15 and start > 0:
            closure[start : onset + 1] = 1.0
    hum = (
        voiced
        & (level_db < local_peak - 8.0)
        & (level_db > local_peak - 25.0)
        & (centroid_hz < 600.0)
    )
    # A hum counts only when it lasts at least 40 ms (a /b/'s voice bar is 40-60 ms). Its weight is partial: l, n and ng
    # sound much like m here but keep the lips apart, so the mouth only half closes.
    hum = maximum_filter1d(minimum_filter1d(hum, 4), 4)
    closure = np.maximum(closure, HUM_CLOSURE * hum)
    return closure


# A stop's burst is labial (p, b) when it is weak and low: over the 50 ms around the release,
# a 200-4000 Hz centroid under LABIAL_BURST_HZ and never LABIAL_BURST_HIGH of the energy above
# 3 kHz (t bursts are hiss; k bursts are compact around 1.5-2.2 kHz). Measured on espeak-ng's
# English stops: p 520-990 Hz and at most 28 %, t 600-2600 Hz and at least 68 %, k 2080-2100 Hz
# and 26-43 %, g 1475 Hz.
LABIAL_BURST_HZ = 1050.0
LABIAL_BURST_HIGH = 0.3
# A p released into an l or r out of a silent hush: espeak-ng's "plate", "play" 1217-1486 Hz
# with at most 18 % above 3 kHz (k's 2080-2100 Hz).
LABIAL_CLUSTER_BURST_HZ = 1600.0
# A long hush before a burst is mostly the vowel before it dying away: the lips meet only
# for its last steps (10 ms each), up to the burst.
BURST_CLOSURE_MAX_STEPS = 6
# A hum is labial (m, a b's voice bar) when its second formant sits low: with the lips shut
# the mouth is one long closed tube (m 1100-1120 Hz, b 980-1070 Hz), while n, th, d, z and v
# murmur at 1350-1830 Hz and ng, g, w under 600 Hz.
LABIAL_HUM_F2_HZ = (950.0, 1250.0)
# With the lips shut the murmur's first formant sits very low as well: espeak-ng's m at
# 206-230 Hz (F2 1058-1144), against 290-380 Hz for its n and 320-390 Hz for its l (F2
# 1370-1680); the quiet tail of an oo reaches F2 1070-1160 but keeps F1 at 227-270 Hz. The
# m's median sits at 207-221 Hz; 235 let the oo closing into the n of "soon" pass (227-235 Hz
# in some of espeak-ng's renderings of it).
LABIAL_MURMUR_F1_HZ = 225.0
# A recognised p, b or m spans its transitions too: its F1 median must still be low (m's and
# voice bars 200-260 Hz; the recogniser's m on the oh of "Hello", F2 1245 Hz, had 410 Hz).
LABIAL_SPAN_F1_HZ = 300.0
LABIAL_MURMUR_MIN_STEPS = 3
# A hum whose F1 sits above LABIAL_MURMUR_F1_HZ is labial only when it lies this far under the
# sound around it: an oo fading into silence or an n keeps F2 in the labial range with F1 at
# 227-290 Hz, but only 8.1-8.8 dB down (espeak-ng's "knew", "soon", "pool"), while the b's and
# m's with F1 that high were 12-22 dB down.
LABIAL_HUM_DEPTH_DB = 10.0
# And however deep, a hum's F1 stays under this: the b's and m's had 200-271 Hz, an n running
# into a w ("June will") 296 Hz.
LABIAL_HUM_F1_HZ = 280.0
# An n's murmur: espeak-ng's en and de n's read F1 330-370 Hz with F2 1780-1810 Hz, the
# hums' m's F2 at most 1250 Hz and their vowel onsets under 1400 Hz.
ALVEOLAR_NASAL_F1_HZ = (320.0, 420.0)
ALVEOLAR_NASAL_F2_HZ = 1600.0
# A voiced stop's closure shows as a voice bar: voice at least VOICE_BAR_DEPTH_DB under the
# sound around it with almost all of its energy low (200-4000 Hz centroid under
# VOICE_BAR_CENTROID_HZ; espeak-ng's b, d and g bars 263-356 Hz, vowels 600 Hz and up).
VOICE_BAR_DEPTH_DB = 14.0
# This far under the sound around, a step is silence (a p's hush: espeak-ng's reach -100 dB,
# its quietest voice bars and murmurs sit 14-32 dB down).
SILENCE_DB = 40.0
VOICE_BAR_CENTROID_HZ = 450.0
# ... and no hiss: espeak-ng's b bars keep under 3 % of their energy above 3 kHz, a z's
# voiced frication 13-21 % ("der Sohn", its F1 and F2 as low as a b's).
VOICE_BAR_HISS = 0.1
# Inside the bar F2 is mostly noise (the shut tract passes little above F1), but the lips
# closing leave it in the labial range on one of the bar's first analysis windows (see
# _labial_bar); over the whole bar the b's median F1 was 200-264 Hz on espeak-ng's en and de
# speech, d's 274-290 Hz, and an oo running into an n (F1 223-239 Hz, F2 1111-1164 Hz at
# first) turns to the n's 340-370 Hz (median 284-371 Hz). A velar (g) or w bar has a second
# pole under VOICE_BAR_VELAR_F2_HZ (g 525-543 Hz, w 427-700 Hz; b's lowest 886 Hz).
VOICE_BAR_LABIAL_F1_HZ = 270.0
# The bar's labial window's F2 range: wider than a hum's (LABIAL_HUM_F2_HZ), as the closing
# lips' transition reaches it: b's read 996-1449 Hz there ("blues" 1277, "Brot" 1375, the
# "Blume" of "eine Blume" 1449, the window holding some of the vowel before); the other
# voiced bars' windows with F1 that low read from 1500 Hz (v 1502, z 1529, d 1640).
VOICE_BAR_LABIAL_F2_HZ = (950.0, 1480.0)
VOICE_BAR_VELAR_F2_HZ = 700.0
# The lips' window is one of the bar's first two (4 steps: formants are read every 20 ms):
# every b's was, while a z opening into a rounded vowel ("der Sohn") reads labial at its end.
VOICE_BAR_ONSET_STEPS = 4
# That window may hold some of the vowel before the bar, its F1 between the vowel's and the
# bar's: the b's read 190-301 Hz there ("blues" 248 or 289 Hz, "blüht" 301 Hz, as espeak-ng's
# timing shifted by some ms), d's windows in the labial F2 range none.
VOICE_BAR_WINDOW_F1_HZ = 350.0
# A b released into an l or r bursts weakly: the lips stay shut this many steps past the
# bar's low hum while the level stays VOICE_BAR_DEPTH_DB down (espeak-ng's "blew", "blue",
# "Blume": the hum ends 20 ms before the level rises into the l).
VOICE_BAR_RELEASE_STEPS = 2
# A stop's bar is released into louder sound: within VOICE_BAR_RISE_STEPS the level rises
# at least VOICE_BAR_RISE_DB over the bar's (espeak-ng's b's into l, r and vowels: 12-16 dB),
# where a rounded vowel fading into a z and a pause ("knows?") only gets quieter.
VOICE_BAR_RISE_STEPS = 10
VOICE_BAR_RISE_DB = 8.0
# A recognised p/b/m with no voice to measure counts as shut when the level dips this far
# under the sound around it (LipSound.labial).
LABIAL_DIP_DB = 8.0


@dataclass(frozen=True, eq=False)
class LipSound:
    """What the sound says about the lips, on 10 ms steps, analysed once per clip: the level,
    the 200-4000 Hz centroid (Hz), the shares of 200-1000 Hz (in 200-4000) and above 3 kHz
    (in 200-8000), voice activity and the first two formants. The animator's per-frame
    features (extract_features) are derived from the same analysis."""

    level_db: np.ndarray
    centroid: np.ndarray
    low_share: np.ndarray
    high_share: np.ndarray
    voiced: np.ndarray
    f1: np.ndarray
    f2: np.ndarray

    @classmethod
    def of(cls, audio: DecodedAudio) -> LipSound:
        samples = audio.samples
        hop = max(1, int(round(STEP_SECONDS * audio.sample_rate)))
        window = max(64, int(round(WINDOW_SAMPLES_AT_16K * audio.sample_rate / 16_000)))
        count = max(1, int(np.ceil(len(samples) / hop)))
        level_db = _level_db(samples, hop, count)
        bands = _band_energies(samples, audio.sample_rate, hop, window, count)
        f1, f2 = _formants(samples, audio.sample_rate, hop, count)
        return cls(
            level_db=level_db,
            centroid=bands["centroid_200_4000"],
            low_share=bands["b200_1000"] / (bands["b200_4000"] + _EPS),
            high_share=bands["b3000_8000"] / (bands["b200_8000"] + _EPS),
            voiced=_voice_activity(level_db),
            f1=f1,
            f2=f2,
        )

    def closure_spans(self) -> list[tuple[float, float]]:
        """(start, end) seconds of the stretches where the audio says the lips are shut: the
        hush before a labial burst (p, b), a labial hum (m, a b's voice bar) and a labial
        murmur opening an utterance. Closures made with the tongue (t, d, k, g, n) are left
        out: the lips stay apart there."""
        return sorted((start, end) for start, end, _ in self._closures)

    def burst_releases(self) -> list[float]:
        """Seconds at which shut lips burst open (the release of a p or b found by its hush
        and burst): there the lips part in one go, not over a few frames."""
        return sorted(end for _, end, burst in self._closures if burst)

    @cached_property
    def _closures(self) -> list[tuple[float, float, bool]]:
        """(start, end, ends in a burst), found once per clip for both views above."""
        level_db, centroid, f2 = self.level_db, self.centroid, self.f2
        count = len(level_db)
        cue = _closure_cue(level_db, centroid, self.voiced)
        local_peak = maximum_filter1d(level_db, 41)  # as in _closure_cue
        shut = cue >= HUM_CLOSURE
        edges = np.flatnonzero(np.diff(np.r_[0, shut.astype(np.int8), 0]))
        spans = []
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            burst = bool((cue[start:end] >= 1.0).any())
            if burst:
                # The burst lies within a couple of steps of where the rise was found.
                around = slice(max(0, end - 2), min(count, end + 3))
                sounding = around.start + np.flatnonzero(
                    level_db[around] > local_peak[around] - SILENCE_DB)
                # Out of a silent hush (a p's) the burst may be a voiceless l or r, higher than
                # a p's into a vowel but without a t's hiss.
                silent = level_db[start:end].min() < local_peak[start:end].min() - SILENCE_DB
                highest = LABIAL_CLUSTER_BURST_HZ if silent else LABIAL_BURST_HZ
                labial = (len(sounding) > 0
                          and np.median(centroid[sounding]) < highest
                          and self.high_share[around].max() < LABIAL_BURST_HIGH)
            else:
                # The murmur's core (its quietest steps): a /b/'s voice bar before the burst,
                # not the formants already moving towards the next vowel.
                # Steps fallen silent (the hum's edges reach into a pause) are no murmur.
                band = level_db[start:end] > local_peak[start:end] - 25.0
                floor = level_db[start:end][band].min() if band.any() else np.inf
                core = band & (level_db[start:end] <= floor + 3.0)
                murmur = f2[start:end][core]
                murmur = murmur[~np.isnan(murmur)]
                first_formant = self.f1[start:end][core]
                first_formant = first_formant[~np.isnan(first_formant)]
                # How deep the hum as a whole lies (a vowel cut off into a pause dips for its
                # last 10 ms only, the end of "knew?").
                depth = (float(np.median(local_peak[start:end][band] - level_db[start:end][band]))
                         if band.any() else 0.0)
                labial = (len(murmur) > 0
                          and LABIAL_HUM_F2_HZ[0] <= np.median(murmur) <= LABIAL_HUM_F2_HZ[1]
                          and len(first_formant) > 0
                          and np.median(first_formant) < LABIAL_HUM_F1_HZ
                          and (np.median(first_formant) < LABIAL_MURMUR_F1_HZ
                               or depth >= LABIAL_HUM_DEPTH_DB))
                with np.errstate(invalid="ignore"):
                    alveolar = ((self.f1[start:end] >= ALVEOLAR_NASAL_F1_HZ[0])
                                & (self.f1[start:end] <= ALVEOLAR_NASAL_F1_HZ[1])
                                & (f2[start:end] >= ALVEOLAR_NASAL_F2_HZ)).any()
                if labial and alveolar:
                    # An n's murmur inside: the hum is an oo closing into the n ("soon"),
                    # unless a part of it is an m's own murmur (below).
                    labial = False
                if not labial:
                    # A hum is often two sounds run together (the n and m of "bin müde", an
                    # m fading into the pause after it): the lips shut over its labial part.
                    spans += [(first * STEP_SECONDS, last * STEP_SECONDS, False)
                              for first, last in self._labial_murmurs(start, end)]
            if labial:
                if burst:
                    start = max(start, end - BURST_CLOSURE_MAX_STEPS)
                spans.append((start * STEP_SECONDS, end * STEP_SECONDS, burst))
        spans += [(start, end, False)
                  for start, end in _onset_closures(level_db, centroid, self.voiced, f2)]
        # A b's voice bar is often too short or too far under the hum's level band to be
        # found above (the b of "blew" or "blue", released into a quiet l).
        spans += [(first * STEP_SECONDS, last * STEP_SECONDS, True)
                  for first, last in self._labial_voice_bars()]
        return spans

    @cached_property
    def _voice_bar(self) -> np.ndarray:
        """Steps of voice bar: voice VOICE_BAR_DEPTH_DB under the sound around it (+-200 ms)
        with its centroid under VOICE_BAR_CENTROID_HZ and little hiss (VOICE_BAR_HISS)."""
        local_peak = maximum_filter1d(self.level_db, 41)
        return (self.voiced & (self.level_db < local_peak - VOICE_BAR_DEPTH_DB)
                & (self.level_db > local_peak - SILENCE_DB)
                & (self.centroid < VOICE_BAR_CENTROID_HZ) & (self.high_share < VOICE_BAR_HISS))

    def _labial_bar(self, steps: np.ndarray) -> bool:
        """Whether the voice-bar ``steps`` (at least two indices) are made with the lips: one
        of its first analysis windows (VOICE_BAR_ONSET_STEPS) with F1 under
        VOICE_BAR_WINDOW_F1_HZ and F2 in VOICE_BAR_LABIAL_F2_HZ, the bar's median F1 under
        VOICE_BAR_LABIAL_F1_HZ (an n's rises), no pole under VOICE_BAR_VELAR_F2_HZ (a g's, a
        w's), and released into louder sound (VOICE_BAR_RISE_DB: a v fading out of "Steve."
        or into the f of "drive far" is not)."""
        if len(steps) < 2:
            return False
        after = self.level_db[steps[-1] + 1:steps[-1] + 1 + VOICE_BAR_RISE_STEPS]
        if not (len(after) > 0 and float(after.max())
                >= float(np.median(self.level_db[steps])) + VOICE_BAR_RISE_DB):
            return False
        f1, f2 = self.f1[steps], self.f2[steps]
        formants = f1[~np.isnan(f1)]
        onset = slice(0, VOICE_BAR_ONSET_STEPS)
        with np.errstate(invalid="ignore"):
            lips = ((f1[onset] < VOICE_BAR_WINDOW_F1_HZ)
                    & (f2[onset] >= VOICE_BAR_LABIAL_F2_HZ[0])
                    & (f2[onset] <= VOICE_BAR_LABIAL_F2_HZ[1]))
            velar = (f2 < VOICE_BAR_VELAR_F2_HZ).any()
        return (bool(lips.any()) and float(np.median(formants)) < VOICE_BAR_LABIAL_F1_HZ
                and not velar)

    def _labial_voice_bars(self) -> list[tuple[int, int]]:
        """Runs of voice bar that _labial_bar says are made with the lips, each with its
        quiet release (VOICE_BAR_RELEASE_STEPS)."""
        edges = np.flatnonzero(np.diff(np.r_[0, self._voice_bar.astype(np.int8), 0]))
        quiet = self.voiced & (self.level_db
                               < maximum_filter1d(self.level_db, 41) - VOICE_BAR_DEPTH_DB)
        runs = []
        for first, last in zip(edges[::2], edges[1::2], strict=True):
            if self._labial_bar(np.arange(first, last)):
                end = last
                while end < min(len(quiet), last + VOICE_BAR_RELEASE_STEPS) and quiet[end]:
                    end += 1
                runs.append((first, end))
        return runs

    def _labial_murmurs(self, start: int, end: int) -> list[tuple[int, int]]:
        """Runs of at least LABIAL_MURMUR_MIN_STEPS inside the hum [start, end) whose first
        two formants say the lips are shut: F1 under LABIAL_MURMUR_F1_HZ, F2 in
        LABIAL_HUM_F2_HZ."""
        f1, f2 = self.f1[start:end], self.f2[start:end]
        with np.errstate(invalid="ignore"):
            shut = ((f1 < LABIAL_MURMUR_F1_HZ) & (f2 >= LABIAL_HUM_F2_HZ[0])
                    & (f2 <= LABIAL_HUM_F2_HZ[1]))
        edges = np.flatnonzero(np.diff(np.r_[0, shut.astype(np.int8), 0]))
        return [(start + first, start + last)
                for first, last in zip(edges[::2], edges[1::2], strict=True)
                if last - first >= LABIAL_MURMUR_MIN_STEPS]

    def labial(self, spans: list[tuple[float, float]]) -> list[bool]:
        """For each (start, end) seconds a recogniser called p, b or m: does the sound agree
        that the lips were shut? A voiced span must have its F2 in the labial range (the same
        test as a hum's, LABIAL_HUM_F2_HZ) and its F1 under LABIAL_SPAN_F1_HZ; a span with no
        voice to measure must at least be a dip of LABIAL_DIP_DB under the sound around it.
        Measured on espeak-ng's English and German: every recognised m and b that was one had
        F2 1059-1213 Hz; the recogniser's false m's (on n, w, l, oh) had 1245-1661 Hz. An oo
        running into a dark l ("fool", "rule", "mule": F2 980-1000 Hz, F1 286-289 Hz) is
        told from a b by its depth, as a hum is (LABIAL_HUM_DEPTH_DB: under 9.5 dB). A
        span holding a b's voice bar, where F2 is mostly noise (the shut tract passes little
        above F1: the b of "bring" read 1207 Hz, then 2459 Hz), is judged as the bar
        (_labial_bar)."""
        count = len(self.level_db)
        local_peak = maximum_filter1d(self.level_db, 31)  # +-150 ms
        verdicts = []
        for start, end in spans:
            first = int(np.clip(np.floor(start / STEP_SECONDS), 0, count - 1))
            last = int(np.clip(np.ceil(end / STEP_SECONDS), first + 1, count))
            formants = self.f2[first:last][~np.isnan(self.f2[first:last])]
            bar = first + np.flatnonzero(self._voice_bar[first:last])
            dip = float((local_peak[first:last] - self.level_db[first:last]).max())
            if self._labial_bar(bar):
                verdicts.append(True)
            elif len(formants):
                median = float(np.median(formants))
                first_formant = float(np.nanmedian(self.f1[first:last]))
                verdicts.append(LABIAL_HUM_F2_HZ[0] <= median <= LABIAL_HUM_F2_HZ[1]
                                and first_formant < LABIAL_SPAN_F1_HZ
                                and (first_formant < LABIAL_MURMUR_F1_HZ
                                     or dip >= LABIAL_HUM_DEPTH_DB))
            else:
                verdicts.append(dip >= LABIAL_DIP_DB)
        return verdicts



# Out of a pause, an utterance that starts with b or m starts with the lips already shut: a
# voice bar or murmur (quiet, low, its F2 in the labial range) before the level jumps at the
# release. No dip precedes it, so _closure_cue cannot see it.
ONSET_PAUSE_STEPS = 10  # 100 ms without voice before the onset
ONSET_MURMUR_MAX_STEPS = 12  # a voice bar or an initial m lasts up to ~120 ms
ONSET_RISE_DB = 8.0


def _onset_closures(level_db: np.ndarray, centroid_hz: np.ndarray, voiced: np.ndarray,
                    f2: np.ndarray) -> list[tuple[float, float]]:
    spans = []
    count = len(level_db)
    starts = np.flatnonzero(voiced[1:] & ~voiced[:-1]) + 1
    for onset in starts:
        if onset < ONSET_PAUSE_STEPS or voiced[onset - ONSET_PAUSE_STEPS:onset].any():
            continue
        last = min(count - 2, onset + ONSET_MURMUR_MAX_STEPS)
        # Past the sound's own attack (a murmur also fades in) to where it levels off.
        settled = onset
        while settled < last and level_db[settled + 1] - level_db[settled] > 2.0:
            settled += 1
        release = None
        for step in range(settled, last):
            if level_db[step + 2] - level_db[step] >= ONSET_RISE_DB:
                release = step + 1
                break
        if release is None or release - onset < 2:
            continue  # 20 ms at least: a vowel's own attack is shorter
        peak = level_db[release:min(count, release + 15)].max()
        murmur = slice(onset, release)
        if (level_db[murmur] > peak - ONSET_RISE_DB).any():
            continue
        if np.median(centroid_hz[murmur]) >= 700.0:
            continue  # a voiceless or hissing start (h, s, f), not a voice bar or murmur
        formants = f2[murmur][~np.isnan(f2[murmur])]
        if len(formants) >= 2 and not (
            LABIAL_HUM_F2_HZ[0] <= np.median(formants) <= LABIAL_HUM_F2_HZ[1]
        ):
            continue
        spans.append((onset * STEP_SECONDS, release * STEP_SECONDS))
    return spans


def _smooth_attack_release(values: np.ndarray, *, attack: float, release: float) -> np.ndarray:
    """One-pole follower with separate rise and fall time constants (seconds)."""
    rise = 1.0 - np.exp(-STEP_SECONDS / attack)
    fall = 1.0 - np.exp(-STEP_SECONDS / release)
    out = np.empty(len(values))
    state = float(values[0]) if len(values) else 0.0
    # A plain loop: the follower is non-linear (rate depends on direction), so no vector form.
    for index, value in enumerate(values):
        state += (value - state) * (rise if value > state else fall)
        out[index] = state
    return out


def _per_frame(
    steps: np.ndarray, fps: int, frame_count: int, lead_seconds: float, reduce=np.mean
) -> np.ndarray:
    """Aggregate 10 ms steps into video frames; frames past the audio's end get 0."""
    out = np.zeros(frame_count, dtype=np.float32)
    for frame in range(frame_count):
        start = (frame / fps + lead_seconds) / STEP_SECONDS
        end = ((frame + 1) / fps + lead_seconds) / STEP_SECONDS
        first, last = int(np.floor(start)), max(int(np.floor(start)) + 1, int(np.ceil(end)))
        chunk = steps[max(0, first) : min(len(steps), last)]
        if len(chunk):
            out[frame] = float(reduce(chunk))
    return out
