"""Showing settlements and band statuses as people read them: money in its currency with the
currency's minor digits, KPI values in their unit (band units: percentages as 0-100)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from partners.models import Channel
from sla import domain
from sla.currency import is_currency, minor_digits

register = template.Library()

CHANNEL_LABELS = dict(Channel.choices)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _digits(currency: str) -> int:
    return minor_digits(currency) if currency and is_currency(currency) else 2


@register.filter
def money(amount: Any, currency: str) -> str:
    """12000 → "12,000.00 USD"; 1500 with JPY → "1,500 JPY"; None → an en dash."""
    value = _decimal(amount)
    if value is None:
        return "–"
    return domain.format_money(value, currency, _digits(currency))


@register.filter
def signed_money(amount: Any, currency: str) -> str:
    """An adjustment: "+1,200.00 USD", "−350.00 USD", "0.00 USD"."""
    value = _decimal(amount)
    if value is None:
        return "–"
    text = domain.format_money(abs(value), currency, _digits(currency))
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"−{text}"
    return text


@register.filter
def kpi_name(key: str) -> str:
    """ "csat" → "CSAT"."""
    try:
        return domain.governable(key).label
    except ValueError:
        return key


@register.filter
def channel_name(key: str) -> str:
    return CHANNEL_LABELS.get(key, key)


@register.filter
def band_value(value: Any, kpi: str) -> str:
    """A value in band units, in the KPI's unit: 79.2%, 412 s, +23."""
    number = _decimal(value)
    if number is None:
        return "–"
    try:
        return domain.format_value(domain.governable(kpi), number)
    except ValueError:
        return str(number)


@register.filter
def item_value(item: Any) -> str:
    """A band status's or settlement line's value as its explanation prints it, with the
    precision that keeps it in its band ('81.996%' in remediation, not '82.0%'); rows
    computed before Keel stored that text fall back to `band_value`."""
    if item is None or item == "":
        return "–"
    return getattr(item, "value_text", "") or band_value(item.value, item.kpi)


@register.simple_tag
def band_interval(low: Any, high: Any, kpi: str) -> str:
    """ "77.1–81.4%" style range of two values in band units; empty without both bounds."""
    if _decimal(low) is None or _decimal(high) is None:
        return ""
    return f"{band_value(low, kpi)} – {band_value(high, kpi)}"


@register.filter
def plan_for(plans: dict[tuple[str, str], Any], line: Any) -> Any:
    """The plan a settlement line opened, from {(channel, kpi): plan}."""
    return plans.get((line.channel, line.kpi)) if plans else None
