"""Read and validate the C2PA manifest of a file, as a plain report anyone may see.

Safe for untrusted uploads: remote manifests and OCSP responders are never fetched (a file
must not make the verifier call arbitrary URLs), and every outcome short of an unreadable
path is a report, not an exception.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

import c2pa

from safety.provenance.errors import ProvenanceError
from safety.provenance.manifest import SIGNET_ASSERTION_LABEL


class ManifestState(StrEnum):
    TRUSTED = "Trusted"  # signature and bindings valid, signer chains to a trust anchor
    VALID = "Valid"  # signature and bindings valid, signer not on the trust list given
    INVALID = "Invalid"  # a manifest is there but the file or the manifest was altered
    ABSENT = "Absent"  # a readable file with no manifest (e.g. re-encoded or never signed)
    UNREADABLE = "Unreadable"  # not a file c2pa can parse (unknown format, garbage)


@dataclass(frozen=True)
class SignerIdentity:
    """Who signed, from the signing certificate. No key material."""

    common_name: str | None
    issuer: str | None
    algorithm: str | None


@dataclass(frozen=True)
class ManifestAction:
    action: str
    digital_source_type: str | None = None


@dataclass(frozen=True)
class SoftBinding:
    alg: str
    value: str


@dataclass(frozen=True)
class ValidationIssue:
    code: str
    explanation: str


@dataclass(frozen=True)
class ManifestReport:
    """What a file's Content Credentials say, and whether to believe them.

    `validation_errors` lists c2pa's failure codes for the active manifest; on a Valid but
    untrusted file it holds `signingCredential.untrusted`. Fields other than the flags,
    state and errors are None/empty when no manifest was read.
    """

    present: bool
    valid: bool
    trusted: bool
    state: ManifestState
    signer: SignerIdentity | None = None
    claim_generator: str | None = None
    title: str | None = None
    actions: tuple[ManifestAction, ...] = ()
    signet_assertion: dict[str, Any] | None = None
    soft_binding: SoftBinding | None = None
    manifest_id: str | None = None
    validation_errors: tuple[ValidationIssue, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: plain dicts, lists, strings, bools and None."""
        data = asdict(self)
        data["state"] = str(self.state)
        data["actions"] = [asdict(a) for a in self.actions]
        data["validation_errors"] = [asdict(e) for e in self.validation_errors]
        return data


# Errors c2pa raises once it has found a manifest it cannot decode or verify: the file does
# carry credentials, but they are damaged.
_DAMAGED_MANIFEST_ERRORS: tuple[type[c2pa.C2paError], ...] = (
    c2pa.C2paError.Verify,
    c2pa.C2paError.Decoding,
    c2pa.C2paError.Manifest,
    c2pa.C2paError.Signature,
    c2pa.C2paError.Assertion,
    c2pa.C2paError.AssertionNotFound,
    c2pa.C2paError.Json,
)


def read_manifest(
    source: Path | str | bytes,
    *,
    media_type: str | None = None,
    trust_anchors_pem: str | None = None,
) -> ManifestReport:
    """Read the active manifest of an MP4, PNG or JPEG file (a path or its bytes).

    media_type: a hint; None (or a wrong hint) lets c2pa detect the format from the bytes.
    trust_anchors_pem: root certificates (PEM) whose chains count as Trusted; None means no
        signer is trusted, so a good signature reads Valid.
    Raises ProvenanceError only when a path cannot be opened; unparseable, truncated or
    tampered content comes back as a report (Unreadable, Absent or Invalid).
    """
    if isinstance(source, bytes | bytearray | memoryview):
        return _read_stream(io.BytesIO(bytes(source)), media_type, trust_anchors_pem)
    path = Path(source)
    try:
        handle = path.open("rb")
    except OSError as error:
        raise ProvenanceError(f"cannot open {path}: {error.strerror}") from None
    with handle:
        return _read_stream(handle, media_type, trust_anchors_pem)


def _reader_settings(trust_anchors_pem: str | None) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
    }
    if trust_anchors_pem:
        settings["trust"] = {"trust_anchors": trust_anchors_pem}
    return settings


def _read_stream(
    stream: BinaryIO, media_type: str | None, trust_anchors_pem: str | None
) -> ManifestReport:
    try:
        with c2pa.Context.from_dict(_reader_settings(trust_anchors_pem)) as context:
            reader = c2pa.Reader.try_create(media_type, stream, None, context)
            if reader is None:
                return ManifestReport(
                    present=False, valid=False, trusted=False, state=ManifestState.ABSENT
                )
            with reader:
                return _report_from(json.loads(reader.json()))
    except _DAMAGED_MANIFEST_ERRORS as error:
        return ManifestReport(
            present=True,
            valid=False,
            trusted=False,
            state=ManifestState.INVALID,
            validation_errors=(ValidationIssue("manifest.unreadable", str(error)),),
        )
    except c2pa.C2paError.RemoteManifest as error:
        # The file points at credentials stored elsewhere; they are deliberately not fetched.
        return ManifestReport(
            present=False,
            valid=False,
            trusted=False,
            state=ManifestState.ABSENT,
            validation_errors=(ValidationIssue("manifest.remoteNotFetched", str(error)),),
        )
    except c2pa.C2paError as error:
        # NotSupported, Io, Other ("asset could not be parsed"): not a file c2pa understands.
        return ManifestReport(
            present=False,
            valid=False,
            trusted=False,
            state=ManifestState.UNREADABLE,
            validation_errors=(ValidationIssue("asset.unreadable", str(error)),),
        )


def _report_from(store: dict[str, Any]) -> ManifestReport:
    manifest_id = store.get("active_manifest")
    manifest = store.get("manifests", {}).get(manifest_id) if manifest_id else None
    state = _state(store.get("validation_state"))
    errors = _failures(store)
    if manifest is None:
        # A manifest store without an active manifest cannot vouch for this file.
        return ManifestReport(
            present=True,
            valid=False,
            trusted=False,
            state=ManifestState.INVALID,
            validation_errors=errors
            or (ValidationIssue("manifest.missing", "no active manifest in the store"),),
        )
    assertions = {a.get("label"): a.get("data") for a in manifest.get("assertions", [])}
    return ManifestReport(
        present=True,
        valid=state in (ManifestState.TRUSTED, ManifestState.VALID),
        trusted=state is ManifestState.TRUSTED,
        state=state,
        signer=_signer(manifest.get("signature_info")),
        claim_generator=_claim_generator(manifest.get("claim_generator_info")),
        title=manifest.get("title"),
        actions=_actions(assertions),
        signet_assertion=_signet_assertion(assertions.get(SIGNET_ASSERTION_LABEL)),
        soft_binding=_soft_binding(assertions.get("c2pa.soft-binding")),
        manifest_id=manifest_id,
        validation_errors=errors,
    )


def _state(raw: Any) -> ManifestState:
    # Anything c2pa may add later that is not known-good counts as Invalid.
    if raw == "Trusted":
        return ManifestState.TRUSTED
    if raw == "Valid":
        return ManifestState.VALID
    return ManifestState.INVALID


def _failures(store: dict[str, Any]) -> tuple[ValidationIssue, ...]:
    results = store.get("validation_results") or {}
    failures = (results.get("activeManifest") or {}).get("failure")
    if failures is None:
        failures = store.get("validation_status") or []
    return tuple(
        ValidationIssue(str(f.get("code", "")), str(f.get("explanation", "")))
        for f in failures
        if isinstance(f, dict)
    )


def _signer(info: Any) -> SignerIdentity | None:
    if not isinstance(info, dict):
        return None
    return SignerIdentity(
        common_name=info.get("common_name"),
        issuer=info.get("issuer"),
        algorithm=info.get("alg"),
    )


def _claim_generator(info: Any) -> str | None:
    if not isinstance(info, list) or not info or not isinstance(info[0], dict):
        return None
    name, version = info[0].get("name"), info[0].get("version")
    return f"{name} {version}" if version else name


def _actions(assertions: dict[str, Any]) -> tuple[ManifestAction, ...]:
    # c2pa writes "c2pa.actions.v2" for what a definition calls "c2pa.actions".
    data = assertions.get("c2pa.actions.v2") or assertions.get("c2pa.actions") or {}
    return tuple(
        ManifestAction(action=str(a["action"]), digital_source_type=a.get("digitalSourceType"))
        for a in data.get("actions", [])
        if isinstance(a, dict) and "action" in a
    )


def _signet_assertion(data: Any) -> dict[str, Any] | None:
    return dict(data) if isinstance(data, dict) else None


def _soft_binding(data: Any) -> SoftBinding | None:
    if not isinstance(data, dict):
        return None
    blocks = data.get("blocks") or []
    if not blocks or not isinstance(blocks[0], dict) or "alg" not in data:
        return None
    return SoftBinding(alg=str(data["alg"]), value=str(blocks[0].get("value", "")))
