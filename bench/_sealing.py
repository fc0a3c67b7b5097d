"""A sealing set-up for benchmarks: a throw-away development chain, a watermark key, and the same
safety.sealing code the studio runs (``seal_render``), beside the old two-pass path it replaced
(``seal_render_two_pass``, kept here only so the benchmark can show both in one run)."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from pathlib import Path

from generation.media import decode_audio
from generation.media.audio import decode_audio_once
from generation.media.video import Mp4Writer, iter_video_frames, probe_video
from generation.render_job import render_frames, render_to_file
from generation.renderers import RenderRequest, get_renderer
from safety.audio_watermark import AudioWatermark, mark_audio_track
from safety.disclosure import DisclosureLabel
from safety.provenance.certificates import create_development_chain
from safety.provenance.manifest import IngredientInfo, build_manifest
from safety.provenance.reading import read_manifest
from safety.provenance.signer import SignerConfig
from safety.provenance.signing import sign_media
from safety.sealing import (
    SEALED_CRF,
    SEALED_PRESET,
    SealingFailed,
    SealReport,
    seal_frames,
    seal_still,
    seal_video,
)
from safety.watermark import default_codec, read_watermark_from_file

WATERMARK_ID = 123_456_789
# As the worker renders by default (studio setting SIGNET_RENDER_THREADS).
RENDER_THREADS = 2


class BenchSealer:
    def __init__(self) -> None:
        self._keys = Path(tempfile.mkdtemp(prefix="signet-bench-keys-"))
        paths = create_development_chain(self._keys)
        self.signer = SignerConfig(chain_pem=paths.chain, key_pem=paths.key)
        self.trust_anchors = paths.root.read_text()
        key = hashlib.sha256(b"bench-watermark-key").digest()
        self.codec = default_codec(key)
        self.audio_mark = AudioWatermark(key=key)
        self.label = DisclosureLabel(corner="bottom-right")

    def manifest(self, watermark_id: int = WATERMARK_ID, title: str = "bench") -> dict:
        return build_manifest(
            claim_generator_version="bench",
            title=title,
            generation_id=str(uuid.uuid4()),
            generator_backend="animator",
            generator_version="bench",
            consent_record_id="bench",
            consent_statement_sha256="0" * 64,
            hash_key=b"bench-manifest-hash-key",
            watermark_alg=self.codec.name,
            watermark_value=str(watermark_id),
            ingredients=[IngredientInfo(role="portrait", media_type="image/jpeg", sha256="1" * 64)],
        )

    def _keys_and_marks(self, watermark_id: int) -> dict:
        return {
            "codec": self.codec,
            "watermark_id": watermark_id,
            "label": self.label,
            "signer": self.signer,
            "trust_anchors_pem": self.trust_anchors,
        }

    def seal(self, render_path: Path, *, watermark_id: int = WATERMARK_ID) -> SealReport:
        """Seal an existing MP4 (bench/sealing_speed.py)."""
        return seal_video(
            render_path,
            render_path.with_name(render_path.stem + ".sealed.mp4"),
            audio=decode_audio(render_path, sample_rate=48_000),
            manifest=self.manifest(watermark_id),
            **self._keys_and_marks(watermark_id),
        )

    def seal_render(
        self,
        request: RenderRequest,
        audio_path: Path,
        workdir: Path,
        *,
        crf: int = SEALED_CRF,
        preset: str = SEALED_PRESET,
        render_threads: int = RENDER_THREADS,
    ) -> Path:
        """The worker's one pass: decode the audio once, render, seal as frames arrive (the
        sound track audio-marked, as studio.services.sealing does), poster from memory.
        ``request.audio`` is replaced by the decoded analysis copy."""
        analysis, delivered = decode_audio_once(audio_path)
        request = _with_audio(request, analysis)
        video = seal_frames(
            render_frames(get_renderer("animator", threads=render_threads), request),
            workdir / "sealed.mp4",
            fps=request.fps,
            audio=mark_audio_track(delivered, self.audio_mark, WATERMARK_ID, in_place=True),
            manifest=self.manifest(),
            crf=crf,
            preset=preset,
            **self._keys_and_marks(WATERMARK_ID),
        )
        seal_still(
            video.poster_rgb,
            workdir / "poster.jpg",
            manifest=self.manifest(title="poster"),
            **self._keys_and_marks(WATERMARK_ID),
        )
        return video.path

    def seal_render_two_pass(
        self, request: RenderRequest, audio_path: Path, workdir: Path
    ) -> Path:
        """The path before issue 15, step for step: audio decoded twice (16 kHz mono for the
        renderer, 48 kHz mono to deliver), render to a CRF 12 intermediate, decode it, label +
        mark, encode at CRF 18, sign, read back (manifest + 50 decoded frames), probe, decode the
        intermediate again for the poster."""
        request = _with_audio(request, decode_audio(audio_path))
        output_audio = decode_audio(audio_path, sample_rate=48_000)
        render = render_to_file(get_renderer("animator"), request, workdir / "render.mp4", crf=12)
        info = probe_video(render.path)
        marked = workdir / "sealed.unsigned.mp4"
        sealed = workdir / "sealed.mp4"
        with Mp4Writer(
            marked, width=info.width, height=info.height, fps=round(info.fps),
            audio=output_audio, crf=18,
        ) as writer:  # fmt: skip
            for index, frame in enumerate(iter_video_frames(render.path)):
                writer.write(
                    self.codec.embed_frame(self.label.apply(frame), WATERMARK_ID, index)
                )
        sign_media(marked, sealed, self.manifest(), self.signer, media_type="video/mp4")
        marked.unlink()
        report = read_manifest(sealed, media_type="video/mp4", trust_anchors_pem=self.trust_anchors)
        reading = read_watermark_from_file(sealed, self.codec)
        if not (report.trusted and reading.found):
            raise SealingFailed("two-pass read-back failed")
        probe_video(sealed)
        poster = list(iter_video_frames(render.path, max_frames=13))[-1]
        seal_still(
            poster,
            workdir / "poster.jpg",
            manifest=self.manifest(title="poster"),
            **self._keys_and_marks(WATERMARK_ID),
        )
        render.path.unlink()
        return sealed


def _with_audio(request: RenderRequest, audio) -> RenderRequest:
    return RenderRequest(
        portrait_rgb=request.portrait_rgb,
        landmarks=request.landmarks,
        audio=audio,
        size=request.size,
        fps=request.fps,
        seed=request.seed,
    )
