"""Signals other apps listen to, so that standards need not know about them."""

from django.dispatch import Signal

# Sent on commit after a version is published; kwargs: version_id.
version_published = Signal()
