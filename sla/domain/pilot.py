"""Band design from pilot data: bands cut at percentiles of a pilot's weekly values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from kpis.domain import Direction
from sla.domain.bands import Band, BandKind
from sla.domain.governable import GovernableKpi
from sla.domain.numbers import HUNDRED, ZERO


def percentile(values: Sequence[Decimal], p: Decimal) -> Decimal:
    """The p-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("No values.")
    if not ZERO <= p <= HUNDRED:
        raise ValueError("A percentile lies between 0 and 100.")
    ordered = sorted(values)
    position = (Decimal(len(ordered) - 1) * p) / HUNDRED
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def suggest_bands(
    values: Sequence[Decimal],
    kpi: GovernableKpi,
    *,
    cuts: tuple[Decimal, Decimal, Decimal] = (Decimal(10), Decimal(40), Decimal(80)),
    template: Sequence[Band] | None = None,
) -> list[Band]:
    """Bands from a pilot's weekly values: penalty below the first cut, remediation up to the
    second, base up to the third, bonus above (mirrored for lower-is-better KPIs), each cut
    a percentile of the pilot's values rounded to one decimal. Consequences come from
    `template` (matched by band kind) when given."""
    if not (ZERO < cuts[0] < cuts[1] < cuts[2] < HUNDRED):
        raise ValueError("Choose three percentiles in increasing order, each between 0 and 100.")
    higher_better = kpi.direction is Direction.HIGHER_IS_BETTER
    ps = cuts if higher_better else tuple(HUNDRED - c for c in reversed(cuts))
    bounds = [percentile(values, p).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) for p in ps]
    kinds = [BandKind.PENALTY, BandKind.REMEDIATION, BandKind.BASE, BandKind.BONUS]
    if not higher_better:
        kinds.reverse()
    by_kind = {b.kind: b for b in template or ()}
    defaults = {
        BandKind.PENALTY: Band(BandKind.PENALTY, None, None, credit_pct=Decimal(10),
                               opens_remediation=True),
        BandKind.REMEDIATION: Band(BandKind.REMEDIATION, None, None, opens_remediation=True),
        BandKind.BASE: Band(BandKind.BASE, None, None),
        BandKind.BONUS: Band(BandKind.BONUS, None, None, bonus_pct=Decimal(5)),
    }  # fmt: skip
    edges: list[Decimal | None] = [None, *bounds, None]
    bands = []
    for i, kind in enumerate(kinds):
        lower, upper = edges[i], edges[i + 1]
        if lower is not None and upper is not None and lower >= upper:
            continue  # two cuts rounded to the same value: that band would be empty
        like = by_kind.get(kind, defaults[kind])
        bands.append(replace(like, kind=kind, lower=lower, upper=upper))
    # Merging away an empty band leaves its neighbour's bound dangling: re-link them.
    for i in range(1, len(bands)):
        if bands[i - 1].upper != bands[i].lower:
            bands[i - 1] = replace(bands[i - 1], upper=bands[i].lower)
    return bands
