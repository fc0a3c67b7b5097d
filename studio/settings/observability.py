"""Logs, metrics and the app server's static files: settings read by base.py's last block.

Logs are JSON lines (one object per record, with the request id, the job id and the creator's
pseudonym when known; never a name, an e-mail address or a key). SIGNET_LOG_FORMAT=plain gives
the old one-line text for a developer's terminal.
"""

from studio.settings.env import env_float, env_str

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
# are in studio/observability/metrics.py. The endpoint is /metrics; restrict it to the scraper at
# the proxy, or set SIGNET_METRICS_TOKEN to require `Authorization: Bearer <token>`.
SIGNET_METRICS_TOKEN = env_str("SIGNET_METRICS_TOKEN")
PROMETHEUS_EXPORT_MIGRATIONS = False
# A worker counts as "seen recently" on a queue if its heartbeat is at most this old.
SIGNET_WORKER_SEEN_SECONDS = env_float("SIGNET_WORKER_SEEN_SECONDS", 90.0)
SIGNET_WORKER_HEARTBEAT_SECONDS = env_float("SIGNET_WORKER_HEARTBEAT_SECONDS", 20.0)

PROMETHEUS_MIDDLEWARE_FIRST = "django_prometheus.middleware.PrometheusBeforeMiddleware"
PROMETHEUS_MIDDLEWARE_LAST = "django_prometheus.middleware.PrometheusAfterMiddleware"
REQUEST_CONTEXT_MIDDLEWARE = "studio.observability.middleware.RequestContextMiddleware"
