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
from studio.settings.storage import media_storage

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
# The site's address, for links in mails a worker sends (no request there to read it from).
# Unset: where bin/run serves a local site, else the first allowed host (set it where that
# host is a wildcard such as ".example.org").
SIGNET_SITE_URL = (env_str("SIGNET_SITE_URL", "") or "").rstrip("/") or (
    f"http://{env_str('SIGNET_BIND', '') or '127.0.0.1:8000'}"
    if _LOCAL_ONLY or ALLOWED_HOSTS[0] == "*"
    else f"{'https' if SESSION_COOKIE_SECURE else 'http'}://{ALLOWED_HOSTS[0].lstrip('.')}"
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Production behind TLS (studio/settings/production.py turns these on; each can be set alone).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
if env_str("DJANGO_SECURE_PROXY_SSL_HEADER"):
    # e.g. "HTTP_X_FORWARDED_PROTO=https": trust it only when the proxy always sets it.
    _header, _, _value = env_str("DJANGO_SECURE_PROXY_SSL_HEADER").partition("=")
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip() or "https")
# How many reverse proxies in front of Signet append to X-Forwarded-For (0: none; the client is
# REMOTE_ADDR). Rate limits and login lockouts key on the address this yields.
SIGNET_TRUSTED_PROXY_COUNT = env_int("SIGNET_TRUSTED_PROXY_COUNT", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "studio.apps.StudioConfig",
]

MIDDLEWARE = [
    "studio.middleware.ApiErrorsAsJson",
    "studio.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "studio.middleware.NullCharactersRefused",
    "django_otp.middleware.OTPMiddleware",
    "studio.middleware.SecondFactorRequired",
    "studio.middleware.PrivatePages",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "studio.middleware.ApplicationErrorMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

# --- Content-Security-Policy (django-csp): scripts and styles only from our own static files ---
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # A few templates size boxes with a style attribute; attributes cannot run code.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
    # The web server and the worker write at once. WAL lets readers go on beside a writer; an
    # IMMEDIATE transaction takes the write lock when it begins, so a writer waits (busy timeout)
    # instead of failing with "database is locked" when a read lock cannot be upgraded.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("SIGNET_SQLITE_BUSY_SECONDS", 30),
            "transaction_mode": env_str("SIGNET_SQLITE_TRANSACTION_MODE", "IMMEDIATE"),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out client before any password is checked.
    "studio.auth_backends.AxesHttpBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# --- Login throttling (django-axes) -------------------------------------------------------
AXES_FAILURE_LIMIT = env_int("SIGNET_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_float("SIGNET_LOGIN_COOLOFF_MINUTES", 15.0) / 60.0  # hours
# Locked per client address and, apart, per account (a spray from many addresses at one account).
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "studio.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "studio.login_throttle.lockout_response"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
# A password-reset link works this long (and once).
PASSWORD_RESET_TIMEOUT = env_int("SIGNET_PASSWORD_RESET_HOURS", 2) * 3600
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Uploads and outputs are private: they are served only through views that check who asks.
# Stored through Django's storage API: MEDIA_ROOT on this disk by default, or S3-compatible
# object storage (studio/settings/storage.py). Workers render in their own scratch folder.
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SIGNET_SCRATCH_DIR = env_path("SIGNET_SCRATCH_DIR", VAR_DIR / "scratch")
# Selfies, consent recordings and portraits are biometric data: readable by Signet's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
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
    # Redis redelivers an unacknowledged job after this many seconds. It must be longer than the
    # longest job may run (its hard time limit at the longest audio), or a live job is delivered
    # twice; a dead worker's job is re-queued sooner by the heartbeat sweep, not by this.
    _LONGEST_JOB = env_float("SIGNET_JOB_TIME_BASE_SECONDS", 120.0) + env_float(
        "SIGNET_JOB_TIME_PER_AUDIO_SECOND", 10.0
    ) * env_float("SIGNET_MAX_AUDIO_SECONDS", 300.0)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", int(_LONGEST_JOB * 1.25) + 60)
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
# Frames the CPU animator renders at once within one job. A worker started with -c 1 (bin/run)
# gives its job two cores; with -c N on N cores set 1, so jobs do not fight over them.
SIGNET_RENDER_THREADS = env_int("SIGNET_RENDER_THREADS", 2)
SIGNET_RENDER_SIZE = env_int("SIGNET_RENDER_SIZE", 512)
SIGNET_RENDER_FPS = 25
# Hallo's pretrained_models/ folder, as its users have it (read locally, never downloaded)
SIGNET_MODEL_DIR = env_path("SIGNET_MODEL_DIR", VAR_DIR / "models")
# A job's time limit grows with its audio: base seconds plus a factor of the clip's length.
SIGNET_JOB_TIME_BASE_SECONDS = env_float("SIGNET_JOB_TIME_BASE_SECONDS", 120.0)
SIGNET_JOB_TIME_PER_AUDIO_SECOND = env_float("SIGNET_JOB_TIME_PER_AUDIO_SECOND", 10.0)
SIGNET_JOB_MAX_ATTEMPTS = env_int("SIGNET_JOB_MAX_ATTEMPTS", 2)
# A rendering worker beats every SIGNET_HEARTBEAT_SECONDS (from a thread, so long steps beat too);
# a job whose beat is older than SIGNET_STALE_JOB_SECONDS is re-queued by the sweep, which runs
# every SIGNET_SWEEP_SECONDS: a killed worker's job is queued again within stale + sweep seconds.
SIGNET_HEARTBEAT_SECONDS = env_float("SIGNET_HEARTBEAT_SECONDS", 5.0)
SIGNET_STALE_JOB_SECONDS = env_int("SIGNET_STALE_JOB_SECONDS", 30)
SIGNET_SWEEP_SECONDS = env_float("SIGNET_SWEEP_SECONDS", 15.0)
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
# Rates per client address unless said ("count/period", period in s, m, h or d); see
# studio/rate_limits.py.
# (Verification's is SIGNET_VERIFY_RATE_LIMIT_PER_MINUTE.)
SIGNET_RATE_LIMITS = {
    "lookup": env_str("SIGNET_RATE_LOOKUP", "120/m"),  # byBinding, manifests
    "login": env_str("SIGNET_RATE_LOGIN", "30/m"),
    "signup": env_str("SIGNET_RATE_SIGNUP", "10/h"),
    "report": env_str("SIGNET_RATE_REPORT", "10/h"),
    "api_jobs": env_str("SIGNET_RATE_API_JOBS", "30/h"),  # job submissions: API and web form
    "api_token_failure": env_str("SIGNET_RATE_API_TOKEN_FAILURE", "20/h"),
    # selfies and consent recordings sent: each runs the face (and liveness) checks
    "consent_uploads": env_str("SIGNET_RATE_CONSENT_UPLOADS", "20/h"),
    # tokens made or revoked: each is an audit event, and a loop would fill the log
    "api_token_changes": env_str("SIGNET_RATE_API_TOKEN_CHANGES", "30/h"),
    # copies of a creator's data: each reads all of their rows
    "data_export": env_str("SIGNET_RATE_DATA_EXPORT", "10/h"),
    # password-reset requests and new passwords set from a link, per client
    "password_reset": env_str("SIGNET_RATE_PASSWORD_RESET", "10/h"),
    # per recipient, not per client: sign-up mails to one e-mail address, from any client
    "signup_mails": env_str("SIGNET_RATE_SIGNUP_MAILS", "3/h"),
}
# A moderator's one-time link to enrol an authenticator app is valid this long.
SIGNET_TWO_FACTOR_LINK_HOURS = env_int("SIGNET_TWO_FACTOR_LINK_HOURS", 72)
# A sign-up link sent by e-mail is valid this long.
SIGNET_SIGNUP_LINK_HOURS = env_int("SIGNET_SIGNUP_LINK_HOURS", 48)
# The audit chain's HMAC key: a file outside the database (like the signing key).
SIGNET_AUDIT_KEY = env_str("SIGNET_AUDIT_KEY")
SIGNET_VERIFY_MAX_BYTES = env_int("SIGNET_VERIFY_MAX_BYTES", 200 * 1024 * 1024)
# The verifier's CPU work per process: this many at once, this many more waiting (at most
# SIGNET_VERIFY_QUEUE_SECONDS), the rest answered 503 + Retry-After at once.
SIGNET_VERIFY_WORKERS = env_int("SIGNET_VERIFY_WORKERS", 2)
SIGNET_VERIFY_QUEUE = env_int("SIGNET_VERIFY_QUEUE", 8)
SIGNET_VERIFY_QUEUE_SECONDS = env_int("SIGNET_VERIFY_QUEUE_SECONDS", 10)
SIGNET_VERIFY_RETRY_AFTER_SECONDS = env_int("SIGNET_VERIFY_RETRY_AFTER_SECONDS", 2)
# How long the analysis of a file (by its SHA-256) is remembered; the record is looked up afresh.
SIGNET_VERIFY_CACHE_SECONDS = env_int("SIGNET_VERIFY_CACHE_SECONDS", 24 * 3600)
SIGNET_HOLD_FIRST_JOBS = env_int("SIGNET_HOLD_FIRST_JOBS", 1)
# Jobs of one creator waiting (held, queued) or being made at once; more are refused with 429.
SIGNET_MAX_WAITING_JOBS = env_int("SIGNET_MAX_WAITING_JOBS", 10)
SIGNET_REVIEW_SAMPLE_RATE = env_float("SIGNET_REVIEW_SAMPLE_RATE", 0.0)

# Rate-limit counters need a cache whose increment is atomic: Redis in production, local memory
# in the embedded default (one web process), never the file cache (its incr re-stores the value).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "signet",
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

Path(VAR_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite creates its file with the process umask (0644): create it 0600 first. Its -wal and
    # -shm files take the same mode.
    from studio.settings.private_files import private_file_ensure  # noqa: E402

    private_file_ensure(Path(DATABASES["default"]["NAME"]))

CELERY_BEAT_SCHEDULE = {
    "sweep-stale-jobs": {"task": "studio.tasks.jobs_sweep_stale", "schedule": SIGNET_SWEEP_SECONDS},
    # Hourly: a token is warned about within an hour of entering its last week.
    "warn-expiring-api-tokens": {
        "task": "studio.tasks.api_tokens_warn_expiring",
        "schedule": 3600.0,
    },
    "warn-expiring-consent": {
        "task": "studio.tasks.consent_warn_expiring",
        "schedule": 3600.0,
    },
    "announce-waiting-cases": {
        "task": "studio.tasks.moderation_cases_announce",
        "schedule": 300.0,
    },
}
# Moderators are mailed about a case once it has waited this long (seconds): one that closes by
# itself sooner (a consent recorded again) never reaches their inbox.
SIGNET_CASE_ANNOUNCE_AFTER = env_int("SIGNET_CASE_ANNOUNCE_AFTER", 300)
# Identity thresholds (face-descriptor distance); unset means the face backend's calibrated defaults.
SIGNET_IDENTITY_ACCEPT = env_float("SIGNET_IDENTITY_ACCEPT", 0.0) or None
SIGNET_IDENTITY_REJECT = env_float("SIGNET_IDENTITY_REJECT", 0.0) or None
# The hallo renderer (SIGNET_RENDERER=hallo): Hallo's defaults, DDIM with v-prediction.
SIGNET_DIFFUSION_STEPS = env_int("SIGNET_DIFFUSION_STEPS", 40)
SIGNET_DIFFUSION_GUIDANCE = env_float("SIGNET_DIFFUSION_GUIDANCE", 3.5)
SIGNET_HALLO_IMAGE_SIZE = env_int("SIGNET_HALLO_IMAGE_SIZE", 512)
SIGNET_HALLO_WINDOW = env_int("SIGNET_HALLO_WINDOW", 16)

# --- App server, logs, metrics, languages (issue 13: one block, additive) ----------------------
from studio.settings.observability import *  # noqa: E402,F403

INSTALLED_APPS += ["django_prometheus"]  # noqa: F405
MIDDLEWARE = [PROMETHEUS_MIDDLEWARE_FIRST, *MIDDLEWARE, PROMETHEUS_MIDDLEWARE_LAST]  # noqa: F405
# The request id and the caller's pseudonym, for every log line of a request.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    REQUEST_CONTEXT_MIDDLEWARE,  # noqa: F405
)
# The visitor's language (Accept-Language, or the switch's cookie), after sessions, before common.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "django.middleware.locale.LocaleMiddleware",
)
# Times in the visitor's time zone (the browser's, from a cookie), next to their language.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.locale.LocaleMiddleware") + 1,
    "studio.visitor_time_zone.VisitorTimeZoneMiddleware",
)
# The language a signed-in visitor reads in, kept for the mails a worker sends them later.
MIDDLEWARE.insert(
    MIDDLEWARE.index("studio.visitor_time_zone.VisitorTimeZoneMiddleware") + 1,
    "studio.reader_language.ReaderLanguageMiddleware",
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING above, as JSON
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Static files: WhiteNoise serves them from gunicorn, compressed and with hashed names forever-cached.
# (Keeps whatever "default" media storage was chosen above.)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    **globals().get("STORAGES", {}),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_ROOT = BASE_DIR / "studio" / "public"  # favicon.ico and friends, at the site's root
