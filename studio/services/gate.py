"""The safety gate: consent, portrait quality, identity match and the do-not-animate gallery.

Every entry point (pages, API, management command) submits jobs through studio.services.jobs,
which calls `gate_evaluate` before anything is queued. There is no other way to queue a job.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from safety.consent import consent_is_valid
from safety.faces import analyze_portrait, closest_gallery_match, match_identity
from studio.face_backend import face_backend, identity_thresholds, quality_limits
from studio.models import ConsentRecord, DoNotAnimateEntry, EnrolledIdentity, GenerationJob
from studio.problem_words import quality_problems_words

# Stored in English by the worker and worded for the reader by studio.job_failure_words.
CONSENT_WITHDRAWN_BEFORE_PUBLISHING = gettext_noop(
    "The consent this job was made under was withdrawn before its video was published; "
    "nothing was published."
)


class GateOutcome:
    ACCEPTED = "accepted"
    HELD = "held"
    REFUSED = "refused"


@dataclass(frozen=True)
class GateDecision:
    outcome: str
    message: str
    reason_code: str
    consent: ConsentRecord | None = None
    face: dict | None = None
    distance: float | None = None
    gallery_entry: DoNotAnimateEntry | None = None
    report: dict = field(default_factory=dict)


def job_consent_still_valid(job, *, lock: bool = False) -> bool:
    """Whether the consent record the gate accepted `job` under still lets it run.

    The worker asks again before rendering and the publisher before publishing, because
    revocation, re-enrolment (which voids consent given for the old face) and expiry can all
    come after the gate queued the job. `lock` holds the record until the caller's transaction
    ends, so a revocation waits for a publication it would otherwise miss.
    """
    # Read afresh: a renewal while the job rendered carries it over to the new record.
    consent_id = GenerationJob.objects.filter(pk=job.pk).values_list("consent_id", flat=True)
    records = ConsentRecord.objects.filter(pk__in=consent_id[:1])
    record = (records.select_for_update() if lock else records).first()
    if record is None or not record.lets_jobs_run:
        return False
    valid, _reason = consent_is_valid(
        granted_at=record.granted_at,
        expires_at=record.expires_at,
        revoked_at=record.revoked_at,
        now=timezone.now(),
    )
    return valid


def creator_valid_consent(creator) -> tuple[ConsentRecord | None, str]:
    """The creator's consent record that lets jobs run now, else None and why not.

    Only consent whose live recording passed the liveness and spoken-code checks, or that a
    moderator approved, counts; held evidence waits for a moderator. A renewal waiting for one
    leaves the consent it renews in force meanwhile (at most one unrevoked record is not held)."""
    records = ConsentRecord.objects.filter(creator=creator).order_by("-granted_at")
    in_force = (
        records.filter(revoked_at__isnull=True)
        .exclude(verification=ConsentRecord.Verification.HELD)
        .first()
    )
    if in_force is not None and not _why_not_in_force(creator, in_force):
        return in_force, ""
    newest = records.first()
    if newest is None:
        return None, _("You have not given consent yet. Enrol your face and consent first.")
    return None, _why_not_in_force(creator, newest)


def _why_not_in_force(creator, record: ConsentRecord) -> str:
    """Why `record` does not let jobs run now, in the reader's language; "" if it does."""
    if record.verification == ConsentRecord.Verification.HELD and record.revoked_at is None:
        return _(
            "A moderator is checking your consent recording. No video is made until it is "
            "approved."
        )
    if record.verification == ConsentRecord.Verification.REJECTED:
        return _("A moderator did not accept your consent recording. Record it again.")
    if record.verification == ConsentRecord.Verification.UNVERIFIED:
        return _(
            "Your consent was recorded before Signet checked recordings for a live person. "
            "Please record it again."
        )
    now = timezone.now()
    valid, _english_reason = consent_is_valid(
        granted_at=record.granted_at,
        expires_at=record.expires_at,
        revoked_at=record.revoked_at,
        now=now,
    )
    if not valid:
        return _consent_not_in_force_words(creator, record, now)
    if not record.lets_jobs_run:
        return _("Your consent has not been verified.")
    if _recorded_before_the_enrolled_face(record):
        return _(
            "You enrolled a new selfie after recording this consent, so it does not count for "
            "the face now enrolled. Record your consent again."
        )
    return ""


def _consent_not_in_force_words(creator, record: ConsentRecord, now) -> str:
    """Why consent that was given no longer lets videos be made, in the reader's language.

    safety.consent words its reasons in English only (it knows no translations), so the
    creator's words are chosen here from the record itself."""

    def day(moment) -> str:
        return date_format(timezone.localtime(moment), "DATE_FORMAT")

    if record.revoked_at is not None and record.revoked_at <= now:
        identity = EnrolledIdentity.objects.filter(creator=creator).first()
        # Enrolling a new face voids consent just before the new identity is saved, in the
        # same transaction (identity_enrol); a withdrawal comes after the enrolment.
        if identity is not None and (
            timedelta(0) <= identity.enrolled_at - record.revoked_at < timedelta(minutes=1)
        ):
            return _(
                "Your consent ended on %(date)s, when you enrolled a new face. Record your "
                "consent again for this face."
            ) % {"date": day(record.revoked_at)}
        return _(
            "You withdrew your consent on %(date)s. Record it again to make new videos."
        ) % {"date": day(record.revoked_at)}
    if now >= record.expires_at:
        return _(
            "Your consent expired on %(date)s: consent lasts a year. Record it again to make "
            "new videos."
        ) % {"date": day(record.expires_at)}
    return _("Your consent only takes effect on %(date)s.") % {"date": day(record.granted_at)}


def _recorded_before_the_enrolled_face(record: ConsentRecord) -> bool:
    """Whether the face enrolled now came after the consent recording was handed in.

    The recording is checked against the face enrolled when it arrives, which takes seconds.
    Enrolling voids existing consent, but a selfie enrolled in another tab during that check
    finds no record to void yet, and would inherit consent its face never gave."""
    identity = EnrolledIdentity.objects.filter(creator_id=record.creator_id).first()
    challenge = record.challenge if record.challenge_id else None
    handed_in = challenge.used_at if challenge else None
    return identity is None or (handed_in is not None and identity.enrolled_at > handed_in)


def gate_evaluate(*, creator, portrait_bytes: bytes) -> GateDecision:
    """Decide whether `creator` may animate the portrait. Reads only; the caller records."""
    identity = EnrolledIdentity.objects.filter(creator=creator).first()
    if identity is None:
        return GateDecision(
            GateOutcome.REFUSED,
            _("You have not enrolled your face yet. Enrol and give consent before generating."),
            "not_enrolled",
        )
    consent, why_not = creator_valid_consent(creator)
    if consent is None:
        return GateDecision(GateOutcome.REFUSED, why_not, "no_valid_consent")

    backend = face_backend()
    analysis = analyze_portrait(portrait_bytes, backend=backend, limits=quality_limits())
    if analysis.problems:
        message = quality_problems_words(analysis.problems)
        return GateDecision(
            GateOutcome.REFUSED,
            _("The portrait was refused: %(problems)s") % {"problems": message},
            analysis.problems[0].code,
            consent=consent,
            report={"problems": [p.code for p in analysis.problems]},
        )
    face = analysis.face
    probe = np.asarray(face.embedding, dtype=np.float64)
    face_record = {
        "box": [face.box.left, face.box.top, face.box.right, face.box.bottom],
        "landmarks": np.asarray(face.landmarks).round(2).tolist(),
        "embedding": probe.tolist(),
        "backend": backend.name,
    }

    thresholds = identity_thresholds()
    gallery = (
        (entry, np.asarray(entry.embedding, dtype=np.float64))
        for entry in DoNotAnimateEntry.objects.filter(face_backend=backend.name)
    )
    # Cautious on purpose: "probably the same person" already blocks.
    gallery_hit = closest_gallery_match(probe, gallery, threshold=thresholds.reject)
    if gallery_hit is not None:
        entry, distance = gallery_hit
        return GateDecision(
            GateOutcome.REFUSED,
            _("This face may not be animated on Signet. The request was sent to a moderator."),
            "do_not_animate",
            consent=consent,
            face=face_record,
            gallery_entry=entry,
            report={"gallery_distance": round(float(distance), 4)},
        )

    match = match_identity(np.asarray(identity.embedding, dtype=np.float64), probe, thresholds)
    report = {
        "distance": round(float(match.distance), 4),
        "accept_threshold": thresholds.accept,
        "reject_threshold": thresholds.reject,
        "decision": match.decision,
    }
    if match.decision == "accepted":
        outcome, code = GateOutcome.ACCEPTED, "identity_accepted"
        message = _("Your portrait matches your enrolled face.")
    elif match.decision == "review":
        outcome, code = GateOutcome.HELD, "identity_review"
        message = _(
            "Your portrait is close to your enrolled face but not close enough to be sure, "
            "so a moderator will check it before rendering."
        )
    else:
        outcome, code = GateOutcome.REFUSED, "identity_mismatch"
        # No distance in the words: a number per try would let someone morph another person's
        # photo towards their own enrolled face until it passes. The audit log keeps it.
        message = _(
            "The face in the portrait does not match the face you enrolled. Signet only "
            "animates your own face. If this is you, use a clear, recent photo facing the "
            "camera, or enrol a new selfie."
        )
    return GateDecision(
        outcome,
        message,
        code,
        consent=consent,
        face=face_record,
        distance=match.distance,
        report=report,
    )


def gate_uses_settings() -> dict:
    """What the gate is configured with, for the pages that explain it."""
    thresholds = identity_thresholds()
    return {
        "face_backend": settings.SIGNET_FACE_BACKEND,
        "accept_threshold": thresholds.accept,
        "reject_threshold": thresholds.reject,
    }
