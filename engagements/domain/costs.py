"""Cost per resolved contact: loaded cost, the buyer's governance cost split across
channels, the in-house comparison, and the what-if of another pricing model. docs/domain.md,
"Pricing models"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from engagements.domain.common import ONE
from sla.domain import HUNDRED, ZERO, Pricing, PricingModel, Volumes, channel_invoice, round_money


def loaded_cost(headline: Decimal, loaded_pct: Decimal, minor_digits: int) -> Decimal:
    return round_money(headline * (ONE + loaded_pct / HUNDRED), minor_digits)


def split_by(amount: Decimal, weights: Mapping[str, int], minor_digits: int) -> dict[str, Decimal]:
    """`amount` split across keys in proportion to their weights, rounded to the minor unit
    so that the parts add up to `amount` exactly (the last key takes the rounding)."""
    total = sum(weights.values())
    keys = sorted(weights)
    if not keys:
        return {}
    if total <= 0:
        even = {k: 1 for k in keys}
        return split_by(amount, even, minor_digits)
    parts = {k: round_money(amount * weights[k] / total, minor_digits) for k in keys[:-1]}
    parts[keys[-1]] = amount - sum(parts.values(), ZERO)
    return parts


@dataclass(frozen=True)
class MonthCost:
    """One partner's loaded cost for one channel and month, and what it bought."""

    headline: Decimal  # charges on the partner's invoice
    loaded: Decimal  # headline plus the contract's loaded-cost components
    governance: Decimal  # the buyer's program-management cost allotted to this channel
    resolved: int

    @property
    def total(self) -> Decimal:
        return self.loaded + self.governance

    @property
    def per_resolved(self) -> Decimal | None:
        if self.resolved <= 0:
            return None
        return (self.total / self.resolved).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def in_house_per_resolved(cost_per_contact: Decimal, fcr_pct: Decimal) -> Decimal | None:
    """What the in-house team pays per resolved contact: its cost per contact / its FCR."""
    if fcr_pct <= 0:
        return None
    return (cost_per_contact * HUNDRED / fcr_pct).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# What-if pricing
# ------------------------------------------------------------------------------

WHAT_IF_MODELS = (
    PricingModel.PER_HOUR,
    PricingModel.PER_FTE,
    PricingModel.PER_CONTACT,
    PricingModel.PER_RESOLVED,
    PricingModel.HYBRID,
)
HYBRID_BASE_SHARE = Decimal("0.8")  # hybrid what-if: 80% of the price on contacts, 20% earned


def equivalent_pricing(model: PricingModel, cost: Decimal, expected: Volumes) -> Pricing | None:
    """A price under `model` that would have cost `cost` for the `expected` volumes (the
    scope's forecast at its baseline FCR): the fair starting point of a what-if, so that only
    the partner's actual volumes and resolution move the bill. None when the volume the
    model bills on is unknown or zero. Rates keep their full precision (pages show them to
    0.0001): rounded to four places, pricing thousands of units would miss `cost` by cents."""

    def per(units: Decimal | int | None) -> Decimal | None:
        if units is None or units <= 0:
            return None
        return cost / Decimal(units)

    if model is PricingModel.PER_HOUR:
        rate = per(expected.hours)
    elif model is PricingModel.PER_FTE:
        rate = per(expected.fte)
    elif model is PricingModel.PER_CONTACT:
        rate = per(expected.contacts)
    elif model is PricingModel.PER_RESOLVED:
        rate = per(expected.resolved)
    elif model is PricingModel.HYBRID:
        base = per(expected.contacts)
        bonus = per(expected.resolved)
        if base is None or bonus is None:
            return None
        return Pricing(
            PricingModel.HYBRID,
            base * HYBRID_BASE_SHARE,
            PricingModel.PER_CONTACT,
            bonus * (ONE - HYBRID_BASE_SHARE),
        )
    else:
        return None
    return Pricing(model, rate) if rate is not None else None


def price(
    pricing: Pricing, volumes: Volumes, *, currency: str, minor_digits: int
) -> Decimal | None:
    invoice = channel_invoice(pricing, volumes, currency=currency, minor_digits=minor_digits)
    return None if invoice.missing else invoice.amount
