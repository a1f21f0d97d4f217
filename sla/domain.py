"""SLA rules: bands, where a KPI value falls in them, and the money that moves. Pure:
standard library and `kpis.domain` only, so that every rule is tested without a database.

Conventions (docs/sla.md, "SLAs and bands"):
- Adjacent bands share a bound, and the bound belongs where the contract puts it: for a
  higher-is-better KPI a band holds its lower bound ("88 % and above" is bonus, exactly 88 %
  too), for a lower-is-better KPI its upper bound ("480 s or less" is base, exactly 480 s
  too). The lowest band has no lower bound and the highest no upper bound, so that every
  value falls in exactly one band.
- The minimum sample below which nothing is decided is one number per governed KPI.
- "At risk": a decided value whose interval reaches a graver band (a larger credit or a
  plan); a better band is no risk.
- Bounds are in the unit people read: percentages as 0-100, durations in seconds, NPS as
  -100..100, CES on its 1-7 scale. `band_unit_value` converts a `KpiValue` to it.
- Money is `Decimal`. Each amount is computed exactly and rounded once, half up, to the
  currency's minor unit when it is created; totals add amounts that are already rounded, so
  the lines of a settlement always add up to its totals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

from kpis.domain import DEFINITIONS, Direction, Kpi, KpiValue, Unit

HUNDRED = Decimal(100)
ZERO = Decimal(0)
DEFAULT_MIN_SAMPLE = 30


# KPIS AN SLA CAN GOVERN
# ------------------------------------------------------------------------------

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
    # one is allowed with a warning (DOMAIN.md: "penalising AHT buys fast, unresolved
    # contacts").
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


# BANDS
# ------------------------------------------------------------------------------


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


def plain_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def _with_unit(unit: Unit, value: Decimal) -> str:
    suffix = {Unit.PERCENT: "%", Unit.SECONDS: " s", Unit.SCORE: "", Unit.POINTS: ""}[unit]
    return f"{plain_number(value)}{suffix}"


def range_text(lower: Decimal | None, upper: Decimal | None, kpi: GovernableKpi) -> str:
    """Values from `lower` to `upper` in contract language, the shared bound on the side
    the KPI's direction gives it. Higher is better: 'below 75%', '82% to below 88%', '88% and
    above'. Lower is better: '480 s or less', 'above 300 s up to 480 s', 'above 480 s'."""
    if lower is None and upper is None:
        return "any value"
    unit = kpi.unit
    if kpi.direction is Direction.HIGHER_IS_BETTER:
        if lower is None:
            return f"below {_with_unit(unit, upper)}"  # type: ignore[arg-type]
        if upper is None:
            return f"{_with_unit(unit, lower)} and above"
        return f"{_with_unit(unit, lower)} to below {_with_unit(unit, upper)}"
    if lower is None:
        return f"{_with_unit(unit, upper)} or less"  # type: ignore[arg-type]
    if upper is None:
        return f"above {_with_unit(unit, lower)}"
    return f"above {_with_unit(unit, lower)} up to {_with_unit(unit, upper)}"


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


def _by_value(bands: Sequence[Band]) -> list[Band]:
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
                f"{name}: its lower bound {_with_unit(unit, band.lower)} must be below its "
                f"upper bound {_with_unit(unit, band.upper)}."
            )
        for label, pct in (("bonus", band.bonus_pct), ("credit", band.credit_pct)):
            if not ZERO <= pct <= HUNDRED:
                problems.append(f"{name}: the {label} must be between 0 and 100% of the invoice.")
        if band.bonus_pct > 0 and band.credit_pct > 0:
            problems.append(f"{name}: a band pays a bonus or takes a credit, not both.")
    if problems:
        return problems

    ordered = _by_value(bands)
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
    ordered = _by_value(bands)
    first, last = sorted(
        (band_index(low, ordered, direction), band_index(high, ordered, direction))
    )
    reached = [b for b in ordered[first : last + 1] if graver(b, band)]
    if not reached:
        return None
    return max(reached, key=lambda b: (b.credit_pct, b.opens_remediation))


# EVALUATION
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
        against = f"{'below' if higher_better else 'at most'} {_with_unit(unit, band.upper)}"
    else:
        assert band.lower is not None
        against = f"{'at least' if higher_better else 'above'} {_with_unit(unit, band.lower)}"
    return Shown(_number(unit, number), against)


# PROJECTION (early warning)
# ------------------------------------------------------------------------------


def project(value: KpiValue, *, days_elapsed: int, days_in_period: int) -> KpiValue:
    """The period-end value projected from the period to date.

    The month-end value is the volume-weighted mean of what is known (a share f of the
    month's days) and what is still to come. The best estimate of the rest is the value so
    far, and its plausible range is the value's interval, so the projection is the value so
    far with the interval shrunk towards it by f: f * v + (1 - f) * low, likewise for high.
    """
    if value.value is None or days_elapsed >= days_in_period:
        return value
    if days_elapsed <= 0:
        raise ValueError("A projection needs at least one day of data.")
    f = Decimal(days_elapsed) / Decimal(days_in_period)
    expected_sample = int((Decimal(value.sample) / f).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def towards(bound: Decimal | None) -> Decimal | None:
        if bound is None:
            return None
        return f * value.value + (1 - f) * bound  # type: ignore[operator]

    return KpiValue(
        value.kpi, value.value, expected_sample, towards(value.low), towards(value.high)
    )


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


# MONEY
# ------------------------------------------------------------------------------


def round_money(amount: Decimal, minor_digits: int) -> Decimal:
    """Half up to the currency's minor unit (2 for USD and EUR, 0 for JPY, 3 for KWD)."""
    return amount.quantize(Decimal(1).scaleb(-minor_digits), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str, minor_digits: int) -> str:
    return f"{round_money(amount, minor_digits):,} {currency}"


class PricingModel(StrEnum):
    PER_HOUR = "per_hour"
    PER_FTE = "per_fte"
    PER_CONTACT = "per_contact"
    PER_RESOLVED = "per_resolved"
    OUTCOME = "outcome"  # a monthly fee per channel, earned through the bands
    HYBRID = "hybrid"  # a base (hours, FTE or contacts) plus a bonus per resolved contact


HYBRID_BASES = (PricingModel.PER_HOUR, PricingModel.PER_FTE, PricingModel.PER_CONTACT)


@dataclass(frozen=True)
class Pricing:
    model: PricingModel
    rate: Decimal  # per hour, per FTE-month, per contact, per resolved contact, or the fee
    hybrid_base: PricingModel | None = None
    resolution_bonus: Decimal = ZERO  # hybrid: per resolved contact

    @property
    def base_model(self) -> PricingModel:
        """What the base charge counts: the model itself, or a hybrid's base."""
        if self.model is not PricingModel.HYBRID:
            return self.model
        if self.hybrid_base is None or self.hybrid_base is PricingModel.HYBRID:
            raise ValueError("A hybrid price needs a base: per hour, per FTE or per contact.")
        return self.hybrid_base

    @property
    def counts_contacts(self) -> bool:
        """Whether it bills on contacts, which can be told apart by interaction type (agent
        hours, FTE and a monthly fee cannot)."""
        return self.base_model in (PricingModel.PER_CONTACT, PricingModel.PER_RESOLVED)


@dataclass(frozen=True)
class TypeVolume:
    """The contacts of one interaction type on one channel in one month."""

    contacts: int = 0
    resolved: int = 0


@dataclass(frozen=True)
class Volumes:
    """One channel's volumes in one month. Hours and FTE are entered or uploaded; contacts
    and resolved contacts (first-contact resolutions) come from KPI data, and `by_type`
    splits the contacts that came as rows by interaction type (aggregate reports carry no
    type: their contacts count only in the channel's totals)."""

    hours: Decimal | None = None
    fte: Decimal | None = None
    contacts: int = 0
    resolved: int = 0
    by_type: Mapping[str, TypeVolume] = field(default_factory=dict)


@dataclass(frozen=True)
class RateLine:
    """One line of a contract's rate card: how one channel is priced, or one interaction
    type on it. A channel's line without a type prices every contact that no line of its
    own type prices (docs/sla.md, "Rate cards")."""

    channel: str
    pricing: Pricing
    interaction_type: str = ""  # the type's code; empty: the channel's rate
    type_label: str = ""


@dataclass(frozen=True)
class InvoicePart:
    """What one rate line charged, and what it counted to get there."""

    text: str  # "10,000 chat contacts × 3.00 USD = 30,000.00 USD"
    amount: Decimal


@dataclass(frozen=True)
class Invoice:
    amount: Decimal
    explanation: str
    missing: str = ""  # the volume that was not entered, when the amount could not be computed
    parts: tuple[InvoicePart, ...] = ()


def _quantity(value: Decimal) -> str:
    """1,200 or 1,200.5: grouped, without trailing zeros."""
    return format(value.normalize(), ",f")


def _charge(
    pricing: Pricing, volumes: Volumes, subject: str, money: Callable[[Decimal], str]
) -> tuple[Decimal | None, str, str]:
    """(amount, what was counted, missing volume) of one price on some volumes; `subject`
    names what is counted ("chat", "chat complaint"), or nothing."""
    model = pricing.base_model
    rate = money(pricing.rate)
    of = f"{subject} " if subject else ""
    amount: Decimal
    if model is PricingModel.PER_HOUR:
        if volumes.hours is None:
            return None, "", "agent hours"
        amount, text = (
            volumes.hours * pricing.rate,
            f"{_quantity(volumes.hours)} {of}agent hours",
        )
    elif model is PricingModel.PER_FTE:
        if volumes.fte is None:
            return None, "", "FTE"
        amount, text = volumes.fte * pricing.rate, f"{_quantity(volumes.fte)} {of}FTE"
    elif model is PricingModel.PER_CONTACT:
        amount, text = volumes.contacts * pricing.rate, f"{volumes.contacts:,} {of}contacts"
    elif model is PricingModel.PER_RESOLVED:
        amount = volumes.resolved * pricing.rate
        text = f"{volumes.resolved:,} resolved {of}contacts"
    elif model is PricingModel.OUTCOME:
        return pricing.rate, f"{of}monthly fee {rate}", ""
    else:
        raise ValueError(f"{model} is not a base charge.")
    text += f" × {rate}"
    if pricing.model is PricingModel.HYBRID and pricing.resolution_bonus:
        amount += volumes.resolved * pricing.resolution_bonus
        text += f" + {volumes.resolved:,} resolved × {money(pricing.resolution_bonus)}"
    return amount, text, ""


def channel_invoice(
    pricing: Pricing, volumes: Volumes, *, currency: str, minor_digits: int
) -> Invoice:
    """A channel's monthly invoice under one price and the month's volumes."""

    def money(amount: Decimal) -> str:
        return format_money(amount, currency, minor_digits)

    amount, text, missing = _charge(pricing, volumes, "", money)
    if amount is None:
        return Invoice(ZERO, f"{missing} not entered for this month", missing)
    rounded = round_money(amount, minor_digits)
    return Invoice(rounded, text, parts=(InvoicePart(f"{text} = {money(rounded)}", rounded),))


def rate_card_invoice(
    lines: Sequence[RateLine],
    volumes: Volumes,
    *,
    channel_label: str,
    currency: str,
    minor_digits: int,
) -> Invoice:
    """One channel's monthly invoice under its rate-card lines: the sum of what each line
    charged, each rounded once. Lines for an interaction type price that type's contacts;
    the channel's line without a type prices the rest ("other chat contacts")."""

    def money(amount: Decimal) -> str:
        return format_money(amount, currency, minor_digits)

    if not lines:
        raise ValueError(f"No rate for {channel_label}.")
    channel = channel_label.lower()
    typed = [line for line in lines if line.interaction_type]
    general = [line for line in lines if not line.interaction_type]
    if len(general) > 1:
        raise ValueError(f"{channel_label} has {len(general)} rates for the same contacts.")
    priced: list[tuple[RateLine, Volumes, str]] = []
    for line in typed:
        here = volumes.by_type.get(line.interaction_type, TypeVolume())
        subject = f"{channel} {(line.type_label or line.interaction_type).lower()}"
        priced.append((line, Volumes(contacts=here.contacts, resolved=here.resolved), subject))
    if general:
        taken_contacts = sum(
            volumes.by_type.get(t.interaction_type, TypeVolume()).contacts for t in typed
        )
        taken_resolved = sum(
            volumes.by_type.get(t.interaction_type, TypeVolume()).resolved for t in typed
        )
        rest = Volumes(
            hours=volumes.hours,
            fte=volumes.fte,
            contacts=volumes.contacts - taken_contacts,
            resolved=volumes.resolved - taken_resolved,
        )
        priced.append((general[0], rest, f"other {channel}" if typed else channel))
    parts = []
    for line, counted, subject in priced:
        amount, text, missing = _charge(line.pricing, counted, subject, money)
        if amount is None:
            return Invoice(ZERO, f"{channel} {missing} not entered for this month", missing)
        rounded = round_money(amount, minor_digits)
        parts.append(InvoicePart(f"{text} = {money(rounded)}", rounded))
    total = sum((part.amount for part in parts), ZERO)
    return Invoice(total, " + ".join(part.text for part in parts), parts=tuple(parts))


_PRICED = {
    PricingModel.PER_HOUR: "per agent hour",
    PricingModel.PER_FTE: "per FTE",
    PricingModel.OUTCOME: "as a monthly fee",
    PricingModel.PER_CONTACT: "per contact",
    PricingModel.PER_RESOLVED: "per resolved contact",
}


def _is_sound(pricing: Pricing) -> bool:
    return pricing.model is not PricingModel.HYBRID or pricing.hybrid_base in HYBRID_BASES


def rate_label(line: RateLine, channel_label: str) -> str:
    """'chat' or 'chat complaints', as a line is named in messages."""
    return f"{channel_label} {line.type_label or line.interaction_type}".strip()


def rate_card_problems(
    lines: Sequence[RateLine],
    *,
    channel_labels: Mapping[str, str],
    governed_channels: Sequence[str] = (),
) -> list[str]:
    """Every reason a rate card cannot be used, in words; empty when it is sound.

    A sound card prices each channel it names once (one line without a type), each
    interaction type on a channel at most once, only with rates that are not negative,
    splits by type only what can be split (contacts: a channel with typed lines prices all
    its lines on contacts), and prices every channel an SLA governs, so every credit and
    bonus has an invoice to be a share of.
    """
    problems: list[str] = []
    if not lines:
        return ["Add at least one rate line: a contract prices each channel it covers."]
    seen: dict[tuple[str, str], int] = {}
    for number, line in enumerate(lines, start=1):
        label = channel_labels.get(line.channel, line.channel)
        name = f"Line {number} ({rate_label(line, label)})"
        key = (line.channel, line.interaction_type)
        if key in seen:
            problems.append(
                f"{name} prices the same contacts as line {seen[key]}: one line per channel "
                "and interaction type."
            )
        seen.setdefault(key, number)
        pricing = line.pricing
        if pricing.rate < 0 or pricing.resolution_bonus < 0:
            problems.append(f"{name}: a rate cannot be negative.")
        if not _is_sound(pricing):
            problems.append(
                f"{name}: a hybrid price needs a base: per agent hour, per FTE or per contact."
            )
            continue
        if line.interaction_type and not pricing.counts_contacts:
            problems.append(
                f"{name}: agent hours, FTE and monthly fees cannot be split by interaction "
                "type; price a type per contact or per resolved contact."
            )
    by_channel: dict[str, list[RateLine]] = {}
    for line in lines:
        by_channel.setdefault(line.channel, []).append(line)
    for channel, here in by_channel.items():
        label = channel_labels.get(channel, channel)
        typed = [line for line in here if line.interaction_type]
        general = [line for line in here if not line.interaction_type]
        if typed and not general:
            problems.append(
                f"{label} prices {', '.join(rate_label(t, '') for t in typed)} on lines of "
                f"their own: add a {label} line without an interaction type for every other "
                "contact."
            )
        elif typed and _is_sound(general[0].pricing) and not general[0].pricing.counts_contacts:
            problems.append(
                f"{label} is priced {_PRICED[general[0].pricing.base_model]}, which pays for "
                "all its work whatever the type: price it per contact or per resolved contact "
                "to give some interaction types lines of their own."
            )
    for channel in governed_channels:
        if channel not in by_channel:
            label = channel_labels.get(channel, channel)
            problems.append(
                f"An SLA of this contract governs {label}, but the rate card has no {label} "
                f"rate: add a {label} line (credits and bonuses are shares of its invoice)."
            )
    return problems


def loaded_rate(headline: Decimal, components_pct: Mapping[str, Decimal]) -> Decimal:
    """The headline rate with the loaded-cost components (WFM, QA, team leads, ...) on top."""
    return headline * (1 + sum(components_pct.values(), ZERO) / HUNDRED)


# SETTLEMENT
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    channel: str
    channel_label: str
    result: BandResult
    guardrail: bool = False


@dataclass(frozen=True)
class Line:
    channel: str
    kpi: str
    value: Decimal | None
    sample: int
    band: Band | None
    decision: Decision
    at_risk: bool
    guardrail: bool
    credit: Decimal
    bonus: Decimal
    opens_plan: bool
    explanation: str
    value_text: str = ""  # the value as the explanation prints it ('81.996%')


@dataclass(frozen=True)
class Settlement:
    currency: str
    invoices: dict[str, Invoice]
    invoice_total: Decimal
    lines: list[Line]
    credit_gross: Decimal
    credit_cap: Decimal
    credit_total: Decimal  # after the at-risk cap
    bonus_gross: Decimal
    bonus_cap: Decimal
    bonus_total: Decimal  # after the bonus cap
    carried: Decimal = ZERO  # adjustments carried in from approved earlier months
    notes: list[str] = field(default_factory=list)

    @property
    def net(self) -> Decimal:
        """What the buyer pays: the invoice less credits, plus bonuses and carried amounts."""
        return self.invoice_total - self.credit_total + self.bonus_total + self.carried


def result_value(result: BandResult) -> Shown | None:
    """The result's value as its explanation prints it (`shown_value`); None without one."""
    if result.value is None:
        return None
    if result.band is None:
        return Shown(format_value(result.kpi, result.value))
    return shown_value(result.kpi, result.value, result.band)


def _measured(result: BandResult, channel_label: str) -> str:
    subject = f"{result.kpi.label} {channel_label.lower()}"
    shown = result_value(result)
    if shown is None:
        return subject
    return f"{subject} {shown} (n={result.sample:,})"


def _where(result: BandResult) -> str:
    """'remediation (75% to below 82%)'."""
    assert result.band is not None
    return f"{result.band.name} ({bounds_text(result.band, result.kpi)})"


def _at_risk_note(result: BandResult) -> str:
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
    measured = _measured(result, channel_label)
    if result.decision is Decision.NO_DATA:
        return f"{measured}: no data"
    band = result.band
    assert band is not None
    if result.decision is Decision.INSUFFICIENT:
        return (
            f"{measured} would be in {_where(result)}, but a decision needs "
            f"n≥{result.min_sample:,}: insufficient data"
        )
    text = f"{measured} is in {_where(result)}"
    if band.opens_remediation and with_plan:
        text += ": review opens" if guardrail else ": remediation plan opens"
    return text + _at_risk_note(result)


def _line(item: LineInput, invoice: Invoice, currency: str, minor_digits: int) -> Line:
    result = item.result
    kpi = result.kpi
    channel = item.channel_label.lower()
    credit = bonus = ZERO
    band = result.band
    opens = False
    measured = _measured(result, item.channel_label)
    if result.decision is Decision.NO_DATA:
        text = f"{measured}: no data this month, no money moves"
    elif result.decision is Decision.INSUFFICIENT:
        text = describe(result, item.channel_label) + ", no money moves"
    else:
        assert band is not None
        consequences = []
        opens = band.opens_remediation
        if opens:
            consequences.append("review opened" if item.guardrail else "plan opened")
        if item.guardrail:
            consequences.append("no credit (guardrail)")
        elif band.credit_pct or band.bonus_pct:
            pct = band.credit_pct or band.bonus_pct
            amount = round_money(invoice.amount * pct / HUNDRED, minor_digits)
            if band.credit_pct:
                credit = amount
            else:
                bonus = amount
            consequences.append(
                f"{'credit' if band.credit_pct else 'bonus'} {plain_number(pct)}% of the "
                f"{channel} invoice {format_money(invoice.amount, currency, minor_digits)} = "
                f"{format_money(amount, currency, minor_digits)}"
            )
        else:
            consequences.append("no credit")
        text = f"{measured} is in {_where(result)}: {', '.join(consequences)}"
        text += _at_risk_note(result)
    shown = result_value(result)
    return Line(
        item.channel, kpi.key, result.value, result.sample, band, result.decision,
        result.at_risk, item.guardrail, credit, bonus, opens, text,
        value_text=shown.number if shown else "",
    )  # fmt: skip


def settle(
    *,
    invoices: Mapping[str, Invoice],
    items: Sequence[LineInput],
    credit_cap_pct: Decimal,
    bonus_cap_pct: Decimal,
    currency: str,
    minor_digits: int,
    carried: Decimal = ZERO,
) -> Settlement:
    """One partner's month: a line per governed KPI and channel, and totals after the caps.

    The month's invoice is the sum of the channels' invoices (each the sum of its rate-card
    lines). A band's credit or bonus is a share of its own channel's invoice; the totals of
    credits and of bonuses are then capped at the contract's at-risk share and bonus share
    of the month's whole invoice (docs/sla.md, "Settlements").
    """
    for item in items:
        if item.channel not in invoices:
            raise ValueError(f"No invoice for channel {item.channel}.")
    lines = [_line(item, invoices[item.channel], currency, minor_digits) for item in items]
    invoice_total = sum((inv.amount for inv in invoices.values()), ZERO)
    credit_gross = sum((line.credit for line in lines), ZERO)
    bonus_gross = sum((line.bonus for line in lines), ZERO)
    credit_cap = round_money(invoice_total * credit_cap_pct / HUNDRED, minor_digits)
    bonus_cap = round_money(invoice_total * bonus_cap_pct / HUNDRED, minor_digits)
    credit_total = min(credit_gross, credit_cap)
    bonus_total = min(bonus_gross, bonus_cap)
    notes = []
    whole = format_money(invoice_total, currency, minor_digits)
    for label, gross, cap, pct in (
        ("Credits", credit_gross, credit_cap, credit_cap_pct),
        ("Bonuses", bonus_gross, bonus_cap, bonus_cap_pct),
    ):
        if gross > cap:
            notes.append(
                f"{label} of {format_money(gross, currency, minor_digits)} are capped at "
                f"{plain_number(pct)}% of the invoice {whole}: "
                f"{format_money(cap, currency, minor_digits)}."
            )
    for channel, invoice in invoices.items():
        if invoice.missing == "rate":
            notes.append(
                f"The {channel} invoice is 0: {invoice.explanation}, so its credits and "
                "bonuses are 0 too; add the rate to settle it."
            )
        elif invoice.missing:
            notes.append(
                f"The {channel} invoice is 0: {invoice.explanation}; enter them to settle it."
            )
    return Settlement(
        currency=currency,
        invoices=dict(invoices),
        invoice_total=invoice_total,
        lines=lines,
        credit_gross=credit_gross,
        credit_cap=credit_cap,
        credit_total=credit_total,
        bonus_gross=bonus_gross,
        bonus_cap=bonus_cap,
        bonus_total=bonus_total,
        carried=carried,
        notes=notes,
    )


# REMEDIATION AND EXIT
# ------------------------------------------------------------------------------


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


# BAND DESIGN FROM PILOT DATA
# ------------------------------------------------------------------------------


def percentile(values: Sequence[Decimal], p: Decimal) -> Decimal:
    """The p-th percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("No values.")
    if not ZERO <= p <= HUNDRED:
        raise ValueError("A percentile lies between 0 and 100.")
    ordered = sorted(values)
    position = (Decimal(len(ordered) - 1) * p) / HUNDRED
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def suggest_bands(
    values: Sequence[Decimal],
    kpi: GovernableKpi,
    *,
    cuts: tuple[Decimal, Decimal, Decimal] = (Decimal(10), Decimal(40), Decimal(80)),
    template: Sequence[Band] | None = None,
) -> list[Band]:
    """Bands from a pilot's weekly values: penalty below the first cut, remediation up to the
    second, base up to the third, bonus above (mirrored for lower-is-better KPIs), each cut
    a percentile of the pilot's values rounded to one decimal. Consequences come from
    `template` (matched by band kind) when given."""
    if not (ZERO < cuts[0] < cuts[1] < cuts[2] < HUNDRED):
        raise ValueError("Choose three percentiles in increasing order, each between 0 and 100.")
    higher_better = kpi.direction is Direction.HIGHER_IS_BETTER
    ps = cuts if higher_better else tuple(HUNDRED - c for c in reversed(cuts))
    bounds = [percentile(values, p).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) for p in ps]
    kinds = [BandKind.PENALTY, BandKind.REMEDIATION, BandKind.BASE, BandKind.BONUS]
    if not higher_better:
        kinds.reverse()
    by_kind = {b.kind: b for b in template or ()}
    defaults = {
        BandKind.PENALTY: Band(BandKind.PENALTY, None, None, credit_pct=Decimal(10),
                               opens_remediation=True),
        BandKind.REMEDIATION: Band(BandKind.REMEDIATION, None, None, opens_remediation=True),
        BandKind.BASE: Band(BandKind.BASE, None, None),
        BandKind.BONUS: Band(BandKind.BONUS, None, None, bonus_pct=Decimal(5)),
    }  # fmt: skip
    edges: list[Decimal | None] = [None, *bounds, None]
    bands = []
    for i, kind in enumerate(kinds):
        lower, upper = edges[i], edges[i + 1]
        if lower is not None and upper is not None and lower >= upper:
            continue  # two cuts rounded to the same value: that band would be empty
        like = by_kind.get(kind, defaults[kind])
        bands.append(replace(like, kind=kind, lower=lower, upper=upper))
    # Merging away an empty band leaves its neighbour's bound dangling: re-link them.
    for i in range(1, len(bands)):
        if bands[i - 1].upper != bands[i].lower:
            bands[i - 1] = replace(bands[i - 1], upper=bands[i].lower)
    return bands


# TEMPLATES (DOMAIN.md)
# ------------------------------------------------------------------------------


def _b(kind: BandKind, lower: str | None, upper: str | None, **kw: object) -> Band:
    return Band(
        kind,
        Decimal(lower) if lower is not None else None,
        Decimal(upper) if upper is not None else None,
        **kw,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    kpi: str
    bands: tuple[Band, ...]
    guardrail: bool = False

    @property
    def label(self) -> str:
        """'CSAT: bonus 88% and above, base 82% to below 88%, ...', best values first."""
        kpi = governable(self.kpi)
        ordered = _by_value(self.bands)
        if kpi.direction is Direction.HIGHER_IS_BETTER:
            ordered.reverse()
        return f"{self.title}: " + ", ".join(f"{b.name} {bounds_text(b, kpi)}" for b in ordered)


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            "csat",
            "CSAT",
            Kpi.CSAT.value,
            (
                _b(BandKind.PENALTY, None, "75", credit_pct=Decimal(10), opens_remediation=True),
                _b(BandKind.REMEDIATION, "75", "82", opens_remediation=True),
                _b(BandKind.BASE, "82", "88"),
                _b(BandKind.BONUS, "88", None, bonus_pct=Decimal(5)),
            ),
        ),
        Template(
            "fcr",
            "FCR",
            Kpi.FCR.value,
            (
                _b(BandKind.PENALTY, None, "65", credit_pct=Decimal(5), opens_remediation=True),
                _b(BandKind.REMEDIATION, "65", "70", opens_remediation=True),
                _b(BandKind.BASE, "70", "85"),
                _b(BandKind.BONUS, "85", None, bonus_pct=Decimal(3)),
            ),
        ),
        Template(
            "qa",
            "QA score",
            Kpi.QA.value,
            (
                _b(BandKind.PENALTY, None, "80", credit_pct=Decimal(5), opens_remediation=True),
                _b(BandKind.REMEDIATION, "80", "85", opens_remediation=True),
                _b(BandKind.BASE, "85", None),
            ),
        ),
        Template(
            "sla",
            "SLA adherence",
            Kpi.SLA.value,
            (
                _b(BandKind.PENALTY, None, "90", credit_pct=Decimal(5), opens_remediation=True),
                _b(BandKind.REMEDIATION, "90", "95", opens_remediation=True),
                _b(BandKind.BASE, "95", None),
            ),
        ),
        Template(
            "escalation",
            "Escalation rate",
            Kpi.ESCALATION.value,
            (
                _b(BandKind.BASE, None, "10"),
                _b(BandKind.REMEDIATION, "10", "15", opens_remediation=True),
                _b(BandKind.PENALTY, "15", None, credit_pct=Decimal(5), opens_remediation=True),
            ),
        ),
        Template(
            "aht-guardrail",
            "AHT guardrail (a review, no money; set your own ceiling)",
            Kpi.AHT.value,
            (
                _b(BandKind.BASE, None, "600"),
                _b(BandKind.CUSTOM, "600", None, opens_remediation=True, label="review"),
            ),
            guardrail=True,
        ),
    )
}
