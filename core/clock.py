"""The one clock: every read of "now" and "today" in Keel goes through this module.

Why one place: settlements, cadences and projections all depend on the date, and a figure
that reads the real date in one function and a frozen one in another is wrong in a way
nobody sees. Tests freeze time with `time-machine`, which moves this clock and Django's
together; lint (ruff's banned-api rule in `pyproject.toml`) refuses `timezone.now()`,
`timezone.localdate()` and `date.today()` anywhere else.

"Today" is always somebody's today: an account's days, weeks and months run in its time
zone (`Account.time_zone`), so a contact at 23:30 on 31 October in Manila belongs to
October there, even though it is 1 November in UTC. Without a zone, the server's
`TIME_ZONE` (UTC) decides.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils import timezone


class HasTimeZone(Protocol):
    time_zone: str


Zone = str | tzinfo | HasTimeZone | None


@lru_cache(maxsize=256)
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone(which: Zone = None) -> tzinfo:
    """A time zone from a name, a tzinfo, anything with a `time_zone` name (an account), or
    the server's default."""
    if which is None:
        return timezone.get_default_timezone()
    if isinstance(which, tzinfo):
        return which
    if isinstance(which, str):
        return _zone_named(which)
    return _zone_named(which.time_zone)


def now() -> datetime:
    """The current moment, timezone-aware."""
    return timezone.now()  # noqa: TID251 - the one place that reads it


def today(where: Zone = None) -> date:
    """Today's date in `where` (an account, a zone name or a tzinfo; default: the server's)."""
    return now().astimezone(zone(where)).date()


def local_date(moment: datetime, where: Zone = None) -> date:
    """The date a moment falls on in `where`."""
    return moment.astimezone(zone(where)).date()


def start_of(day: date, where: Zone = None) -> datetime:
    """The first moment of `day` in `where`: periods are half-open ranges of such moments."""
    return datetime.combine(day, time.min, tzinfo=zone(where))
