"""Liveness and readiness checks for load balancers and orchestrators."""

from django.db import connection
from django.http import HttpRequest, JsonResponse

from core.celery import app as celery_app


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


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_reachable(), "broker": broker_reachable()}
    failing = [name for name, ok in checks.items() if not ok]
    if failing:
        return JsonResponse(
            {"status": "unavailable", "unreachable": failing, "checks": checks}, status=503
        )
    return JsonResponse({"status": "ok", "checks": checks})
