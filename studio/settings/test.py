"""Test settings: the real services, a fast password hasher, and files in throw-away folders.

The folders are exported to the environment so that a worker subprocess started by a test
(same settings module) shares them.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-for-production")
for _name, _prefix in (
    ("MEDIA_ROOT", "signet-media-"),
    ("SIGNET_KEYS_DIR", "signet-keys-"),
    ("SIGNET_VAR_DIR", "signet-var-"),
    # Metrics of the test process and its worker subprocesses, added up as bin/run does.
    ("PROMETHEUS_MULTIPROC_DIR", "signet-metrics-"),
):
    if not os.environ.get(_name):
        os.environ[_name] = tempfile.mkdtemp(prefix=_prefix)

from studio.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SIGNET_WATERMARK_KEY = "tests-watermark-key"
SIGNET_HOLD_FIRST_JOBS = int(os.environ.get("SIGNET_HOLD_FIRST_JOBS", "0"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: a worker subprocess must see the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns about a missing folder)
# Static files straight from the app folders (no collectstatic, no manifest) in tests.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
