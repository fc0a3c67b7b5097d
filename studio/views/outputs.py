from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _

from studio.errors import NotFound
from studio.selectors.outputs import output_get_for_viewer
from studio.services.audit import audit_record_viewing
from studio.stored_files import stored_file_response


@login_required
def output_video(request, public_id):
    """Every output leaves Signet through here, and every output here is a published (sealed) one."""
    artifact, role = output_get_for_viewer(request.user, public_id)
    if role == "moderator":
        audit_record_viewing(
            "output.viewed_by_moderator",
            actor=request.user,
            subject=artifact,
            details={"status": artifact.status, "under_review": artifact.status == "under_review"},
        )
    return stored_file_response(
        request, artifact.file, "video/mp4", f"signet-{artifact.public_id}.mp4"
    )


@login_required
def output_poster(request, public_id):
    """The sealed preview still: same rules as the video (it is an output too)."""
    artifact, role = output_get_for_viewer(request.user, public_id)
    if not artifact.poster:
        raise NotFound(_("This video has no preview."))
    if role == "moderator":
        audit_record_viewing(
            "output.viewed_by_moderator",
            actor=request.user,
            subject=artifact,
            details={"status": artifact.status, "file": "poster"},
        )
    return stored_file_response(
        request, artifact.poster, "image/jpeg", f"signet-{artifact.public_id}.jpg"
    )
