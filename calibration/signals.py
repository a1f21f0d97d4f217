"""What calibration tells the apps above it, so that it knows nothing of them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent when a revealed session's alignment is (re)computed, with partner_id and day (the
# date it was revealed): SLAs that govern calibration alignment follow it.
alignment_changed = Signal()
