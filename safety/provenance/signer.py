"""How Signet signs: a certificate chain plus either a private key file or a remote signer.

A `SignerConfig` is plain data that `studio/` builds from its settings. `open_signer` turns it
into a c2pa `Signer`; hand that to `c2pa.Context(..., signer=...)`, which takes ownership.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import c2pa

from safety.provenance.errors import ProvenanceError

_ALGORITHMS: dict[str, c2pa.C2paSigningAlg] = {
    "es256": c2pa.C2paSigningAlg.ES256,
    "es384": c2pa.C2paSigningAlg.ES384,
    "es512": c2pa.C2paSigningAlg.ES512,
    "ps256": c2pa.C2paSigningAlg.PS256,
    "ps384": c2pa.C2paSigningAlg.PS384,
    "ps512": c2pa.C2paSigningAlg.PS512,
    "ed25519": c2pa.C2paSigningAlg.ED25519,
}


@dataclass(frozen=True)
class SignerConfig:
    """Exactly one of `key_pem` (a private key file) or `sign_callback` (a KMS/HSM) signs.

    chain_pem: the signer certificate followed by its intermediates, never the root.
    sign_callback: receives the bytes to sign and returns the signature (for ES256, DER or
        raw r||s both work with c2pa-rs 0.91). Exceptions it raises make signing fail.
    alg: one of es256, es384, es512, ps256, ps384, ps512, ed25519; must match the key.
    tsa_url: an RFC 3161 timestamp authority. None offline: an unreachable TSA makes every
        signing attempt fail.
    """

    chain_pem: Path
    key_pem: Path | None = None
    sign_callback: Callable[[bytes], bytes] | None = None
    alg: str = "es256"
    tsa_url: str | None = None

    def __post_init__(self) -> None:
        if (self.key_pem is None) == (self.sign_callback is None):
            raise ValueError("SignerConfig needs exactly one of key_pem or sign_callback")
        if self.alg not in _ALGORITHMS:
            raise ValueError(
                f"unsupported signing algorithm {self.alg!r}; use one of {sorted(_ALGORITHMS)}"
            )
        if self.tsa_url is not None and not self.tsa_url.startswith(("http://", "https://")):
            raise ValueError("tsa_url must be an http(s) URL or None")


def open_signer(config: SignerConfig) -> c2pa.Signer:
    """Build the c2pa Signer that `config` describes.

    The caller owns the result: pass it to a `c2pa.Context` (which consumes it) or close it.
    Raises ProvenanceError when a file cannot be read or c2pa rejects the chain or key; the
    message names the file, never its contents.
    """
    chain = _read_text(Path(config.chain_pem), "certificate chain")
    try:
        if config.sign_callback is not None:
            return c2pa.Signer.from_callback(
                config.sign_callback, _ALGORITHMS[config.alg], chain, config.tsa_url
            )
        assert config.key_pem is not None  # guaranteed by SignerConfig.__post_init__
        key = _read_text(Path(config.key_pem), "private key")
        info = c2pa.C2paSignerInfo(config.alg, chain.encode(), key.encode(), config.tsa_url)
        return c2pa.Signer.from_info(info)
    except c2pa.C2paError as error:
        # c2pa-rs names what is wrong ("invalid ES256 private key", "signature does not match
        # the provided data or public key") without echoing the key itself.
        raise ProvenanceError(
            f"c2pa rejected the signer built from {Path(config.chain_pem).name}: {error}"
        ) from error


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="ascii")
    except OSError as error:
        raise ProvenanceError(f"cannot read the {what} at {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        # from None: the decode error would quote the offending bytes of a key file.
        raise ProvenanceError(f"the {what} at {path} is not PEM text") from None
