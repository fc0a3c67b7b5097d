"""The messages of generation's and safety's MediaError, which are English, in the reader's
language. In English each wording is exactly the original; a message not listed here is shown
as it is."""

import re

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The fixed messages, marked for the catalogue (each is looked up as it stands).
FIXED = (
    gettext_noop(
        "The audio file could not be decoded: it may be corrupt or in an unsupported format."
    ),
    gettext_noop("The audio is silent. Please upload a recording with audible speech or singing."),
    gettext_noop("The audio file could not be read."),
    gettext_noop("The file contains no audio track."),
    gettext_noop(
        "This audio format is not supported. Please upload WAV, MP3, M4A (AAC), "
        "OGG (Vorbis or Opus), FLAC or WebM (Opus)."
    ),
    gettext_noop(
        "The image could not be decoded: it may be corrupt, truncated or in an unsupported format."
    ),
    gettext_noop("The image file could not be read."),
    gettext_noop(
        "The image is not a JPEG, PNG or WebP file. Please upload a photo in one of those formats."
    ),
    gettext_noop(
        "The video file could not be decoded: it may be corrupt or in an unsupported format."
    ),
    gettext_noop("The file contains no video track."),
    gettext_noop("The recording has no video frames."),
    gettext_noop("The file is not a video this page recorded."),
)


def _number(match: re.Match) -> str:
    """The English number with the reader's decimal separator (1.5 -> 1,5 in German)."""
    return match["number"].replace(".", get_format("DECIMAL_SEPARATOR"))


def _too_long(match: re.Match) -> str:
    number, unit = _number(match), match["unit"]
    if unit == "minutes":
        return _("The audio is too long: the limit is %(number)s minutes.") % {"number": number}
    return _("The audio is too long: the limit is %(number)s seconds.") % {"number": number}


# The messages with a number in them: the pattern of the English, and its wording.
WITH_NUMBERS = (
    (
        re.compile(
            r"The audio is too long: the limit is (?P<number>[\d.e+]+) (?P<unit>minutes|seconds)\."
        ),
        _too_long,
    ),
    (
        re.compile(r"The audio is too short: it must last at least (?P<number>[\d.e+]+) seconds\."),
        lambda match: (
            _("The audio is too short: it must last at least %(number)s seconds.")
            % {"number": _number(match)}
        ),
    ),
    (
        re.compile(
            r"The image is too large\. Please upload a photo of at most (?P<number>[\d.e+]+) megapixels\."
        ),
        lambda match: (
            _("The image is too large. Please upload a photo of at most %(number)s megapixels.")
            % {"number": _number(match)}
        ),
    ),
)


def reworded(message: str, fixed: tuple[str, ...], patterns) -> str | None:
    """`message` in the reader's language if it is one of `fixed` or matches one of `patterns`
    (English pattern, wording), else None."""
    for pattern, words in patterns:
        match = pattern.fullmatch(message)
        if match:
            return words(match)
    return _(message) if message in fixed else None


def media_error_words(message: str) -> str:
    return reworded(message, FIXED, WITH_NUMBERS) or message
