"""The SLA pages' figures, built from the chart kit (`core.charts`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import charts
from core.charts import Figure, Trace
from kpis.domain import Unit

if TYPE_CHECKING:
    from sla.design import Design

AXIS_TITLE = {Unit.PERCENT: "%", Unit.SECONDS: "seconds", Unit.SCORE: "NPS", Unit.POINTS: "1-7"}


def distribution_figure(design: Design) -> Figure:
    """Each pilot week's value as a point over a box of the distribution, with the suggested
    band bounds as dashed lines (docs/domain.md, "SLA bands": good bands come from the
    pilot's actual distribution)."""
    weeks = [w for w in design.weeks if w.value is not None]
    cuts = sorted({b.lower for b in design.bands if b.lower is not None})
    box: Trace = {
        "type": "box",
        "x": [charts.number(w.value) for w in weeks],
        "name": design.kpi.label,
        "boxpoints": "all",
        "jitter": 0.4,
        "pointpos": 0,
        "marker": {"color": charts.ACCENT, "size": 8},
        "line": {"color": charts.ACCENT},
        "fillcolor": charts.BOX_FILL,
        "customdata": [[w.week.label, w.sample] for w in weeks],
        "hovertemplate": "%{customdata[0]}: %{x} (n=%{customdata[1]})<extra></extra>",
    }
    return charts.figure(
        [box],
        x_title=AXIS_TITLE[design.kpi.unit],
        shapes=[charts.threshold(charts.number(cut), axis="x") for cut in cuts],
        margin={"l": 30, "r": 10, "t": 10, "b": 40},
        xaxis={"zeroline": False},
        yaxis={"visible": False},
    )
