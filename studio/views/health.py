import threading
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as error:  # any failure means "not reachable" to the operator
        return False, type(error).__name__


# /healthz is open (load balancers probe it). Each broker check opens a fresh connection, so a
# flood of probes would open as many; one answer serves a process for this long instead.
BROKER_CHECK_SECONDS = 2.0
_broker_checked: dict = {}  # broker URL -> (when, answer)
_broker_lock = threading.Lock()


def _broker_ok() -> tuple[bool, str]:
    with _broker_lock:
        now = time.monotonic()
        url = settings.CELERY_BROKER_URL
        at, answer = _broker_checked.get(url, (None, None))
        if at is None or now - at >= BROKER_CHECK_SECONDS:
            answer = _broker_check()
            _broker_checked[url] = (now, answer)
        return answer


def _broker_check() -> tuple[bool, str]:
    """A fresh connection each time: a pooled one could hide a broker that went away."""
    from kombu import Connection

    connection = Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=2,
        transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    )
    try:
        connection.ensure_connection(max_retries=1, timeout=2)
        return True, connection.transport.driver_name
    except Exception as error:
        return False, type(error).__name__
    finally:
        connection.release()


def _workers_seen() -> dict:
    """Per queue, whether a worker was seen recently. Reported, not part of "status": a site may
    run no GPU worker at all, and a silent CPU queue shows up here and in the metrics."""
    from studio.observability.metrics import QUEUES
    from studio.selectors.health import workers_seen

    try:
        return workers_seen(QUEUES)
    except Exception as error:
        return {"error": type(error).__name__}


def healthz(request):
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    healthy = db_ok and broker_ok
    return JsonResponse(
        {
            "status": "ok" if healthy else "degraded",
            "database": {"ok": db_ok, "detail": db_detail},
            "broker": {"ok": broker_ok, "detail": broker_detail},
            "workers": _workers_seen(),
            "version": settings.SIGNET_VERSION,
        },
        status=200 if healthy else 503,
    )
