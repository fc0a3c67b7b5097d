"""What the API answers, as schemas (they are the OpenAPI document's components)."""

from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class _Open(Schema):
    # Answers may grow new fields; clients ignore what they do not know.
    model_config = ConfigDict(extra="allow")


class ErrorBody(_Open):
    code: str = Field(examples=["input_refused"])
    message: str = Field(description="Written for the person who made the request.")


class ErrorOut(Schema):
    error: ErrorBody


class ProgressOut(Schema):
    done: int
    total: int
    fraction: float


class JobOut(_Open):
    id: str = Field(description="The job's public id (UUID).")
    state: str = Field(examples=["queued", "released", "held"])
    state_label: str
    progress: ProgressOut
    audio_seconds: float
    failure_reason: str
    hold_reason: str = Field("", description="Why the job waits for a moderator, while it does.")
    cancel_requested: bool
    video_url: str | None
    poster_url: str | None
    created_at: str


class WatermarkOut(_Open):
    found: bool
    id: int | None
    confidence: float
    frames_read: int
    algorithm: str
    full_search: bool = Field(
        False, description="The quick read found nothing; the full search ran."
    )


class AudioWatermarkOut(_Open):
    found: bool
    id: int | None
    algorithm: str
    checked: bool = Field(False, description="The file had a sound track, and it was read.")


class RecordOut(_Open):
    id: str
    status: str
    status_explained: str
    created: str
    creator: str = Field(description="A pseudonymous handle, never the account.")
    manifest_id: str | None


class VerifyOut(_Open):
    verdict: str
    verdict_code: str = Field(
        examples=["signed", "re_signed", "tampered", "watermark_only", "no_provenance"]
    )
    c2pa: dict[str, Any]
    watermark: WatermarkOut | None
    audio_watermark: AudioWatermarkOut | None = Field(
        None, description="The mark in the sound track, which survives reuse of the audio alone."
    )
    record: RecordOut | None
    report_token: str | None = None
    file_name: str | None = Field(None, description="The name of the file that was checked.")


class BindingIn(Schema):
    alg: str = Field(description="Soft-binding algorithm, as named in the manifest.")
    value: str = Field(description="The watermark's value (Signet: the decimal payload id).")


class MatchOut(Schema):
    manifestId: str  # noqa: N815  (the C2PA soft-binding resolution API's spelling)


class MatchesOut(Schema):
    matches: list[MatchOut]


class ManifestOut(_Open):
    manifestId: str  # noqa: N815
    manifest: dict[str, Any] | None
    status: str


LabelCorner = Literal["bottom-right", "bottom-left", "top-right", "top-left"]

ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    429: ErrorOut,
}
