"""Consent rules, free of any framework: the wording a creator agrees to, the one-time code
they read aloud on camera, and whether a recorded consent is in force at a given moment.

The studio stores what was agreed (version, rendered statement, its SHA-256, times) and asks
these functions; nothing here touches a database or a clock of its own (`now` is passed in).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DEFAULT_VALIDITY = timedelta(days=365)
CODE_DIGITS = 6
# Long enough to start a webcam recording and read the sentence, short enough that a code
# copied from someone else's screen is soon useless.
CODE_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class ConsentWording:
    """One version of the consent text.

    `statement` is shown and agreed to ({full_name} is filled in); `spoken` is read aloud in
    the consent recording ({code} is the one-time code, digits separated by spaces so people
    read them one by one). Every word of `spoken` must be in pocketsphinx's English dictionary,
    because the spoken-code check builds its grammar from it (a test enforces this).
    """

    version: str
    statement: str
    spoken: str
    # Other languages: language code -> (statement, spoken), same placeholders. The spoken
    # sentence's words must be known to safety.speech for that language.
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)

    def in_language(self, language: str) -> tuple[str, str]:
        if language == "en":
            return self.statement, self.spoken
        try:
            return self.translations[language]
        except KeyError:
            raise ValueError(f"consent version {self.version} has no {language!r} text") from None


# Never edit a published version: its SHA-256 is what past consents point to. Add a new one.
CONSENT_WORDINGS: dict[str, ConsentWording] = {
    "2026-11": ConsentWording(
        version="2026-11",
        statement=(
            "I, {full_name}, confirm that the face in the photos I upload is my own. "
            "I allow Signet to make videos in which that face appears to speak audio I provide. "
            "Every such video is labelled as AI-generated, carries an invisible watermark and a "
            "signed record of how it was made, and can be checked by anyone on Signet's public "
            "verification page. "
            "This consent lasts one year unless I renew it. I can withdraw it at any time; from "
            "then on no new video of my face will be made, and I can delete the videos already "
            "made."
        ),
        spoken="I agree that Signet may animate my face. My code is {code}.",
        translations={
            "de": (
                "Ich, {full_name}, bestätige, dass das Gesicht auf den Fotos, die ich hochlade, "
                "mein eigenes ist. Ich erlaube Signet, Videos zu machen, in denen dieses Gesicht "
                "Audio spricht, das ich bereitstelle. Jedes solche Video ist als KI-generiert "
                "gekennzeichnet, trägt ein unsichtbares Wasserzeichen und einen signierten "
                "Nachweis seiner Entstehung und kann von allen auf Signets öffentlicher "
                "Prüfseite geprüft werden. Diese Einwilligung gilt ein Jahr, wenn ich sie nicht "
                "erneuere. Ich kann sie jederzeit widerrufen; ab dann wird kein neues Video "
                "meines Gesichts gemacht, und ich kann die schon gemachten Videos löschen.",
                "Ich stimme zu, dass Signet mein Gesicht animieren darf. Mein Code ist {code}.",
            ),
        },
    ),
    # The same consent in German. The spoken sentence stays the English one until the spoken-code
    # check can listen for German (the recogniser's dictionary is English).
    "2026-11-de": ConsentWording(
        version="2026-11-de",
        statement=(
            "Ich, {full_name}, bestätige, dass das Gesicht auf den Fotos, die ich hochlade, mein "
            "eigenes ist. Ich erlaube Signet, Videos zu erstellen, in denen dieses Gesicht den "
            "Ton zu sprechen scheint, den ich bereitstelle. Jedes solche Video ist als "
            "KI-generiert gekennzeichnet, trägt ein unsichtbares Wasserzeichen und einen "
            "signierten Nachweis seiner Entstehung und kann von allen auf der öffentlichen "
            "Prüfseite von Signet geprüft werden. "
            "Diese Einwilligung gilt ein Jahr, sofern ich sie nicht erneuere. Ich kann sie "
            "jederzeit widerrufen; ab dann wird kein neues Video meines Gesichts mehr erstellt, "
            "und ich kann die bereits erstellten Videos löschen."
        ),
        spoken="I agree that Signet may animate my face. My code is {code}.",
    ),
}
LANGUAGES = ("en", "de")
CURRENT_VERSION = "2026-11"
# The wording a creator is shown, by the page's language (other languages get English).
CURRENT_VERSION_BY_LANGUAGE = {"en": "2026-11", "de": "2026-11-de"}


def consent_version_for_language(language: str | None) -> str:
    """The current wording's version for a language code such as "de" or "de-at"."""
    base = (language or "").split("-")[0].lower()
    return CURRENT_VERSION_BY_LANGUAGE.get(base, CURRENT_VERSION)


def consent_wording(version: str = CURRENT_VERSION) -> ConsentWording:
    try:
        return CONSENT_WORDINGS[version]
    except KeyError:
        raise ValueError(
            f"unknown consent version {version!r}; known: {', '.join(CONSENT_WORDINGS)}"
        ) from None


def consent_statement(full_name: str, version: str = CURRENT_VERSION, language: str = "en") -> str:
    """The statement shown to the creator, with their name in it."""
    if not full_name.strip():
        raise ValueError("the consent statement needs the creator's full name")
    statement, _ = consent_wording(version).in_language(language)
    return statement.format(full_name=full_name.strip())


def spoken_sentence(code: str, version: str = CURRENT_VERSION, language: str = "en") -> str:
    """The sentence to read aloud, e.g. "I agree ... My code is 4 7 1 9 2 8."."""
    _check_code(code)
    _, spoken = consent_wording(version).in_language(language)
    return spoken.format(code=" ".join(code))


def spoken_lead_in(version: str = CURRENT_VERSION, language: str = "en") -> str:
    """The words of the spoken sentence before the code ("I agree ... My code is")."""
    _, spoken = consent_wording(version).in_language(language)
    return spoken.split("{code}")[0].strip()


def statement_sha256(text: str) -> str:
    """Hex SHA-256 of the exact UTF-8 text shown, so a stored consent proves its wording."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_one_time_code(digits: int = CODE_DIGITS) -> str:
    """A random code of decimal digits from the OS's secure source, e.g. "471928".

    Digits only, because they are the one vocabulary every speaker and the offline recogniser
    share; six give a one-in-a-million chance of guessing.
    """
    if digits < 4:
        raise ValueError("a one-time code needs at least 4 digits")
    return "".join(str(secrets.randbelow(10)) for _ in range(digits))


def code_is_fresh(issued_at: datetime, now: datetime, lifetime: timedelta = CODE_LIFETIME) -> bool:
    _require_aware(issued_at=issued_at, now=now)
    return issued_at <= now < issued_at + lifetime


def default_expiry(granted_at: datetime) -> datetime:
    return granted_at + DEFAULT_VALIDITY


def consent_is_valid(
    granted_at: datetime | None,
    expires_at: datetime | None,
    revoked_at: datetime | None,
    now: datetime,
) -> tuple[bool, str]:
    """Whether consent is in force at `now`, and why, in words a creator understands.

    `expires_at` None means the default validity from `granted_at`. A revocation dated after
    `now` has not taken effect yet. All datetimes must be timezone-aware.
    """
    _require_aware(granted_at=granted_at, expires_at=expires_at, revoked_at=revoked_at, now=now)
    if granted_at is None:
        return False, "Consent has not been given."
    if now < granted_at:
        return False, f"Consent only takes effect on {_day(granted_at)}."
    if revoked_at is not None and revoked_at <= now:
        return False, f"Consent was withdrawn on {_day(revoked_at)}."
    expiry = expires_at if expires_at is not None else default_expiry(granted_at)
    if now >= expiry:
        return False, f"Consent expired on {_day(expiry)}; it must be renewed."
    return True, f"Consent is valid until {_day(expiry)}."


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _check_code(code: str) -> None:
    if not code.isascii() or not code.isdigit():
        raise ValueError(f"a one-time code is decimal digits, got {code!r}")


def _require_aware(**moments: datetime | None) -> None:
    naive = [
        name for name, moment in moments.items() if moment is not None and moment.tzinfo is None
    ]
    if naive:
        raise ValueError(f"datetimes must be timezone-aware: {', '.join(naive)}")
