"""Reasons that workers store in English, worded for the reader when shown."""

import pytest
from django.utils import translation

from studio.job_failure_words import job_failure_words

REASONS = [
    "The worker stopped unexpectedly; the job was queued again.",
    "The worker stopped unexpectedly while processing this job (3 attempts). "
    "It was not tried again; please submit it again later.",
    "The diffusion video engine is not available on this server right now; "
    "the operators have been told.",
    "Rendering failed because of an internal error (KeyError). "
    "The team has the details; please try again.",
    "The audio file could not be read.",
]


@pytest.mark.parametrize("reason", REASONS)
def test_in_english_the_stored_reason_is_shown_as_it_is(reason):
    with translation.override("en"):
        assert job_failure_words(reason) == reason


def test_in_german():
    with translation.override("de"):
        words = [job_failure_words(reason) for reason in REASONS]
        already_german = job_failure_words("Das Porträt wurde abgelehnt: zu klein.")
    assert words[0].startswith("Der Worker wurde unerwartet beendet;")
    assert "(3 Versuche)" in words[1]
    assert words[2].startswith("Die Video-Engine diffusion ist")
    assert "(KeyError)" in words[3] and words[3].startswith("Das Rendern ist")
    assert words[4] == "Die Audiodatei konnte nicht gelesen werden."
    assert already_german == "Das Porträt wurde abgelehnt: zu klein."
    assert job_failure_words("") == ""


def test_a_refusal_to_publish_is_worded_in_german_too():
    stored = (
        "The signed output did not verify when read back (manifest invalid); "
        "it was not published."
    )
    with translation.override("de"):
        assert job_failure_words(stored).startswith("Das signierte Video ließ sich")
        assert "(Manifest invalid)" in job_failure_words(stored)
        no_frames = job_failure_words("The renderer produced no frames; nothing was published.")
    assert no_frames == "Die Video-Engine hat keine Bilder erzeugt; es wurde nichts veröffentlicht."
    with translation.override("en"):
        assert job_failure_words(stored) == stored
