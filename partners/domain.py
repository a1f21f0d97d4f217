"""Roster rules: agent attrition and its health bands (docs/domain.md, "KPIs": agent
attrition). Pure: no ORM, no Celery; `kpis` reports attrition as a KPI from these rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

DAYS_PER_YEAR = Decimal(365)


class AttritionHealth(StrEnum):
    """Bands of annualised agent attrition (docs/domain.md, "KPIs": agent attrition)."""

    GOOD = "good"  # under 30 %/year
    TYPICAL = "typical"  # 30-50 %/year: inbound voice industry norm
    HIGH = "high"  # 50-60 %/year
    DRIFT = "drift"  # over 60 %/year: continuous quality drift


@dataclass(frozen=True)
class Attrition:
    """Leavers over average headcount for a period, and the same rate annualised."""

    leavers: int
    average_headcount: Decimal
    period_days: int
    rate: Decimal | None  # over the period, as a fraction
    annualised: Decimal | None  # scaled to 365 days, as a fraction

    @property
    def health(self) -> AttritionHealth | None:
        return attrition_health(self.annualised) if self.annualised is not None else None


def attrition(
    *, leavers: int, headcount_start: int, headcount_end: int, period_days: int
) -> Attrition:
    """Agents who left in the period / average headcount, annualised.

    The average headcount is the mean of the headcounts at the start and at the end of
    the period. With no headcount at all the rate is undefined (None), not zero.
    """
    if leavers < 0 or headcount_start < 0 or headcount_end < 0:
        raise ValueError("Counts cannot be negative.")
    if period_days <= 0:
        raise ValueError("A period lasts at least one day.")
    average = (Decimal(headcount_start) + Decimal(headcount_end)) / 2
    if average == 0:
        return Attrition(leavers, average, period_days, None, None)
    rate = Decimal(leavers) / average
    annualised = rate * DAYS_PER_YEAR / Decimal(period_days)
    return Attrition(leavers, average, period_days, rate, annualised)


def attrition_health(annualised: Decimal) -> AttritionHealth:
    if annualised < Decimal("0.30"):
        return AttritionHealth.GOOD
    if annualised <= Decimal("0.50"):
        return AttritionHealth.TYPICAL
    if annualised <= Decimal("0.60"):
        return AttritionHealth.HIGH
    return AttritionHealth.DRIFT
