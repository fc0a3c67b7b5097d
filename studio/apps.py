from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = "Signet studio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import cv2

        # Work is spread at a coarser level already (gunicorn threads, the verifier's pool, the
        # animator's render threads); OpenCV's own pool on top of that only adds switching on a
        # small machine: the verifier's full read of a 10 s clip took 0.76-0.81 CPU s with one
        # OpenCV thread, 0.92-1.28 with its default (2 cores, 2026-12-03), in the same time.
        cv2.setNumThreads(1)
        from studio import checks, signals  # noqa: F401  (signals: role set-up after migrations)
        from studio.observability import celery  # noqa: F401  (log context, worker heartbeats)
        from studio.services.audit import audit_recorded

        audit_recorded.connect(_observe_audit_event, dispatch_uid="signet-metrics")


def _observe_audit_event(sender, *, action, subject_id, details, **_kwargs) -> None:
    from studio.observability.metrics import audit_event_observe

    audit_event_observe(action, subject_id, details)
