"""Reads for /healthz and /metrics: jobs by state, queue depth, workers seen per queue."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from studio.models import GenerationJob, JobState, WorkerHeartbeat


def job_counts_by_state() -> dict[str, int]:
    counts = dict.fromkeys(JobState.values, 0)
    for row in GenerationJob.objects.values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    return counts


def workers_seen(queues) -> dict[str, dict]:
    """Per queue: whether a worker's heartbeat is recent, when the last one came, from how many."""
    now = timezone.now()
    recent = now - timedelta(seconds=settings.SIGNET_WORKER_SEEN_SECONDS)
    report = {}
    for queue in queues:
        rows = WorkerHeartbeat.objects.filter(queue=queue)
        last = rows.aggregate(last=Max("seen_at"))["last"]
        report[queue] = {
            "seen_recently": bool(last and last >= recent),
            "last_seen": last.isoformat() if last else None,
            "workers": rows.filter(seen_at__gte=recent).count(),
        }
    return report


def queue_depths(queues) -> dict[str, int | None]:
    """Messages waiting per queue, asked of the broker; None where it could not answer."""
    from kombu import Connection

    depths: dict[str, int | None] = dict.fromkeys(queues)
    connection = Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=2,
        transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    )
    try:
        channel = connection.default_channel
        for queue in queues:
            try:
                depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
            except Exception:  # a queue nobody declared yet holds nothing
                depths[queue] = 0
    except Exception:
        pass  # the broker is down: /healthz says so; metrics leave the gauge out
    finally:
        connection.release()
    return depths
