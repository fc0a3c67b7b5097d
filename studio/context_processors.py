from studio.roles import is_creator, is_moderator


def roles(request) -> dict:
    user = getattr(request, "user", None)
    return {"is_moderator": is_moderator(user), "is_creator": is_creator(user)}
