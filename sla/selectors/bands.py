"""The bands a partner's SLA sets for each governed KPI, for the KPI trends drawn in `kpis`
(registered with `kpis.sources.register_band_provider`). One query whatever the number of
channels, KPIs and bands."""

from __future__ import annotations

from collections import defaultdict

from core.scoping import Viewer, scope
from kpis.periods import Period
from kpis.sources import BandsKey, KpiBand
from partners.models import Partner
from sla.models import Band, BandKind

CALIBRATION = "calibration"  # governed partner-wide from calibration sessions, not a KPI trend


def kpi_bands(
    viewer: Viewer, partner: Partner, period: Period
) -> dict[BandsKey, tuple[KpiBand, ...]]:
    """Each governed KPI's bands under the contract in force in `period` (the newest such
    contract where two overlap), lowest values first, keyed by (channel, KPI). Bounds are in
    the unit bands are written in, which is the unit charts draw: percent as 0-100, seconds."""
    bands = (
        scope(Band, viewer)
        .filter(
            governed__sla__contract__partner=partner,
            governed__sla__contract__start_date__lte=period.end,
            governed__sla__contract__end_date__gte=period.start,
        )
        .exclude(governed__kpi=CALIBRATION)
        .select_related("governed")
        .order_by("-governed__sla__contract__start_date", "governed_id", "position")
    )
    result: dict[BandsKey, list[KpiBand]] = defaultdict(list)
    governed_of: dict[BandsKey, int] = {}
    for band in bands:
        key = (band.governed.channel, band.governed.kpi)
        if governed_of.setdefault(key, band.governed_id) != band.governed_id:
            continue  # an older contract overlapping the period: the newer one's bands win
        name = band.label if band.kind == BandKind.CUSTOM and band.label else None
        result[key].append(
            KpiBand(
                name=name or BandKind(band.kind).label,
                kind=band.kind,
                lower=band.lower,
                upper=band.upper,
            )
        )
    return {key: tuple(value) for key, value in result.items()}
