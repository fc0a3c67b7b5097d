from studio.models.api_tokens import ApiToken
from studio.models.audit import AuditChainHead, AuditEvent
from studio.models.consent import ConsentChallenge, ConsentRecord
from studio.models.fingerprints import OutputFingerprint
from studio.models.identity import EnrolledIdentity
from studio.models.jobs import GenerationJob, JobState
from studio.models.languages import ReaderLanguage
from studio.models.media import AudioClip, Portrait
from studio.models.moderation import DoNotAnimateEntry, MisuseReport, ModerationCase
from studio.models.outputs import OutputArtifact
from studio.models.time_zones import CreatorTimeZone
from studio.models.workers import WorkerHeartbeat

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "AudioClip",
    "ConsentChallenge",
    "ConsentRecord",
    "CreatorTimeZone",
    "DoNotAnimateEntry",
    "EnrolledIdentity",
    "GenerationJob",
    "JobState",
    "MisuseReport",
    "ModerationCase",
    "OutputArtifact",
    "OutputFingerprint",
    "Portrait",
    "ReaderLanguage",
    "WorkerHeartbeat",
]
