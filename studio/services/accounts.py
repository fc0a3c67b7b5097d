"""Creating accounts and giving them roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from studio.roles import CREATOR, MODERATOR, roles_ensure
from studio.services.audit import audit_record


@transaction.atomic
def creator_lock(creator) -> None:
    """Hold the creator's row until the caller's transaction ends: what one creator does twice
    at once (a double click, two tabs) then runs one after the other (enrolment, consent,
    tokens, jobs)."""
    get_user_model().objects.select_for_update().filter(pk=creator.pk).first()


def creator_create(*, email: str, password: str, full_name: str = ""):
    roles_ensure()
    User = get_user_model()
    user = User.objects.create_user(username=email.lower(), email=email.lower(), password=password)
    if full_name:
        user.first_name = full_name[:150]
        user.save(update_fields=["first_name"])
    user.groups.add(Group.objects.get(name=CREATOR))
    audit_record("account.created", actor=user, subject=user, details={"role": CREATOR})
    return user


@transaction.atomic
def moderator_create(*, email: str, password: str):
    roles_ensure()
    User = get_user_model()
    user = User.objects.create_user(
        username=email.lower(), email=email.lower(), password=password, is_staff=False
    )
    user.groups.add(Group.objects.get(name=MODERATOR))
    audit_record("account.created", subject=user, details={"role": MODERATOR})
    return user


@transaction.atomic
def account_delete(*, user) -> None:
    """Delete a creator's personal data and account; keep the minimal provenance record.

    Kept: each output's row (hashes, watermark, manifest, pseudonymous handle, status "revoked")
    so the verifier can still answer for any copy, consent records' IDs, statement hashes and
    dates, and the audit log. Gone: selfie, consent recordings and signatures, portraits, audio,
    face descriptors, output videos and their preview stills, API tokens, the account itself.
    """
    from studio.models import (
        ConsentRecord,
        EnrolledIdentity,
        OutputArtifact,
    )
    from studio.services.jobs import creator_jobs_stop
    from studio.services.outputs import outputs_revoke_for_creator

    outputs_revoke_for_creator(creator=user, reason="account_deleted")
    creator_jobs_stop(creator=user, actor=user, reason="The account was deleted.")
    for identity in EnrolledIdentity.objects.filter(creator=user):
        identity.selfie.delete(save=False)
        identity.delete()
    for record in ConsentRecord.objects.filter(creator=user):
        record.recording.delete(save=False)
        record.signature_name = ""
        record.statement_text = ""
        record.ip_address = None
        record.user_agent = ""
        record.one_time_code = ""
        record.recording_face_check = None
        record.spoken_code_check = None
        # The frame hashes and SHA-256 stay: they cannot be turned back into a picture, and
        # they keep the deleted recording from being replayed as someone else's consent.
        record.liveness_report = None
        record.revoked_at = record.revoked_at or timezone.now()
        record.save()
    for portrait in user.portraits.all():
        portrait.image.delete(save=False)
        portrait.face = None
        portrait.save(update_fields=["image", "face"])
    for clip in user.audio_clips.all():
        clip.file.delete(save=False)
        clip.save(update_fields=["file"])
    for artifact in OutputArtifact.objects.filter(job__creator=user):
        artifact.file.delete(save=False)
        artifact.poster.delete(save=False)  # a still of the face, as personal as the video
        artifact.save(update_fields=["file", "poster"])
    audit_record("account.deleted", actor=user, subject=user)
    user.delete()
