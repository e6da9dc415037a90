"""Writes for API tokens: create, revoke, and record when a token was last used."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import record
from api.models import ApiToken

TOKEN_PREFIX = "csp_"
PREFIX_SHOWN = 12  # "csp_" and the first 8 random characters
MAX_ACTIVE_TOKENS = 20
MAX_NAME = 100
# Writing last_used_at on every request would make every read a write: once a minute is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    raw: str  # shown once; never stored


def max_lifetime() -> dt.timedelta:
    return dt.timedelta(days=settings.API_TOKEN_MAX_DAYS)


@transaction.atomic
def create_token(
    *,
    user: User,
    name: str,
    expires_at: dt.datetime | None = None,
    read_only: bool = False,
    actor: User | None = None,
) -> CreatedToken:
    """A new token for `user`. The raw token is returned once and only its hash is kept. It
    expires at `expires_at`, by default and at most API_TOKEN_MAX_DAYS from now."""
    name = (name or "").strip()
    now = timezone.now()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name for the token"
    elif len(name) > MAX_NAME:
        errors["name"] = f"The name must be {MAX_NAME} characters or fewer"
    if expires_at is None:
        expires_at = now + max_lifetime()
    elif expires_at <= now:
        errors["expires_at"] = "The expiry date must be in the future"
    elif expires_at > now + max_lifetime() + dt.timedelta(minutes=1):
        errors["expires_at"] = (
            f"A token can last at most {settings.API_TOKEN_MAX_DAYS} days: choose an earlier date"
        )
    User.objects.select_for_update().filter(pk=user.pk).first()
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()
    if active >= MAX_ACTIVE_TOKENS:
        errors["name"] = (
            f"You have {MAX_ACTIVE_TOKENS} active tokens: revoke one before creating another"
        )
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:PREFIX_SHOWN],
        token_hash=hash_token(raw),
        created_at=now,
        expires_at=expires_at,
        read_only=read_only,
    )
    record(
        actor=actor or user,
        action="api token created",
        obj=token,
        changes={
            "user": user.email,
            "expires_at": expires_at.isoformat(),
            "read_only": read_only,
        },
    )
    return CreatedToken(token=token, raw=raw)


@transaction.atomic
def revoke_token(*, token: ApiToken, user: User) -> ApiToken:
    """Revoke one of the person's own tokens. Revoking twice changes nothing."""
    if token.user_id != user.pk:
        raise ValidationError("You can only revoke your own tokens.")
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason="revoked by its owner"
    )
    token.refresh_from_db(fields=["revoked_at"])
    if updated:
        record(actor=user, action="api token revoked", obj=token)
    return token


@transaction.atomic
def revoke_all_tokens(*, user: User, reason: str, actor: User | None = None) -> int:
    """Revoke every active token of `user` (on a password reset, a role removed, the account
    deactivated). Returns how many were revoked; running it twice revokes nothing more."""
    now = timezone.now()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    ids = list(revoked.values_list("pk", flat=True))
    if not ids:
        return 0
    ApiToken.objects.filter(pk__in=ids).update(revoked_at=now, revoked_reason=reason[:100])
    record(
        actor=actor,
        action="api tokens revoked",
        obj=user,
        changes={"tokens": len(ids), "reason": reason},
    )
    return len(ids)


@transaction.atomic
def revoke_every_token(*, reason: str) -> int:
    """Revoke every active token of everyone: after a suspected leak or a key rotation."""
    now = timezone.now()
    count = ApiToken.objects.filter(revoked_at__isnull=True, expires_at__gt=now).update(
        revoked_at=now, revoked_reason=reason[:100]
    )
    record(
        actor=None,
        action="all api tokens revoked",
        object_type="api.apitoken",
        changes={"tokens": count, "reason": reason},
    )
    return count


def prune_ended_tokens(*, ended_before: dt.datetime) -> int:
    """Delete tokens revoked or expired before `ended_before` (their retention has passed)."""
    deleted, _ = ApiToken.objects.filter(
        Q(revoked_at__lt=ended_before) | Q(expires_at__lt=ended_before)
    ).delete()
    return deleted


def refuses_method(*, token: ApiToken, method: str) -> bool:
    """Whether the token's scope refuses this HTTP method: read-only tokens only read."""
    return token.read_only and method.upper() not in ("GET", "HEAD", "OPTIONS")


def token_for_request(raw: str) -> ApiToken | None:
    """The active token with this value, with its user; None when unknown, expired or revoked."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_active_at(timezone.now()):
        return None
    return token


def note_use(*, token: ApiToken, now: dt.datetime | None = None) -> None:
    """Record that the token was used, at most once per LAST_USED_RESOLUTION."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
