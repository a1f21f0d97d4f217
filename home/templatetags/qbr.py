"""Template filters of the QBR pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template

from engagements.selectors import CostView
from home.selectors import MoneyMonth, PartnerQuarter

register = template.Library()


@register.filter
def qbr_amount(month: MoneyMonth, name: str) -> str:
    """A settlement figure of one month ("credit_total"), in its currency; an en dash when
    the month has no settlement."""
    return month.amount(name)


@register.filter
def money_of(cost: CostView, amount: Decimal | None) -> str:
    """An amount in the cost view's currency."""
    return cost.money(amount)


@register.simple_tag
def qbr_cost(cost: CostView, month: date, name: str) -> str:
    """One month's figure of the partner's cost (all channels): money, a count, or a dash."""
    total = cost.totals.get(month)
    if total is None:
        return "–"
    if name == "resolved":
        return f"{total.resolved:,}"
    value: Decimal | None = getattr(total, name)
    return cost.money(value)


@register.filter
def qbr_previous(review: PartnerQuarter, name: str) -> str:
    """A settlement figure of the previous quarter ("net"), for comparison."""
    return review.previous_total(name)
