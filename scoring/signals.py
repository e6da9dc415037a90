"""What scoring announces to the apps above it. Scoring never imports its listeners.

Both are sent inside the transaction that made the change, so that a listener can record it
in the same transaction (under its own savepoint); a listener that must not run before the
commit uses `transaction.on_commit`. A failing listener is logged and never undoes scoring.

- `results_changed(provider_ids=…, standard_id=…, trigger=…)`: a batch wrote results and gaps
  (the trigger is the scoring run's: submission, sweep, command, nightly, publish, manual).
- `gaps_changed(provider_ids=…, standard_id=…)`: anything else changed gaps (a person planning or
  accepting one, acceptances expiring, gaps moving to a successor, gaps closed by a new
  version). `standard_id` may be None.
"""

from __future__ import annotations

from django.dispatch import Signal

results_changed = Signal()
gaps_changed = Signal()
