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


def is_moderator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("studio.review_case"))


def is_creator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("studio.submit_job"))
