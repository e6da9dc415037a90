"""Personal API tokens. Only a SHA-256 hash of each token is stored, with a short prefix to show."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiToken(models.Model):
    """A token a person created to call the API as themselves; it sees exactly what they see."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “School MIS”.")
    prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to recognise it by."
    )
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256, hex.")
    created_at = models.DateTimeField(default=timezone.now)
    # Every token expires, at most API_TOKEN_MAX_DAYS after it was made (api/services.py).
    expires_at = models.DateTimeField()
    read_only = models.BooleanField(
        default=False, help_text="Only reads: GET, HEAD and OPTIONS. Anything else is refused."
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active_at(self, moment: dt.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > moment

    @property
    def is_active(self) -> bool:
        return self.is_active_at(timezone.now())

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Active"
