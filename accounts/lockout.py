"""Who a failed sign-in counts against: the account, by its email in any letter case."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def account_email(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    # Emails sign in whatever their case, so "HEAD@example.org" must not get five more tries.
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else request.POST
    return str(source.get(field) or "").strip().lower()
