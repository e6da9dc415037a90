"""A draft's content, as a hash: what publishing would store, to tell whether it changed."""

from __future__ import annotations

from standards.canonical import content_hash, version_document
from standards.format import canonical_text
from standards.models import StandardVersion


def draft_hash(version: StandardVersion) -> str:
    """SHA-256 of the draft's canonical export, as publishing would compute it."""
    return content_hash(canonical_text(version_document(version)))
