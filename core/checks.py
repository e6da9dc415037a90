"""System checks for configuration the service would otherwise get wrong silently."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def readyz_networks(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for value in settings.READYZ_DETAIL_NETWORKS:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            errors.append(
                Error(
                    f"READYZ_DETAIL_NETWORKS has {value!r}, which is not a CIDR range: {exc}",
                    hint="Give ranges such as 10.0.0.0/8 or 127.0.0.1/32, separated by commas.",
                    id="core.E001",
                )
            )
    return errors


@register()
def task_time_limits_below_visibility_timeout(
    app_configs: Any = None, **kwargs: Any
) -> list[Error]:
    """Redis hands an unacknowledged message to another worker after the visibility timeout: a
    task still running then would run twice at once. Every hard time limit must end first."""
    from core.celery import app

    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    timeout = options.get("visibility_timeout")
    if not settings.CELERY_BROKER_URL.startswith(("redis", "sentinel")) or not timeout:
        return []
    # Import every app's tasks module (without the worker's start-up signal, which would run
    # these checks again).
    app.loader.autodiscover_tasks([config.name for config in apps.get_app_configs()])
    errors = []
    for name, task in sorted(app.tasks.items()):
        limit = task.time_limit or app.conf.task_time_limit
        if limit is not None and limit >= timeout:
            errors.append(
                Error(
                    f"The task {name} may run for {limit} s, not less than the broker's "
                    f"visibility timeout ({timeout} s): Redis would deliver it again while it "
                    "still runs.",
                    hint="Lower the task's time_limit or raise CELERY_VISIBILITY_TIMEOUT.",
                    id="core.E002",
                )
            )
    return errors


@register(deploy=True)
def privacy_controller_named(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if settings.PRIVACY_CONTROLLER.strip() and settings.PRIVACY_CONTACT_EMAIL.strip():
        return []
    return [
        Warning(
            "The privacy notice does not name the data controller or a contact address.",
            hint="Set PRIVACY_CONTROLLER and PRIVACY_CONTACT_EMAIL.",
            id="core.W001",
        )
    ]
