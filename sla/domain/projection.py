"""Early warning: where the current month is heading, projected from the month to date."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from kpis.domain import KpiValue
from sla.domain.standing import BandResult


def project(value: KpiValue, *, days_elapsed: int, days_in_period: int) -> KpiValue:
    """The period-end value projected from the period to date.

    The month-end value is the volume-weighted mean of what is known (a share f of the
    month's days) and what is still to come. The best estimate of the rest is the value so
    far, and its plausible range is the value's interval, so the projection is the value so
    far with the interval shrunk towards it by f: f * v + (1 - f) * low, likewise for high.
    """
    point = value.value
    if point is None or days_elapsed >= days_in_period:
        return value
    if days_elapsed <= 0:
        raise ValueError("A projection needs at least one day of data.")
    f = Decimal(days_elapsed) / Decimal(days_in_period)
    expected_sample = int((Decimal(value.sample) / f).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def towards(bound: Decimal | None) -> Decimal | None:
        if bound is None:
            return None
        return f * point + (1 - f) * bound

    return KpiValue(value.kpi, point, expected_sample, towards(value.low), towards(value.high))


def project_amount(amount: Decimal, *, days_elapsed: int, days_in_period: int) -> Decimal:
    """A month-to-date amount (an invoice that grows with volume) carried to the period's
    end at the pace so far: amount × days in period / days elapsed, unrounded."""
    if days_elapsed <= 0:
        raise ValueError("A projection needs at least one day of data.")
    if days_elapsed >= days_in_period:
        return amount
    return amount * Decimal(days_in_period) / Decimal(days_elapsed)


class Heading(StrEnum):
    NONE = ""
    REMEDIATION = "remediation"
    PENALTY = "penalty"


def heading(result: BandResult) -> Heading:
    """What a projected result warns of: a band with a credit (penalty) or one that opens a
    remediation plan. Samples too small to decide warn too: the warning is about direction."""
    band = result.band
    if band is None:
        return Heading.NONE
    if band.credit_pct > 0:
        return Heading.PENALTY
    if band.opens_remediation:
        return Heading.REMEDIATION
    return Heading.NONE
