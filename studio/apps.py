from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = "Signet studio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from studio import signals  # noqa: F401  (connects the role set-up after migrations)
