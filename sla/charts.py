"""The SLA pages' figures, built from the chart kit (`core.charts`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import charts
from core.charts import Figure, Trace

if TYPE_CHECKING:
    from sla.design import Design

AXIS_TITLE = charts.AXIS_UNITS  # one title per unit across Keel: times in seconds


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
        title=f"{design.kpi.label}: each pilot week",
        x_title=f"{design.kpi.label} ({AXIS_TITLE[design.kpi.unit]})",
        description=(
            "Dashed lines: the suggested band bounds, "
            + ", ".join(str(charts.number(cut)) for cut in cuts)
            + "."
            if cuts
            else None
        ),
        shapes=[charts.threshold(charts.number(cut), axis="x") for cut in cuts],
        margin={"l": 30, "r": 10, "t": 30, "b": 40},
        xaxis={"zeroline": False},
        yaxis={"visible": False},
    )
