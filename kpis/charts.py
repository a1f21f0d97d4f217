"""Scorecard figures, built from the chart kit (`core.charts`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from core import charts
from core.charts import Figure
from kpis.domain import DEFINITIONS, Direction, Kpi, KpiValue, Unit
from kpis.periods import Period
from kpis.sources import KpiBand


def display_number(kpi: Kpi, value: Decimal | None) -> float | None:
    """The value in the unit people read: percent for shares, seconds for times (the unit
    SLAs write their bounds in, so that a band drawn on the chart matches the contract)."""
    if value is None:
        return None
    unit = DEFINITIONS[kpi].unit
    if unit is Unit.PERCENT:
        return round(float(value) * 100, 2)
    return round(float(value), 2)


def axis_title(kpi: Kpi) -> str:
    """The y axis's title: the unit (core.charts.AXIS_UNITS, one per unit across Keel)."""
    return charts.AXIS_UNITS[DEFINITIONS[kpi].unit.value]


def sparkline(kpi: Kpi, series: tuple[tuple[Period, KpiValue], ...]) -> Figure:
    """A small line over the last periods; gaps where nothing was measured."""
    return charts.sparkline(
        [p.short_label for p, _ in series], [display_number(kpi, v.value) for _, v in series]
    )


def _bound(kpi: Kpi, value: Decimal) -> str:
    """A band's bound as the chart labels it: '82 %', '480 s', '+20', '3.5'."""
    unit = DEFINITIONS[kpi].unit
    text = f"{value.normalize():f}"
    if unit is Unit.PERCENT:
        return f"{text} %"
    if unit is Unit.SECONDS:
        return f"{value.quantize(Decimal(1)):,} s"
    if unit is Unit.SCORE:
        return f"{value.normalize():+f}"
    return text


def band_regions(kpi: Kpi, bands: Sequence[KpiBand]) -> list[charts.BandRegion]:
    """The SLA's bands of a KPI as regions, each labelled at the bound that lets a value in:
    'Base ≥ 82 %' for a higher-is-better KPI, 'Base ≤ 480 s' for a lower-is-better one; the
    open band at the bad end by where it starts ('Penalty < 75 %', 'Penalty > 600 s')."""
    higher = DEFINITIONS[kpi].direction is Direction.HIGHER_IS_BETTER
    regions = []
    for band in bands:
        if higher:
            at, text = (band.lower, "≥") if band.lower is not None else (band.upper, "<")
        else:
            at, text = (band.upper, "≤") if band.upper is not None else (band.lower, ">")
        label = band.name if at is None else f"{band.name} {text} {_bound(kpi, at)}"
        regions.append(
            charts.BandRegion(
                kind=band.kind,
                lower=charts.number(band.lower),
                upper=charts.number(band.upper),
                label=label,
                at=charts.number(at),
            )
        )
    return regions


def trend(
    kpi: Kpi,
    series: tuple[tuple[Period, KpiValue], ...],
    title: str,
    bands: Sequence[KpiBand] = (),
) -> Figure:
    """A KPI over the periods with its 95 % interval as a band (rate KPIs), and behind them
    the SLA's bands as shaded regions labelled with their thresholds; without an SLA, the
    KPI's own threshold (docs/domain.md, "KPIs") as a dashed line."""
    definition = DEFINITIONS[kpi]
    x = [p.short_label for p, _ in series]
    values = [display_number(kpi, v.value) for _, v in series]
    data: list[charts.Trace] = []
    lows: list[float | None] = []
    highs: list[float | None] = []
    if any(v.low is not None for _, v in series):
        lows = [display_number(kpi, v.low) for _, v in series]
        highs = [display_number(kpi, v.high) for _, v in series]
        data.append(charts.interval(x, lows, highs, name="95 % interval"))
    data.append(
        charts.line(
            x,
            values,
            name=definition.label,
            customdata=[v.sample for _, v in series],
            hovertemplate="%{x}: %{y} (n=%{customdata})<extra></extra>",
        )
    )
    layout: dict[str, Any] = {}
    shapes: list[dict[str, Any]] = []
    regions = band_regions(kpi, bands)
    limit = display_number(kpi, definition.threshold)
    if regions:
        cuts = [r.at for r in regions]
        y_range = charts.value_range([*values, *lows, *highs, *cuts])
        band_shapes, notes = charts.band_regions(regions, y_range)
        shapes.extend(band_shapes)
        layout["annotations"] = notes
        layout["yaxis"] = {"range": list(y_range)}
        description = "SLA bands: " + "; ".join(r.label for r in reversed(regions)) + "."
    elif limit is not None:
        shapes.append(charts.threshold(limit))
        description = f"Dashed line: the KPI's threshold, {_bound(kpi, Decimal(str(limit)))}."
    else:
        description = ""
    return charts.figure(
        data, title=title, x_title="Period", y_title=axis_title(kpi), shapes=shapes,
        margin={"l": 50, "r": 10, "t": 30, "b": 40}, description=description or None,
        **layout,
    )  # fmt: skip
