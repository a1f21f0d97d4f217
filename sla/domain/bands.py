"""Bands: the ranges of a governed KPI's values and their consequences, whether a layout is
sound, which band holds a value and which graver band its interval reaches.

Adjacent bands share a bound, and the bound belongs where the contract puts it: for a
higher-is-better KPI a band holds its lower bound ("88 % and above" is bonus, exactly 88 %
too), for a lower-is-better KPI its upper bound ("480 s or less" is base, exactly 480 s too).
The lowest band has no lower bound and the highest no upper bound, so that every value falls
in exactly one band (docs/sla.md, "SLAs and bands").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kpis.domain import Direction
from sla.domain.governable import GovernableKpi, with_unit
from sla.domain.numbers import HUNDRED, ZERO


class BandKind(StrEnum):
    BONUS = "bonus"
    BASE = "base"
    REMEDIATION = "remediation"
    PENALTY = "penalty"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Band:
    """One band of a governed KPI and its consequence. Percentages (`bonus_pct`,
    `credit_pct`) are shares of the channel's monthly invoice, 0-100.

    Which band holds a shared bound depends on the KPI's direction (see `contains`); the
    minimum sample is the governed KPI's, one number for all its bands (`evaluate`)."""

    kind: BandKind
    lower: Decimal | None
    upper: Decimal | None
    bonus_pct: Decimal = ZERO
    credit_pct: Decimal = ZERO
    opens_remediation: bool = False
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.kind.value

    def contains(self, value: Decimal, direction: Direction) -> bool:
        """Whether the band holds `value`, with the bound where the contract puts it: a
        higher-is-better band holds its lower bound ("88% and above", `[lower, upper)`), a
        lower-is-better band its upper bound ("480 s or less", `(lower, upper]`)."""
        if direction is Direction.HIGHER_IS_BETTER:
            return (self.lower is None or value >= self.lower) and (
                self.upper is None or value < self.upper
            )
        return (self.lower is None or value > self.lower) and (
            self.upper is None or value <= self.upper
        )

    @property
    def at_sla(self) -> bool:
        """Base or better: no credit and no remediation."""
        return self.credit_pct == 0 and not self.opens_remediation


def range_text(lower: Decimal | None, upper: Decimal | None, kpi: GovernableKpi) -> str:
    """Values from `lower` to `upper` in contract language, the shared bound on the side
    the KPI's direction gives it. Higher is better: 'below 75%', '82% to below 88%', '88% and
    above'. Lower is better: '480 s or less', 'above 300 s up to 480 s', 'above 480 s'."""
    if lower is None and upper is None:
        return "any value"
    unit = kpi.unit
    if kpi.direction is Direction.HIGHER_IS_BETTER:
        if lower is None:
            return f"below {with_unit(unit, upper)}"  # type: ignore[arg-type]
        if upper is None:
            return f"{with_unit(unit, lower)} and above"
        return f"{with_unit(unit, lower)} to below {with_unit(unit, upper)}"
    if lower is None:
        return f"{with_unit(unit, upper)} or less"  # type: ignore[arg-type]
    if upper is None:
        return f"above {with_unit(unit, lower)}"
    return f"above {with_unit(unit, lower)} up to {with_unit(unit, upper)}"


def bounds_text(band: Band, kpi: GovernableKpi) -> str:
    """The values a band holds, as a contract writes them (`range_text`)."""
    return range_text(band.lower, band.upper, kpi)


def _values(lower: Decimal | None, upper: Decimal | None, kpi: GovernableKpi) -> str:
    """`range_text` inside a sentence: 'values from 80% to below 82%', 'values of 99% and
    above', 'values above 480 s'."""
    text = range_text(lower, upper, kpi)
    if text.startswith(("below", "above")):
        return f"values {text}"
    return f"values {'of' if lower is None or upper is None else 'from'} {text}"


def _worse(a: Band, b: Band) -> list[str]:
    """What makes band `a` a worse outcome for the partner than band `b`."""
    reasons = []
    if a.credit_pct > b.credit_pct:
        reasons.append("a larger credit")
    if a.bonus_pct < b.bonus_pct:
        reasons.append("a smaller bonus")
    if a.opens_remediation and not b.opens_remediation:
        reasons.append("a remediation plan")
    return reasons


def by_value(bands: Sequence[Band]) -> list[Band]:
    """Lowest values first: the band without a lower bound, then by lower bound."""
    return sorted(bands, key=lambda b: (b.lower is not None, b.lower or ZERO))


def band_layout_problems(bands: Sequence[Band], kpi: GovernableKpi) -> list[str]:
    """Every reason a set of bands cannot be used, in words; empty when it is sound.

    Sound bands each have sensible bounds and consequences, together cover every value with
    no gap and no overlap (adjacent bands share a bound, held by one of them as `Band.contains`
    says), and never treat a better value worse than a poorer one.
    """
    unit = kpi.unit
    problems: list[str] = []
    if not bands:
        return ["Add at least one band: a governed KPI needs bands covering every value."]
    for band in bands:
        name = f"Band '{band.name}'"
        if band.lower is not None and band.upper is not None and band.lower >= band.upper:
            problems.append(
                f"{name}: its lower bound {with_unit(unit, band.lower)} must be below its "
                f"upper bound {with_unit(unit, band.upper)}."
            )
        for label, pct in (("bonus", band.bonus_pct), ("credit", band.credit_pct)):
            if not ZERO <= pct <= HUNDRED:
                problems.append(f"{name}: the {label} must be between 0 and 100% of the invoice.")
        if band.bonus_pct > 0 and band.credit_pct > 0:
            problems.append(f"{name}: a band pays a bonus or takes a credit, not both.")
    if problems:
        return problems

    ordered = by_value(bands)
    lowest, highest = ordered[0], ordered[-1]
    if lowest.lower is not None:
        problems.append(
            f"{_values(None, lowest.lower, kpi).capitalize()} fall in no band: leave the lower "
            f"bound of the lowest band ('{lowest.name}') empty."
        )
    if highest.upper is not None:
        problems.append(
            f"{_values(highest.upper, None, kpi).capitalize()} fall in no band: leave the "
            f"upper bound of the highest band ('{highest.name}') empty."
        )
    for low, high in zip(ordered, ordered[1:], strict=False):
        if low.upper is None or high.lower is None:
            problems.append(
                f"Bands '{low.name}' and '{high.name}' overlap: only the highest band may have "
                "no upper bound, and only the lowest no lower bound."
            )
        elif low.upper < high.lower:
            problems.append(
                f"Gap between '{low.name}' ({bounds_text(low, kpi)}) and '{high.name}' "
                f"({bounds_text(high, kpi)}): {_values(low.upper, high.lower, kpi)} fall in "
                "no band. Start each band where the one below ends."
            )
        elif low.upper > high.lower:
            problems.append(
                f"Bands '{low.name}' ({bounds_text(low, kpi)}) and '{high.name}' "
                f"({bounds_text(high, kpi)}) overlap: {_values(high.lower, low.upper, kpi)} "
                "fall in both. Start each band where the one below ends."
            )
    if problems:
        return problems

    higher_better = kpi.direction is Direction.HIGHER_IS_BETTER
    for low, high in zip(ordered, ordered[1:], strict=False):
        better, poorer = (high, low) if higher_better else (low, high)
        reasons = _worse(better, poorer)
        if reasons:
            which = "higher" if higher_better else "lower"
            problems.append(
                f"Band '{better.name}' ({bounds_text(better, kpi)}) is for {which}, better "
                f"{kpi.label} values than '{poorer.name}' ({bounds_text(poorer, kpi)}) but "
                f"carries {' and '.join(reasons)}: a better value must never land in a worse band."
            )
    return problems


def band_warnings(bands: Sequence[Band], kpi: GovernableKpi, *, guardrail: bool) -> list[str]:
    """Allowed, but worth a second look."""
    warnings = []
    if kpi.efficiency and not guardrail and any(b.credit_pct or b.bonus_pct for b in bands):
        warnings.append(
            f"{kpi.label} carries money: a credit or bonus on an efficiency KPI rewards fast, "
            "unresolved contacts. Consider making it a guardrail that opens a review instead."
        )
    return warnings


def guardrail_problems(bands: Sequence[Band], kpi: GovernableKpi) -> list[str]:
    return [
        f"Band '{b.name}': {kpi.label} is a guardrail here, so it carries no bonus or credit; "
        "it can open a review."
        for b in bands
        if b.bonus_pct or b.credit_pct
    ]


def min_sample_problems(min_sample: int) -> list[str]:
    if min_sample < 1:
        return [
            f"Minimum sample: {min_sample} is not a number of observations; a decision needs "
            "at least 1."
        ]
    return []


def band_index(value: Decimal, bands: Sequence[Band], direction: Direction) -> int:
    """The index in `bands` of the band holding `value` (bands must be a sound layout)."""
    for index, band in enumerate(bands):
        if band.contains(value, direction):
            return index
    raise ValueError(f"{value} falls in no band: the layout has a gap.")


def graver(band: Band, than: Band) -> bool:
    """Whether landing in `band` has a consequence `than` does not: a larger credit, or a
    remediation plan (a review, for a guardrail)."""
    return band.credit_pct > than.credit_pct or (
        band.opens_remediation and not than.opens_remediation
    )


def risk_band(
    band: Band,
    low: Decimal | None,
    high: Decimal | None,
    bands: Sequence[Band],
    direction: Direction,
) -> Band | None:
    """The gravest band with a consequence `band` does not have that the interval
    `[low, high]` reaches; None when it reaches none (a better band is no risk)."""
    if low is None or high is None:
        return None
    ordered = by_value(bands)
    first, last = sorted(
        (band_index(low, ordered, direction), band_index(high, ordered, direction))
    )
    reached = [b for b in ordered[first : last + 1] if graver(b, band)]
    if not reached:
        return None
    return max(reached, key=lambda b: (b.credit_pct, b.opens_remediation))
