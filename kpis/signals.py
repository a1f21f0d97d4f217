"""Signals KPI data sends. `kpis` tells, and the listeners (its own tasks, and the apps
above it) decide what follows, so no module here imports the one that reacts."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once an import has committed, with `partner_id`, `first` and `last` (dates): the days
# whose snapshots the import changed. `kpis.tasks` queues their recomputation.
rows_imported = Signal()

# Sent after a partner's snapshots are recomputed, with `partner_id`, `first` and `last`
# (dates): what depends on snapshots (SLA evaluation) listens, so KPI data knows nothing of it.
snapshots_recomputed = Signal()
