"""Signal receivers: a new draft declaration changes its provider's status on the dashboards."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def on_declaration_saved(
    sender: Any, *, instance: Any, created: bool = False, **kwargs: Any
) -> None:
    if not created or kwargs.get("raw"):
        return
    from dashboards.hooks import after_declaration

    provider_id = instance.provider_id
    transaction.on_commit(lambda: after_declaration(provider_id=provider_id))
