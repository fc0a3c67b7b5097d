from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker said it was alive, per queue it consumes (read by /healthz)."""

    hostname = models.CharField(max_length=200)
    queue = models.CharField(max_length=50)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hostname", "queue"], name="one_heartbeat_per_worker_queue"
            )
        ]
        indexes = [models.Index(fields=["queue", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.hostname} on {self.queue} at {self.seen_at:%H:%M:%S}"
