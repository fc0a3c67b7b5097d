"""The face-analysis backend, thresholds and quality limits this process uses, from settings.

The gate, enrolment, the consent-recording check and `manage.py face_check` all take them from
here, so the command prints exactly the verdict the gate would reach.
"""

from pathlib import Path

from django.conf import settings

from safety.faces import IdentityThresholds, QualityLimits, get_face_backend


def face_backend():
    model_dir = settings.SIGNET_FACE_MODEL_DIR
    return get_face_backend(settings.SIGNET_FACE_BACKEND, Path(model_dir) if model_dir else None)


def identity_thresholds() -> IdentityThresholds:
    defaults = face_backend().default_thresholds
    accept = settings.SIGNET_IDENTITY_ACCEPT
    reject = settings.SIGNET_IDENTITY_REJECT
    if accept is None and reject is None:
        return defaults
    return IdentityThresholds(accept=accept or defaults.accept, reject=reject or defaults.reject)


def quality_limits() -> QualityLimits:
    return QualityLimits()
