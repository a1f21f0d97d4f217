"""The engagement's figures, built from the chart kit (`core.charts`): forecast against
actual volume on the scope page, the candidates' weighted scores on the selection's
comparison, and cost per resolved contact (a partner's months, and each partner's sparkline
on the overview)."""

from __future__ import annotations

from decimal import Decimal

from core import charts
from core.charts import Figure, Trace
from engagements import domain, selectors
from engagements.viewmodels import ColumnView
from kpis.periods import Period, PeriodType
from partners.models import Channel

ACTUAL_COLOUR = "#e5a400"  # actual volume, against the forecast's accent
CHANNEL_LABELS = dict(Channel.choices)
CHANNEL_COLOURS = {
    Channel.VOICE.value: charts.ACCENT,
    Channel.EMAIL.value: "#a86800",
    Channel.CHAT.value: "#1e7b4b",
    Channel.SOCIAL.value: "#7a3e9d",
}


def volume_figure(found: selectors.ForecastVsActual) -> Figure:
    """Monthly contacts, forecast (line) against actual (bars)."""
    x = [f"{r.month:%b %Y}" for r in found.months]
    return charts.figure(
        [
            charts.bars(
                x,
                [r.actual for r in found.months],
                name="Actual",
                color=ACTUAL_COLOUR,
                hovertemplate="%{x}: %{y:,} contacts<extra>actual</extra>",
            ),
            charts.line(
                x,
                [r.forecast for r in found.months],
                name="Forecast",
                hovertemplate="%{x}: %{y:,} contacts<extra>forecast</extra>",
            ),
        ],
        height=280,
        title="Contacts per month: forecast and actual",
        x_title="Month",
        y_title="contacts",
        legend=True,
        margin={"l": 55, "r": 10, "t": 30, "b": 40},
        yaxis={"rangemode": "tozero"},
    )


def score_figure(columns: list[ColumnView]) -> Figure:
    """The median weighted score of each candidate as a bar, its low-high spread as an error
    bar, and each evaluator's weighted score as a point: one enthusiast shows as an outlier,
    not as the score."""
    names = [v.candidate.name for v in columns]
    scores = [v.result.score for v in columns]

    def spread(bound: Decimal | None, score: Decimal | None, above: bool) -> float | None:
        if score is None or bound is None:
            return None
        return charts.number(bound - score if above else score - bound)

    median = charts.bars(
        names,
        [charts.number(s) for s in scores],
        name="Score (median of evaluators)",
        color=charts.INTERVAL,
        error_y={
            "type": "data",
            "symmetric": False,
            "color": charts.ACCENT,
            "thickness": 1.5,
            "array": [spread(v.result.high, v.result.score, True) for v in columns],
            "arrayminus": [spread(v.result.low, v.result.score, False) for v in columns],
        },
        hovertemplate="%{x}: %{y} (median)<extra></extra>",
    )
    median["marker"]["line"] = {"color": charts.ACCENT, "width": 1}
    evaluators: Trace = charts.line(
        [v.candidate.name for v in columns for _ in v.evaluators],
        [charts.number(e.score) for v in columns for e in v.evaluators],
        name="Each evaluator",
        mode="markers",  # points, not a line: the kit's line, its markers only
        text=[e.name for v in columns for e in v.evaluators],
        marker={"color": charts.ACCENT, "size": 9, "symbol": "circle-open", "line": {"width": 2}},
        hovertemplate="%{text}: %{y}<extra>%{x}</extra>",
    )
    return charts.figure(
        [median, evaluators],
        height=300,
        title="Each candidate's score and its spread",
        x_title="Candidate",
        y_title=f"weighted score (0-{domain.SCORE_MAX})",
        legend=True,
        margin={"l": 45, "r": 10, "t": 30, "b": 40},
        yaxis={"range": [0, domain.SCORE_MAX + 0.3], "dtick": 1},
    )


def cost_figure(view: selectors.CostView) -> Figure | None:
    """Cost per resolved contact over the months, one line per channel, with the in-house
    cost per resolved contact of the same channel as a dashed line. None when no month has
    a cost per resolved contact."""
    months = [m for m in view.months if m in view.totals]
    x = [Period(PeriodType.MONTH, m).short_label for m in months]
    data: list[Trace] = []
    for channel in view.channels:
        label = CHANNEL_LABELS.get(channel, channel)
        colour = CHANNEL_COLOURS.get(channel, charts.ACCENT)
        y = [
            charts.number(cell.per_resolved) if (cell := view.cells.get((channel, m))) else None
            for m in months
        ]
        if all(v is None for v in y):
            continue
        data.append(
            charts.line(
                x,
                y,
                name=label,
                color=colour,
                hovertemplate=f"{label} %{{x}}: %{{y:.2f}} {view.currency}<extra></extra>",
            )
        )
        baseline = view.in_house.get(channel)
        if baseline is not None:
            data.append(
                charts.line(
                    x,
                    [charts.number(baseline)] * len(x),
                    name=f"{label}, in-house",
                    color=colour,
                    dash="dash",
                    width=1.5,
                    markers=False,
                    hovertemplate=f"{label} in-house: %{{y:.2f}} {view.currency}<extra></extra>",
                )
            )
    if not data:
        return None
    return charts.figure(
        data,
        height=300,
        title="Cost per resolved contact",
        x_title="Month",
        y_title=f"{view.currency} per resolved contact",
        legend=True,
    )


def trend_figure(points: list[tuple[str, Decimal | None]]) -> Figure:
    """A sparkline of cost per resolved contact over the last months."""
    return charts.sparkline([label for label, _ in points], [charts.number(v) for _, v in points])
