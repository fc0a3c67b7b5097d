"""Why a moderation case was closed, in the moderator's language.

A case Signet closes by itself (the consent it asked about ended before anyone decided) keeps
its reason in English, as the service that closed it had no reader; it is worded here when
shown. A reason a moderator typed is theirs and is shown as typed.
"""

from studio.media_words import reworded
from studio.services.consent import (
    WHY_NEW_FACE,
    WHY_REPLACED_BY_HELD,
    WHY_SUPERSEDED,
    WHY_WITHDRAWN,
)

CLOSED_BY_SIGNET = (WHY_REPLACED_BY_HELD, WHY_SUPERSEDED, WHY_WITHDRAWN, WHY_NEW_FACE)


def case_reason_words(reason: str) -> str:
    return reworded(reason, CLOSED_BY_SIGNET, ()) or reason
