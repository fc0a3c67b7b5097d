import numpy as np
import pytest

from generation.audio_features import extract_features
from generation.media import DecodedAudio
from tests.generation import media_factory as mf

FPS = 25


def _features(samples: np.ndarray, **kwargs):
    return extract_features(DecodedAudio.from_samples(samples, 16_000), fps=FPS, **kwargs)


def _frames(start: float, end: float) -> slice:
    return slice(int(round(start * FPS)), int(round(end * FPS)))


def test_one_value_per_video_frame() -> None:
    features = _features(mf.tone(2.37))

    assert len(features) == round(2.37 * FPS)
    assert len(_features(mf.tone(1.0), frame_count=40).loudness) == 40


def test_loudness_and_voice_follow_bursts_and_fall_in_silence() -> None:
    pattern = [(0.5, False), (0.6, True), (0.6, False), (0.8, True), (0.5, False)]
    features = _features(mf.tone_bursts(pattern))

    for start, end in [(0.6, 1.0), (1.8, 2.4)]:  # inside the bursts
        assert features.loudness[_frames(start, end)].min() > 0.6
        assert features.voice[_frames(start, end)].min() > 0.9
    for start, end in [(0.0, 0.4), (1.35, 1.65), (2.7, 3.0)]:  # inside the silences
        assert features.loudness[_frames(start, end)].max() < 0.05
        assert features.voice[_frames(start, end)].max() < 0.2


def test_quiet_recording_is_normalised_to_its_own_level() -> None:
    pattern = [(0.4, False), (0.6, True), (0.4, False)]
    loud = _features(mf.tone_bursts(pattern, amplitude=0.5))
    quiet = _features(mf.tone_bursts(pattern, amplitude=0.02))

    assert quiet.loudness[_frames(0.5, 0.9)].mean() == pytest.approx(
        loud.loudness[_frames(0.5, 0.9)].mean(), abs=0.1
    )


def test_sung_note_with_vibrato_keeps_a_steady_open_level() -> None:
    features = _features(mf.sung_vowel(3.0))
    middle = _frames(0.3, 2.7)

    assert features.voice[middle].min() > 0.95
    assert features.loudness[middle].mean() > 0.8
    # Vibrato must not make the mouth flutter.
    assert np.abs(np.diff(features.loudness[middle])).max() < 0.05


def test_continuous_sound_without_pauses_is_still_voice() -> None:
    features = _features(mf.vowel(2.0))

    assert features.voice[_frames(0.2, 1.8)].min() > 0.95
    assert features.loudness[_frames(0.2, 1.8)].mean() > 0.7


@pytest.mark.parametrize("pitch", [110.0, 220.0])
def test_rounded_vowel_scores_rounder_than_open_and_spread_vowels(pitch: float) -> None:
    def roundness(name: str) -> float:
        samples = mf.vowel(1.0, formants=mf.VOWEL_FORMANTS[name], frequency=pitch)
        return float(np.median(_features(samples).roundness[_frames(0.2, 0.8)]))

    assert roundness("oo") > 0.6
    assert roundness("ah") < 0.3
    assert roundness("ee") < 0.1


def test_sung_rounded_vowel_is_round() -> None:
    samples = mf.vowel(2.0, formants=mf.VOWEL_FORMANTS["oo"], frequency=196.0,
                       vibrato_hz=5.5, vibrato_cents=50.0)

    assert np.median(_features(samples).roundness[_frames(0.3, 1.7)]) > 0.6


def test_closure_marks_the_hush_before_each_plosive_burst_only() -> None:
    samples, closures = mf.plosive_syllables(3)
    features = _features(samples)

    for start, end in closures:
        assert features.closure[_frames(start - 0.04, end + 0.02)].max() == 1.0
    # Mid-vowel frames, and the silence before the first word, carry no closure.
    vowel_middles = [start - 0.15 for start, _ in closures] + [closures[-1][1] + 0.15]
    for time in vowel_middles:
        assert features.closure[int(time * FPS)] == 0.0
    assert features.closure[_frames(0.0, 0.15)].max() == 0.0


def test_fricative_noise_raises_the_high_band_share() -> None:
    rng = np.random.default_rng(0)
    hiss = np.diff(rng.standard_normal(16_001)).astype(np.float32) * 0.1  # tilted to highs
    vowel = mf.vowel(1.0)

    assert np.median(_features(hiss).high_band) > 0.5
    assert np.median(_features(vowel).high_band) < 0.1
