"""Deployment checks of Signet's own (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

SHARED_ATOMIC_CACHES = (
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
)


@checks.register(checks.Tags.security, deploy=True)
def rate_limit_cache_check(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in SHARED_ATOMIC_CACHES:
        return []
    return [
        checks.Warning(
            f"Rate limits are counted in {backend}, which several web processes do not share.",
            hint="Set REDIS_CACHE_URL so every web process counts in one place.",
            id="signet.W001",
        )
    ]
