"""Whether Django's cache is shared by every process of the service.

What is kept in the cache and forgotten by a signal when it changes (a person's role grants,
the session's second factor) is only safe to keep where every process reads the same cache:
a process-local cache cannot be told of a change made in another process.
"""

from __future__ import annotations

from django.conf import settings

SHARED_BACKENDS = (
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)


def cache_is_shared() -> bool:
    return settings.CACHES["default"]["BACKEND"] in SHARED_BACKENDS
