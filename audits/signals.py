"""Signals other apps listen to, so that audits need not know about scoring."""

from django.dispatch import Signal

# Sent on commit after a declaration is submitted; kwargs: declaration_id.
declaration_submitted = Signal()
