"""German consent: the sentence, the digit words over the English phone set, and what the
offline recogniser makes of espeak-ng's German voice (bench/spoken_code.py measures the rate)."""

import shutil
import subprocess

import pytest

from generation.media.audio import decode_audio
from safety.consent import consent_statement, spoken_lead_in, spoken_sentence
from safety.speech import (
    GERMAN_DIGITS,
    code_spoken,
    german_words_to_digits,
    transcribe,
)


def test_the_german_sentence_and_statement():
    assert spoken_sentence("4719", language="de") == (
        "Ich stimme zu, dass Signet mein Gesicht animieren darf. Mein Code ist 4 7 1 9."
    )
    assert consent_statement("Anna Beispiel", language="de").startswith("Ich, Anna Beispiel,")
    with pytest.raises(ValueError):
        spoken_sentence("4719", language="fr")


@pytest.mark.parametrize(
    ("transcript", "digits"),
    [
        ("mein code ist acht null drei_ sieben sechs_ zwo", "803762"),
        ("vier sieben eins neun", "4719"),
        ("siebenundvierzig neunzehn", "4719"),
        ("sieben und vierzig zwölf", "4712"),
        ("einundzwanzig achtzig", "2180"),
        ("null__ fünf__ acht_", "058"),
        ("ich stimme zu dass signet mein gesicht animieren darf", ""),
    ],
)
def test_german_number_words_read_as_digits(transcript, digits):
    assert german_words_to_digits(transcript) == digits


def test_every_digit_has_a_german_word():
    assert code_spoken("vier sieben eins neun", "4719", "de").matched
    assert sorted({digit for _, digit in GERMAN_DIGITS.values()}) == list(range(10))


def _german(code: str, tmp_path, voice: str = "de") -> object:
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is required"
    wav = tmp_path / "de.wav"
    subprocess.run(
        [espeak, "-v", voice, "-s", "150", "-w", str(wav), spoken_sentence(code, language="de")],
        check=True,
    )
    return decode_audio(wav).samples


def test_the_recogniser_hears_the_issued_german_code(tmp_path):
    # "drei", "sechs" and "null": digits the earlier grammar often lost.
    samples = _german("306829", tmp_path)
    lead_in = spoken_lead_in(language="de")
    heard = transcribe(samples, lead_in=lead_in, language="de", code="306829")
    assert "ich" in heard.split() and "stimme" in heard.split()
    assert code_spoken(heard, "306829", "de").matched, heard
    # Another code issued for the same recording is not "heard".
    other = transcribe(samples, lead_in=lead_in, language="de", code="927153")
    check = code_spoken(other, "927153", "de")
    assert not check.matched and check.digits_correct <= 3, other
