"""A sealing set-up for benchmarks: a throw-away development chain, a watermark key, and the
same safety.sealing.seal_video the studio runs."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from generation.media import decode_audio
from safety.disclosure import DisclosureLabel
from safety.provenance.certificates import create_development_chain
from safety.provenance.manifest import IngredientInfo, build_manifest
from safety.provenance.signer import SignerConfig
from safety.sealing import SealReport, seal_video
from safety.watermark import default_codec


class BenchSealer:
    def __init__(self) -> None:
        self._keys = Path(tempfile.mkdtemp(prefix="signet-bench-keys-"))
        paths = create_development_chain(self._keys)
        self.signer = SignerConfig(chain_pem=paths.chain, key_pem=paths.key)
        self.trust_anchors = paths.root.read_text()
        self.codec = default_codec(hashlib.sha256(b"bench-watermark-key").digest())
        self.label = DisclosureLabel(corner="bottom-right")

    def seal(self, render_path: Path, *, watermark_id: int = 123_456_789) -> SealReport:
        audio = decode_audio(render_path, sample_rate=48_000)
        manifest = build_manifest(
            claim_generator_version="bench",
            title="bench",
            generation_id="bench",
            generator_backend="animator",
            generator_version="bench",
            consent_record_id="bench",
            consent_statement_sha256="0" * 64,
            hash_key=b"bench-manifest-hash-key",
            watermark_alg=self.codec.name,
            watermark_value=str(watermark_id),
            ingredients=[IngredientInfo(role="portrait", media_type="image/jpeg", sha256="1" * 64)],
        )
        return seal_video(
            render_path,
            render_path.with_name(render_path.stem + ".sealed.mp4"),
            codec=self.codec,
            watermark_id=watermark_id,
            label=self.label,
            audio=audio,
            manifest=manifest,
            signer=self.signer,
            trust_anchors_pem=self.trust_anchors,
        )
