"""A creator's copy of what Signet holds about them (the right of access and portability,
GDPR Art. 15 and 20), as one JSON document."""

from django.utils import timezone

from studio.job_failure_words import job_failure_words
from studio.models import (
    ApiToken,
    AuditEvent,
    ConsentRecord,
    CreatorTimeZone,
    EnrolledIdentity,
    GenerationJob,
    ReaderLanguage,
)
from studio.services.gate import creator_valid_consent

FORMAT_VERSION = 1


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def creator_data_export(creator) -> dict:
    """Everything below is the creator's own; another person's data never enters (jobs, consent,
    tokens and audit events are read by this creator only)."""
    identity = EnrolledIdentity.objects.filter(creator=creator).first()
    return {
        "format": f"signet-personal-data/{FORMAT_VERSION}",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": creator.email,
            "joined_at": _when(creator.date_joined),
            "last_login_at": _when(creator.last_login),
            "time_zone": CreatorTimeZone.objects.filter(creator=creator)
            .values_list("name", flat=True)
            .first(),
            "mail_language": ReaderLanguage.objects.filter(reader=creator)
            .values_list("code", flat=True)
            .first(),
        },
        "enrolled_face": identity
        and {"enrolled_at": _when(identity.enrolled_at), "face_backend": identity.face_backend},
        "consent_records": _consents(creator),
        "videos": [_job(job) for job in _jobs(creator)],
        "api_tokens": [
            {
                "label": token.label,
                "created_at": _when(token.created_at),
                "last_used_at": _when(token.last_used_at),
                "expires_at": _when(token.expires_at),
            }
            for token in ApiToken.objects.filter(creator=creator).order_by("created_at")
        ],
        "your_actions": [
            {"at": _when(event.created_at), "action": event.action}
            for event in AuditEvent.objects.filter(actor=creator).order_by("sequence")
        ],
        # Said, not silently left out: what is held but not put into a downloadable file.
        "not_in_this_file": [
            "your selfie and your face descriptor (biometric data: kept out of a file that could "
            "be forwarded; they are deleted with your account)",
            "your consent recordings, portraits and audio clips (deleted with your account)",
            "the video files themselves (each can be downloaded from its page, sealed)",
        ],
    }


def _consents(creator) -> list[dict]:
    in_force, _why_not = creator_valid_consent(creator)
    return [
        _consent(record, in_force=record == in_force)
        for record in ConsentRecord.objects.filter(creator=creator).order_by("granted_at")
    ]


def _consent(record: ConsentRecord, *, in_force: bool) -> dict:
    waiting = record.verification == ConsentRecord.Verification.HELD and not record.revoked_at
    return {
        # A renewal waiting for a moderator and the consent in force meanwhile are both unrevoked.
        "status": (
            "in_force" if in_force else "waiting_for_a_moderator" if waiting else "not_in_force"
        ),
        "granted_at": _when(record.granted_at),
        "expires_at": _when(record.expires_at),
        "revoked_at": _when(record.revoked_at),
        "verification": record.verification,
        "statement_version": record.statement_version,
        "statement_language": record.language,
        "statement_text": record.statement_text,
        "signed_as": record.signature_name,
        "scope": record.scope,
        "ip_address": record.ip_address,
        "browser": record.user_agent,
    }


def _jobs(creator):
    return (
        GenerationJob.objects.filter(creator=creator)
        .select_related("output")
        .order_by("created_at")
    )


def _job(job: GenerationJob) -> dict:
    output = getattr(job, "output", None)
    return {
        "id": str(job.public_id),
        "created_at": _when(job.created_at),
        "state": job.state,
        "audio_seconds": round(job.audio_seconds, 2),
        "label_corner": job.label_corner,
        "label_language": job.label_language,
        "why": job_failure_words(job.failure_reason) if job.failure_reason else "",
        "output": output
        and {
            "id": str(output.public_id),
            "status": output.status,
            "published_at": _when(output.published_at),
            "sha256": output.sha256,
            "manifest_id": output.manifest_id,
            "public_name": output.creator_handle,
        },
    }
