"""The scope of work: the forecast mix per channel and interaction type, the shifts a
partner covers, peak to trough, and scope discipline (the share of the work that matches the
scope). docs/domain.md, "Scope"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from engagements.domain.common import share


@dataclass(frozen=True)
class StandardType:
    code: str
    name: str
    contacts: int  # of a typical month of 5,000 tickets
    brand_sensitive: bool
    routine: bool  # scripted work such as status checks: ramps in weeks, not months


# docs/domain.md, "Scope": a typical month of 5,000 contacts.
STANDARD_MIX = (
    StandardType("order-status", "Order status", 2500, brand_sensitive=False, routine=True),
    StandardType("product-question", "Product question", 1200, brand_sensitive=False,
                 routine=False),
    StandardType("complaint-return", "Complaint / return", 800, brand_sensitive=True,
                 routine=False),
    StandardType("billing", "Billing", 300, brand_sensitive=False, routine=False),
    StandardType("escalation", "Escalation", 200, brand_sensitive=True, routine=False),
)  # fmt: skip


class Shift(StrEnum):
    BUSINESS_HOURS = "business_hours"  # Monday to Friday, 08:00-18:00 local time
    AFTER_HOURS = "after_hours"  # Monday to Friday outside business hours
    WEEKEND = "weekend"  # Saturday and Sunday
    ALL_DAY = "24_7"  # every hour of every day


SHIFT_LABELS = {
    Shift.BUSINESS_HOURS: "Business hours (Mon-Fri 08-18)",
    Shift.AFTER_HOURS: "After hours (Mon-Fri)",
    Shift.WEEKEND: "Weekend",
    Shift.ALL_DAY: "24/7",
}
BUSINESS_START, BUSINESS_END = 8, 18


def shift_of(iso_weekday: int, hour: int) -> Shift:
    """The shift a contact opened at `hour` (0-23, local time) on `iso_weekday` (1 = Monday)
    falls in."""
    if not 1 <= iso_weekday <= 7 or not 0 <= hour <= 23:
        raise ValueError("An ISO weekday is 1-7 and an hour 0-23.")
    if iso_weekday >= 6:
        return Shift.WEEKEND
    if BUSINESS_START <= hour < BUSINESS_END:
        return Shift.BUSINESS_HOURS
    return Shift.AFTER_HOURS


def covers(shifts: Iterable[Shift], shift: Shift) -> bool:
    covered = set(shifts)
    return Shift.ALL_DAY in covered or shift in covered


@dataclass(frozen=True)
class MixLine:
    """Forecast contacts a month for one channel and interaction type."""

    channel: str
    type_code: str
    contacts: int


def mix_problems(lines: Sequence[MixLine], monthly_total: int) -> list[str]:
    """Why a forecast mix is not a scope: each problem in words, none when it is fine."""
    problems = []
    if monthly_total <= 0:
        problems.append("The monthly volume forecast must be a positive number of contacts.")
    if not lines:
        problems.append("A scope needs at least one channel and interaction type in its mix.")
    seen: set[tuple[str, str]] = set()
    for line in lines:
        key = (line.channel, line.type_code)
        if line.contacts < 0:
            problems.append(f"{line.channel} / {line.type_code}: contacts cannot be negative.")
        if key in seen:
            problems.append(f"{line.channel} / {line.type_code} appears twice in the mix.")
        seen.add(key)
    mixed = sum(line.contacts for line in lines)
    if lines and monthly_total > 0 and mixed != monthly_total:
        gap = monthly_total - mixed
        problems.append(
            f"The mix adds up to {mixed:,} contacts a month, not the {monthly_total:,} "
            f"forecast: {abs(gap):,} {'missing' if gap > 0 else 'too many'}."
        )
    return problems


def month_forecast(
    lines: Sequence[MixLine], monthly_total: int, month_total: int
) -> dict[tuple[str, str], int]:
    """A month's forecast per channel and type: the month's total spread like the mix, by
    largest remainder so that the parts add up to the month's total exactly."""
    if monthly_total <= 0:
        raise ValueError("The mix needs a positive monthly total.")
    exact = [
        (Decimal(line.contacts) * month_total / monthly_total, (line.channel, line.type_code))
        for line in lines
    ]
    parts = {key: int(value) for value, key in exact}
    left = month_total - sum(parts.values())
    by_remainder = sorted(exact, key=lambda e: (-(e[0] - int(e[0])), e[1]))
    for _value, key in by_remainder[:left]:
        parts[key] += 1
    return parts


PEAK_TO_TROUGH_CASE = Decimal("1.7")


def peak_to_trough(volumes: Iterable[int]) -> Decimal | None:
    """Highest month / lowest month, to 0.01; above about 1.7 is the classic case for
    outsourcing (a partner flexes where an in-house team is sized for the peak)."""
    values = [v for v in volumes]
    if len(values) < 2 or min(values) <= 0:
        return None
    return (Decimal(max(values)) / Decimal(min(values))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


# Scope discipline
# ------------------------------------------------------------------------------

DISCIPLINE_HEALTHY = Decimal("0.95")


@dataclass(frozen=True)
class WorkGroup:
    """Contacts that opened in one hour of one weekday (local time), for one channel and
    interaction type: what SQL groups the interactions into."""

    channel: str
    type_code: str
    iso_weekday: int
    hour: int
    contacts: int


class OutOfScopeReason(StrEnum):
    CHANNEL = "channel"
    TYPE = "type"
    SHIFT = "shift"


REASON_TEXT = {
    OutOfScopeReason.CHANNEL: "channel not in the scope",
    OutOfScopeReason.TYPE: "interaction type not in the scope for this channel",
    OutOfScopeReason.SHIFT: "shift not covered",
}


@dataclass(frozen=True)
class OutOfScope:
    channel: str
    type_code: str
    shift: Shift
    reason: OutOfScopeReason
    contacts: int


@dataclass(frozen=True)
class Discipline:
    contacts: int
    in_scope: int
    out_of_scope: tuple[OutOfScope, ...]

    @property
    def share(self) -> Decimal | None:
        return share(self.in_scope, self.contacts)

    @property
    def healthy(self) -> bool | None:
        return None if self.share is None else self.share >= DISCIPLINE_HEALTHY

    @property
    def out_of_scope_contacts(self) -> int:
        return self.contacts - self.in_scope


def scope_discipline(
    groups: Iterable[WorkGroup], lines: Iterable[tuple[str, str]], shifts: Iterable[Shift]
) -> Discipline:
    """Share of contacts that match the scope: a channel and interaction type forecast in
    the mix (with contacts), opened in a covered shift. Out-of-scope work is listed per
    channel, type, shift and reason, largest first."""
    allowed = set(lines)
    channels = {c for c, _ in allowed}
    covered = list(shifts)
    total = inside = 0
    out: dict[tuple[str, str, Shift, OutOfScopeReason], int] = {}
    for g in groups:
        total += g.contacts
        shift = shift_of(g.iso_weekday, g.hour)
        if g.channel not in channels:
            reason: OutOfScopeReason | None = OutOfScopeReason.CHANNEL
        elif (g.channel, g.type_code) not in allowed:
            reason = OutOfScopeReason.TYPE
        elif not covers(covered, shift):
            reason = OutOfScopeReason.SHIFT
        else:
            reason = None
        if reason is None:
            inside += g.contacts
        else:
            key = (g.channel, g.type_code, shift, reason)
            out[key] = out.get(key, 0) + g.contacts
    listed = sorted(
        (OutOfScope(c, t, s, r, n) for (c, t, s, r), n in out.items()),
        key=lambda o: (-o.contacts, o.channel, o.type_code, o.shift),
    )
    return Discipline(total, inside, tuple(listed))
