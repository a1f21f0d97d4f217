"""Scorecard figures, built from the chart kit (`core.charts`)."""

from __future__ import annotations

from decimal import Decimal

from core import charts
from core.charts import Figure
from kpis.domain import DEFINITIONS, Kpi, KpiValue, Unit
from kpis.periods import Period


def display_number(kpi: Kpi, value: Decimal | None) -> float | None:
    """The value in the unit people read: percent for shares, minutes for times."""
    if value is None:
        return None
    unit = DEFINITIONS[kpi].unit
    if unit is Unit.PERCENT:
        return round(float(value) * 100, 2)
    if unit is Unit.SECONDS:
        return round(float(value) / 60, 2)
    return round(float(value), 2)


def axis_title(kpi: Kpi) -> str:
    unit = DEFINITIONS[kpi].unit
    return {Unit.PERCENT: "%", Unit.SECONDS: "minutes", Unit.SCORE: "NPS", Unit.POINTS: "1-7"}[unit]


def sparkline(kpi: Kpi, series: tuple[tuple[Period, KpiValue], ...]) -> Figure:
    """A small line over the last periods; gaps where nothing was measured."""
    return charts.sparkline(
        [p.short_label for p, _ in series], [display_number(kpi, v.value) for _, v in series]
    )


def trend(kpi: Kpi, series: tuple[tuple[Period, KpiValue], ...], title: str) -> Figure:
    """A KPI over the periods with its 95 % interval as a band (rate KPIs) and its
    threshold (docs/domain.md, "KPIs") as a dashed line."""
    x = [p.short_label for p, _ in series]
    data: list[charts.Trace] = []
    if any(v.low is not None for _, v in series):
        data.append(
            charts.interval(
                x,
                [display_number(kpi, v.low) for _, v in series],
                [display_number(kpi, v.high) for _, v in series],
                name="95 % interval",
            )
        )
    data.append(
        charts.line(
            x,
            [display_number(kpi, v.value) for _, v in series],
            name=DEFINITIONS[kpi].label,
            customdata=[v.sample for _, v in series],
            hovertemplate="%{x}: %{y} (n=%{customdata})<extra></extra>",
        )
    )
    limit = DEFINITIONS[kpi].threshold
    shapes = [charts.threshold(display_number(kpi, limit))] if limit is not None else []
    return charts.figure(
        data, title=title, y_title=axis_title(kpi), shapes=shapes,
        margin={"l": 40, "r": 10, "t": 30, "b": 30},
    )  # fmt: skip
