"""Logs, metrics and the app server's static files: settings read by base.py's last block.

Logs are JSON lines (one object per record, with the request id, the job id and the creator's
pseudonym when known; never a name, an e-mail address or a key). SIGNET_LOG_FORMAT=plain gives
the old one-line text for a developer's terminal.
"""

from studio.settings.env import env_bool, env_float, env_str

LOG_LEVEL = env_str("SIGNET_LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("SIGNET_LOG_FORMAT", "json")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "studio.observability.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "studio.observability.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(job_id)s]: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if LOG_FORMAT == "plain" else "json",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Signet's request middleware logs every request with its id; the server's own line is noise.
        "django.server": {"level": "WARNING"},
    },
}

# Prometheus: django-prometheus counts requests, database and cache calls; Signet's own metrics
# are in studio/observability/metrics.py. The endpoint is /metrics; SIGNET_METRICS_TOKEN makes it
# require `Authorization: Bearer <token>`. Without a token it answers only where
# SIGNET_METRICS_OPEN is true: the default here, false in production settings, where queue
# depths, worker counts and verification rates are nobody's business but the operator's.
SIGNET_METRICS_TOKEN = env_str("SIGNET_METRICS_TOKEN")
SIGNET_METRICS_OPEN = env_bool("SIGNET_METRICS_OPEN", True)
PROMETHEUS_EXPORT_MIGRATIONS = False
# A worker counts as "seen recently" on a queue if its heartbeat is at most this old.
SIGNET_WORKER_SEEN_SECONDS = env_float("SIGNET_WORKER_SEEN_SECONDS", 90.0)
SIGNET_WORKER_HEARTBEAT_SECONDS = env_float("SIGNET_WORKER_HEARTBEAT_SECONDS", 20.0)

PROMETHEUS_MIDDLEWARE_FIRST = "django_prometheus.middleware.PrometheusBeforeMiddleware"
PROMETHEUS_MIDDLEWARE_LAST = "django_prometheus.middleware.PrometheusAfterMiddleware"
REQUEST_CONTEXT_MIDDLEWARE = "studio.observability.middleware.RequestContextMiddleware"
