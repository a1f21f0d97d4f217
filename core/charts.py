"""Keel's one chart kit: plain plotly.js figures (dicts) for `json_script`, drawn by
static/js/charts.js with the plotly.js that Keel serves itself (vendor/plotly.min.js).

Every figure in Keel is built from these pieces, so colours, margins, fonts and the
transparent background are the same on every page, and the pages print alike. Plain dicts,
not plotly's graph objects: a scorecard draws dozens of sparklines, and building each
through plotly's validating objects costs milliseconds apiece.

Each app keeps its figures in its own `charts.py` (which series, which labels), made of
these pieces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

Figure = dict[str, Any]
Trace = dict[str, Any]

ACCENT = "#1f4e79"  # Keel's blue: the series people read first
INTERVAL = "rgba(45, 109, 163, 0.15)"  # a 95 % interval's band
BOX_FILL = "rgba(45, 109, 163, 0.12)"
THRESHOLD = "#b3261e"  # a bound or a threshold, always dashed
MUTED = "#6b7280"
TRANSPARENT = "rgba(0,0,0,0)"

# One axis title per unit across Keel (kpis.domain.Unit's values; core cannot import kpis):
# times in seconds, the unit SLAs write their bounds in.
AXIS_UNITS = {"percent": "%", "seconds": "seconds", "score": "NPS points", "points": "CES, 1-7"}

# An SLA band's colour per kind, the text colours of the band badges (static/css/keel.css,
# .band-bonus ... .band-penalty), drawn faintly behind the data.
BAND_COLOURS = {
    "bonus": "#186a40",
    "base": "#5d6b7a",
    "remediation": "#a86800",
    "custom": "#a86800",
    "penalty": "#b3261e",
}
BAND_OPACITY = 0.12


def number(value: Decimal | float | int | None, places: int = 2) -> float | None:
    """A value as plotly.js wants it: a float rounded for the hover text, or None (a gap)."""
    return None if value is None else round(float(value), places)


def line(
    x: Sequence[Any],
    y: Sequence[float | None],
    *,
    name: str,
    color: str = ACCENT,
    dash: str | None = None,
    width: float | None = None,
    markers: bool = True,
    hovertemplate: str | None = None,
    **extra: Any,
) -> Trace:
    """A line over `x`; None values are gaps, never joined across."""
    style: dict[str, Any] = {"color": color}
    if dash:
        style["dash"] = dash
    if width:
        style["width"] = width
    trace: Trace = {
        "type": "scatter",
        "mode": "lines+markers" if markers else "lines",
        "name": name,
        "x": list(x),
        "y": list(y),
        "line": style,
        "connectgaps": False,
        **extra,
    }
    if hovertemplate:
        trace["hovertemplate"] = hovertemplate
    return trace


def bars(
    x: Sequence[Any], y: Sequence[float | None], *, name: str, color: str = ACCENT, **extra: Any
) -> Trace:
    return {"type": "bar", "name": name, "x": list(x), "y": list(y), "marker": {"color": color},
            **extra}  # fmt: skip


def interval(
    x: Sequence[Any], low: Sequence[float | None], high: Sequence[float | None], *, name: str
) -> Trace:
    """A filled band from `low` to `high` (a 95 % interval), behind the line it qualifies."""
    xs = list(x)
    return {
        "type": "scatter",
        "x": xs + xs[::-1],
        "y": list(high) + list(low)[::-1],
        "fill": "toself",
        "fillcolor": INTERVAL,
        "line": {"width": 0},
        "hoverinfo": "skip",
        "name": name,
    }


def threshold(value: float | None, *, axis: str = "y", color: str = THRESHOLD) -> dict[str, Any]:
    """A dashed line across the plot at `value` on `axis` ("y": horizontal, "x": vertical)."""
    across = "x" if axis == "y" else "y"
    return {
        "type": "line",
        f"{axis}ref": axis,
        f"{across}ref": "paper",
        f"{axis}0": value,
        f"{axis}1": value,
        f"{across}0": 0,
        f"{across}1": 1,
        "line": {"dash": "dash", "color": color, "width": 1},
    }


@dataclass(frozen=True)
class BandRegion:
    """A horizontal band of values, `lower` to `upper` on the y axis (None: open-ended), of a
    kind (`BAND_COLOURS`), with the label written at its threshold (`at`)."""

    kind: str
    lower: float | None
    upper: float | None
    label: str
    at: float | None  # where the label sits: the bound that lets a value into the band


def value_range(values: Iterable[float | None], *, pad: float = 0.1) -> tuple[float, float]:
    """The y range that shows every value with a margin of `pad` of the span on each side."""
    known = [v for v in values if v is not None]
    if not known:
        return (0.0, 1.0)
    low, high = min(known), max(known)
    margin = (high - low) * pad or abs(high) * pad or 1.0
    return (low - margin, high + margin)


def band_regions(
    bands: Sequence[BandRegion], y_range: tuple[float, float]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Shaded rectangles across the plot for `bands`, behind the data, and the annotations
    naming each band's threshold at the right edge. Open ends stop at `y_range`'s edge, so the
    caller sets the y axis to that range (`figure(..., yaxis={"range": ...})`)."""
    low, high = y_range
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for band in bands:
        colour = BAND_COLOURS.get(band.kind, MUTED)
        y0 = low if band.lower is None else max(low, band.lower)
        y1 = high if band.upper is None else min(high, band.upper)
        if y1 <= y0:
            continue  # the band lies wholly outside the values shown
        shapes.append(
            {
                "type": "rect", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                "y0": y0, "y1": y1, "fillcolor": colour, "opacity": BAND_OPACITY,
                "line": {"width": 0}, "layer": "below", "name": band.label,
            }
        )  # fmt: skip
        if band.at is not None and low <= band.at <= high:
            notes.append(
                {
                    "xref": "paper", "yref": "y", "x": 1, "y": band.at, "xanchor": "right",
                    "yanchor": "bottom" if band.at == y0 else "top", "text": band.label,
                    "showarrow": False, "font": {"size": 10, "color": colour},
                }
            )  # fmt: skip
    return shapes, notes


def figure(
    data: Sequence[Trace],
    *,
    height: int = 220,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    legend: bool = False,
    shapes: Sequence[dict[str, Any]] = (),
    margin: dict[str, int] | None = None,
    description: str | None = None,
    **layout: Any,
) -> Figure:
    """A figure with Keel's layout: transparent background, small margins, an optional title,
    axis titles, a horizontal legend below the plot when there is one. `description` is the
    figure's text alternative beyond its data (static/js/charts.js shows it with the data
    table under the chart and reads it out as the chart's label)."""
    base: dict[str, Any] = {
        "height": height,
        "margin": margin or {"l": 50, "r": 10, "t": 30 if title else 10, "b": 40},
        "showlegend": legend,
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
    }
    if title:
        base["title"] = {"text": title, "font": {"size": 13}}
    if legend:
        base["legend"] = {"orientation": "h", "y": -0.2}
    if x_title:
        base["xaxis"] = {"title": {"text": x_title}}
    if y_title:
        base["yaxis"] = {"title": {"text": y_title}}
    if shapes:
        base["shapes"] = list(shapes)
    for key, value in layout.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    result: Figure = {"data": list(data), "layout": base}
    if description:
        result["description"] = description
    return result


def sparkline(labels: Sequence[str], y: Sequence[float | None]) -> Figure:
    """A small line, its last point marked; gaps where `y` is None. No axes, no hover."""
    return {
        "data": [
            {
                "type": "scatter",
                "x": list(labels),
                "y": list(y),
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
            "paper_bgcolor": TRANSPARENT,
            "plot_bgcolor": TRANSPARENT,
        },
    }
