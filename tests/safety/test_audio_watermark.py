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
    assert snr_db(speech, marked) >= 18.0
    assert len(marked) == len(speech)


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
