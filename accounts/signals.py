"""Signals other apps listen to, so that lower layers never import higher ones.

- password_changed(user): a person's password was set, changed or reset.
- person_deactivated(user, actor): a site admin deactivated a person.
- person_data_requested(user): an export of everything held about a person is being built;
  receivers return {section name: JSON-ready data}.
- retention_due(now, retention_days): the nightly removal of personal data past its retention
  period runs; receivers delete what is theirs and return {record kind: number removed}.
"""

from django.dispatch import Signal

password_changed = Signal()
person_deactivated = Signal()
person_data_requested = Signal()
retention_due = Signal()
