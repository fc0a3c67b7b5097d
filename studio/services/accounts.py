"""Creating accounts and giving them roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from studio.roles import CREATOR, MODERATOR, roles_ensure
from studio.services.audit import audit_record


@transaction.atomic
def creator_create(*, email: str, password: str, full_name: str = ""):
    roles_ensure()
    User = get_user_model()
    user = User.objects.create_user(username=email.lower(), email=email.lower(), password=password)
    if full_name:
        user.first_name = full_name[:150]
        user.save(update_fields=["first_name"])
    user.groups.add(Group.objects.get(name=CREATOR))
    audit_record("account.created", actor=user, subject=user, details={"role": CREATOR})
    return user


@transaction.atomic
def moderator_create(*, email: str, password: str):
    roles_ensure()
    User = get_user_model()
    user = User.objects.create_user(username=email.lower(), email=email.lower(), password=password, is_staff=False)
    user.groups.add(Group.objects.get(name=MODERATOR))
    audit_record("account.created", subject=user, details={"role": MODERATOR})
    return user
