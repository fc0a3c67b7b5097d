"""Enrolling a creator's face, recording their consent, and revoking it."""

import random
import secrets
import tempfile
from datetime import timedelta
from functools import partial
from pathlib import Path

import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from generation.media.errors import MediaError
from safety.consent import (
    CURRENT_VERSION,
    LANGUAGES,
    code_is_fresh,
    consent_statement,
    default_expiry,
    new_one_time_code,
    statement_sha256,
)
from safety.faces import analyze_portrait
from safety.liveness import new_challenge
from safety.liveness.challenge import CHALLENGE_LIFETIME
from studio.errors import InputRefused, NotAllowed
from studio.face_backend import face_backend, quality_limits
from studio.media_words import media_error_words
from studio.models import (
    ConsentChallenge,
    ConsentRecord,
    EnrolledIdentity,
    GenerationJob,
    ModerationCase,
)
from studio.problem_words import quality_problems_words
from studio.services.accounts import creator_lock
from studio.services.audit import audit_record
from studio.services.consent_evidence import (
    HELD,
    REFUSED,
    NotLive,
    check_evidence,
    verdict_message,
)
from studio.services.gate import creator_valid_consent
from studio.services.job_transitions import UNPUBLISHED_STATES
from studio.services.notifications import (
    creators_moment,
    reader_email,
    readers_locale,
    site_link,
)
from studio.services.uploads import Upload, image_check_upload, upload_chunks, upload_size
from studio.stored_files import stored_files_removed_unless_committed

MAX_RECORDING_BYTES = 60 * 1024 * 1024


@transaction.atomic
def identity_enrol(*, creator, selfie: Upload) -> EnrolledIdentity:
    """Store the creator's reference face. Re-enrolling replaces it and voids earlier consent."""
    checked = image_check_upload(selfie, what="selfie")
    analysis = analyze_portrait(checked.data, backend=face_backend(), limits=quality_limits())
    if analysis.problems:
        message = quality_problems_words(analysis.problems)
        audit_record(
            "identity.enrol_refused",
            actor=creator,
            details={"problems": [p.code for p in analysis.problems]},
        )
        raise InputRefused(_("The selfie was refused: %(why)s") % {"why": message})
    # One transaction: a failure half-way keeps the old selfie and the consent it backs, and
    # leaves no new selfie stored; the old file goes only once the new identity is committed.
    with stored_files_removed_unless_committed() as stored, transaction.atomic():
        # The creator's row is the lock: of two enrolments at once (a double click), the second
        # waits and then replaces the first, where both would have found no identity to replace.
        creator_lock(creator)
        previous = EnrolledIdentity.objects.select_for_update().filter(creator=creator).first()
        if previous is not None:
            old_selfie = previous.selfie
            transaction.on_commit(partial(old_selfie.storage.delete, old_selfie.name))
            previous.delete()
            _consent_end_all(creator, actor=creator, why=WHY_NEW_FACE)
        identity = EnrolledIdentity(
            creator=creator,
            embedding=np.asarray(analysis.face.embedding, dtype=float).tolist(),
            face_backend=face_backend().name,
        )
        identity.selfie.save("selfie" + checked.extension, ContentFile(checked.data), save=False)
        stored.append(identity.selfie)
        identity.save()
        audit_record(
            "identity.enrolled",
            actor=creator,
            subject=identity,
            details={"backend": identity.face_backend},
        )
    return identity


# At most this many challenges of one creator are outstanding (neither used nor expired), across
# all their browser sessions: a few windows are served; asking without end adds no rows.
MAX_OUTSTANDING_CHALLENGES = 5
# A reload is given its session's challenge again only while this much of its lifetime is left,
# enough to record and hand in; after that it gets a new one.
CHALLENGE_REUSE_MARGIN = timedelta(minutes=3)


def consent_challenge_issue(
    *,
    creator,
    session_key: str,
    language: str = "en",
    rng: random.Random | None = None,
    seeded_code: bool = False,
) -> ConsentChallenge:
    """The challenge for this browser session: nonce, one-time code, random actions.

    A reload gets the session's challenge back while it is unstarted and fresh (its code and
    actions are the server's; the actions are revealed only once recording starts), in the
    language now asked for. Otherwise a new one, after the creator's expired unused challenges
    are pruned and, past MAX_OUTSTANDING_CHALLENGES, their oldest outstanding ones given up, so
    that reloading in a loop or from many sessions cannot fill the table.

    A seeded `rng` makes the actions reproducible (tests), and with `seeded_code` the code
    too (browser tests whose fake camera plays a recording made in advance); otherwise the
    code, like the nonce, comes from the OS's secure source."""
    if language not in LANGUAGES:
        raise InputRefused(_("Choose English or German for the consent sentence."))
    now = timezone.now()
    with transaction.atomic():
        # One issue at a time per creator, so that sessions asking at once cannot pass the cap.
        creator_lock(creator)
        unused = ConsentChallenge.objects.filter(creator=creator, used_at__isnull=True)
        _challenges_give_up(unused.filter(issued_at__lte=now - CHALLENGE_LIFETIME))
        reusable = (
            unused.filter(
                session_key=session_key,
                started_at__isnull=True,
                issued_at__gt=now - (CHALLENGE_LIFETIME - CHALLENGE_REUSE_MARGIN),
            )
            .select_for_update()
            .first()
            if session_key
            else None
        )
        if reusable is not None:
            if reusable.language != language:
                reusable.language = language
                reusable.save(update_fields=["language"])
            return reusable
        outstanding = unused.order_by(F("started_at").asc(nulls_first=True), "issued_at")
        excess = outstanding.count() - (MAX_OUTSTANDING_CHALLENGES - 1)
        if excess > 0:
            # Unstarted ones first: a started one may be a recording in progress.
            _challenges_give_up(outstanding[:excess])
        challenge = new_challenge(rng)
        return ConsentChallenge.objects.create(
            nonce=secrets.token_urlsafe(32),
            creator=creator,
            session_key=session_key or "",
            language=language,
            code="".join(str(rng.randrange(10)) for _ in range(6))
            if seeded_code and rng is not None
            else new_one_time_code(),
            steps=challenge.to_list(),
            seconds=challenge.seconds,
        )


def _challenges_give_up(challenges) -> None:
    """Delete unused challenges. Each row is locked first and read again: one being handed in
    at this moment (consent_grant marks it used under the row's lock) is kept, never deleted."""
    chosen = [challenge.pk for challenge in challenges]
    doomed = ConsentChallenge.objects.select_for_update().filter(
        pk__in=chosen, used_at__isnull=True
    )
    ConsentChallenge.objects.filter(pk__in=[challenge.pk for challenge in doomed]).delete()


def _challenge_for(creator, nonce: str, session_key: str, *, lock: bool = False):
    query = ConsentChallenge.objects.filter(nonce=nonce or "-")
    if lock:
        query = query.select_for_update()
    challenge = query.first()
    if challenge is None or challenge.creator_id != creator.pk or (
        challenge.session_key and challenge.session_key != (session_key or "")
    ):
        return None, "challenge_foreign", _(
            "This recording does not belong to a consent session of yours. "
            "Reload the page and record again."
        )
    if challenge.used_at is not None:
        return challenge, "challenge_used", _(
            "This consent session was already used. Reload the page for a new code."
        )
    if not code_is_fresh(challenge.issued_at, timezone.now(), CHALLENGE_LIFETIME):
        return challenge, "challenge_expired", _(
            "Your consent session expired. Reload the page for a new code."
        )
    return challenge, "", ""


def _refuse(creator, code: str, message: str, details: dict | None = None):
    audit_record(
        "consent.refused", actor=creator, subject=creator, details={"reason": code} | (details or {})
    )
    raise InputRefused(message, code=code)


@transaction.atomic
def consent_challenge_start(*, creator, nonce: str, session_key: str) -> ConsentChallenge:
    """The page started recording: note when (the recording's length is checked against the
    time that passes) and hand out the actions and their moments, only now."""
    challenge, problem, message = _challenge_for(creator, nonce, session_key, lock=True)
    if problem:
        _refuse(creator, problem, message)
    if challenge.started_at is None:
        challenge.started_at = timezone.now()
        challenge.save(update_fields=["started_at"])
    return challenge


def _use_challenge(creator, nonce: str, session_key: str) -> ConsentChallenge:
    """Mark the challenge used (even if what follows refuses: a nonce counts once)."""
    with transaction.atomic():
        challenge, problem, message = _challenge_for(creator, nonce, session_key, lock=True)
        if not problem and challenge.started_at is None:
            problem = "not_live"
            message = _(
                "Only a recording made live on this page counts as consent; "
                "an uploaded file does not. Start the recording on this page."
            )
        if challenge is not None and problem != "challenge_foreign":
            challenge.used_at = challenge.used_at or timezone.now()
            challenge.save(update_fields=["used_at"])
    if problem:
        # Outside the block above so that the nonce stays used although this raises.
        _refuse(creator, problem, message, {"nonce": (nonce or "")[:8]})
    return challenge


def consent_grant(
    *,
    creator,
    signature_name: str,
    nonce: str,
    session_key: str,
    recording: Upload,
    ip_address: str | None = None,
    user_agent: str = "",
    statement_version: str = CURRENT_VERSION,
) -> ConsentRecord:
    """Record consent from a live recording made inside the server-issued challenge `nonce`.

    The code checked is the challenge's own. Returns the new record: `verified` when every
    check passed, `held` (with a moderation case) when a person must look; raises
    InputRefused, with the reason in words and in the audit log, when the evidence is forged
    or unusable. A new record supersedes the creator's active one, except that a held renewal
    leaves valid consent in force until a moderator approves it (consent_review_decide)."""
    identity = EnrolledIdentity.objects.filter(creator=creator).first()
    if identity is None:
        raise NotAllowed(_("Enrol your face with a selfie before giving consent."))
    if not signature_name.strip():
        raise InputRefused(_("Type your full name as your signature."))
    size = upload_size(recording)
    if not size:
        raise InputRefused(_("The consent recording is empty. Please record again."))
    if size > MAX_RECORDING_BYTES:
        raise InputRefused(_("The consent recording is too large; keep it under a minute."))
    challenge = _use_challenge(creator, nonce, session_key)
    elapsed = (timezone.now() - challenge.started_at).total_seconds()
    data = b"".join(upload_chunks(recording))

    with tempfile.TemporaryDirectory(prefix="signet-consent-") as folder:
        path = Path(folder) / "recording.webm"
        path.write_bytes(data)
        try:
            check = check_evidence(
                path=path,
                challenge=challenge,
                identity=identity,
                elapsed_seconds=elapsed,
                statement_version=statement_version,
            )
        except NotLive as not_live:
            _refuse(
                creator,
                "not_live",
                _(
                    "Only a recording made live on this page counts as consent; "
                    "an uploaded file does not. Record again on this page."
                ),
                {"why": str(not_live)},
            )
        except MediaError as error:
            _refuse(
                creator,
                "unreadable",
                _("The consent recording could not be read: %(why)s")
                % {"why": media_error_words(error.message)},
            )
    verdict = check.verdict
    if check.outcome == REFUSED:
        _refuse(
            creator,
            verdict.reasons[0],
            verdict_message(verdict),
            {"reasons": list(verdict.reasons), "liveness": verdict.report},
        )

    text = consent_statement(signature_name.strip(), statement_version, challenge.language)
    now = timezone.now()
    held = check.outcome == HELD
    try:
        with transaction.atomic():
            # As in identity_enrol: two grants at once (two tabs) run one after the other, and
            # the second supersedes the first instead of breaking the one-active-consent rule.
            creator_lock(creator)
            # The recording was checked against `identity`; a selfie enrolled since (another
            # tab, committing under the same lock) would inherit consent its face never gave.
            if not EnrolledIdentity.objects.filter(pk=identity.pk, creator=creator).exists():
                raise _FaceChangedMeanwhile
            superseded = _supersede_for_grant(creator, now, held=held)
            record = ConsentRecord(
                creator=creator,
                statement_version=statement_version,
                statement_text=text,
                statement_sha256=statement_sha256(text),
                signature_name=signature_name.strip()[:200],
                one_time_code=challenge.code,
                recording_face_check=check.face_report,
                spoken_code_check=check.spoken_report,
                ip_address=ip_address,
                user_agent=user_agent[:1000],
                granted_at=now,
                expires_at=default_expiry(now),
                challenge=challenge,
                language=challenge.language,
                verification=(
                    ConsentRecord.Verification.HELD if held else ConsentRecord.Verification.VERIFIED
                ),
                liveness_report=verdict.report | {"reasons": list(verdict.reasons)},
                recording_sha256=check.sha256,
                frame_hashes=check.frame_hashes,
            )
            record.recording.save("recording.webm", ContentFile(data), save=False)
            record.save()
            audit_record(
                "consent.held" if held else "consent.granted",
                actor=creator,
                subject=record,
                details={
                    "statement_version": statement_version,
                    "statement_sha256": record.statement_sha256,
                    "language": challenge.language,
                    "face_frames_matched": check.face_report.get("frames_matched"),
                    "code_heard": check.spoken_report.get("matched"),
                    "reasons": list(verdict.reasons),
                },
            )
            if held:
                ModerationCase.objects.create(
                    consent=record,
                    reason=ModerationCase.Reason.CONSENT_REVIEW,
                    details={"reasons": list(verdict.reasons)},
                )
            else:
                _carry_waiting_jobs_over(superseded, record, actor=creator)
    except _FaceChangedMeanwhile:
        _refuse(
            creator,
            "face_changed",
            _(
                "You enrolled a new selfie while this recording was being checked. Record "
                "your consent again for the face now enrolled."
            ),
        )
    return record


class _FaceChangedMeanwhile(Exception):
    pass


def consent_message(record: ConsentRecord) -> str:
    """What the creator is told after granting."""
    from safety.liveness.verdict import LivenessVerdict

    reasons = tuple((record.liveness_report or {}).get("reasons", ()))
    outcome = HELD if record.verification == ConsentRecord.Verification.HELD else "granted"
    return verdict_message(LivenessVerdict(outcome, reasons))


# Why a held record's moderation case closed without a moderator's decision: stored in English
# for the moderators (like their own reasons), shown on the case.
# Stored in English on the case (the service has no reader); worded for the moderator reading
# the case by studio/case_reason_words.py.
WHY_REPLACED_BY_HELD = gettext_noop(
    "The creator recorded their consent again before a moderator decided; the newer recording "
    "waits for review instead."
)
WHY_SUPERSEDED = gettext_noop(
    "The creator recorded their consent again before a moderator decided; the newer recording "
    "passed the checks."
)
WHY_WITHDRAWN = gettext_noop("The creator withdrew their consent before a moderator decided.")
WHY_NEW_FACE = gettext_noop(
    "The creator enrolled a new face before a moderator decided, which ends consent given for "
    "the old one."
)


def _supersede_for_grant(creator, now, *, held: bool) -> list[ConsentRecord]:
    """End what a new grant replaces; returns the records ended.

    A grant that passed the checks ends every unrevoked record. A held one (a moderator must
    look) leaves valid consent in force, so that a renewal does not stop the creator's videos
    while it waits: it ends only an earlier renewal still waiting, which it replaces. Without
    valid consent a held grant ends everything, as before: nothing runs until it is approved."""
    records = ConsentRecord.objects.select_for_update().filter(
        creator=creator, revoked_at__isnull=True
    )
    if held and creator_valid_consent(creator)[0] is not None:
        records = records.filter(verification=ConsentRecord.Verification.HELD)
    superseded = _supersede(list(records), now, actor=creator)
    _waiting_cases_close(
        superseded, actor=creator, why=WHY_REPLACED_BY_HELD if held else WHY_SUPERSEDED
    )
    return superseded


def _supersede(records: list[ConsentRecord], now, *, actor) -> list[ConsentRecord]:
    for old in records:
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        audit_record("consent.superseded", actor=actor, subject=old, details={})
    return records


def _consent_end_all(creator, *, actor, why: str) -> int:
    """Revoke every unrevoked record of the creator, a waiting renewal included."""
    records = list(
        ConsentRecord.objects.select_for_update().filter(creator=creator, revoked_at__isnull=True)
    )
    ended = ConsentRecord.objects.filter(pk__in=[record.pk for record in records]).update(
        revoked_at=timezone.now()
    )
    _waiting_cases_close(records, actor=actor, why=why)
    return ended


def _waiting_cases_close(records: list[ConsentRecord], *, actor, why: str) -> None:
    """Close the open cases of held records that ended before a moderator decided, saying why:
    approving one would change nothing, and the queue should not ask for a decision."""
    held = [record for record in records if record.verification == ConsentRecord.Verification.HELD]
    if not held:
        return
    cases = ModerationCase.objects.select_for_update().filter(consent__in=held).exclude(
        state=ModerationCase.State.RESOLVED
    )
    for case in cases:
        case.state = ModerationCase.State.RESOLVED
        case.decision = ModerationCase.Decision.DISMISS
        case.decision_reason = why
        case.decided_at = timezone.now()
        case.save(update_fields=["state", "decision", "decision_reason", "decided_at"])
        audit_record("case.closed", actor=actor, subject=case, details={"reason": why})


def _carry_waiting_jobs_over(
    superseded: list[ConsentRecord], record: ConsentRecord, *, actor
) -> None:
    """Jobs accepted under the consent this one renews go on under it.

    Without this, renewing consent (which the expiry mail asks for) failed every job still
    waiting to render as "consent withdrawn". Only a renewal for the same enrolled face gets here:
    enrolling a new face voids consent itself, leaving nothing active to supersede."""
    waiting = GenerationJob.objects.filter(consent__in=superseded, state__in=UNPUBLISHED_STATES)
    carried = [str(public_id) for public_id in waiting.values_list("public_id", flat=True)]
    if carried:
        waiting.update(consent=record)
        audit_record(
            "consent.jobs_carried_over", actor=actor, subject=record, details={"jobs": carried}
        )


def consent_review_decide(
    *, record: ConsentRecord, moderator, approve: bool, reason: str, tell_creator: bool = True
) -> None:
    """A moderator's decision on held consent evidence (called inside case_decide, which holds
    the creator's lock).

    Approved, a renewal supersedes the consent it renews only now, and the jobs waiting under that
    consent go on under the renewal; rejected, the consent in force stays as it was."""
    if approve:
        superseded = []
        if record.revoked_at is None and record.creator_id is not None:
            others = ConsentRecord.objects.select_for_update().filter(
                creator_id=record.creator_id, revoked_at__isnull=True
            )
            # Unique constraints allow one unrevoked held record: what is left is the consent
            # this one renews (none if that had ended when the renewal was recorded).
            superseded = _supersede(
                list(others.exclude(pk=record.pk)), timezone.now(), actor=moderator
            )
        record.verification = ConsentRecord.Verification.APPROVED
        record.save(update_fields=["verification"])
        _carry_waiting_jobs_over(superseded, record, actor=moderator)
    else:
        record.verification = ConsentRecord.Verification.REJECTED
        record.revoked_at = record.revoked_at or timezone.now()
        record.save(update_fields=["verification", "revoked_at"])
    audit_record(
        "consent.approved" if approve else "consent.rejected",
        actor=moderator,
        subject=record,
        details={"reason": reason},
    )
    if tell_creator:
        _review_decision_tell(record, approve=approve, reason=reason)


def _review_decision_tell(record: ConsentRecord, *, approve: bool, reason: str) -> None:
    """E-mail the creator the moderator's decision, and what it means for their videos."""
    creator = record.creator
    if creator is None or (approve and record.revoked_at is not None):
        return

    with readers_locale(creator):
        in_force, _why_not = creator_valid_consent(creator)
        if approve:
            subject = _("your consent recording was accepted")
            body = _(
                "A moderator accepted your consent recording. Your consent is in force until "
                "%(date)s; Signet makes your videos under it."
            ) % {"date": creators_moment(record.expires_at)}
        elif in_force is not None:
            subject = _("your new consent recording was not accepted")
            body = _(
                "A moderator did not accept your new consent recording. Your current consent "
                "stays in force until %(date)s, and your videos are made as before; to go on "
                "after that day, record your consent again before then.\n\n"
                "The moderator's reason: %(reason)s"
            ) % {"date": creators_moment(in_force.expires_at), "reason": reason}
        else:
            subject = _("your consent recording was not accepted")
            body = _(
                "A moderator did not accept your consent recording. Signet makes no videos of "
                "you until you record your consent again on the consent page.\n\n"
                "The moderator's reason: %(reason)s"
            ) % {"reason": reason}
        body += "\n\n" + _("Your consent page: %(link)s") % {"link": site_link("consent")}
    reader_email(creator, subject=subject, body=body, about=f"consent {record.public_id}")


@transaction.atomic
def consent_revoke(*, creator) -> int:
    """Revoke every active consent at once, a renewal waiting for a moderator too: queued and
    held jobs are cancelled, outputs revoked."""
    from studio.services.jobs import creator_jobs_stop
    from studio.services.outputs import outputs_revoke_for_creator

    # The creator's lock orders this after a grant or a moderator's decision in progress.
    creator_lock(creator)
    revoked = _consent_end_all(creator, actor=creator, why=WHY_WITHDRAWN)
    audit_record("consent.revoked", actor=creator, subject=creator, details={"records": revoked})
    creator_jobs_stop(creator=creator, actor=creator, reason="Consent was revoked.")
    outputs_revoke_for_creator(creator=creator, reason="consent_revoked")
    return revoked
