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
