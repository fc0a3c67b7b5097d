"""The two roles as Django groups, and questions about who may do what."""

from django.contrib.auth.models import Group, Permission

CREATOR = "creator"
MODERATOR = "moderator"

ROLE_PERMISSIONS = {
    CREATOR: ["studio.submit_job"],
    MODERATOR: ["studio.review_case", "studio.manage_gallery"],
}


def roles_ensure() -> None:
    for role, permission_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in permission_names:
            app_label, codename = name.split(".")
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)


def holds_moderator_role(user) -> bool:
    """The moderator's permission, whether or not this login was confirmed with a second factor."""
    return bool(user and user.is_authenticated and user.has_perm("studio.review_case"))


def is_moderator(user) -> bool:
    """May act as a moderator now: the role, and for a signed-in request (django-otp's middleware
    gives its user `is_verified`) a login confirmed with the second factor."""
    if not holds_moderator_role(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return is_verified() if callable(is_verified) else True


def is_creator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("studio.submit_job"))
