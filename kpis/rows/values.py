"""Checking one value: each parser returns the value Keel stores, or raises `RowError` with
a message saying what is wrong with it (without row or column: the reader adds those).
Pure: standard library only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from kpis.rows.fields import MAX_TEXT, Field, FieldType

WHOLE_NUMBER = re.compile(r"^(-?\d+)(?:\.0+)?$")
TRUE_WORDS = {"true", "yes", "y", "1", "t", "x"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}
DURATION_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600}
CHANNEL_ALIASES = {
    "voice": "voice",
    "phone": "voice",
    "call": "voice",
    "telephony": "voice",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "chat": "chat",
    "live chat": "chat",
    "messaging": "social",
    "social": "social",
    "social messaging": "social",
}


@dataclass(frozen=True)
class Context:
    """What checking a value needs to know beyond the row itself."""

    now: datetime  # timezone-aware; nothing may happen after it
    default_tz: tzinfo  # for times written without an offset


class RowError(ValueError):
    """One value is wrong; the message says why, without row or column."""


def shown(raw: object) -> str:
    """A value as a message quotes it: long ones cut to 60 characters."""
    text = str(raw)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_text(raw: object, max_length: int = MAX_TEXT) -> str:
    text = str(raw).strip()
    if len(text) > max_length:
        raise RowError(f"is {len(text)} characters long; at most {max_length} fit")
    return text


def parse_integer(raw: object, spec: Field) -> int:
    if isinstance(raw, bool):
        raise RowError(f"'{raw}' is not a whole number")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw).strip()
        match = WHOLE_NUMBER.match(text)
        if not match:
            raise RowError(f"'{shown(raw)}' is not a whole number")
        value = int(match.group(1))
    if spec.type is FieldType.COUNT and value < 0:
        raise RowError(f"'{shown(raw)}' is negative; a count cannot be")
    low, high = spec.minimum, spec.maximum
    if low is not None and high is not None and not low <= value <= high:
        raise RowError(f"'{shown(raw)}' is outside {low}-{high}")
    return value


def parse_boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    # A count of re-opens or escalations: any positive number means yes.
    if text.isdigit():
        return int(text) > 0
    raise RowError(f"'{shown(raw)}' is not yes or no (use true/false, yes/no or 1/0)")


def parse_datetime(raw: object, ctx: Context) -> datetime:
    text = str(raw).strip()
    value: datetime | None = None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z", "%Y/%m/%d %H:%M:%S"):
            try:
                # Made timezone-aware just below when the text carries no offset.
                value = datetime.strptime(text, pattern)  # noqa: DTZ007
                break
            except ValueError:
                continue
    if value is None:
        raise RowError(f"'{shown(raw)}' is not a date and time (use ISO 8601: 2026-03-05 14:23:00)")
    if value.tzinfo is None:
        value = value.replace(tzinfo=ctx.default_tz)
    if value > ctx.now:
        raise RowError(f"'{shown(raw)}' is in the future")
    return value


def parse_date(raw: object) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    text = str(raw).strip()
    try:
        return date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
    except ValueError:
        raise RowError(f"'{shown(raw)}' is not a date (use YYYY-MM-DD)") from None


def parse_duration(raw: object, unit: str) -> int:
    """Whole seconds from a number in `unit` or from H:MM:SS / MM:SS."""
    if isinstance(raw, bool):
        raise RowError(f"'{raw}' is not a duration")
    if isinstance(raw, int | float):
        number = float(raw)
    else:
        text = str(raw).strip()
        if ":" in text:
            parts = text.split(":")
            if len(parts) > 3 or not all(p.isdigit() for p in parts):
                raise RowError(f"'{shown(raw)}' is not a duration (use seconds or H:MM:SS)")
            seconds = 0
            for part in parts:
                seconds = seconds * 60 + int(part)
            return seconds
        try:
            number = float(text)
        except ValueError:
            raise RowError(f"'{shown(raw)}' is not a duration (use seconds or H:MM:SS)") from None
    if number < 0:
        raise RowError(f"'{shown(raw)}' is negative; a duration cannot be")
    if number != number or number in (float("inf"), float("-inf")):
        raise RowError(f"'{shown(raw)}' is not a duration")
    return round(number * DURATION_UNITS[unit])


def parse_channel(raw: object) -> str:
    text = str(raw).strip().lower()
    if text in CHANNEL_ALIASES:
        return CHANNEL_ALIASES[text]
    raise RowError(f"'{shown(raw)}' is not a channel; use voice, email, chat or social")


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")
