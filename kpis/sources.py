"""Counts that reach KPI snapshots from apps above `kpis`.

`kpis` counts interactions, aggregate reports and the roster itself. Other counts are
owned by higher floors: the QA score is counted from calibration's QA evaluations. A higher
app registers a `CountSource` when it starts (its `AppConfig.ready`), and the snapshot
recomputation asks every registered source, so `kpis` never imports the app that owns the
rows (docs/ARCHITECTURE.md, "Floors").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, Protocol

from kpis.periods import PeriodType

Key = tuple[str, int | None, date]  # channel, agent id (None: the channel's total), start
Counts = dict[Key, dict[str, int]]


def truncated_day(value: date | datetime | str, zone: tzinfo = UTC) -> date:
    """The first day of a truncated period: a moment at midnight in `zone`, or a date."""
    if isinstance(value, datetime):
        return value.astimezone(zone).date() if value.tzinfo else value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


class CountSource(Protocol):
    """Adds a partner's counts to the snapshots' raw counts."""

    def add_counts(
        self, result: Counts, *, partner_id: int, period_type: PeriodType, start: date,
        end: date, zone: tzinfo,
    ) -> None:  # fmt: skip
        """Add counts per (channel, agent or None, period start) for `start`..`end`
        (exclusive), with periods cut at midnight in `zone`."""

    def recorded_moments(self, partner_id: int) -> tuple[datetime | None, datetime | None]:
        """The first and the last moment the source holds anything for the partner."""


_sources: dict[str, CountSource] = {}


def register(name: str, source: CountSource) -> None:
    """Register (or replace) a source under a name; idempotent across `ready()` calls."""
    _sources[name] = source


def registered() -> list[CountSource]:
    return list(_sources.values())


# SCORECARD PANELS
# ------------------------------------------------------------------------------
# The channel scorecard shows, beside the KPIs, what higher floors know about the partner in
# the same period: calibration alignment, the SLA's band statuses. Each such app registers a
# panel, a function of (viewer, partner, period) returning template context.

ScorecardPanel = Callable[[Any, Any, Any], dict[str, Any]]

_panels: dict[str, ScorecardPanel] = {}


def register_scorecard_panel(name: str, panel: ScorecardPanel) -> None:
    _panels[name] = panel


def scorecard_panels(viewer: Any, partner: Any, period: Any) -> dict[str, Any]:
    """The context every registered panel adds for `partner` in `period`."""
    context: dict[str, Any] = {}
    for panel in _panels.values():
        context.update(panel(viewer, partner, period))
    return context


# KPI BANDS
# ------------------------------------------------------------------------------
# A KPI's trend draws the bands the partner's SLA sets for it (bonus, base, remediation,
# penalty) behind the line. The SLA lives above `kpis`, so it registers a provider: a function
# of (viewer, partner, period) returning every governed KPI's bands in one read, keyed by
# (channel, KPI), bounds in the unit people read (percent as 0-100, seconds).


@dataclass(frozen=True)
class KpiBand:
    """One band of a governed KPI: `lower` to `upper` in display units (None: open)."""

    name: str  # "Base", or a custom band's own name
    kind: str  # bonus, base, remediation, penalty, custom
    lower: Decimal | None
    upper: Decimal | None


BandsKey = tuple[str, str]  # channel, KPI
BandProvider = Callable[[Any, Any, Any], dict[BandsKey, tuple[KpiBand, ...]]]

_band_providers: dict[str, BandProvider] = {}


def register_band_provider(name: str, provider: BandProvider) -> None:
    """Register (or replace) a provider of KPI bands; idempotent across `ready()` calls."""
    _band_providers[name] = provider


def kpi_bands(viewer: Any, partner: Any, period: Any) -> dict[BandsKey, tuple[KpiBand, ...]]:
    """Every registered provider's bands for `partner` in `period`, lowest values first,
    keyed by (channel, KPI); `bands_for` reads one KPI out of it."""
    result: dict[BandsKey, tuple[KpiBand, ...]] = {}
    for provider in _band_providers.values():
        result.update(provider(viewer, partner, period))
    return result


def bands_for(
    bands: dict[BandsKey, tuple[KpiBand, ...]], channel: str, kpi: str
) -> tuple[KpiBand, ...]:
    """The bands of one KPI on one channel (none when no SLA governs it)."""
    return bands.get((channel, kpi), ())
