"""Limits by address (and by email address for password resets), counted in the shared cache.

A fixed window per limit: at most N counted requests per window. Limits come from
settings.RATE_LIMITS, multiplied by settings.RATE_LIMIT_MULTIPLIER (raised for test and load
runs, which all come from one address).
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client. Behind PROXY_COUNT trusted reverse proxies, the address the
    nearest of them saw (counted from the right of X-Forwarded-For, which the client cannot
    forge past its own proxy); with none, the connecting address."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def _limit(name: str) -> tuple[int, int]:
    count, seconds = settings.RATE_LIMITS[name]
    return count * max(1, settings.RATE_LIMIT_MULTIPLIER), seconds


def _key(name: str, who: str, seconds: int, now: float | None) -> str:
    window = int((now if now is not None else time.time()) // seconds)
    digest = hashlib.sha256(who.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()
    return f"ratelimit:{name}:{digest[:32]}:{window}"


def exceeded(*, name: str, who: str, now: float | None = None) -> bool:
    """Whether `who` has used up the limit `name` in the current window (without counting)."""
    count, seconds = _limit(name)
    return int(cache.get(_key(name, who, seconds, now)) or 0) >= count


def hit(*, name: str, who: str, now: float | None = None) -> bool:
    """Count one request by `who` against `name`; True when this one is over the limit."""
    count, seconds = _limit(name)
    key = _key(name, who, seconds, now)
    cache.add(key, 0, timeout=seconds + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds + 1)
        used = 1
    return used > count


def retry_after(*, name: str, now: float | None = None) -> int:
    _, seconds = _limit(name)
    now = now if now is not None else time.time()
    return max(1, int(seconds - now % seconds))
