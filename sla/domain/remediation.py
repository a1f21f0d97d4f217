"""Remediation plans and exit criteria: when a plan may close, and how long a KPI has
breached a contract's exit rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sla.domain.bands import Band


def plan_can_close(recent: Sequence[Band | None], periods_needed: int) -> bool:
    """A remediation plan closes when the KPI has been at SLA (base or better) in each of
    the last `periods_needed` decided periods (`recent` is oldest first; None: undecided,
    which breaks the run)."""
    if periods_needed < 1 or len(recent) < periods_needed:
        return False
    return all(band is not None and band.at_sla for band in recent[-periods_needed:])


class Comparison(StrEnum):
    BELOW = "below"
    ABOVE = "above"


@dataclass(frozen=True)
class ExitRule:
    comparison: Comparison
    threshold: Decimal  # in band units
    periods: int  # consecutive periods needed
    despite_remediation: bool  # counts only while a remediation plan was open


@dataclass(frozen=True)
class ExitPeriod:
    value: Decimal | None  # in band units; None: no data
    remediation_open: bool


def exit_streak(rule: ExitRule, periods: Sequence[ExitPeriod]) -> int:
    """How many of the latest consecutive periods (oldest first in `periods`) breach the rule."""
    streak = 0
    for period in reversed(periods):
        breached = period.value is not None and (
            period.value < rule.threshold
            if rule.comparison is Comparison.BELOW
            else period.value > rule.threshold
        )
        if not breached or (rule.despite_remediation and not period.remediation_open):
            break
        streak += 1
    return streak
