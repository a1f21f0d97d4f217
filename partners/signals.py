"""Signals tenancy sends to the apps above it, which know what to do about them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once a change of an account's time zone has committed, with `account_id`: the apps
# that cut periods out of timestamps (KPI snapshots, and through them SLA months) re-cut
# the account's periods in its new zone.
account_time_zone_changed = Signal()
