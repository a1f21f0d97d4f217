"""The KPIs an SLA can govern: every KPI of `kpis.domain`, and calibration alignment. Bounds
are in the unit people read: percentages as 0-100, durations in seconds, NPS as -100..100,
CES on its 1-7 scale; `band_unit_value` converts a KPI value to it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kpis.domain import DEFINITIONS, Direction, Kpi, Unit
from sla.domain.numbers import HUNDRED, plain_number

# The minimum sample below which nothing is decided: one number per governed KPI.
DEFAULT_MIN_SAMPLE = 30

# Agreement between buyer and partner reviewers in calibration sessions (the partner's,
# whatever the channel): measured by the calibration module, not from KPI snapshots.
CALIBRATION = "calibration"


@dataclass(frozen=True)
class GovernableKpi:
    key: str
    label: str
    unit: Unit
    direction: Direction
    # Efficiency KPIs reward speed, not quality: they belong in guardrails, and a credit on
    # one is allowed with a warning (docs/domain.md, "SLA bands": penalising AHT buys fast,
    # unresolved contacts).
    efficiency: bool = False


GOVERNABLE: dict[str, GovernableKpi] = {
    **{
        k.value: GovernableKpi(
            k.value, d.label, d.unit, d.direction, efficiency=k in (Kpi.AHT, Kpi.FRT)
        )
        for k, d in DEFINITIONS.items()
    },
    CALIBRATION: GovernableKpi(
        CALIBRATION, "Calibration alignment", Unit.PERCENT, Direction.HIGHER_IS_BETTER
    ),
}


def governable(key: str) -> GovernableKpi:
    try:
        return GOVERNABLE[key]
    except KeyError:
        raise ValueError(f"'{key}' is not a KPI an SLA can govern.") from None


def band_unit_value(unit: Unit, value: Decimal | None) -> Decimal | None:
    """A KPI value in the unit bands are written in (percentages as 0-100)."""
    if value is None:
        return None
    return value * HUNDRED if unit is Unit.PERCENT else value


def with_unit(unit: Unit, value: Decimal) -> str:
    """A bound as a contract writes it: '82%', '480 s', '3.5'."""
    suffix = {Unit.PERCENT: "%", Unit.SECONDS: " s", Unit.SCORE: "", Unit.POINTS: ""}[unit]
    return f"{plain_number(value)}{suffix}"
