"""Signals other apps listen to, so that standards need not know about them."""

from dataclasses import dataclass

from django.dispatch import Signal

# Sent on commit after a version is published; kwargs: version_id.
version_published = Signal()

# Sent before a draft is published by a person (the publish command, the admin's action);
# kwargs: version_id. Receivers answer with a PublishNote.
publish_check = Signal()


@dataclass(frozen=True)
class PublishNote:
    """What an app has to say before a draft is published: lines to show, and why publishing
    should wait (empty if it need not)."""

    lines: tuple[str, ...] = ()
    refusal: str = ""
