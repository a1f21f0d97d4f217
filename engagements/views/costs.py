"""HTML views of cost per resolved contact: a partner's loaded monthly cost per channel (the
invoice's headline charges, the contract's loaded-cost components, the buyer's own
governance cost) against resolved contacts and the in-house baseline, with the pricing
what-if; and one row per partner across the account.

Buyer-side money: program managers and executives only (a partner user gets a 403). Reads
come through `engagements.selectors`, the partner through `partners.scoping`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.views.generic import TemplateView

from core.charts import ACCENT
from core.charts import sparkline as sparkline_figure
from core.scoping import get_scoped_or_404, scope
from engagements import domain, selectors
from engagements.models import ScopeVersion
from kpis.periods import Period, PeriodType
from partners.mixins import ViewerRequiredMixin
from partners.models import Channel, Partner, Role

CHANNEL_LABELS = dict(Channel.choices)
CHANNEL_COLOURS = {
    Channel.VOICE.value: ACCENT,
    Channel.EMAIL.value: "#a86800",
    Channel.CHAT.value: "#1e7b4b",
    Channel.SOCIAL.value: "#7a3e9d",
}
COST_ROLES = {Role.PROGRAM_MANAGER, Role.EXECUTIVE}
OVERVIEW_MONTHS = 6


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _month_label(month: date) -> str:
    return Period(PeriodType.MONTH, month).short_label


# PRESENTATION
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    """One month of the cost table: the label and cost of each channel the invoice charged
    for, in the order of `CostView.channels`, and the month's total."""

    month: date
    cells: list[tuple[str, domain.MonthCost]]
    total: domain.MonthCost


def month_rows(view: selectors.CostView) -> list[MonthRow]:
    return [
        MonthRow(
            month,
            [
                (CHANNEL_LABELS.get(channel, channel), view.cells[(channel, month)])
                for channel in view.channels
                if (channel, month) in view.cells
            ],
            view.totals[month],
        )
        for month in view.months
        if month in view.totals
    ]


def cost_figure(view: selectors.CostView) -> dict[str, Any] | None:
    """Cost per resolved contact over the months, one line per channel, with the in-house
    cost per resolved contact of the same channel as a dashed line. A plain plotly.js
    figure, like `kpis.charts.sparkline`. None when no month has a cost per resolved."""
    months = [m for m in view.months if m in view.totals]
    x = [_month_label(m) for m in months]
    data: list[dict[str, Any]] = []
    for channel in view.channels:
        label = CHANNEL_LABELS.get(channel, channel)
        colour = CHANNEL_COLOURS.get(channel, ACCENT)
        y = [
            _number(cell.per_resolved) if (cell := view.cells.get((channel, m))) else None
            for m in months
        ]
        if all(v is None for v in y):
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": label,
                "x": x,
                "y": y,
                "line": {"color": colour},
                "connectgaps": False,
                "hovertemplate": f"{label} %{{x}}: %{{y:.2f}} {view.currency}<extra></extra>",
            }
        )
        baseline = view.in_house.get(channel)
        if baseline is not None:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{label}, in-house",
                    "x": x,
                    "y": [float(baseline)] * len(x),
                    "line": {"color": colour, "dash": "dash", "width": 1.5},
                    "hovertemplate": (
                        f"{label} in-house: %{{y:.2f}} {view.currency}<extra></extra>"
                    ),
                }
            )
    if not data:
        return None
    return {
        "data": data,
        "layout": {
            "height": 300,
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
            "yaxis": {"title": {"text": f"{view.currency} per resolved contact"}},
            "legend": {"orientation": "h", "y": -0.2},
            "paper_bgcolor": "rgba(0,0,0,0)",
        },
    }


def trend_figure(points: list[tuple[str, Decimal | None]]) -> dict[str, Any]:
    """A sparkline of cost per resolved contact over the last months."""
    return sparkline_figure([label for label, _ in points], [_number(v) for _, v in points])


def latest_month(view: selectors.CostView) -> date | None:
    return next((m for m in reversed(view.months) if m in view.totals), None)


# PAGES
# ------------------------------------------------------------------------------


class PartnerCostView(ViewerRequiredMixin, TemplateView):
    """A partner's cost per resolved contact over the last 12 complete months, per channel,
    against the in-house team's; and last quarter priced under each pricing model."""

    template_name = "engagements/costs.html"
    allowed_roles = COST_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = context["today"]
        partner = get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])
        view = selectors.costs(self.viewer, partner, today, months=12)
        figure = cost_figure(view)
        context.update(
            partner=partner,
            cost=view,
            rows=month_rows(view),
            channel_labels=[CHANNEL_LABELS.get(c, c) for c in view.channels],
            in_house=[
                (CHANNEL_LABELS.get(c, c), v) for c, v in view.in_house.items() if v is not None
            ],
            has_scope=scope(ScopeVersion, self.viewer).filter(partner=partner).exists(),
            what_if=selectors.what_if(self.viewer, partner, today),
            last_quarter=Period.containing(PeriodType.QUARTER, today).previous(),
            charts={"cost-trend": figure} if figure else {},
        )
        return context


@dataclass(frozen=True)
class PartnerCostRow:
    partner: Partner
    cost: selectors.CostView
    month: date | None  # the latest month with a cost
    latest: domain.MonthCost | None
    trend: list[tuple[str, Decimal | None]]

    @property
    def in_house(self) -> Decimal | None:
        return self.cost.in_house_overall

    @property
    def above_in_house(self) -> Decimal | None:
        """How much more (or, negative, less) than in-house a resolved contact costs, %."""
        ours = self.latest.per_resolved if self.latest else None
        if ours is None or not self.in_house:
            return None
        return ((ours / self.in_house - 1) * 100).quantize(Decimal("0.1"))


class CostOverviewView(ViewerRequiredMixin, TemplateView):
    """One row per outsourcing partner: the latest month's cost per resolved contact, the
    in-house baseline, and the last six months. A fixed number of queries per partner
    (partners are few), however many months, channels and settlements."""

    template_name = "engagements/cost_overview.html"
    allowed_roles = COST_ROLES

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = context["today"]
        rows = []
        for partner in scope(Partner, self.viewer).filter(in_house=False).order_by("name"):
            view = selectors.costs(self.viewer, partner, today, months=OVERVIEW_MONTHS)
            month = latest_month(view)
            rows.append(
                PartnerCostRow(
                    partner,
                    view,
                    month,
                    view.totals[month] if month else None,
                    [
                        (_month_label(m), view.totals[m].per_resolved if m in view.totals else None)
                        for m in view.months
                    ],
                )
            )
        context.update(
            rows=rows,
            months=OVERVIEW_MONTHS,
            charts={
                f"cost-spark-{row.partner.pk}": trend_figure(row.trend)
                for row in rows
                if any(v is not None for _, v in row.trend)
            },
        )
        return context
