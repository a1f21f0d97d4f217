"""The stages of an engagement: the default sequence of pilot and expansion steps, moving
between stages, expansion gates, and ramp realism. docs/domain.md, "Engagement stages"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sla.domain import HUNDRED


class StageKind(StrEnum):
    SELECTION = "selection"
    PILOT = "pilot"
    EXPANSION = "expansion"
    STEADY_STATE = "steady_state"
    EXIT = "exit"


STAGE_ORDER = {
    StageKind.SELECTION: 0,
    StageKind.PILOT: 1,
    StageKind.EXPANSION: 2,
    StageKind.STEADY_STATE: 3,
    StageKind.EXIT: 4,
}


class Expansion(StrEnum):
    INTERACTION_TYPE = "interaction_type"
    CHANNEL = "channel"
    SHIFTS = "shifts"
    BRAND_SENSITIVE = "brand_sensitive"


EXPANSION_LABELS = {
    Expansion.INTERACTION_TYPE: "Another interaction type",
    Expansion.CHANNEL: "Another channel",
    Expansion.SHIFTS: "More shifts",
    Expansion.BRAND_SENSITIVE: "Brand-sensitive work (complaints, retention)",
}


@dataclass(frozen=True)
class PlannedStep:
    kind: StageKind
    expansion: Expansion | None
    first_week: int
    last_week: int


# docs/domain.md, "Engagement stages": weeks 1-12 pilot; 13-20 a second interaction type; 21-32 a
# second channel; 33-48 more shifts; year 2 brand-sensitive work.
DEFAULT_SEQUENCE = (
    PlannedStep(StageKind.PILOT, None, 1, 12),
    PlannedStep(StageKind.EXPANSION, Expansion.INTERACTION_TYPE, 13, 20),
    PlannedStep(StageKind.EXPANSION, Expansion.CHANNEL, 21, 32),
    PlannedStep(StageKind.EXPANSION, Expansion.SHIFTS, 33, 48),
    PlannedStep(StageKind.EXPANSION, Expansion.BRAND_SENSITIVE, 53, 64),
)


def next_planned(done: Sequence[tuple[StageKind, Expansion | None]]) -> PlannedStep | None:
    """The first step of the default sequence not yet taken."""
    taken = list(done)
    for step in DEFAULT_SEQUENCE:
        if (step.kind, step.expansion) in taken:
            taken.remove((step.kind, step.expansion))
            continue
        return step
    return None


def move_problem(current: StageKind | None, new: StageKind, reason: str) -> str | None:
    """Why the engagement cannot move from `current` to `new`: going back (or leaving an
    exit) needs a reason."""
    if current is None:
        return None
    if current is StageKind.EXIT and not reason.strip():
        return "The engagement has exited: resuming it needs a reason."
    if STAGE_ORDER[new] < STAGE_ORDER[current] and not reason.strip():
        return (
            f"Moving back from {current.value.replace('_', ' ')} to "
            f"{new.value.replace('_', ' ')} needs a reason."
        )
    return None


PILOT_DAYS = (60, 90)


def pilot_length_note(days: int) -> str | None:
    low, high = PILOT_DAYS
    if days < low:
        return f"The pilot ran {days} days: shorter than the {low}-{high} days a pilot needs."
    if days > high:
        return f"The pilot ran {days} days: longer than the usual {low}-{high} days."
    return None


@dataclass(frozen=True)
class GateMonth:
    """One month of the current scope: whether every governed KPI was in base or better.
    None: no governed KPI decided that month (no data, or too small a sample)."""

    label: str
    at_sla: bool | None
    below: tuple[str, ...] = ()  # the KPIs below base, in words


@dataclass(frozen=True)
class Gate:
    months_needed: int
    months: tuple[GateMonth, ...]  # the most recent complete months, newest first
    alignment: Decimal | None  # calibration agreement, 0-1
    alignment_threshold: Decimal
    reasons: tuple[str, ...]  # why the gate is red; empty when green

    @property
    def sla_ok(self) -> bool:
        return len(self.months) >= self.months_needed and all(m.at_sla for m in self.months)

    @property
    def alignment_ok(self) -> bool:
        return self.alignment is not None and self.alignment >= self.alignment_threshold

    @property
    def green(self) -> bool:
        return not self.reasons


def gate(
    months: Sequence[GateMonth],
    *,
    months_needed: int,
    alignment: Decimal | None,
    alignment_threshold: Decimal,
) -> Gate:
    """An expansion gate: green when the current scope ran at SLA for each of the last
    `months_needed` complete months and calibration alignment is at least the threshold."""
    if months_needed < 1:
        raise ValueError("A gate looks at one month or more.")
    recent = tuple(months[:months_needed])
    reasons = []
    if len(recent) < months_needed:
        reasons.append(
            f"Only {len(recent)} complete month{'s' if len(recent) != 1 else ''} of SLA "
            f"results; the gate needs {months_needed}."
        )
    for m in recent:
        if m.at_sla is None:
            reasons.append(f"{m.label}: no governed KPI was decided.")
        elif not m.at_sla:
            reasons.append(f"{m.label}: below base on {', '.join(m.below)}.")
    if alignment is None:
        reasons.append("No calibration alignment measured yet.")
    elif alignment < alignment_threshold:
        reasons.append(
            f"Calibration agreement {alignment * HUNDRED:.1f}% is below the "
            f"{alignment_threshold * HUNDRED:.1f}% threshold."
        )
    return Gate(months_needed, recent, alignment, alignment_threshold, tuple(reasons))


RAMP_ROUTINE_WEEKS = 8  # docs/domain.md, "Engagement stages": 8-12 weeks to parity on routine work
RAMP_BRAND_SENSITIVE_WEEKS = 17  # 4-6 months on brand-sensitive work


def ramp_flag(ramp_weeks: int, *, routine_only: bool, brand_sensitive: bool) -> str | None:
    """Why a planned ramp to full volume is unrealistic, or None."""
    if ramp_weeks < 0:
        raise ValueError("A ramp cannot last a negative number of weeks.")
    if brand_sensitive and ramp_weeks < RAMP_BRAND_SENSITIVE_WEEKS:
        return (
            f"A {ramp_weeks}-week ramp on brand-sensitive work is unrealistic: plan 4-6 "
            "months to parity."
        )
    if not routine_only and ramp_weeks < RAMP_ROUTINE_WEEKS:
        return (
            f"A {ramp_weeks}-week ramp is unrealistic beyond status checks: plan at least "
            f"{RAMP_ROUTINE_WEEKS} weeks to full volume."
        )
    return None
