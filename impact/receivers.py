"""Receivers: drafts changing (to know when a preview is out of date), and publishing."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete

from impact.selectors import publish_note
from impact.services import note_draft_changed
from standards.models import StandardVersion
from standards.signals import PublishNote


def on_draft_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A draft's version row, section or requirement was saved or deleted."""
    if isinstance(instance, StandardVersion):
        note_draft_changed(version_id=instance.pk, deleted=kwargs.get("signal") is post_delete)
        return
    note_draft_changed(version_id=instance.version_id)


def on_publish_check(sender: Any, *, version_id: int, **kwargs: Any) -> PublishNote:
    return publish_note(version_id=version_id)
