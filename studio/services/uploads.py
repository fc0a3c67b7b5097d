"""Checking uploads by their content before anything is stored."""

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from generation.media.audio import probe_audio
from generation.media.errors import MediaError
from generation.media.images import probe_image
from studio.errors import InputRefused
from studio.media_words import media_error_words

IMAGE_MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
AUDIO_EXTENSIONS = {
    "pcm_s16le": ".wav",
    "pcm_s24le": ".wav",
    "pcm_f32le": ".wav",
    "mp3": ".mp3",
    "mp3float": ".mp3",
    "aac": ".m4a",
    "vorbis": ".ogg",
    "opus": ".webm",
    "flac": ".flac",
}


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    sha256: str
    media_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class CheckedAudio:
    path: Path  # a private temporary copy; the caller stores it and then removes it
    sha256: str
    codec: str
    extension: str
    duration_seconds: float

    def discard(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


# Pages and the API hand in Django uploads; the management commands and tests hand in paths.
Upload = UploadedFile | Path


def upload_size(upload: Upload) -> int:
    return (upload.stat().st_size if isinstance(upload, Path) else upload.size) or 0


def upload_chunks(upload: Upload) -> Iterator[bytes]:
    if isinstance(upload, Path):
        with upload.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk
    else:
        yield from upload.chunks()


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


# What an image upload is called in a refusal; all three are neuter in German ("das").
_IMAGE_NAMES = {
    "portrait": gettext_lazy("portrait"),
    "selfie": gettext_lazy("selfie"),
    "reference photo": gettext_lazy("reference photo"),
}


def image_check_upload(upload: Upload, *, what: str = "portrait") -> CheckedImage:
    """Read an image upload whole (it is size-capped first) and check its content."""
    limit = settings.SIGNET_MAX_IMAGE_BYTES
    name = _IMAGE_NAMES.get(what, what)
    size = upload_size(upload)
    if size > limit:
        raise InputRefused(
            _("The %(what)s is larger than %(size)s. Please upload a smaller photo.")
            % {"what": name, "size": _megabytes(limit)}
        )
    if size == 0:
        raise InputRefused(_("The %(what)s file is empty.") % {"what": name})
    data = b"".join(upload_chunks(upload))
    try:
        info = probe_image(data, max_pixels=settings.SIGNET_MAX_IMAGE_PIXELS)
    except MediaError as error:
        raise InputRefused(
            _("The %(what)s was refused: %(why)s")
            % {"what": name, "why": media_error_words(error.message)}
        ) from error
    return CheckedImage(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=IMAGE_MEDIA_TYPES[info.format],
        extension=".jpg" if info.format == "JPEG" else f".{info.format.lower()}",
        width=info.width,
        height=info.height,
    )


def audio_check_upload(upload: Upload) -> CheckedAudio:
    """Copy an audio upload to a private temporary file and check it decodes within limits."""
    limit = settings.SIGNET_MAX_AUDIO_BYTES
    size = upload_size(upload)
    if size > limit:
        raise InputRefused(
            _("The audio file is larger than %(size)s.") % {"size": _megabytes(limit)}
        )
    if size == 0:
        raise InputRefused(_("The audio file is empty."))
    folder = Path(tempfile.mkdtemp(prefix="signet-audio-"))
    path = folder / "upload.bin"
    digest = hashlib.sha256()
    try:
        with path.open("wb") as out:
            for chunk in upload_chunks(upload):
                digest.update(chunk)
                out.write(chunk)
        info = probe_audio(
            path,
            max_seconds=settings.SIGNET_MAX_AUDIO_SECONDS,
            min_seconds=settings.SIGNET_MIN_AUDIO_SECONDS,
        )
    except MediaError as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise InputRefused(
            _("The audio was refused: %(why)s") % {"why": media_error_words(error.message)}
        ) from error
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return CheckedAudio(
        path=path,
        sha256=digest.hexdigest(),
        codec=info.codec,
        extension=AUDIO_EXTENSIONS.get(info.codec, ".audio"),
        duration_seconds=info.duration_seconds,
    )
