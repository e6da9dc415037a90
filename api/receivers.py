"""A person's API tokens are revoked when their password changes or is reset, when a role of
theirs is removed, and when they are deactivated; they are part of an export of the person's
data, and deleted once their retention period has passed after they ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.models import RoleGrant, User
from accounts.signals import (
    password_changed,
    person_data_requested,
    person_deactivated,
    retention_due,
)
from api.selectors import token_export
from api.services import prune_ended_tokens, revoke_all_tokens


@receiver(password_changed, dispatch_uid="api.revoke_tokens_on_password_change")
def _password_changed(sender: Any, user: User, **kwargs: Any) -> None:
    revoke_all_tokens(user=user, reason="password changed")


@receiver(post_delete, sender=RoleGrant, dispatch_uid="api.revoke_tokens_on_role_removed")
def _role_removed(sender: Any, instance: RoleGrant, **kwargs: Any) -> None:
    if User.objects.filter(pk=instance.user_id).exists():
        revoke_all_tokens(user=instance.user, reason="a role was removed")


@receiver(person_deactivated, dispatch_uid="api.revoke_tokens_on_deactivation")
def _deactivated(sender: Any, user: User, actor: User | None = None, **kwargs: Any) -> None:
    revoke_all_tokens(user=user, reason="account deactivated", actor=actor)


@receiver(person_data_requested, dispatch_uid="api.export_tokens")
def _export(sender: Any, user: User, **kwargs: Any) -> dict[str, object]:
    return {"api_tokens": token_export(user=user)}


@receiver(retention_due, dispatch_uid="api.prune_ended_tokens")
def _prune(
    sender: Any, now: dt.datetime, retention_days: dict[str, int], **kwargs: Any
) -> dict[str, int]:
    before = now - dt.timedelta(days=retention_days["ended_tokens"])
    return {"ended_tokens": prune_ended_tokens(ended_before=before)}
