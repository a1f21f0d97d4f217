"""Plotly figures for scorecards, as plain dicts for `json_script`; static/js/charts.js
draws them with plotly.js, served once from vendor/plotly.min.js."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from kpis.domain import DEFINITIONS, Kpi, KpiValue, Unit
from kpis.periods import Period

ACCENT = "#1f4e79"
BAND = "rgba(45, 109, 163, 0.15)"


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


def _figure_dict(figure: go.Figure) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(figure.to_json())
    return result


def sparkline(kpi: Kpi, series: tuple[tuple[Period, KpiValue], ...]) -> dict[str, Any]:
    """A small line over the last periods; gaps where nothing was measured."""
    return sparkline_figure(
        [p.short_label for p, _ in series], [display_number(kpi, v.value) for _, v in series]
    )


def sparkline_figure(labels: list[str], y: list[float | None]) -> dict[str, Any]:
    """A small line, its last point marked; gaps where `y` is None.

    Written as a plain plotly.js figure: a scorecard draws dozens of these, and building
    each through plotly's validating graph objects costs milliseconds apiece.
    """
    return {
        "data": [
            {
                "type": "scatter",
                "x": labels,
                "y": y,
                "mode": "lines+markers",
                "line": {"color": ACCENT, "width": 1.5},
                "marker": {"size": [0] * (len(y) - 1) + [5], "color": ACCENT},
                "connectgaps": False,
                "hoverinfo": "skip",
            }
        ],
        "layout": {
            "width": 140,
            "height": 36,
            "margin": {"l": 0, "r": 0, "t": 2, "b": 2},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "showlegend": False,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
    }


def trend(kpi: Kpi, series: tuple[tuple[Period, KpiValue], ...], title: str) -> dict[str, Any]:
    """A KPI over the periods with its 95 % interval as a band (rate KPIs) and its
    DOMAIN.md threshold as a dashed line."""
    x = [p.short_label for p, _ in series]
    y = [display_number(kpi, v.value) for _, v in series]
    data: list[Any] = []
    if any(v.low is not None for _, v in series):
        data.append(
            go.Scatter(
                x=x + x[::-1],
                y=[display_number(kpi, v.high) for _, v in series]
                + [display_number(kpi, v.low) for _, v in series][::-1],
                fill="toself",
                fillcolor=BAND,
                line={"width": 0},
                hoverinfo="skip",
                name="95 % interval",
            )
        )
    data.append(
        go.Scatter(
            x=x,
            y=y,
            mode="lines+markers",
            line={"color": ACCENT},
            name=DEFINITIONS[kpi].label,
            customdata=[v.sample for _, v in series],
            hovertemplate="%{x}: %{y} (n=%{customdata})<extra></extra>",
        )
    )
    figure = go.Figure(data)
    threshold = DEFINITIONS[kpi].threshold
    if threshold is not None:
        figure.add_hline(
            y=display_number(kpi, threshold), line={"dash": "dash", "color": "#b3261e", "width": 1}
        )
    figure.update_layout(
        title={"text": title, "font": {"size": 13}},
        height=220,
        margin={"l": 40, "r": 10, "t": 30, "b": 30},
        showlegend=False,
        yaxis={"title": {"text": axis_title(kpi)}},
        paper_bgcolor="rgba(0,0,0,0)",
    )
    return _figure_dict(figure)
