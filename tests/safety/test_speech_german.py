"""German consent: the sentence, the digit words over the English phone set, and what the
offline recogniser makes of espeak-ng's German voice (measured, weak: see the README)."""

import shutil
import subprocess

import pytest

from generation.media.audio import decode_audio
from safety.consent import consent_statement, spoken_lead_in, spoken_sentence
from safety.speech import GERMAN_DIGITS, code_spoken, german_words_to_digits, transcribe


def test_the_german_sentence_and_statement():
    assert spoken_sentence("4719", language="de") == (
        "Ich stimme zu, dass Signet mein Gesicht animieren darf. Mein Code ist 4 7 1 9."
    )
    assert consent_statement("Anna Beispiel", language="de").startswith("Ich, Anna Beispiel,")
    with pytest.raises(ValueError):
        spoken_sentence("4719", language="fr")


def test_german_digit_words_read_as_digits():
    assert german_words_to_digits("mein code ist acht null drei_ sieben sechs_ zwo") == "803762"
    assert code_spoken("vier sieben eins neun", "4719", "de").matched
    assert sorted({digit for _, digit in GERMAN_DIGITS.values()}) == list(range(10))


def test_the_recogniser_hears_german_digit_words(tmp_path):
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is required"
    code = "217529"  # heard in full in the measurement; most codes lose a digit (README)
    wav = tmp_path / "de.wav"
    subprocess.run(
        [espeak, "-v", "de", "-s", "150", "-w", str(wav), spoken_sentence(code, language="de")],
        check=True,
    )
    words = transcribe(
        decode_audio(wav).samples, lead_in=spoken_lead_in(language="de"), language="de"
    ).split()
    assert "ich" in words and "stimme" in words
    heard = german_words_to_digits(" ".join(words))
    assert len(heard) >= 5 and code_spoken(" ".join(words), code, "de").digits_correct >= 5
