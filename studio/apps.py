from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = "Signet studio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from studio import checks, signals  # noqa: F401  (signals: role set-up after migrations)
        from studio.observability import celery  # noqa: F401  (log context, worker heartbeats)
        from studio.services.audit import audit_recorded

        audit_recorded.connect(_observe_audit_event, dispatch_uid="signet-metrics")


def _observe_audit_event(sender, *, action, subject_id, details, **_kwargs) -> None:
    from studio.observability.metrics import audit_event_observe

    audit_event_observe(action, subject_id, details)
