"""Only differences are written: a second run on the same data changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def _decimal_equal(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        if a is None or b is None:
            return a is b
        return Decimal(a).quantize(Decimal("0.000001")) == Decimal(b).quantize(Decimal("0.000001"))
    return bool(a == b)


def changed(obj: Any, fields: dict[str, Any]) -> bool:
    """Whether `obj` holds anything other than `fields`: decimals to six places (the stored
    precision), a band by its key."""
    for name, value in fields.items():
        current = getattr(obj, name)
        if name == "band":
            if (current.pk if current else None) != (value.pk if value else None):
                return True
        elif not _decimal_equal(current, value):
            return True
    return False
