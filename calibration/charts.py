"""Calibration figures, built from the chart kit (`core.charts`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from calibration.models import SessionReviewer
from calibration.selectors import PartnerOverview
from core import charts
from core.charts import Figure

BIAS_COLOUR = "#a86800"


def _agreement_and_bias(
    dues: Sequence[date],
    agreements: Sequence[Decimal | None],
    biases: Sequence[Decimal | None],
    *,
    names: tuple[str, str],
    title: str,
) -> Figure:
    """Agreement (%) on the left axis and bias (score points) on the right, by session due
    date."""
    x = [due.isoformat() for due in dues]
    agreement = [None if a is None else round(float(a) * 100, 1) for a in agreements]
    return charts.figure(
        [
            charts.line(
                x, agreement, name=names[0],
                hovertemplate="%{x}: %{y} %<extra>agreement</extra>",
            ),
            charts.line(
                x, [charts.number(b, 1) for b in biases], name=names[1], color=BIAS_COLOUR,
                dash="dot", yaxis="y2", hovertemplate="%{x}: %{y} points<extra>bias</extra>",
            ),
        ],
        height=250,
        title=title,
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


def alignment_trend(row: PartnerOverview) -> Figure:
    """Agreement and bias (partner minus buyer) of each revealed session of a partner."""
    sessions = row.revealed
    return _agreement_and_bias(
        [s.due_date for s in sessions], [s.agreement for s in sessions],
        [s.bias for s in sessions], names=("Agreement (%)", "Bias (partner − buyer)"),
        title="Agreement and bias by session",
    )  # fmt: skip


def reviewer_trend(seats: list[SessionReviewer]) -> Figure:
    """One reviewer's agreement with the other side and bias (their score minus the other
    side's) in each of their revealed sessions."""
    return _agreement_and_bias(
        [s.session.due_date for s in seats], [s.agreement for s in seats],
        [s.bias for s in seats], names=("Your agreement (%)", "Your bias (you − the other side)"),
        title="Your agreement and bias by session",
    )  # fmt: skip
