"""A draft's last change."""

from __future__ import annotations

from django.utils import timezone

from impact.models import DraftEdit
from standards.models import StandardVersion, VersionStatus


def note_draft_changed(*, version_id: int | None, deleted: bool = False) -> None:
    """Record that a draft's content changed now (or forget a deleted draft)."""
    if version_id is None:
        return
    if deleted:
        DraftEdit.objects.filter(version_id=version_id).delete()
        return
    if not StandardVersion.objects.filter(pk=version_id, status=VersionStatus.DRAFT).exists():
        return
    DraftEdit.objects.update_or_create(
        version_id=version_id, defaults={"changed_at": timezone.now()}
    )
