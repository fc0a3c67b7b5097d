from django.utils.translation import gettext as _

from studio.errors import NotFound
from studio.models import ModerationCase, OutputArtifact
from studio.roles import is_moderator


def output_get_for_viewer(user, public_id) -> tuple[OutputArtifact, str]:
    """The output `user` may watch, and why: 'creator' or 'moderator'.

    A creator sees their own outputs once released. A moderator may open an output whose job a
    moderation case names (what the queue gives them, to judge it); the caller logs it. Everything
    else is "not found", so existence leaks nothing: the public verifier tells anyone an output's
    ID, so the ID alone must not open a creator's unreported video.
    """
    artifact = OutputArtifact.objects.select_related("job").filter(public_id=public_id).first()
    if artifact is None or not artifact.file:
        raise NotFound(_("No such video."))
    job = artifact.job
    if job is not None and job.creator_id == user.pk and artifact.status == "released":
        return artifact, "creator"
    if job is not None and is_moderator(user) and ModerationCase.objects.filter(job=job).exists():
        return artifact, "moderator"
    raise NotFound(_("No such video."))
