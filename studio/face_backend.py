"""The face-analysis backend and thresholds this process uses, built once from settings."""

from functools import cache
from pathlib import Path

from django.conf import settings

from safety.faces import IdentityThresholds, QualityLimits, get_face_backend


def face_backend():
    model_dir = settings.SIGNET_FACE_MODEL_DIR
    return get_face_backend(settings.SIGNET_FACE_BACKEND, Path(model_dir) if model_dir else None)


@cache
def identity_thresholds() -> IdentityThresholds:
    defaults = IdentityThresholds()
    return IdentityThresholds(
        accept=getattr(settings, "SIGNET_IDENTITY_ACCEPT", None) or defaults.accept,
        reject=getattr(settings, "SIGNET_IDENTITY_REJECT", None) or defaults.reject,
    )


def quality_limits() -> QualityLimits:
    return QualityLimits()
