"""Consent wording, one-time codes and whether a consent is in force."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from pocketsphinx import Decoder

from safety.consent import (
    CONSENT_WORDINGS,
    CURRENT_VERSION,
    DEFAULT_VALIDITY,
    code_is_fresh,
    consent_is_valid,
    consent_statement,
    new_one_time_code,
    spoken_lead_in,
    spoken_sentence,
    statement_sha256,
)

GRANTED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def test_valid_consent_says_until_when():
    valid, reason = consent_is_valid(
        GRANTED, GRANTED + timedelta(days=30), None, GRANTED + timedelta(days=1)
    )
    assert valid
    assert reason == "Consent is valid until 9 February 2026."


def test_expired_consent_is_not_valid():
    valid, reason = consent_is_valid(
        GRANTED, GRANTED + timedelta(days=30), None, GRANTED + timedelta(days=30)
    )
    assert not valid
    assert reason == "Consent expired on 9 February 2026; it must be renewed."


def test_revoked_consent_is_not_valid_from_the_moment_of_revocation():
    revoked = GRANTED + timedelta(days=3)
    expires = GRANTED + DEFAULT_VALIDITY
    assert consent_is_valid(GRANTED, expires, revoked, revoked - timedelta(seconds=1))[0]
    valid, reason = consent_is_valid(GRANTED, expires, revoked, revoked)
    assert not valid
    assert reason == "Consent was withdrawn on 13 January 2026."


def test_missing_and_future_consent_are_not_valid():
    assert consent_is_valid(None, None, None, GRANTED) == (False, "Consent has not been given.")
    valid, reason = consent_is_valid(GRANTED, None, None, GRANTED - timedelta(hours=1))
    assert not valid and "only takes effect on 10 January 2026" in reason


def test_default_validity_is_one_year():
    assert DEFAULT_VALIDITY == timedelta(days=365)
    assert consent_is_valid(GRANTED, None, None, GRANTED + timedelta(days=364))[0]
    valid, reason = consent_is_valid(GRANTED, None, None, GRANTED + timedelta(days=365))
    assert not valid and "expired on 10 January 2027" in reason


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware: now"):
        consent_is_valid(GRANTED, None, None, datetime(2026, 2, 1))


def test_one_time_codes_are_six_random_digits():
    codes = {new_one_time_code() for _ in range(200)}
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(codes) > 190  # 200 draws from a million rarely collide
    assert len(new_one_time_code(8)) == 8
    with pytest.raises(ValueError):
        new_one_time_code(3)


def test_code_expires_after_its_lifetime():
    assert code_is_fresh(GRANTED, GRANTED + timedelta(minutes=14))
    assert not code_is_fresh(GRANTED, GRANTED + timedelta(minutes=15))
    assert not code_is_fresh(GRANTED, GRANTED - timedelta(minutes=1))


def test_statement_names_the_creator_and_its_hash_pins_the_wording():
    text = consent_statement("Ada Lovelace")
    assert text.startswith("I, Ada Lovelace, confirm")
    assert "{" not in text
    digest = statement_sha256(text)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest == statement_sha256(consent_statement("Ada Lovelace"))
    assert digest != statement_sha256(consent_statement("Ada Byron"))
    with pytest.raises(ValueError):
        consent_statement("  ")
    with pytest.raises(ValueError, match="unknown consent version"):
        consent_statement("Ada", version="1999-01")


def test_spoken_sentence_spells_the_code_digit_by_digit():
    assert spoken_sentence("471928") == (
        "I agree that Signet may animate my face. My code is 4 7 1 9 2 8."
    )
    assert spoken_lead_in() == "I agree that Signet may animate my face. My code is"
    with pytest.raises(ValueError):
        spoken_sentence("47a928")


@pytest.mark.parametrize("version", sorted(CONSENT_WORDINGS))
def test_every_spoken_word_is_in_the_recogniser_dictionary(version):
    decoder = Decoder(loglevel="FATAL")
    words = re.findall(r"[a-z']+", spoken_lead_in(version).lower())
    assert [word for word in words if decoder.lookup_word(word) is None] == []
    assert CONSENT_WORDINGS[version].version == version
    assert CURRENT_VERSION in CONSENT_WORDINGS


def test_the_consent_statement_exists_in_german_and_english():
    from safety.consent import consent_statement, consent_version_for_language, statement_sha256

    english = consent_statement("Erika Muster", consent_version_for_language("en-GB"))
    german = consent_statement("Erika Muster", consent_version_for_language("de-DE"))
    assert english.startswith("I, Erika Muster, confirm")
    assert german.startswith("Ich, Erika Muster, bestätige")
    assert "KI-generiert" in german and "widerrufen" in german
    # Each language is its own version, so a stored consent proves which wording was agreed to.
    assert statement_sha256(english) != statement_sha256(german)
    assert consent_version_for_language("fr") == consent_version_for_language(None) == "2026-11"
