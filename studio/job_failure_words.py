"""Why a job failed or was queued again, in the reader's language.

Workers run without a reader, so they store the reason in English; it is worded here when it is
shown. In English each wording is exactly the stored reason; a reason not known here (such as a
refusal already worded in the creator's language when it was made) is shown as it is.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from studio.media_words import media_error_words

FIXED = (
    gettext_noop("The worker stopped unexpectedly; the job was queued again."),
    gettext_noop("Cancelled by the creator while it was running."),
    gettext_noop("Rendering took longer than this clip's time limit and was stopped."),
)

WITH_NAMES = (
    (
        re.compile(
            r"The worker stopped unexpectedly while processing this job \((?P<attempts>\d+) "
            r"attempts\)\. It was not tried again; please submit it again later\."
        ),
        lambda match: (
            _(
                "The worker stopped unexpectedly while processing this job (%(attempts)s attempts). "
                "It was not tried again; please submit it again later."
            )
            % {"attempts": match["attempts"]}
        ),
    ),
    (
        re.compile(
            r"The (?P<renderer>[\w.-]+) video engine is not available on this server right now; "
            r"the operators have been told\."
        ),
        lambda match: (
            _(
                "The %(renderer)s video engine is not available on this server right now; "
                "the operators have been told."
            )
            % {"renderer": match["renderer"]}
        ),
    ),
    (
        re.compile(
            r"Rendering failed because of an internal error \((?P<error>\w+)\)\. "
            r"The team has the details; please try again\."
        ),
        lambda match: (
            _(
                "Rendering failed because of an internal error (%(error)s). "
                "The team has the details; please try again."
            )
            % {"error": match["error"]}
        ),
    ),
)


def job_failure_words(reason: str) -> str:
    if not reason:
        return reason
    for pattern, words in WITH_NAMES:
        match = pattern.fullmatch(reason)
        if match:
            return words(match)
    if reason in FIXED:
        return _(reason)
    return media_error_words(reason)
