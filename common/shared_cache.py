"""Values kept in Django's cache between requests, where the cache is shared by every process.

What is kept here and forgotten when it changes (a person's role grants, the session's second
factor, an area's plan coverage) is only safe to keep where every process reads the same
cache: a process-local cache cannot be told of a change made in another process, so with one
`kept` always loads afresh.

Each value is kept beside a mark, and stored with the mark that was current before it was
loaded; `forget` gives the key a new mark. So a value loaded while a change was being committed,
and stored after the change had forgotten it, is stored under the old mark and never read back:
the next request loads afresh.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

SHARED_BACKENDS = (
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)
# A mark outlives the values stored under it; one that has expired is replaced by a new one.
MARK_TIMEOUT = 24 * 60 * 60


def cache_is_shared() -> bool:
    return settings.CACHES["default"]["BACKEND"] in SHARED_BACKENDS


def _mark_key(key: str) -> str:
    return f"{key}:mark"


def kept(
    key: str,
    load: Callable[[], T],
    timeout: int,
    *,
    usable: Callable[[T], bool] | None = None,
) -> T:
    """The value kept under `key` (one round trip), else `load()`, kept for `timeout` seconds.
    `usable`: whether a kept value may still be used (one kept before some other change, that
    the value records, is loaded again)."""
    if not cache_is_shared():
        return load()
    found = cache.get_many([key, _mark_key(key)])
    mark, entry = found.get(_mark_key(key)), found.get(key)
    if (
        mark is not None
        and entry is not None
        and entry[0] == mark
        and (usable is None or usable(entry[1]))
    ):
        return entry[1]  # type: ignore[no-any-return]
    if mark is None:
        mark = uuid.uuid4().hex
        if not cache.add(_mark_key(key), mark, MARK_TIMEOUT):
            mark = cache.get(_mark_key(key))  # another process, or a change, set it first
    value = load()
    if mark is not None:
        cache.set(key, (mark, value), timeout)
    return value


def forget(key: str) -> None:
    """What is kept under `key` changed: it is loaded afresh from now and after the commit."""

    def new_mark() -> None:
        cache.set(_mark_key(key), uuid.uuid4().hex, MARK_TIMEOUT)

    new_mark()
    transaction.on_commit(new_mark)
