"""Moderators' actions on cases: claim, approve, reject, ban, add to the do-not-animate gallery."""

from pathlib import PurePosixPath

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studio.errors import InputRefused, InvalidTransition, NotAllowed
from studio.models import DoNotAnimateEntry, GenerationJob, JobState, ModerationCase
from studio.problem_words import quality_problems_words
from studio.roles import is_moderator
from studio.services.accounts import creator_lock
from studio.services.audit import audit_record
from studio.services.job_transitions import can_transition, job_transition
from studio.services.notifications import creator_notify, readers_locale
from studio.services.outputs import output_status_set

Decision = ModerationCase.Decision


def _require_moderator(user) -> None:
    if not is_moderator(user):
        raise NotAllowed(_("Only moderators can do this."))


def _refuse_own_case(case: ModerationCase, moderator) -> None:
    """Someone with both roles (or a superuser) must not approve their own job or consent: the
    "approved by a moderator" the gate trusts means a second person looked."""
    subject_ids = {
        case.job.creator_id if case.job_id else None,
        case.consent.creator_id if case.consent_id else None,
    }
    if moderator.pk in subject_ids:
        raise NotAllowed(
            _("This case is about your own video or consent; another moderator must decide it.")
        )


@transaction.atomic
def case_claim(*, case: ModerationCase, moderator) -> ModerationCase:
    """Claim a case so two moderators don't work on the same one."""
    _require_moderator(moderator)
    locked = ModerationCase.objects.select_for_update().get(pk=case.pk)
    _refuse_own_case(locked, moderator)
    if locked.state == ModerationCase.State.RESOLVED:
        raise InvalidTransition(_("This case is already resolved."))
    if locked.claimed_by_id and locked.claimed_by_id != moderator.pk:
        raise InvalidTransition(_("Another moderator has already claimed this case."))
    locked.state = ModerationCase.State.CLAIMED
    locked.claimed_by = moderator
    locked.claimed_at = timezone.now()
    locked.save(update_fields=["state", "claimed_by", "claimed_at"])
    audit_record("case.claimed", actor=moderator, subject=locked)
    return locked


def _job_release_or_queue(job: GenerationJob, moderator) -> None:
    from studio.services.jobs import job_enqueue

    if job.state == JobState.HELD:
        job_transition(job, JobState.QUEUED, actor=moderator, reason="Approved by a moderator.")
        job_enqueue(job)
    elif job.state == JobState.IN_REVIEW:
        job_transition(job, JobState.RELEASED, actor=moderator, reason="Approved by a moderator.")
        output = getattr(job, "output", None)
        if output is not None:
            output_status_set(output, "released", actor=moderator, reason="approved")
        with readers_locale(job.creator):
            creator_notify(
                job,
                subject=_("your video is released"),
                body=_("A moderator approved your video. You can watch and download it now."),
            )


def _job_reject(job: GenerationJob, moderator, reason: str) -> None:
    if can_transition(job.state, JobState.REJECTED):
        job_transition(job, JobState.REJECTED, actor=moderator, reason=reason)
    elif can_transition(job.state, JobState.CANCELLED):
        job_transition(job, JobState.CANCELLED, actor=moderator, reason=reason)
    output = getattr(job, "output", None)
    if output is not None and output.status != "revoked":
        output_status_set(output, "rejected", actor=moderator, reason=reason)
    with readers_locale(job.creator):
        creator_notify(
            job,
            subject=_("your video was rejected"),
            body=_("A moderator rejected your video: %(reason)s") % {"reason": reason},
        )


def case_can_be_approved(case: ModerationCase) -> bool:
    """Whether "approve" would do something: render a held job, release one in review, accept
    held consent, or confirm a released video. A job already refused (a do-not-animate match)
    is over; approving it used to close the case and change nothing."""
    job = case.job
    return job is None or job.state in (JobState.HELD, JobState.IN_REVIEW, JobState.RELEASED)


@transaction.atomic
def case_decide(
    *, case: ModerationCase, moderator, decision: str, reason: str = ""
) -> ModerationCase:
    _require_moderator(moderator)
    consent_creator_id = (
        ModerationCase.objects.filter(pk=case.pk).values_list("consent__creator", flat=True).first()
    )
    if consent_creator_id is not None:
        # Taken before the case, as consent_grant and consent_revoke take it before the records
        # and cases they change: a decision on held consent and the creator's own grant or
        # revocation then run one after the other instead of deadlocking.
        creator_lock(get_user_model()(pk=consent_creator_id))
    locked = (
        ModerationCase.objects.select_for_update(of=("self",))
        .select_related("job", "consent")
        .get(pk=case.pk)
    )
    _refuse_own_case(locked, moderator)
    if locked.state == ModerationCase.State.RESOLVED:
        raise InvalidTransition(_("This case is already resolved."))
    if locked.claimed_by_id and locked.claimed_by_id != moderator.pk:
        raise InvalidTransition(_("Another moderator has claimed this case."))
    if decision not in Decision.values:
        raise InputRefused(_("Unknown decision."))
    reason = reason.strip()
    if decision in {Decision.REJECT, Decision.BAN, Decision.GALLERY} and not reason:
        raise InputRefused(_("Give a reason: the creator is shown it."))
    job = locked.job
    if decision == Decision.GALLERY and job is None:
        raise InputRefused(
            _(
                "This case has no portrait to add to the gallery. Reject the consent, or ban "
                "the creator, instead."
            )
        )
    if decision == Decision.APPROVE and not case_can_be_approved(locked):
        raise InputRefused(
            _(
                "This job was refused and cannot be rendered any more, so there is nothing to "
                "approve. If the refusal was wrong, dismiss the case and correct its cause (for "
                "a do-not-animate match, the gallery entry); the creator can then submit again."
            )
        )
    if locked.consent_id is not None and decision in {
        Decision.APPROVE, Decision.REJECT, Decision.BAN,
    }:  # fmt: skip
        from studio.services.consent import consent_review_decide

        consent_review_decide(
            record=locked.consent,
            moderator=moderator,
            approve=decision == Decision.APPROVE,
            reason=reason,
            # A banned creator is not told that their consent stays in force.
            tell_creator=decision != Decision.BAN,
        )

    if decision == Decision.APPROVE and job is not None:
        _job_release_or_queue(job, moderator)
    elif decision == Decision.REJECT and job is not None:
        _job_reject(job, moderator, reason)
    elif decision == Decision.BAN and job is not None:
        _job_reject(job, moderator, reason)
        _creator_ban(job.creator, moderator, reason)
    elif decision == Decision.BAN and locked.consent_id is not None:
        _creator_ban(locked.consent.creator, moderator, reason)
    elif decision == Decision.GALLERY and job is not None:
        _gallery_add_from_job(job, moderator, reason, locked)
        _job_reject(job, moderator, reason)

    locked.state = ModerationCase.State.RESOLVED
    locked.decision = decision
    locked.decision_reason = reason
    locked.decided_by = moderator
    locked.decided_at = timezone.now()
    if not locked.claimed_by_id:
        locked.claimed_by, locked.claimed_at = moderator, locked.decided_at
    locked.save()
    audit_record(
        "case.decided",
        actor=moderator,
        subject=locked,
        details={
            "decision": decision,
            "reason": reason,
            "job": str(job.public_id) if job else None,
            "consent": str(locked.consent.public_id) if locked.consent_id else None,
        },
    )
    return locked


def _creator_ban(creator, moderator, reason: str) -> None:
    from studio.services.jobs import creator_jobs_stop
    from studio.services.outputs import outputs_revoke_for_creator

    if creator is None:  # the account was deleted meanwhile
        return
    creator.is_active = False
    creator.save(update_fields=["is_active"])
    creator_jobs_stop(
        creator=creator, actor=moderator, reason="The creator's account was suspended."
    )
    outputs_revoke_for_creator(creator=creator, reason="creator_banned")
    audit_record("account.banned", actor=moderator, subject=creator, details={"reason": reason})


def _gallery_add_from_job(
    job: GenerationJob, moderator, reason: str, case: ModerationCase
) -> DoNotAnimateEntry:
    portrait = job.portrait
    if portrait is None or not portrait.face or not portrait.face.get("embedding"):
        raise InputRefused(_("This job's portrait has no analysed face to add to the gallery."))
    entry = DoNotAnimateEntry.objects.create(
        label=reason[:200],
        embedding=portrait.face["embedding"],
        face_backend=portrait.face.get("backend", "dlib"),
        added_by=moderator,
        source_case=case,
    )
    if portrait.image:
        with portrait.image.open("rb") as handle:
            entry.photo.save("gallery" + PurePosixPath(portrait.image.name).suffix, handle)
    audit_record(
        "gallery.added", actor=moderator, subject=entry, details={"case": str(case.public_id)}
    )
    return entry


@transaction.atomic
def gallery_add(*, moderator, label: str, photo) -> DoNotAnimateEntry:
    """Add a reference photo of someone who must never be animated."""
    from safety.faces import analyze_portrait
    from studio.face_backend import face_backend, quality_limits
    from studio.services.uploads import image_check_upload

    _require_moderator(moderator)
    if photo is None:
        raise InputRefused(_("Choose the photo of the person to add."))
    checked = image_check_upload(photo, what="reference photo")
    analysis = analyze_portrait(checked.data, backend=face_backend(), limits=quality_limits())
    if analysis.problems:
        raise InputRefused(
            _("The reference photo was refused: %(problems)s")
            % {"problems": quality_problems_words(analysis.problems)}
        )
    entry = DoNotAnimateEntry(
        label=label.strip()[:200] or "unnamed",
        embedding=[float(x) for x in analysis.face.embedding],
        face_backend=face_backend().name,
        added_by=moderator,
    )
    entry.photo.save("gallery" + checked.extension, ContentFile(checked.data), save=False)
    entry.save()
    audit_record("gallery.added", actor=moderator, subject=entry)
    return entry
