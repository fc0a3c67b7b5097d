"""A rendering job's heartbeat, written from a thread so that long steps without progress
(loading a model, encoding, signing) still beat. The sweep re-queues a job whose beat stopped."""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils import timezone

from studio.models import GenerationJob


def _beat(job_pk: int, interval: float, stop: threading.Event) -> None:
    try:
        while not stop.wait(interval):
            GenerationJob.objects.filter(pk=job_pk, state__in=["rendering", "sealing"]).update(
                heartbeat_at=timezone.now()
            )
    finally:
        connection.close()  # this thread's own connection


@contextmanager
def job_heartbeat(job_pk: int, *, interval: float | None = None):
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat,
        args=(job_pk, interval or settings.SIGNET_HEARTBEAT_SECONDS, stop),
        name=f"heartbeat-job-{job_pk}",
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
