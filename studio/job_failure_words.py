"""Why a job failed or was queued again, in the reader's language.

Workers run without a reader, so they store the reason in English; it is worded here when it is
shown. In English each wording is exactly the stored reason; a reason not known here (such as a
refusal already worded in the creator's language when it was made) is shown as it is.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from studio.media_words import media_error_words, reworded
from studio.services.gate import CONSENT_WITHDRAWN_BEFORE_PUBLISHING
from studio.services.withdrawal import WITHDRAWN_BY_CREATOR

FIXED = (
    gettext_noop("The worker stopped unexpectedly; the job was queued again."),
    gettext_noop("Cancelled by the creator while it was running."),
    gettext_noop("Rendering took longer than this clip's time limit and was stopped."),
    # Sealing and publishing refuse to publish (safety/sealing.py, services/publishing.py).
    gettext_noop("The renderer produced no frames; nothing was published."),
    gettext_noop("The signed output names the wrong watermark; it was not published."),
    gettext_noop("The watermark could not be read back from the output; it was not published."),
    gettext_noop("Could not allocate a watermark ID."),
    gettext_noop("Only a sealed output can be published."),
    gettext_noop("A file changed after sealing; it was not published."),
    gettext_noop("The sealed file belongs to another watermark; it was not published."),
    CONSENT_WITHDRAWN_BEFORE_PUBLISHING,
    WITHDRAWN_BY_CREATOR,
)

WITH_NAMES = (
    (
        re.compile(
            r"The signed output did not verify when read back \(manifest (?P<state>[\w -]+)\); "
            r"it was not published\."
        ),
        lambda match: (
            _(
                "The signed output did not verify when read back (manifest %(state)s); "
                "it was not published."
            )
            % {"state": match["state"]}
        ),
    ),
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
    return reworded(reason, FIXED, WITH_NAMES) or media_error_words(reason)
