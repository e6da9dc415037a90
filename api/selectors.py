"""Reads for API tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from api.models import ApiToken


def tokens_for(*, user: User) -> QuerySet[ApiToken]:
    """The person's own tokens, newest first, revoked ones included (they show as revoked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_for_owner(*, user: User, token_id: int) -> ApiToken | None:
    return ApiToken.objects.filter(user=user, pk=token_id).first()


def token_export(*, user: User) -> list[dict[str, object]]:
    """The person's tokens as held, for an export of their data (never the hash)."""
    return [
        {
            "name": token.name,
            "starts_with": token.prefix,
            "read_only": token.read_only,
            "created_at": token.created_at.isoformat(),
            "expires_at": token.expires_at.isoformat(),
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
            "revoked_reason": token.revoked_reason,
        }
        for token in tokens_for(user=user)
    ]
