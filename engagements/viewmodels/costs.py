"""Cost per resolved contact as its pages show it: a partner's months in a table, and one
row per partner for the account's overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.formatting import as_percent
from engagements import domain, selectors
from kpis.periods import Period, PeriodType
from partners.models import Channel, Partner

CHANNEL_LABELS = dict(Channel.choices)


def month_label(month: date) -> str:
    return Period(PeriodType.MONTH, month).short_label


@dataclass(frozen=True)
class CostMonthRow:
    """One month of the cost table: the label and cost of each channel the invoice charged
    for, in the order of `CostView.channels`, and the month's total."""

    month: date
    cells: list[tuple[str, domain.MonthCost]]
    total: domain.MonthCost


def month_rows(view: selectors.CostView) -> list[CostMonthRow]:
    return [
        CostMonthRow(
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


def latest_month(view: selectors.CostView) -> date | None:
    return next((m for m in reversed(view.months) if m in view.totals), None)


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
        return as_percent(ours / self.in_house - 1)


def partner_cost_row(partner: Partner, view: selectors.CostView) -> PartnerCostRow:
    """The partner's latest month with a cost, and its cost per resolved contact over the
    months of `view` (None where a month has no settlement)."""
    month = latest_month(view)
    return PartnerCostRow(
        partner,
        view,
        month,
        view.totals[month] if month else None,
        [
            (month_label(m), view.totals[m].per_resolved if m in view.totals else None)
            for m in view.months
        ],
    )
