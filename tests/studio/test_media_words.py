"""MediaError's English messages in the reader's language, numbers and all."""

import pytest
from django.utils import translation

from studio.media_words import media_error_words

MESSAGES = [
    "The audio file could not be read.",
    "The audio is too long: the limit is 2 minutes.",
    "The audio is too long: the limit is 45 seconds.",
    "The audio is too short: it must last at least 1.5 seconds.",
    "The image is too large. Please upload a photo of at most 40 megapixels.",
]


@pytest.mark.parametrize("message", MESSAGES)
def test_in_english_the_message_stays_as_written(message):
    with translation.override("en"):
        assert media_error_words(message) == message


def test_in_german_with_german_numbers():
    with translation.override("de"):
        words = [media_error_words(message) for message in MESSAGES]
        unknown = media_error_words("A message nobody listed.")
    assert words == [
        "Die Audiodatei konnte nicht gelesen werden.",
        "Die Audiodatei ist zu lang: Die Grenze liegt bei 2 Minuten.",
        "Die Audiodatei ist zu lang: Die Grenze liegt bei 45 Sekunden.",
        "Die Audiodatei ist zu kurz: Sie muss mindestens 1,5 Sekunden dauern.",
        "Das Bild ist zu groß. Bitte laden Sie ein Foto mit höchstens 40 Megapixeln hoch.",
    ]
    assert unknown == "A message nobody listed."
