"""Workers say they are alive, per queue they consume, so /healthz can tell a silent queue."""

import logging
import socket
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from studio.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def worker_heartbeat_record(*, hostname: str, queues: list[str]) -> None:
    now = timezone.now()
    for queue in queues:
        # One plain UPDATE (or INSERT the first time) rather than update_or_create's locking read:
        # a beat must never hold a lock while waiting for another, however often it comes.
        updated = WorkerHeartbeat.objects.filter(hostname=hostname, queue=queue).update(seen_at=now)
        if not updated:
            WorkerHeartbeat.objects.get_or_create(
                hostname=hostname, queue=queue, defaults={"seen_at": now}
            )


class HeartbeatThread(threading.Thread):
    """Records a heartbeat at once and then every SIGNET_WORKER_HEARTBEAT_SECONDS until stopped."""

    def __init__(self, queues: list[str], hostname: str | None = None):
        super().__init__(name="signet-heartbeat", daemon=True)
        self.queues = queues
        self.hostname = hostname or socket.gethostname()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                worker_heartbeat_record(hostname=self.hostname, queues=self.queues)
            except Exception:  # a database hiccup must not kill the worker
                logger.warning("worker heartbeat could not be recorded", exc_info=True)
            finally:
                close_old_connections()
            self.stopped.wait(settings.SIGNET_WORKER_HEARTBEAT_SECONDS)

    def stop(self) -> None:
        self.stopped.set()
