"""Calibration figures, built from the chart kit (`core.charts`)."""

from __future__ import annotations

from calibration.models import SessionReviewer
from calibration.selectors import PartnerOverview
from core import charts
from core.charts import Figure

BIAS_COLOUR = "#a86800"


def alignment_trend(row: PartnerOverview) -> Figure:
    """Agreement (%) and bias (score points, partner minus buyer) of each revealed session of
    a partner, by due date: agreement on the left axis, bias on the right."""
    x = [s.due_date.isoformat() for s in row.revealed]
    agreement = [
        None if s.agreement is None else round(float(s.agreement) * 100, 1) for s in row.revealed
    ]
    bias = [charts.number(s.bias, 1) for s in row.revealed]
    return charts.figure(
        [
            charts.line(
                x, agreement, name="Agreement (%)",
                hovertemplate="%{x}: %{y} %<extra>agreement</extra>",
            ),
            charts.line(
                x, bias, name="Bias (partner − buyer)", color=BIAS_COLOUR, dash="dot",
                yaxis="y2", hovertemplate="%{x}: %{y} points<extra>bias</extra>",
            ),
        ],
        height=250,
        title="Agreement and bias by session",
        x_title="Session due date",
        legend=True,
        margin={"l": 45, "r": 45, "t": 30, "b": 30},
        xaxis={"type": "date"},
        yaxis={"title": {"text": "agreement %"}, "range": [0, 100]},
        yaxis2={
            "title": {"text": "bias, points"}, "overlaying": "y", "side": "right",
            "zeroline": True, "showgrid": False,
        },
    )  # fmt: skip


def reviewer_trend(seats: list[SessionReviewer]) -> Figure:
    """One reviewer's agreement with the other side (%) and bias (their score minus the other
    side's, score points) in each of their revealed sessions, by due date."""
    x = [s.session.due_date.isoformat() for s in seats]
    agreement = [None if s.agreement is None else round(float(s.agreement) * 100, 1) for s in seats]
    bias = [charts.number(s.bias, 1) for s in seats]
    return charts.figure(
        [
            charts.line(
                x, agreement, name="Your agreement (%)",
                hovertemplate="%{x}: %{y} %<extra>agreement</extra>",
            ),
            charts.line(
                x, bias, name="Your bias (you − the other side)", color=BIAS_COLOUR, dash="dot",
                yaxis="y2", hovertemplate="%{x}: %{y} points<extra>bias</extra>",
            ),
        ],
        height=230,
        legend=True,
        margin={"l": 45, "r": 45, "t": 10, "b": 30},
        xaxis={"type": "date", "title": {"text": "session due"}},
        yaxis={"title": {"text": "agreement %"}, "range": [0, 100]},
        yaxis2={
            "title": {"text": "bias, points"}, "overlaying": "y", "side": "right",
            "zeroline": True, "showgrid": False,
        },
    )  # fmt: skip
