"""Checks every declaration write makes first: who may edit, and whether it is still a draft."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import User
from audits.models import Declaration
from audits.services.errors import Conflict
from providers.models import Provider
from providers.visibility import can_edit_provider


def require_editor(user: User, provider: Provider) -> None:
    if not can_edit_provider(user=user, provider=provider):
        raise PermissionDenied("You cannot edit this provider's declarations.")


def require_draft(declaration: Declaration) -> None:
    if not declaration.is_draft:
        raise Conflict("A submitted declaration cannot be changed: start a revision instead.")
