from studio.roles import holds_moderator_role, is_creator


def roles(request) -> dict:
    user = getattr(request, "user", None)
    return {"is_moderator": holds_moderator_role(user), "is_creator": is_creator(user)}
