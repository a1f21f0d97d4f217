"""Template filters of the QBR pages."""

from __future__ import annotations

from django import template

from home.selectors import MoneyMonth

register = template.Library()


@register.filter
def qbr_amount(month: MoneyMonth, name: str) -> str:
    """A settlement figure of one month ("credit_total"), in its currency; an en dash when
    the month has no settlement."""
    return month.amount(name)
