"""The audio mark: read back after every re-upload attack the issue names, never read where absent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench import _audio_attacks as attacks
from safety.audio_watermark import AudioWatermark, read_audio_watermark_from_file, snr_db

KEY = b"test-audio-watermark-key"
PAYLOAD = 3_141_592_653


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("audio-mark")


@pytest.fixture(scope="module")
def speech(workdir) -> np.ndarray:
    return attacks.read(attacks.speech(workdir / "speech.wav", 0))


@pytest.fixture(scope="module")
def marked_path(workdir, speech) -> Path:
    marked = AudioWatermark(KEY).embed(speech, attacks.RATE, PAYLOAD)
    return attacks.write(marked, workdir / "marked.wav")


@pytest.fixture(scope="module")
def music(workdir) -> Path:
    return attacks.music(workdir / "music.wav", 15.0)


def test_unmarked_speech_reads_as_unmarked(speech):
    reading = AudioWatermark(KEY).detect(speech, attacks.RATE)
    assert not reading.found and reading.payload_id is None


def test_a_mark_made_under_another_key_is_not_read(speech):
    forged = AudioWatermark(b"someone-elses-key").embed(speech, attacks.RATE, PAYLOAD)
    assert not AudioWatermark(KEY).detect(forged, attacks.RATE).found
    genuine = AudioWatermark(KEY).embed(speech, attacks.RATE, PAYLOAD)
    reading = AudioWatermark(KEY).detect(genuine, attacks.RATE)
    assert reading.found and reading.payload_id == PAYLOAD


def test_the_mark_is_quiet(speech):
    marked = AudioWatermark(KEY).embed(speech, attacks.RATE, PAYLOAD)
    assert snr_db(speech, marked) >= 17.0
    assert len(marked) == len(speech)


def test_the_marks_sign_flips_fade_instead_of_clicking(speech):
    # The ripple's sign changes between blocks; a hard switch would put a step into the
    # change at every block edge. Sample to sample, the change must move no more there than
    # inside a block.
    from safety.audio_watermark.codec import BLOCK_SECONDS

    marked = AudioWatermark(KEY).embed(speech, attacks.RATE, PAYLOAD)
    step = np.abs(np.diff(marked.astype(np.float64) - speech))
    edges = (np.arange(1, 8) * BLOCK_SECONDS * attacks.RATE).astype(int)
    near_edges = np.concatenate([step[e - 50 : e + 50] for e in edges])
    assert near_edges.max() <= 1.5 * np.percentile(step, 99.9)


def test_speech_under_louder_repeating_music_is_read(marked_path, speech, workdir, music):
    # Background music that repeats its chords puts the same fine structure into every second
    # of a copy. A static ripple (v1) was lost once the music was as loud as the voice; the
    # keyed sign flips cancel what stays put, so the mark reads under music 6 dB louder.
    louder = attacks._mix(marked_path, music, workdir / "marked-under-music.wav", +6.0)
    reading = read_audio_watermark_from_file(louder, AudioWatermark(KEY))
    assert reading.found and reading.payload_id == PAYLOAD, reading.detail
    unmarked = attacks.write(speech, workdir / "unmarked.wav")
    clean_mix = attacks._mix(unmarked, music, workdir / "unmarked-under-music.wav", +6.0)
    assert not read_audio_watermark_from_file(clean_mix, AudioWatermark(KEY)).found


@pytest.mark.parametrize("seconds", [0.64, 1.15, 2.9])
def test_a_copy_cut_anywhere_in_a_block_is_read(seconds, speech):
    # A copy may start at any point of the keyed block sequence, between the reader's hops too.
    marked = AudioWatermark(KEY).embed(speech, attacks.RATE, PAYLOAD)
    cut = marked[int(seconds * attacks.RATE) :]
    reading = AudioWatermark(KEY).detect(cut, attacks.RATE)
    assert reading.found and reading.payload_id == PAYLOAD, reading.detail


@pytest.mark.parametrize("attack", attacks.REQUIRED_ATTACKS)
def test_the_mark_survives(attack, marked_path, workdir, music):
    attacked = attacks.attack(attack, marked_path, workdir, music)
    reading = read_audio_watermark_from_file(attacked, AudioWatermark(KEY))
    assert reading.found, reading.detail
    assert reading.payload_id == PAYLOAD


def test_too_short_a_clip_is_not_guessed(speech):
    reading = AudioWatermark(KEY).detect(speech[: attacks.RATE], attacks.RATE)
    assert not reading.found and "too short" in reading.detail


def test_a_sample_rate_too_low_to_carry_the_mark_is_refused(speech):
    with pytest.raises(ValueError):
        AudioWatermark(KEY).embed(speech[::6], 8000, PAYLOAD)


def test_marking_a_long_clip_does_not_need_memory_in_proportion_to_it():
    # A worker marks every output's sound: a minute must not cost a transform of the whole
    # minute (scipy's fftconvolve took 170 MB more for a minute of stereo than for 10 s).
    import tracemalloc

    mark = AudioWatermark(KEY)
    rng = np.random.default_rng(1)

    def extra_bytes(seconds: float) -> int:
        samples = (0.1 * rng.standard_normal(int(seconds * 44_100))).astype(np.float32)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            marked = mark.embed(samples, 44_100, PAYLOAD)
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
        assert marked.shape == samples.shape
        return peak - samples.nbytes  # the marked copy it returns

    assert extra_bytes(60.0) < extra_bytes(10.0) + 10_000_000


def test_block_convolution_equals_one_transform_of_the_whole_clip():
    from scipy.signal import fftconvolve

    from safety.audio_watermark.codec import _convolve_same_in_blocks

    rng = np.random.default_rng(2)
    taps = rng.standard_normal(4_097)
    for length in (3, 4_000, 300_001):  # shorter than, about, and many blocks longer than taps
        audio = rng.standard_normal(length).astype(np.float32)
        expected = fftconvolve(audio.astype(np.float64), taps, mode="same")
        got = _convolve_same_in_blocks(audio, taps, block=8_192)
        assert got.shape == expected.shape
        assert np.allclose(got, expected, rtol=0, atol=1e-5 * np.abs(expected).max())


def test_marking_in_place_marks_the_callers_track_and_a_copy_leaves_it_alone(speech):
    from generation.media.audio import AudioTrack
    from safety.audio_watermark import mark_audio_track

    mark = AudioWatermark(KEY)
    stereo = np.stack([speech, 0.5 * speech]).astype(np.float32)
    original = stereo.copy()

    copied = mark_audio_track(AudioTrack(samples=stereo, sample_rate=attacks.RATE), mark, PAYLOAD)
    assert np.array_equal(stereo, original)

    track = AudioTrack(samples=stereo, sample_rate=attacks.RATE)
    marked = mark_audio_track(track, mark, PAYLOAD, in_place=True)
    assert marked.samples is stereo and not np.array_equal(stereo, original)
    assert np.array_equal(marked.samples, copied.samples)
    assert mark.detect(marked.samples[1], attacks.RATE).payload_id == PAYLOAD
