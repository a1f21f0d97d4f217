"""Numbers and money as a contract writes them. Money is `Decimal`: each amount is computed
exactly and rounded once, half up, to the currency's minor unit when it is created; totals add
amounts that are already rounded, so the lines of a settlement always add up to its totals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def plain_number(value: Decimal) -> str:
    """80, 81.5, 0.25: without trailing zeros or an exponent."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def round_money(amount: Decimal, minor_digits: int) -> Decimal:
    """Half up to the currency's minor unit (2 for USD and EUR, 0 for JPY, 3 for KWD)."""
    return amount.quantize(Decimal(1).scaleb(-minor_digits), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str, minor_digits: int) -> str:
    return f"{round_money(amount, minor_digits):,} {currency}"
