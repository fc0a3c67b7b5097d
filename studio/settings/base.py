"""Settings for every environment. Everything an operator changes comes from the environment.

With no DATABASE_URL and no CELERY_BROKER_URL, Signet runs on its embedded default: SQLite and a
kombu SQLAlchemy broker on a SQLite file, so a fresh machine needs no server.
"""

from pathlib import Path

import dj_database_url

from studio.settings.env import (
    BASE_DIR,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_path,
    env_str,
)

VAR_DIR = env_path("SIGNET_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    # Production must set a key: failing at start beats signing sessions with a known value.
    raise RuntimeError("DJANGO_SECRET_KEY is not set (bin/run sets a local one for you).")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
_LOCAL_ONLY = all(
    host in {"127.0.0.1", "localhost", "testserver", "[::1]"} for host in ALLOWED_HOSTS
)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not _LOCAL_ONLY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "studio.apps.StudioConfig",
]

MIDDLEWARE = [
    "studio.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "studio.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "studio.urls"
WSGI_APPLICATION = "studio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studio.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'signet.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at once: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Uploads and outputs are private: they are served only through views that check who asks.
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "signet@localhost")

# --- Celery -------------------------------------------------------------------------------
_BROKER_DEFAULT = f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", _BROKER_DEFAULT)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-job leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # job state lives in the database, not in a result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith("redis"):
    # Redis redelivers an unacknowledged job (a dead worker's) after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    }
elif CELERY_BROKER_URL.startswith("sqla+sqlite"):
    # kombu passes these to SQLAlchemy's create_engine: wait for SQLite's write lock.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 30}}
CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_TASK_ROUTES = {"studio.tasks.job_render_gpu": {"queue": "gpu"}}

# --- Signet -------------------------------------------------------------------------------
SIGNET_VERSION = "0.1.0"
SIGNET_MAX_REQUEST_BYTES = env_int("SIGNET_MAX_REQUEST_BYTES", 250 * 1024 * 1024)
SIGNET_MAX_IMAGE_BYTES = env_int("SIGNET_MAX_IMAGE_BYTES", 15 * 1024 * 1024)
SIGNET_MAX_IMAGE_PIXELS = env_int("SIGNET_MAX_IMAGE_PIXELS", 40_000_000)
SIGNET_MAX_AUDIO_BYTES = env_int("SIGNET_MAX_AUDIO_BYTES", 40 * 1024 * 1024)
SIGNET_MAX_AUDIO_SECONDS = env_float("SIGNET_MAX_AUDIO_SECONDS", 300.0)
SIGNET_MIN_AUDIO_SECONDS = env_float("SIGNET_MIN_AUDIO_SECONDS", 0.5)
SIGNET_RENDERER = env_str("SIGNET_RENDERER", "animator")
SIGNET_RENDER_SIZE = env_int("SIGNET_RENDER_SIZE", 512)
SIGNET_RENDER_FPS = 25
SIGNET_MODEL_DIR = env_path("SIGNET_MODEL_DIR", VAR_DIR / "models")
# A job's time limit grows with its audio: base seconds plus a factor of the clip's length.
SIGNET_JOB_TIME_BASE_SECONDS = env_float("SIGNET_JOB_TIME_BASE_SECONDS", 120.0)
SIGNET_JOB_TIME_PER_AUDIO_SECOND = env_float("SIGNET_JOB_TIME_PER_AUDIO_SECOND", 10.0)
SIGNET_JOB_MAX_ATTEMPTS = env_int("SIGNET_JOB_MAX_ATTEMPTS", 2)
SIGNET_STALE_JOB_SECONDS = env_int("SIGNET_STALE_JOB_SECONDS", 120)
SIGNET_FACE_BACKEND = env_str("SIGNET_FACE_BACKEND", "dlib")
SIGNET_FACE_MODEL_DIR = env_str("SIGNET_FACE_MODEL_DIR")
SIGNET_KEYS_DIR = env_path("SIGNET_KEYS_DIR", VAR_DIR / "keys")
SIGNET_WATERMARK_KEY = env_str("SIGNET_WATERMARK_KEY")
# Production key material; unset means the development chain in SIGNET_KEYS_DIR.
SIGNET_SIGNING_CHAIN = env_str("SIGNET_SIGNING_CHAIN")  # end-entity + intermediates, PEM
SIGNET_SIGNING_KEY = env_str("SIGNET_SIGNING_KEY")  # private key file, PEM
SIGNET_TRUST_ANCHORS = env_str("SIGNET_TRUST_ANCHORS")  # root certificate(s) the verifier trusts
# Dotted path to a callable(bytes) -> signature, for a KMS or HSM; it replaces SIGNET_SIGNING_KEY.
SIGNET_SIGNING_CALLBACK = env_str("SIGNET_SIGNING_CALLBACK")
SIGNET_SIGNING_ALG = env_str("SIGNET_SIGNING_ALG", "es256")
# RFC 3161 timestamp authority (http(s) URL): a timestamped manifest stays valid after the signing
# certificate expires. Verifiers must trust the TSA's root too (add it to SIGNET_TRUST_ANCHORS).
# Empty: no timestamp (an unreachable TSA makes every signing attempt fail).
SIGNET_TSA_URL = env_str("SIGNET_TSA_URL", "")
SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE = env_int("SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE", 30)
SIGNET_VERIFY_MAX_BYTES = env_int("SIGNET_VERIFY_MAX_BYTES", 200 * 1024 * 1024)
SIGNET_HOLD_FIRST_JOBS = env_int("SIGNET_HOLD_FIRST_JOBS", 1)
SIGNET_REVIEW_SAMPLE_RATE = env_float("SIGNET_REVIEW_SAMPLE_RATE", 0.0)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
if env_str("REDIS_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_CACHE_URL"),
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SIGNET_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

Path(VAR_DIR).mkdir(parents=True, exist_ok=True)

CELERY_BEAT_SCHEDULE = {
    "sweep-stale-jobs": {"task": "studio.tasks.jobs_sweep_stale", "schedule": 60.0},
}
# Identity thresholds (face-descriptor distance); unset means the face backend's calibrated defaults.
SIGNET_IDENTITY_ACCEPT = env_float("SIGNET_IDENTITY_ACCEPT", 0.0) or None
SIGNET_IDENTITY_REJECT = env_float("SIGNET_IDENTITY_REJECT", 0.0) or None
SIGNET_DIFFUSION_SCHEDULER = env_str("SIGNET_DIFFUSION_SCHEDULER", "ddim")
SIGNET_DIFFUSION_STEPS = env_int("SIGNET_DIFFUSION_STEPS", 25)
SIGNET_DIFFUSION_GUIDANCE = env_float("SIGNET_DIFFUSION_GUIDANCE", 3.5)
