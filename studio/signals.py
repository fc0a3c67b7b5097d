from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def _roles_after_migrate(sender, **kwargs) -> None:
    if getattr(sender, "name", "") == "studio":
        from studio.roles import roles_ensure

        roles_ensure()
