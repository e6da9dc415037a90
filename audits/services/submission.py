"""Submitting a complete draft; scoring hears of it through `audits.signals`."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.services import record
from audits.models import Declaration, DeclarationStatus
from audits.selectors import check_complete
from audits.services.errors import IncompleteDeclaration, StaleDeclaration
from audits.services.guards import require_draft, require_editor
from audits.signals import declaration_submitted


@transaction.atomic
def submit_declaration(
    *, declaration: Declaration, user: User, expected_row_version: int | None = None
) -> Declaration:
    """Submit a complete draft. The scoring is queued once the transaction commits."""
    current = (
        Declaration.objects.select_for_update().select_related("provider").get(pk=declaration.pk)
    )
    require_editor(user, current.provider)
    if expected_row_version is not None and current.row_version != expected_row_version:
        raise StaleDeclaration(current)
    require_draft(current)
    missing, errors = check_complete(current)
    if missing:
        raise IncompleteDeclaration(missing, errors)
    current.status = DeclarationStatus.SUBMITTED
    current.submitted_by = user
    current.submitted_at = timezone.now()
    current.row_version = F("row_version") + 1
    current.save(
        update_fields=["status", "submitted_by", "submitted_at", "row_version", "updated_at"]
    )
    current.refresh_from_db()
    record(actor=user, action="declaration submitted", obj=current)
    declaration_id = current.pk
    transaction.on_commit(
        lambda: declaration_submitted.send(sender=Declaration, declaration_id=declaration_id)
    )
    return current
