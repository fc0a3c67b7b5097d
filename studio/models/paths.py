"""Where private files live under MEDIA_ROOT: random names, so no file name carries personal data."""

import uuid
from pathlib import PurePosixPath


def _private_name(folder: str, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"private/{folder}/{uuid.uuid4().hex}{suffix}"


def selfie_path(instance, filename: str) -> str:
    return _private_name("selfies", filename)


def consent_recording_path(instance, filename: str) -> str:
    return _private_name("consent", filename)


def portrait_path(instance, filename: str) -> str:
    return _private_name("portraits", filename)


def audio_path(instance, filename: str) -> str:
    return _private_name("audio", filename)


def output_path(instance, filename: str) -> str:
    return _private_name("outputs", filename)


def gallery_path(instance, filename: str) -> str:
    return _private_name("gallery", filename)
