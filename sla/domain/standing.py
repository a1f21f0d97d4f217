"""Where a KPI value stands: the band it falls in, whether that is decided, whether it is at
risk, and how the value reads in an explanation.

- The minimum sample below which nothing is decided is one number per governed KPI.
- "At risk": a decided value whose interval reaches a graver band (a larger credit or a
  plan); a better band is no risk.
- An explanation never prints a number that, read back, lands in another band.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

from kpis.domain import Direction, KpiValue, Unit
from sla.domain.bands import Band, band_index, bounds_text, risk_band
from sla.domain.governable import (
    DEFAULT_MIN_SAMPLE,
    GovernableKpi,
    band_unit_value,
    with_unit,
)

# DECIDING
# ------------------------------------------------------------------------------


class Decision(StrEnum):
    DECIDED = "decided"
    INSUFFICIENT = "insufficient"  # too small a sample: no money moves
    NO_DATA = "no_data"


@dataclass(frozen=True)
class BandResult:
    """Where one KPI value stands: its band, whether that is decided, and, for a decided
    value, the graver band its interval reaches (`risk`: "at risk"; the point value still
    decides)."""

    kpi: GovernableKpi
    value: Decimal | None  # in band units
    sample: int
    low: Decimal | None
    high: Decimal | None
    band: Band | None
    decision: Decision
    risk: Band | None = None
    min_sample: int = DEFAULT_MIN_SAMPLE  # the governed KPI's: below it, nothing is decided

    @property
    def at_risk(self) -> bool:
        return self.risk is not None

    @property
    def decided_band(self) -> Band | None:
        return self.band if self.decision is Decision.DECIDED else None


@dataclass(frozen=True)
class Measured:
    """A value measured outside KPI snapshots (calibration alignment), as a share 0-1."""

    value: Decimal | None
    sample: int
    low: Decimal | None = None
    high: Decimal | None = None


def evaluate(
    kpi: GovernableKpi,
    value: KpiValue | Measured | None,
    bands: Sequence[Band],
    *,
    min_sample: int,
) -> BandResult:
    """The band `value` falls in. Decided when the sample reaches the governed KPI's
    `min_sample` (one number for every band: no band is easier to decide than another);
    at risk only when decided and its interval reaches a graver band (`risk_band`)."""
    if value is None or value.value is None:
        return BandResult(kpi, None, 0, None, None, None, Decision.NO_DATA, min_sample=min_sample)
    point = band_unit_value(kpi.unit, value.value)
    low = band_unit_value(kpi.unit, value.low)
    high = band_unit_value(kpi.unit, value.high)
    assert point is not None
    band = bands[band_index(point, bands, kpi.direction)]
    if value.sample < min_sample:
        return BandResult(
            kpi, point, value.sample, low, high, band, Decision.INSUFFICIENT,
            min_sample=min_sample,
        )  # fmt: skip
    risk = risk_band(band, low, high, bands, kpi.direction)
    return BandResult(kpi, point, value.sample, low, high, band, Decision.DECIDED, risk, min_sample)


# SHOWING VALUES
# ------------------------------------------------------------------------------

# The usual precision: one decimal for shares and CES, whole seconds and NPS points.
PLACES = {Unit.PERCENT: 1, Unit.SECONDS: 0, Unit.SCORE: 0, Unit.POINTS: 1}


def _rounded(value: Decimal, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def _number(unit: Unit, value: Decimal) -> str:
    if unit is Unit.PERCENT:
        return f"{value}%"
    if unit is Unit.SECONDS:
        return f"{value:,} s"
    if unit is Unit.SCORE:
        return f"{value:+}"
    return str(value)


def format_value(kpi: GovernableKpi, value: Decimal) -> str:
    """79.2%, 412 s, +23, 3.1: one decimal for shares, whole seconds."""
    return _number(kpi.unit, _rounded(value, PLACES[kpi.unit]))


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True)
class Shown:
    """A value as an explanation prints it: `number` ('81.996%') and, when the usual
    precision would have put it in another band, the bound that decides (`against`: 'below
    82%')."""

    number: str
    against: str = ""

    def __str__(self) -> str:
        return f"{self.number}, {self.against}" if self.against else self.number


def shown_value(kpi: GovernableKpi, value: Decimal, band: Band) -> Shown:
    """`value` (in band units, held by `band`) printed so that the printed number is in
    `band` too: at the usual precision when that is so ('79.2%'), else with the fewest extra
    decimals that keep it there and the bound it is measured against ('81.996%, below 82%';
    '480.4 s, above 480 s'). Never a number that, read back, lands in another band."""
    unit, direction = kpi.unit, kpi.direction
    usual = PLACES[unit]
    if band.contains(_rounded(value, usual), direction):
        return Shown(_number(unit, _rounded(value, usual)))
    bounds = [b for b in (band.lower, band.upper) if b is not None]
    most = max(usual, *(_decimals(b) for b in bounds)) + 3
    number = next(
        (
            _rounded(value, places)
            for places in range(usual + 1, most + 1)
            if band.contains(_rounded(value, places), direction)
        ),
        # Rounded towards the bound the band holds: with as many decimals as the bounds,
        # that stays in the band whatever the value.
        _rounded(
            value,
            most,
            ROUND_FLOOR if direction is Direction.HIGHER_IS_BETTER else ROUND_CEILING,
        ),
    )
    # The usual precision fell past one of the band's bounds: name that one.
    usual_number = _rounded(value, usual)
    higher_better = direction is Direction.HIGHER_IS_BETTER
    if band.upper is not None and (
        usual_number >= band.upper if higher_better else usual_number > band.upper
    ):
        against = f"{'below' if higher_better else 'at most'} {with_unit(unit, band.upper)}"
    else:
        assert band.lower is not None
        against = f"{'at least' if higher_better else 'above'} {with_unit(unit, band.lower)}"
    return Shown(_number(unit, number), against)


# IN WORDS
# ------------------------------------------------------------------------------


def result_value(result: BandResult) -> Shown | None:
    """The result's value as its explanation prints it (`shown_value`); None without one."""
    if result.value is None:
        return None
    if result.band is None:
        return Shown(format_value(result.kpi, result.value))
    return shown_value(result.kpi, result.value, result.band)


def measured_text(result: BandResult, channel_label: str) -> str:
    """'CSAT chat 79.2% (n=1,412)': what was measured, where, and on how many."""
    subject = f"{result.kpi.label} {channel_label.lower()}"
    shown = result_value(result)
    if shown is None:
        return subject
    return f"{subject} {shown} (n={result.sample:,})"


def where_text(result: BandResult) -> str:
    """'remediation (75% to below 82%)'."""
    assert result.band is not None
    return f"{result.band.name} ({bounds_text(result.band, result.kpi)})"


def at_risk_note(result: BandResult) -> str:
    """' (at risk: its interval reaches penalty, below 75%)'; empty when not at risk."""
    if result.risk is None:
        return ""
    reaches = f"{result.risk.name}, {bounds_text(result.risk, result.kpi)}"
    return f" (at risk: its interval reaches {reaches})"


def describe(
    result: BandResult, channel_label: str, *, guardrail: bool = False, with_plan: bool = True
) -> str:
    """Where a KPI stands, in words, without money: 'CSAT chat 79.2% (n=1,412) is in
    remediation (75% to below 82%): remediation plan opens' (without the plan when
    `with_plan` is off)."""
    measured = measured_text(result, channel_label)
    if result.decision is Decision.NO_DATA:
        return f"{measured}: no data"
    band = result.band
    assert band is not None
    if result.decision is Decision.INSUFFICIENT:
        return (
            f"{measured} would be in {where_text(result)}, but a decision needs "
            f"n≥{result.min_sample:,}: insufficient data"
        )
    text = f"{measured} is in {where_text(result)}"
    if band.opens_remediation and with_plan:
        text += ": review opens" if guardrail else ": remediation plan opens"
    return text + at_risk_note(result)
