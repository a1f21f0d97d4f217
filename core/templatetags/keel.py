from __future__ import annotations

from decimal import Decimal

from django import template

from core.formatting import as_percent
from core.formatting import signed as signed_text

register = template.Library()


@register.filter
def percent(fraction: Decimal | None, places: int = 1) -> str:
    """0.4321 → "43.2 %"; an undefined value shows as an en dash."""
    value = as_percent(fraction, int(places))
    return "–" if value is None else f"{value} %"


@register.filter
def signed(value: Decimal | None) -> str:
    """A change or a bias with its sign: +2.5, −1.0; an undefined value is an en dash."""
    return signed_text(value)


@register.filter
def tenure(days: int) -> str:
    years, rest = divmod(int(days), 365)
    months = rest // 30
    if years:
        return f"{years} y {months} m"
    return f"{months} m" if months else f"{days} d"


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key, {}) if mapping else {}


@register.filter
def tenure_on(agent: object, day: object) -> str:
    return tenure(agent.tenure_days(day))  # type: ignore[attr-defined]
