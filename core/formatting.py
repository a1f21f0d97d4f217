"""Numbers as people read them: one definition of each format, for pages, exports and
explanations alike."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def as_percent(fraction: Decimal | None, places: int = 1) -> Decimal | None:
    """A fraction as a percentage rounded half-up, for display."""
    if fraction is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (fraction * 100).quantize(quantum, rounding=ROUND_HALF_UP)


def percent_text(fraction: Decimal | None, places: int = 1) -> str:
    """0.4321 → "43.2 %"; an undefined value shows as an en dash."""
    value = as_percent(fraction, places)
    return "–" if value is None else f"{value} %"


def signed(value: Decimal | None, places: str = "0.1") -> str:
    """37.5 → '+37.5', -2 → '−2.0' (a true minus sign); None → '–'."""
    if value is None:
        return "–"
    rounded = value.quantize(Decimal(places), rounding=ROUND_HALF_UP)
    return f"+{rounded}" if rounded > 0 else f"{rounded}".replace("-", "−")


def seconds_text(seconds: Decimal | None, *, signed: bool = False) -> str:
    """A duration in whole seconds, the unit SLAs write time bounds in: 1234.6 → "1,235 s";
    `signed` for a change: "+12 s", "−12 s", "±0 s". Undefined shows as an en dash."""
    if seconds is None:
        return "–"
    whole = seconds.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if not signed:
        return f"{whole:,} s"
    sign = "+" if whole > 0 else "−" if whole < 0 else "±"
    return f"{sign}{abs(whole):,} s"
