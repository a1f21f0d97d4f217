"""What every part of the engagement rules counts with: shares of a whole."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ONE = Decimal(1)
SHARE_PLACES = Decimal("0.001")


def share(part: int, whole: int) -> Decimal | None:
    """part / whole as a fraction rounded to 0.001, None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)
