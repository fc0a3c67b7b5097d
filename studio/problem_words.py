"""The face-quality problems that safety/ words in English, in the reader's language.

In English each wording is exactly safety's own message; a problem this module does not know
keeps safety's message.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from safety.faces.types import (
    FACE_CUT_OFF,
    FACE_STRETCHED,
    FACE_TOO_SMALL,
    NO_FACE,
    SEVERAL_FACES,
    TOO_BLURRED,
    UNREADABLE_IMAGE,
    QualityProblem,
)


def quality_problem_words(problem: QualityProblem) -> str:
    figures = problem.figures
    if problem.code == UNREADABLE_IMAGE:
        return _("We could not read this file as a picture. Please upload a JPEG or PNG photo.")
    if problem.code == NO_FACE:
        return _(
            "We could not find a face in this photo. Please use a well-lit photo in which your "
            "whole face is visible and turned towards the camera."
        )
    if problem.code == SEVERAL_FACES and "count" in figures:
        return (
            _(
                "We found %(count)d faces in this photo. Please use a photo in which only you appear."
            )
            % figures
        )
    if problem.code == FACE_CUT_OFF:
        return _(
            "Your face is cut off at the edge of the photo. Please use a photo that shows your "
            "whole face with some space around it."
        )
    if problem.code == FACE_TOO_SMALL and {"side", "minimum"} <= figures.keys():
        if figures.get("found_when_enlarged"):
            return (
                _(
                    "Your face is too small in this photo: it is about %(side)d pixels across and we "
                    "need at least %(minimum)d. Please come closer to the camera or use a "
                    "higher-resolution photo."
                )
                % figures
            )
        return (
            _(
                "Your face is too small in this photo: it is about %(side)d pixels across and we "
                "need at least %(minimum)d. Please use a closer or higher-resolution photo."
            )
            % figures
        )
    if problem.code == TOO_BLURRED:
        return _(
            "Your face is too blurry in this photo to be recognised. Please use a sharp, "
            "well-focused photo taken in good light, holding the camera still."
        )
    if problem.code == FACE_STRETCHED:
        return _(
            "The photo looks stretched or squashed: the face is only found once the picture is "
            "put back to its proper shape. Please take the selfie again, or upload the original "
            "photo rather than a resized copy."
        )
    return problem.message


def quality_problems_words(problems: Iterable[QualityProblem]) -> str:
    return " ".join(quality_problem_words(problem) for problem in problems)
