"""A bounded pool for the verifier's CPU work: a few verifications at once, a short queue, and a
prompt "busy, retry after N s" (503) when both are full, so a crowd never turns into timeouts.

Per process: with gunicorn's threaded workers each worker process has its own pool, so the
machine-wide bound is workers x SIGNET_VERIFY_WORKERS.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from studio.errors import ServiceBusy


class VerifyPool:
    def __init__(self, slots: int, queue: int, wait_seconds: float, retry_after: int) -> None:
        self.slots = slots
        self.queue = queue
        self.wait_seconds = wait_seconds
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._free = threading.Semaphore(slots)
        self._admitted = 0  # running + waiting

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Run the block in a free slot; ServiceBusy at once when the queue is full, or when no
        slot freed up within ``wait_seconds``."""
        with self._lock:
            if self._admitted >= self.slots + self.queue:
                raise self._busy()
            self._admitted += 1
        try:
            if not self._free.acquire(timeout=self.wait_seconds):
                raise self._busy()
            try:
                yield
            finally:
                self._free.release()
        finally:
            with self._lock:
                self._admitted -= 1

    def _busy(self) -> ServiceBusy:
        return ServiceBusy(
            "The verifier is busy right now. Please try again in a few seconds.",
            retry_after=self.retry_after,
        )


_pool: VerifyPool | None = None
_pool_lock = threading.Lock()


def verify_pool() -> VerifyPool:
    """This process's pool, sized from settings on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = VerifyPool(
                slots=settings.SIGNET_VERIFY_WORKERS,
                queue=settings.SIGNET_VERIFY_QUEUE,
                wait_seconds=settings.SIGNET_VERIFY_QUEUE_SECONDS,
                retry_after=settings.SIGNET_VERIFY_RETRY_AFTER_SECONDS,
            )
        return _pool
