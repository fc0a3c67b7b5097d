"""Spoken one-time code: number words to digits, and recognition of synthetic speech."""

from __future__ import annotations

import shutil
import subprocess
import wave
from math import gcd
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import resample_poly

from safety.consent import spoken_lead_in, spoken_sentence
from safety.speech import SAMPLE_RATE, check_spoken_code, code_spoken, transcribe, words_to_digits


@pytest.mark.parametrize(
    ("transcript", "digits"),
    [
        ("my code is four seven one nine two eight", "471928"),
        ("four seven oh nine", "4709"),
        ("forty seven nineteen twenty eight", "471928"),
        ("forty-seven ninety", "4790"),
        ("double five triple two one", "552221"),
        ("three hundred and five", "305"),
        ("six hundred twelve", "612"),
        ("nine hundred", "900"),
        ("three hundred and five two", "3052"),
        ("nine hundred seven one", "9071"),
        ("one hundred nineteen four", "1194"),
        ("My code is 4 7 1, 9 2 8.", "471928"),
        ("i agree that signet may animate my face", ""),
    ],
)
def test_number_words_become_digits(transcript, digits):
    assert words_to_digits(transcript) == digits


def test_code_is_matched_only_when_its_digits_come_in_a_row():
    check = code_spoken("um my code is four seven one nine two eight thanks", "471928")
    assert check.matched and check.heard_digits == "471928" and check.digits_correct == 6
    assert "was spoken" in check.explanation

    swapped = code_spoken("four seven one nine eight two", "471928")
    assert not swapped.matched
    assert swapped.digits_correct == 4
    assert "4 of 6 digits" in swapped.explanation

    misheard_first = code_spoken("nine seven one nine two eight", "571928")
    assert not misheard_first.matched and misheard_first.digits_correct == 5

    assert code_spoken("", "471928").to_dict() == {
        "heard_digits": "",
        "expected": "471928",
        "matched": False,
        "digits_correct": 0,
        "explanation": "Heard no digits, expected 4 7 1 9 2 8: 0 of 6 digits recognised in place.",
    }


def _espeak(text: str, tmp_path: Path) -> np.ndarray:
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is required for this test (apt-get install espeak-ng)"
    wav_path = tmp_path / "speech.wav"
    # en-us+f2 is the espeak voice pocketsphinx's acoustic model hears best (measured: 27 of 30
    # six-digit codes exact; espeak's default male voice: about 1 in 6).
    subprocess.run([espeak, "-v", "en-us+f2", "-s", "160", "-w", str(wav_path), text], check=True)
    with wave.open(str(wav_path)) as wav:
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    divisor = gcd(SAMPLE_RATE, rate)
    resampled = resample_poly(samples.astype(np.float32), SAMPLE_RATE // divisor, rate // divisor)
    return np.clip(resampled, -32768, 32767).astype(np.int16)


def test_spoken_consent_sentence_yields_its_code(tmp_path):
    code = "291417"
    pcm = _espeak(spoken_sentence(code), tmp_path)
    check = check_spoken_code(pcm, code, lead_in=spoken_lead_in())
    assert check.matched, check.explanation
    # Float samples in [-1, 1] are accepted as well.
    assert check_spoken_code(pcm / 32768.0, code, lead_in=spoken_lead_in()).matched


def test_a_different_code_read_aloud_does_not_match(tmp_path):
    pcm = _espeak(spoken_sentence("366258"), tmp_path)
    check = check_spoken_code(pcm, "291417", lead_in=spoken_lead_in())
    assert not check.matched
    assert check.digits_correct <= 2


def test_silence_yields_no_code():
    silence = np.zeros(SAMPLE_RATE * 2, dtype=np.int16)
    assert not check_spoken_code(silence, "291417", lead_in=spoken_lead_in()).matched


def test_lead_in_words_must_be_known_to_the_recogniser():
    with pytest.raises(ValueError, match="zxqvbn"):
        transcribe(np.zeros(1600, dtype=np.int16), lead_in="my zxqvbn code is")
    with pytest.raises(ValueError, match="mono"):
        transcribe(np.zeros((1600, 2), dtype=np.int16))


def test_the_code_grammar_weighs_the_issued_digit_in_each_place():
    from pocketsphinx import Decoder

    from safety.speech import EXPECTED_DIGIT_WEIGHT, _code_grammar

    decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
    spoken = {value: [word] for value, word in enumerate(("zero", "one", "two", "three"))}
    spoken |= {value: ["four"] for value in range(4, 10)}
    fsg = _code_grammar(decoder, "test", ["my", "code"], spoken, "21")
    # Two optional lead-in words, then one state per digit: the issued code, at its length.
    assert fsg.accept("my code two one") and fsg.accept("two one")
    assert fsg.accept("three four") and not fsg.accept("two one one")
    assert EXPECTED_DIGIT_WEIGHT > 1
