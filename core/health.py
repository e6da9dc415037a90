"""Liveness and readiness checks for load balancers and orchestrators.

/readyz tells everyone whether the service is ready; only signed-in site admins and addresses
in READYZ_DETAIL_NETWORKS learn which dependency failed.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from accounts.access import access_for
from core.celery import app as celery_app

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return False
    return True


def broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return False
    return True


@lru_cache(maxsize=8)
def _networks(ranges: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(value, strict=False) for value in ranges)
    except ValueError as exc:
        raise ImproperlyConfigured(f"READYZ_DETAIL_NETWORKS: {exc}") from exc


def may_see_details(request: HttpRequest) -> bool:
    """A signed-in site admin, or a connection from a listed network. Only REMOTE_ADDR counts:
    X-Forwarded-For is written by the client, so it is never trusted here."""
    if access_for(getattr(request, "user", None)).site_admin:
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in net for net in _networks(tuple(settings.READYZ_DETAIL_NETWORKS)))


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_reachable(), "broker": broker_reachable()}
    failing = [name for name, ok in checks.items() if not ok]
    body: dict[str, object] = {"status": "unavailable" if failing else "ok"}
    if may_see_details(request):
        body["checks"] = checks
        if failing:
            body["unreachable"] = failing
    return JsonResponse(body, status=503 if failing else 200)
