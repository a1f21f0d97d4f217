"""ISO 4217 currencies: which codes exist and how many minor digits each has (Babel's CLDR
data: 2 for USD and EUR, 0 for JPY, 3 for KWD)."""

from __future__ import annotations

from functools import cache

from babel.numbers import get_currency_precision, list_currencies


@cache
def _codes() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    return code in _codes()


def minor_digits(code: str) -> int:
    return int(get_currency_precision(code))
