"""A person's API tokens are revoked when their password changes or is reset, when a role of
theirs is removed, and when they are deactivated."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.models import RoleGrant, User
from accounts.signals import password_changed, person_deactivated
from api.services import revoke_all_tokens


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
